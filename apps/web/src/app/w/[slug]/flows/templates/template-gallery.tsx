"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { TemplateSummary } from "@tributary/core";
import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import { useDeferredValue, useState } from "react";
import { Alert } from "~/components/alert.tsx";
import { Button } from "~/components/button.tsx";
import { Card, PageHeader } from "~/components/page-header.tsx";
import { useWorkspace } from "~/components/workspace/workspace-context.tsx";
import { describeError, useTRPC } from "~/trpc/react.tsx";
import { templatesFor } from "./templates-for.ts";

/** The template gallery: search, pick one, and land in the builder on a draft with the template's sample. */
export function TemplateGallery() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const workspace = useWorkspace();
  const params = useSearchParams();
  const [search, setSearch] = useState(() => params.get("search") ?? "");
  const searched = useDeferredValue(search);
  const templates = useQuery({
    ...trpc.flows.templates.queryOptions({ workspaceId: workspace.id, search: searched }),
    placeholderData: (previous) => previous,
  });
  const use = useMutation(trpc.flows.createFromTemplate.mutationOptions());
  const edit = workspace.can("flows.edit");

  async function start(template: TemplateSummary) {
    const created = await use.mutateAsync({ workspaceId: workspace.id, templateId: template.id });
    void queryClient.invalidateQueries({ queryKey: trpc.flows.list.queryKey() });
    router.push(`/w/${workspace.slug}/flows/${created.id}`);
  }

  const shown = templatesFor(templates.data ?? [], workspace);
  return (
    <>
      <PageHeader
        title="Templates"
        description="Working flows to start from: each opens as a draft with its sample message pinned on the trigger, ready to test."
        actions={
          <Link href={`/w/${workspace.slug}/flows`} className="text-sm font-medium text-brand-700 hover:underline">
            ← All flows
          </Link>
        }
      />
      <input
        type="search"
        aria-label="Search templates"
        placeholder="Search: slack, postgres, hl7, csv…"
        value={search}
        onChange={(e) => {
          setSearch(e.target.value);
          // Kept in the address, so back from a draft returns to the same search.
          const query = e.target.value ? `?search=${encodeURIComponent(e.target.value)}` : "";
          router.replace(`/w/${workspace.slug}/flows/templates${query}`, { scroll: false });
        }}
        className="mb-4 w-full max-w-md rounded-md border border-slate-300 bg-white px-3 py-2 text-sm"
      />
      {use.error ? (
        <div className="mb-4">
          <Alert>{describeError(use.error).message}</Alert>
        </div>
      ) : null}
      <p className="sr-only" aria-live="polite">
        {templates.data ? `${shown.length} template${shown.length === 1 ? "" : "s"}` : ""}
      </p>
      {templates.data && shown.length === 0 ? (
        <p className="text-sm text-slate-600">No template matches “{searched}”. Try a system or format name.</p>
      ) : null}
      <ul className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3" aria-label="Templates">
        {shown.map((template) => (
          <li key={template.id}>
            <Card className="flex h-full flex-col p-4">
              <h2 className="font-medium">{template.title}</h2>
              <p className="mt-1 flex-1 text-sm text-slate-600">{template.description}</p>
              <p className="mt-2 text-xs text-slate-500">
                {template.needs.length ? `Needs: ${template.needs.join("; ")}.` : "Runs as it is: try it at once."}
                {template.needs.length && workspace.isDemo ? " Not in the demo: sign up to connect your own." : ""}
              </p>
              <ul className="mt-2 flex flex-wrap gap-1" aria-label="Steps">
                {template.steps.map((step) => (
                  <li
                    key={step.type}
                    title={step.type}
                    className="rounded bg-slate-100 px-1.5 py-0.5 text-xs text-slate-600"
                  >
                    {step.title}
                  </li>
                ))}
              </ul>
              {edit ? (
                <Button
                  className="mt-3 self-start"
                  busy={use.isPending && use.variables?.templateId === template.id}
                  onClick={() => void start(template).catch(() => undefined)}
                  aria-label={`Use template ${template.title}`}
                >
                  Use template
                </Button>
              ) : null}
            </Card>
          </li>
        ))}
      </ul>
    </>
  );
}
