"use client";
import { useMutation } from "@tanstack/react-query";
import type { RuleType } from "@tributary/core";
import { type FormEvent, useState } from "react";
import { Alert } from "~/components/alert.tsx";
import { Button } from "~/components/button.tsx";
import { Card } from "~/components/page-header.tsx";
import { TextField } from "~/components/text-field.tsx";
import { useWorkspace } from "~/components/workspace/workspace-context.tsx";
import { describeError, useTRPC } from "~/trpc/react.tsx";
import { RULE_TYPE_LABELS, RULE_TYPE_OPTIONS } from "./rule-types.ts";

export type Created = { secret: string | null; username?: string | undefined; name: string };

const SELECT = "mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm";

export function NewRuleForm({ onCreated, onCancel }: { onCreated: (created: Created) => void; onCancel: () => void }) {
  const trpc = useTRPC();
  const workspace = useWorkspace();
  const [type, setType] = useState<RuleType>("hmac_standard");
  const [name, setName] = useState("");
  const [domain, setDomain] = useState("default");
  const [username, setUsername] = useState("");
  const [keyIn, setKeyIn] = useState<"header" | "query">("header");
  const [keyName, setKeyName] = useState("X-API-Key");
  const [header, setHeader] = useState("X-Hub-Signature-256");
  const [prefix, setPrefix] = useState("sha256=");
  const [encoding, setEncoding] = useState<"hex" | "base64">("hex");
  const [senderSecret, setSenderSecret] = useState("");
  const [cidrs, setCidrs] = useState("");
  const create = useMutation(
    trpc.security.create.mutationOptions({
      onSuccess: (shown) => onCreated({ secret: shown.secret, username: shown.username, name }),
    }),
  );
  const problem = create.error ? describeError(create.error) : null;

  function config(): Record<string, unknown> {
    switch (type) {
      case "basic":
        return { username };
      case "api_key":
        return { in: keyIn, name: keyName };
      case "hmac_header":
        return { header, prefix, encoding };
      case "ip_allow":
        return { cidrs: cidrs.split(/[\s,]+/).filter(Boolean) };
      case "hmac_standard":
        return {};
    }
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    create.mutate({
      workspaceId: workspace.id,
      name,
      domain,
      type,
      config: config(),
      ...(type === "hmac_header" && senderSecret ? { secret: senderSecret } : {}),
    });
  }

  return (
    <Card className="mb-6 p-5">
      <h2 className="font-medium">New security rule</h2>
      <form onSubmit={submit} className="mt-3 grid gap-4 sm:grid-cols-2" noValidate>
        <TextField
          label="Name"
          value={name}
          onChange={(e) => setName(e.target.value)}
          error={problem?.fields.name}
          placeholder="Shop signatures"
        />
        <div>
          <label htmlFor="rule-type" className="block text-sm font-medium text-slate-700">
            Type
          </label>
          <select id="rule-type" value={type} onChange={(e) => setType(e.target.value as RuleType)} className={SELECT}>
            {RULE_TYPE_OPTIONS.map((option) => (
              <option key={option} value={option}>
                {RULE_TYPE_LABELS[option]}
              </option>
            ))}
          </select>
        </div>
        <TextField
          label="Domain"
          value={domain}
          onChange={(e) => setDomain(e.target.value)}
          error={problem?.fields.domain}
          hint="A webhook passes when, in every domain of its rules, one rule passes."
        />
        {type === "basic" ? (
          <TextField
            label="Username"
            value={username}
            onChange={(e) => setUsername(e.target.value)}
            error={problem?.fields["config.username"]}
            hint="A strong random password is generated for it."
          />
        ) : null}
        {type === "api_key" ? (
          <>
            <div>
              <label htmlFor="key-in" className="block text-sm font-medium text-slate-700">
                Sent in
              </label>
              <select
                id="key-in"
                value={keyIn}
                onChange={(e) => setKeyIn(e.target.value as "header" | "query")}
                className={SELECT}
              >
                <option value="header">a header</option>
                <option value="query">a query parameter</option>
              </select>
            </div>
            <TextField
              label={keyIn === "header" ? "Header name" : "Parameter name"}
              value={keyName}
              onChange={(e) => setKeyName(e.target.value)}
              error={problem?.fields["config.name"]}
            />
          </>
        ) : null}
        {type === "hmac_header" ? (
          <>
            <TextField label="Signature header" value={header} onChange={(e) => setHeader(e.target.value)} />
            <TextField label="Prefix" value={prefix} onChange={(e) => setPrefix(e.target.value)} />
            <div>
              <label htmlFor="encoding" className="block text-sm font-medium text-slate-700">
                Encoding
              </label>
              <select
                id="encoding"
                value={encoding}
                onChange={(e) => setEncoding(e.target.value as "hex" | "base64")}
                className={SELECT}
              >
                <option value="hex">hex</option>
                <option value="base64">base64</option>
              </select>
            </div>
            <TextField
              label="Sender's secret (optional)"
              type="password"
              autoComplete="off"
              value={senderSecret}
              onChange={(e) => setSenderSecret(e.target.value)}
              error={problem?.fields.secret}
              hint="Paste the secret the sender gave you, or leave empty to generate one."
            />
          </>
        ) : null}
        {type === "ip_allow" ? (
          <div className="sm:col-span-2">
            <label htmlFor="cidrs" className="block text-sm font-medium text-slate-700">
              Allowed addresses and ranges
            </label>
            <textarea
              id="cidrs"
              rows={3}
              value={cidrs}
              onChange={(e) => setCidrs(e.target.value)}
              placeholder={"203.0.113.0/24\n2001:db8::/32"}
              className="mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2 font-mono text-sm"
            />
            {problem?.fields["config.cidrs"] ? (
              <p className="mt-1 text-xs text-red-600">{problem.fields["config.cidrs"]}</p>
            ) : null}
          </div>
        ) : null}
        {problem && !Object.keys(problem.fields).length ? (
          <div className="sm:col-span-2">
            <Alert>{problem.message}</Alert>
          </div>
        ) : null}
        <div className="flex gap-2 sm:col-span-2">
          <Button type="submit" busy={create.isPending}>
            Create rule
          </Button>
          <Button variant="ghost" onClick={onCancel}>
            Cancel
          </Button>
        </div>
      </form>
    </Card>
  );
}
