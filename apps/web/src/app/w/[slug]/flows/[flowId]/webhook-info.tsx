"use client";
import { useState } from "react";
import { Button } from "~/components/button.tsx";

/** The production and test URLs of a webhook trigger, with a ready curl command to try it. */
export function WebhookInfo({
  slug,
  path,
  methods,
  sampleBody,
  published,
}: {
  slug: string;
  path: string;
  methods: string[];
  /** The trigger's pinned sample: what the curl command sends, rather than a placeholder. */
  sampleBody: unknown;
  published: boolean;
}) {
  const origin = typeof window === "undefined" ? "" : window.location.origin;
  const production = `${origin}/hooks/${slug}/${path}`;
  const test = `${origin}/hooks-test/${slug}/${path}`;
  const method = methods[0] ?? "POST";
  const body = JSON.stringify(sampleBody === undefined ? { hello: "world" } : sampleBody);
  const curl = `curl -X ${method} ${shellQuoted(test)} -H 'content-type: application/json' -d ${shellQuoted(body)}`;
  return (
    <section aria-label="Webhook URLs" className="space-y-3 rounded-md border border-slate-200 bg-slate-50 p-3 text-sm">
      <CopyLine
        label="Production URL"
        value={production}
        note={published ? undefined : "Answers once the flow is published."}
      />
      <CopyLine label="Test URL (runs the draft)" value={test} />
      <CopyLine label="Try it" value={curl} />
    </section>
  );
}

/** A SOAP webhook's service URL and the URL of its WSDL, for the calling system's configuration. */
export function SoapWebhookInfo({ slug, path, published }: { slug: string; path: string; published: boolean }) {
  const origin = typeof window === "undefined" ? "" : window.location.origin;
  const production = `${origin}/hooks/${slug}/${path}`;
  return (
    <section
      aria-label="SOAP service URLs"
      className="space-y-3 rounded-md border border-slate-200 bg-slate-50 p-3 text-sm"
    >
      <CopyLine
        label="Service URL"
        value={production}
        note={published ? undefined : "Answers once the flow is published."}
      />
      <CopyLine label="WSDL" value={`${production}?wsdl`} />
      <CopyLine label="Test URL (runs the draft)" value={`${origin}/hooks-test/${slug}/${path}`} />
    </section>
  );
}

export function CopyLine({ label, value, note }: { label: string; value: string; note?: string | undefined }) {
  const [copied, setCopied] = useState(false);
  return (
    <div>
      <div className="text-xs font-medium text-slate-600">{label}</div>
      <div className="mt-0.5 flex items-center gap-1.5">
        <code
          className="min-w-0 flex-1 truncate rounded bg-white px-1.5 py-1 text-xs ring-1 ring-slate-200"
          title={value}
        >
          {value}
        </code>
        <Button
          variant="secondary"
          className="!px-2 !py-1 text-xs"
          aria-label={`Copy ${label}`}
          onClick={() =>
            navigator.clipboard?.writeText(value).then(
              () => setCopied(true),
              () => undefined,
            )
          }
        >
          {copied ? "Copied" : "Copy"}
        </Button>
      </div>
      {note ? <p className="mt-0.5 text-xs text-amber-700">{note}</p> : null}
    </div>
  );
}

/** One word for a POSIX shell, whatever it holds: single quotes, each ' inside written as '\''. */
function shellQuoted(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}
