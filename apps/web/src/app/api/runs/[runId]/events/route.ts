// Server-sent events of one run, for the builder and the run page to redraw live. The caller must be allowed
// to read the run (the same check as runs.get).

import { serverCaller } from "~/server/caller.ts";
import { runEventHub } from "~/server/run-event-hub.ts";

export const dynamic = "force-dynamic";

const HEARTBEAT_MS = 15_000;

export async function GET(request: Request, { params }: { params: Promise<{ runId: string }> }) {
  const { runId } = await params;
  const workspaceId = new URL(request.url).searchParams.get("workspaceId") ?? "";
  try {
    await (await serverCaller()).runs.get({ workspaceId, runId });
  } catch {
    return Response.json({ error: { code: "not_found", message: "No such run here." } }, { status: 404 });
  }
  const encoder = new TextEncoder();
  let stop = () => {};
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      const send = (text: string) => controller.enqueue(encoder.encode(text));
      const watch = runEventHub().watch(runId, (event) => send(`data: ${JSON.stringify(event)}\n\n`));
      const heartbeat = setInterval(() => send(": keep-alive\n\n"), HEARTBEAT_MS);
      stop = () => {
        clearInterval(heartbeat);
        watch.stop();
      };
      request.signal.addEventListener("abort", () => {
        stop();
        controller.close();
      });
      send("retry: 2000\n\n");
    },
    cancel() {
      stop();
    },
  });
  return new Response(stream, {
    headers: { "content-type": "text/event-stream", "cache-control": "no-store", "x-accel-buffering": "no" },
  });
}
