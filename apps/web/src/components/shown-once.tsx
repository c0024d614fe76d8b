"use client";
import { useState } from "react";
import { Button } from "./button.tsx";

/** A generated password, key or signing secret: shown this once, with a copy button. */
export function ShownOnce({
  title,
  secret,
  username,
  kept = "encrypted",
  onDone,
}: {
  title: string;
  secret: string;
  username?: string | undefined;
  /** How the server keeps it: sealed (security rules) or only as a hash (API keys). */
  kept?: "encrypted" | "hashed";
  onDone: () => void;
}) {
  const [copied, setCopied] = useState(false);
  return (
    <div role="status" className="mb-6 rounded-lg border border-amber-300 bg-amber-50 p-4 text-sm">
      <p className="font-medium text-amber-900">{title}</p>
      <p className="mt-1 text-amber-800">
        Copy it now: it is stored {kept === "hashed" ? "only as a hash" : "encrypted"} and will not be shown again.
      </p>
      {username ? (
        <p className="mt-2">
          Username: <code className="rounded bg-white px-1.5 py-0.5">{username}</code>
        </p>
      ) : null}
      <div className="mt-2 flex flex-wrap items-center gap-2">
        <code data-testid="shown-secret" className="rounded bg-white px-2 py-1 break-all ring-1 ring-amber-200">
          {secret}
        </code>
        <Button
          variant="secondary"
          onClick={() =>
            navigator.clipboard?.writeText(secret).then(
              () => setCopied(true),
              () => undefined,
            )
          }
        >
          {copied ? "Copied" : "Copy"}
        </Button>
        <Button variant="ghost" onClick={onDone}>
          Done
        </Button>
      </div>
    </div>
  );
}
