import { checkHealth } from "@tributary/core";
import { deps } from "~/server/deps.ts";

export const dynamic = "force-dynamic";

/** 200 {"db":"ok","redis":"ok"}, or 503 naming what is down. */
export async function GET() {
  const { db, redis } = deps();
  const health = await checkHealth({ db, redis });
  const ok = health.db === "ok" && health.redis === "ok";
  return Response.json(health, { status: ok ? 200 : 503, headers: { "cache-control": "no-store" } });
}
