// Test webhook URLs (drafts), when they reach Next (server.ts usually answers them first, with the same handler).
import { clientIp } from "~/server/client-ip.ts";
import { webhookHandler } from "~/server/webhooks.ts";

export const dynamic = "force-dynamic";

function handle(request: Request) {
  return webhookHandler()(request, { clientIp: clientIp(request.headers) });
}

export { handle as DELETE, handle as GET, handle as PATCH, handle as POST, handle as PUT };
