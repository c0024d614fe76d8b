import { stepCatalog } from "@tributary/connectors";
import { type Db, type Prisma, scoped } from "@tributary/db";
import { type FlowGraph, parseFlowGraph, type ValidationError, validateFlow } from "@tributary/engine";
import { compileCodeStep } from "@tributary/sandbox/compile";
import { typeCheckCodeStep } from "@tributary/sandbox/type-check";
import { z } from "zod";
import type { Actor } from "../audit/actor.ts";
import { recordAudit } from "../audit/record-audit.ts";
import { AppError, notFound } from "../errors/app-error.ts";
import { syncTopicSubscribers } from "../topics/sync-topic-subscribers.ts";
import { syncWebhookRoutes } from "../webhooks/sync-routes.ts";
import { checkDemoSteps } from "./check-demo-steps.ts";
import { resolveFlowReferences } from "./flow-references.ts";

export const CODE_STEP_TYPE = "code.typescript";

export type CompiledSteps = Record<string, { code: string; sourceMap: string }>;

/**
 * Validation of a graph, its references to the workspace's connections, security rules, secrets and other
 * flows, what its plan allows and the compile and type errors of its code steps, in one list for the builder.
 * The graph comes back with names resolved to this workspace's ids: that is the graph to store and run.
 */
export async function checkGraph({
  db,
  workspaceId,
  graph: given,
}: {
  db: Db;
  workspaceId: string;
  graph: FlowGraph;
}): Promise<{ errors: ValidationError[]; compiled: CompiledSteps; graph: FlowGraph }> {
  const { graph, unresolved } = await resolveFlowReferences({ db, workspaceId, graph: given });
  // A field naming something missing is reported once, by name, not also as "not a UUID" by its schema.
  const named = (error: ValidationError) =>
    unresolved.some(
      (reference) =>
        reference.stepId === error.stepId &&
        reference.field &&
        (error.field === reference.field || error.field?.startsWith(`${reference.field}.`)),
    );
  const errors = validateFlow({ graph, catalog: stepCatalog }).filter((error) => !named(error));
  errors.push(
    ...unresolved.map((reference) => ({
      code: "unresolved_reference" as const,
      stepId: reference.stepId,
      ...(reference.field ? { field: reference.field } : {}),
      message: reference.message,
    })),
  );
  errors.push(...(await checkDemoSteps({ db, workspaceId, graph })));
  const compiled: CompiledSteps = {};
  for (const step of graph.steps) {
    if (step.type !== CODE_STEP_TYPE || typeof step.config.source !== "string") continue;
    const source = step.config.source;
    const label = step.name ? `"${step.name}"` : `"${step.id}"`;
    const result = await compileCodeStep({ source });
    // Compile errors first (imports, a missing default export); type errors only where it compiles, so a
    // syntax error is not reported twice.
    const problems = result.ok
      ? await typeCheckCodeStep({ source })
      : result.errors.map((problem) => ({ ...problem, endLine: problem.line, endColumn: problem.column + 1 }));
    for (const problem of problems) {
      const { line, column, endLine, endColumn } = problem;
      errors.push({
        code: "invalid_config",
        stepId: step.id,
        field: "source",
        location: { line, column, endLine, endColumn },
        message: `Code ${label}, line ${line}, column ${column}: ${problem.message}`,
      });
    }
    if (result.ok && !problems.length) compiled[step.id] = { code: result.code, sourceMap: result.sourceMap };
  }
  return { errors, compiled, graph };
}

export const publishFlowInput = z.object({ flowId: z.uuid() });

/** Freezes the draft into a new immutable version and makes it the one that runs. Refused, with every error, when invalid. */
export async function publishFlow({
  db,
  workspaceId,
  actor,
  flowId,
}: { db: Db; workspaceId: string; actor: Actor } & z.output<typeof publishFlowInput>): Promise<{
  versionId: string;
  number: number;
}> {
  const flow = await scoped(db, { workspaceId }, (tx) =>
    tx.flow.findFirst({ where: { id: flowId, workspaceId }, select: { draft: true, draftRevision: true } }),
  );
  if (!flow) throw notFound("That flow");
  const draft = parseFlowGraph(flow.draft);
  const { errors, compiled, graph } = await checkGraph({ db, workspaceId, graph: draft });
  if (errors.length) {
    throw new AppError(
      "BAD_REQUEST",
      `The flow has ${errors.length} problem${errors.length === 1 ? "" : "s"}; fix ${errors.length === 1 ? "it" : "them"} to publish.`,
      {
        validation: errors,
      },
    );
  }
  return scoped(db, { workspaceId }, async (tx) => {
    // Lock the flow row: two publishes at once get consecutive numbers.
    await tx.$queryRaw`SELECT id FROM flows WHERE id = ${flowId}::uuid FOR UPDATE`;
    // Published versions count from 1; versions below zero are drafts run as tests.
    const last = await tx.flowVersion.findFirst({
      where: { flowId, number: { gt: 0 } },
      orderBy: { number: "desc" },
      select: { number: true },
    });
    const number = (last?.number ?? 0) + 1;
    const version = await tx.flowVersion.create({
      data: {
        workspaceId,
        flowId,
        number,
        graph: graph as unknown as Prisma.InputJsonObject,
        compiled: compiled as unknown as Prisma.InputJsonObject,
        publishedById: actor.userId,
      },
      select: { id: true },
    });
    // A draft that named what now resolves (pushed before its connection was created) gets the ids too.
    const draftResolved = JSON.stringify(graph) !== JSON.stringify(draft);
    await tx.flow.update({
      where: { id: flowId },
      data: {
        currentVersionId: version.id,
        ...(draftResolved
          ? { draft: graph as unknown as Prisma.InputJsonObject, draftRevision: { increment: 1 } }
          : {}),
      },
    });
    await syncWebhookRoutes({ tx, workspaceId, flowId, graph, isTest: false });
    await syncTopicSubscribers({ tx, workspaceId, flowId, graph });
    await recordAudit({
      tx,
      workspaceId,
      actor,
      action: "flow.published",
      target: { type: "flow", id: flowId },
      details: { version: number },
    });
    return { versionId: version.id, number };
  });
}
