"use client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
// Promote between workspaces: download this workspace's configuration as a bundle, or pick a bundle from another
// workspace, see what importing it would create, change or leave, then import it.
import type { BundlePlanItem } from "@tributary/core";
import { useRef, useState } from "react";
import { Alert } from "~/components/alert.tsx";
import { Button } from "~/components/button.tsx";
import { Card } from "~/components/page-header.tsx";
import { useWorkspace } from "~/components/workspace/workspace-context.tsx";
import { describeError, useTRPC } from "~/trpc/react.tsx";
import { download } from "../flows/flow-file.ts";

const KIND: Record<BundlePlanItem["kind"], string> = {
  connection: "Connection",
  securityRule: "Security rule",
  flow: "Flow",
  alertRule: "Alert rule",
  settings: "Settings",
};
const ACTION: Record<BundlePlanItem["action"], { planned: string; done: string }> = {
  create: { planned: "Will create", done: "Created" },
  change: { planned: "Will change", done: "Changed" },
  leave: { planned: "Left as it is", done: "Left as it is" },
};

export function BundleCard() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const workspace = useWorkspace();
  const picker = useRef<HTMLInputElement>(null);
  const [bundle, setBundle] = useState<{ name: string; content: unknown } | null>(null);
  const [readProblem, setReadProblem] = useState<string | null>(null);
  const [exporting, setExporting] = useState(false);
  const [exportProblem, setExportProblem] = useState<string | null>(null);
  const importBundle = useMutation(
    trpc.settings.importBundle.mutationOptions({
      onSuccess: (result) => {
        if (!result.dryRun) void queryClient.invalidateQueries();
      },
    }),
  );
  const result = importBundle.data;

  async function exportBundle() {
    setExporting(true);
    setExportProblem(null);
    try {
      const exported = await queryClient.fetchQuery(
        trpc.settings.exportBundle.queryOptions({ workspaceId: workspace.id }, { staleTime: 0 }),
      );
      download(`${workspace.slug}-bundle.json`, `${JSON.stringify(exported, null, 2)}\n`);
    } catch (error) {
      setExportProblem(describeError(error).message);
    } finally {
      setExporting(false);
    }
  }

  async function pick(file: File) {
    setReadProblem(null);
    importBundle.reset();
    let content: unknown;
    try {
      content = JSON.parse(await file.text());
    } catch {
      setBundle(null);
      setReadProblem(`${file.name} is not JSON. Choose a bundle exported from a Tributary workspace.`);
      return;
    }
    setBundle({ name: file.name, content });
    importBundle.mutate({ workspaceId: workspace.id, bundle: content as never, dryRun: true });
  }

  const problem = importBundle.error ? describeError(importBundle.error).message : (readProblem ?? exportProblem);
  return (
    <Card className="p-5">
      <h2 className="font-medium">Promote between workspaces</h2>
      <p className="mt-1 text-sm text-slate-600">
        A bundle holds this workspace&apos;s flows (draft and published), connections and security rules without their
        secret values, alert rules without their URLs, and its settings, all referring to each other by name. Import it
        into another workspace (test → production): things are matched by name, and you see what would change before
        anything does.
      </p>
      {problem ? <Alert>{problem}</Alert> : null}
      <div className="mt-3 flex flex-wrap gap-3">
        <Button variant="secondary" busy={exporting} onClick={exportBundle}>
          Download bundle
        </Button>
        <Button variant="secondary" onClick={() => picker.current?.click()}>
          Import a bundle…
        </Button>
        <input
          ref={picker}
          type="file"
          accept="application/json,.json"
          className="hidden"
          aria-label="Bundle file"
          onChange={(event) => {
            const file = event.target.files?.[0];
            event.target.value = "";
            if (file) void pick(file);
          }}
        />
      </div>
      {bundle && result ? (
        <section className="mt-4" aria-label={result.dryRun ? "Import plan" : "Import result"}>
          <h3 className="text-sm font-medium">
            {result.dryRun ? `Importing ${bundle.name} would:` : `Imported ${bundle.name}:`}
          </h3>
          <table className="mt-2 w-full max-w-2xl text-left text-sm">
            <thead className="text-slate-500">
              <tr>
                <th className="py-1 pr-3 font-normal">What</th>
                <th className="py-1 pr-3 font-normal">Name</th>
                <th className="py-1 font-normal">Outcome</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-200">
              {result.items.map((item) => (
                <tr key={`${item.kind}:${item.name}`} data-action={item.action}>
                  <td className="py-1 pr-3">{KIND[item.kind]}</td>
                  <td className="py-1 pr-3">{item.name}</td>
                  <td className="py-1">
                    {result.dryRun ? ACTION[item.action].planned : ACTION[item.action].done}
                    {item.notes.map((note) => (
                      <p key={note} className="text-xs text-amber-700">
                        {note}
                      </p>
                    ))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {result.notPublished.map((flow) => (
            <Alert key={flow.name}>
              {`The flow ${flow.name} was imported but not published: ${flow.problems.map((p) => p.message).join(" ")}`}
            </Alert>
          ))}
          {result.dryRun ? (
            <div className="mt-3 flex gap-3">
              <Button
                busy={importBundle.isPending}
                onClick={() =>
                  importBundle.mutate({ workspaceId: workspace.id, bundle: bundle.content as never, dryRun: false })
                }
              >
                Import
              </Button>
              <Button
                variant="secondary"
                onClick={() => {
                  setBundle(null);
                  importBundle.reset();
                }}
              >
                Cancel
              </Button>
            </div>
          ) : null}
        </section>
      ) : null}
    </Card>
  );
}
