// A workspace as a zip archive a person can take with them (format: docs/workspace-export.md). Written as a
// stream, page by page, so a workspace with a million runs needs no more memory than one page; `onProgress`
// hears how many runs are written of how many there are.
import { type Db, scoped, type Tx } from "@tributary/db";
import type { Message } from "@tributary/engine";
import { Zip, ZipDeflate } from "fflate";
import { unpackStepMessages } from "../runs/step-messages.ts";

export const EXPORT_FORMAT = { name: "tributary-workspace-export", version: 1 } as const;

const PAGE = 200;

export type ExportProgress = { runsDone: number; runsTotal: number };

type Entry = { push(data: Uint8Array, final?: boolean): void };

const encoder = new TextEncoder();
const json = (value: unknown) => encoder.encode(`${JSON.stringify(value, null, 2)}\n`);
const line = (value: unknown) => encoder.encode(`${JSON.stringify(value)}\n`);

/** `<slug>-<date>.zip`: the name the browser saves the archive under. */
export async function exportFileName({ db, workspaceId }: { db: Db; workspaceId: string }): Promise<string> {
  const { slug } = await scoped(db, { workspaceId }, (tx) =>
    tx.workspace.findUniqueOrThrow({ where: { id: workspaceId }, select: { slug: true } }),
  );
  return `${slug}-${new Date().toISOString().slice(0, 10)}.zip`;
}

export function exportWorkspace({
  db,
  workspaceId,
  onProgress = () => {},
}: {
  db: Db;
  workspaceId: string;
  onProgress?: (progress: ExportProgress) => void | Promise<void>;
}): ReadableStream<Uint8Array> {
  let zip: Zip;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      zip = new Zip((error, chunk, final) => {
        if (error) controller.error(error);
        else {
          controller.enqueue(chunk);
          if (final) controller.close();
        }
      });
      const file = (name: string): Entry => {
        const entry = new ZipDeflate(name, { level: 6 });
        zip.add(entry);
        return entry;
      };
      const inScope = <T>(work: (tx: Tx) => Promise<T>) => scoped(db, { workspaceId }, work, { timeoutMs: 60_000 });
      write({ file, inScope, workspaceId, onProgress })
        .then(() => zip.end())
        .catch((error: unknown) => controller.error(error));
    },
    cancel() {
      zip?.terminate();
    },
  });
}

async function write({
  file,
  inScope,
  workspaceId,
  onProgress,
}: {
  file: (name: string) => Entry;
  inScope: <T>(work: (tx: Tx) => Promise<T>) => Promise<T>;
  workspaceId: string;
  onProgress: (progress: ExportProgress) => void | Promise<void>;
}): Promise<void> {
  const { workspace, runsTotal, members } = await inScope(async (tx) => ({
    workspace: await tx.workspace.findUniqueOrThrow({
      where: { id: workspaceId },
      select: { id: true, slug: true, name: true, planId: true, createdAt: true, allowedHosts: true },
    }),
    runsTotal: await tx.run.count({ where: { workspaceId } }),
    members: await tx.membership.findMany({
      where: { workspaceId },
      select: { role: true, createdAt: true, user: { select: { email: true, name: true } } },
      orderBy: { createdAt: "asc" },
    }),
  }));
  await onProgress({ runsDone: 0, runsTotal });
  file("manifest.json").push(
    json({ format: EXPORT_FORMAT.name, version: EXPORT_FORMAT.version, exportedAt: new Date(), workspace, runsTotal }),
    true,
  );
  file("members.json").push(
    json(
      members.map(({ role, createdAt, user }) => ({ email: user.email, name: user.name, role, joinedAt: createdAt })),
    ),
    true,
  );
  const flows = await inScope((tx) =>
    tx.flow.findMany({
      where: { workspaceId },
      orderBy: { createdAt: "asc" },
      select: {
        id: true,
        name: true,
        description: true,
        status: true,
        draft: true,
        currentVersionId: true,
        createdAt: true,
        updatedAt: true,
        versions: {
          orderBy: { number: "asc" },
          select: { id: true, number: true, graph: true, createdAt: true },
        },
      },
    }),
  );
  file("flows.json").push(json(flows), true);

  const audit = file("audit-log.ndjson");
  let auditCursor: string | undefined;
  for (;;) {
    const page = await inScope((tx) =>
      tx.auditEvent.findMany({
        where: { workspaceId, ...(auditCursor ? { id: { gt: auditCursor } } : {}) },
        orderBy: { id: "asc" },
        take: PAGE,
        select: {
          id: true,
          createdAt: true,
          actorEmail: true,
          action: true,
          targetType: true,
          targetId: true,
          details: true,
          ip: true,
        },
      }),
    );
    for (const event of page) audit.push(line(event));
    auditCursor = page.at(-1)?.id;
    if (page.length < PAGE) break;
  }
  audit.push(new Uint8Array(), true);

  const runs = file("runs.ndjson");
  let runCursor: string | undefined;
  let runsDone = 0;
  for (;;) {
    const page = await inScope((tx) =>
      tx.run.findMany({
        where: { workspaceId, ...(runCursor ? { id: { gt: runCursor } } : {}) },
        orderBy: { id: "asc" },
        take: PAGE,
        select: {
          id: true,
          flowId: true,
          flowVersionId: true,
          status: true,
          trigger: true,
          isTest: true,
          messageId: true,
          input: true,
          output: true,
          error: true,
          response: true,
          log: true,
          rerunOfId: true,
          parentRunId: true,
          queuedAt: true,
          startedAt: true,
          finishedAt: true,
          steps: {
            orderBy: { id: "asc" },
            select: {
              stepId: true,
              stepType: true,
              activationKey: true,
              status: true,
              outputPort: true,
              input: true,
              output: true,
              logs: true,
              error: true,
              attempt: true,
              startedAt: true,
              finishedAt: true,
            },
          },
        },
      }),
    );
    for (const run of page) {
      runs.push(line({ ...run, steps: unpackStepMessages(run.input as unknown as Message, run.steps) }));
    }
    runsDone += page.length;
    runCursor = page.at(-1)?.id;
    await onProgress({ runsDone, runsTotal: Math.max(runsTotal, runsDone) });
    if (page.length < PAGE) break;
  }
  runs.push(new Uint8Array(), true);
}
