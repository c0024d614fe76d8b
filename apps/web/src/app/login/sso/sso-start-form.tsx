"use client";
import { useState } from "react";
import { Alert } from "~/components/alert.tsx";
import { Button } from "~/components/button.tsx";
import { TextField } from "~/components/text-field.tsx";

/** A plain form: the browser itself goes to /api/sso/start, which sends it on to the identity provider. */
export function SsoStartForm({ initial, error }: { initial: string; error: string | null }) {
  const [typed, setTyped] = useState(initial);
  const [busy, setBusy] = useState(false);
  return (
    <form action="/api/sso/start" method="get" className="space-y-4" onSubmit={() => setBusy(true)}>
      {error ? <Alert>{error}</Alert> : null}
      <TextField
        label="Work email or workspace"
        name="for"
        autoComplete="email"
        required
        autoFocus
        hint="Your work email (name@company.com), or your workspace's address as in /w/acme."
        value={typed}
        onChange={(e) => setTyped(e.target.value)}
      />
      <Button type="submit" className="w-full" busy={busy}>
        Continue
      </Button>
    </form>
  );
}
