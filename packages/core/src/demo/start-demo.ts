// "Try the demo": a visitor without an account gets a fresh workspace of their own on the demo plan, with
// sample flows published and their first runs started, so the builder and the run log are alive at once.
import { randomBytes } from "node:crypto";
import { type Db, scoped } from "@tributary/db";
import type { JobQueue } from "@tributary/queue";
import type { Redis } from "ioredis";
import type { Actor } from "../audit/actor.ts";
import { hashPassword } from "../auth/password-hash.ts";
import { AppError } from "../errors/app-error.ts";
import { createFlow } from "../flows/create-flow.ts";
import { sampleOnTrigger } from "../flows/flow-pins.ts";
import { publishFlow } from "../flows/publish-flow.ts";
import { startRun } from "../runs/start-run.ts";
import { requestScheduleSync } from "../schedules/reconcile-schedules.ts";
import { createWorkspace, type WorkspaceSummary } from "../workspaces/create-workspace.ts";
import { DEMO_PLAN } from "./demo-plan.ts";
import { sampleFlows } from "./sample-flows.ts";

/** Demos a network may start per hour: enough for a classroom behind one NAT, too few to farm workspaces. */
const DEMOS_PER_IP_HOUR = 10;

export type DemoVisitor = {
  user: { id: string; email: string; name: string | null; sessionVersion: number };
  workspace: WorkspaceSummary;
};

export async function startDemo({
  db,
  redis,
  queue,
  ip,
  demoApiUrl,
}: {
  db: Db;
  redis: Redis;
  queue: JobQueue;
  ip: string;
  /** The sample API this Tributary serves, the only place demo flows may call. */
  demoApiUrl: string;
}): Promise<DemoVisitor> {
  const key = `demo:starts:${ip}`;
  const [[, count] = []] = (await redis.multi().incr(key).expire(key, 3600, "NX").exec()) ?? [];
  if (Number(count) > DEMOS_PER_IP_HOUR) {
    throw new AppError(
      "TOO_MANY_REQUESTS",
      `Your network started ${DEMOS_PER_IP_HOUR} demos in the last hour. Try again later, or sign up for a workspace that stays.`,
      { retryAfterSeconds: await redis.ttl(key) },
    );
  }
  const id = randomBytes(6).toString("hex");
  const user = await db.user.create({
    // Nobody knows this password: a visitor comes back only through their session, or signs up to keep it.
    data: {
      email: `visitor-${id}@demo.invalid`,
      passwordHash: await hashPassword(randomBytes(24).toString("hex")),
      isDemo: true,
    },
    select: { id: true, email: true, name: true, sessionVersion: true },
  });
  const actor: Actor = { userId: user.id, email: user.email, ip };
  const workspace = await createWorkspace({ db, actor, name: `Demo ${id.slice(0, 4)}`, planId: DEMO_PLAN });
  await scoped(db, { workspaceId: workspace.id }, (tx) =>
    tx.workspace.update({ where: { id: workspace.id }, data: { isDemo: true, lastActiveAt: new Date() } }),
  );
  for (const { name, description, graph, sample } of sampleFlows(demoApiUrl)) {
    // The sample pinned on the trigger too, so the builder's test and curl line start from a message that fits.
    const pins = sampleOnTrigger(graph, sample.body);
    const flow = await createFlow({ db, workspaceId: workspace.id, actor, name, description, graph, pins });
    await publishFlow({ db, workspaceId: workspace.id, actor, flowId: flow.id });
    await requestScheduleSync({ queue, workspaceId: workspace.id, flowId: flow.id });
    // A first run of each, so the run log shows what the flows do.
    await startRun({
      db,
      queue,
      workspaceId: workspace.id,
      flowId: flow.id,
      trigger: sample.trigger,
      body: sample.body,
    });
  }
  return { user, workspace };
}
