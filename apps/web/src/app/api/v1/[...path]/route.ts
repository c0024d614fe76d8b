// The REST API (/api/v1, documented at /api/v1/openapi.json): workspace API keys, the same permissions as the UI.
import { restHandler } from "~/server/rest.ts";

export const dynamic = "force-dynamic";

function handle(request: Request) {
  return restHandler()(request);
}

export { handle as DELETE, handle as GET, handle as POST, handle as PUT };
