// The origin people reach the app at, for the links and redirects it makes: APP_URL when it is set, otherwise
// the host of the request, so a browser on http://127.0.0.1:3000 is not sent to http://localhost:3000.
import { getEnv } from "../env.ts";

export function publicOrigin(headers: Headers): string {
  const { APP_URL, appUrl } = getEnv();
  if (APP_URL) return new URL(APP_URL).origin;
  // Next.js fills in X-Forwarded-Host and X-Forwarded-Proto from the connection when no proxy set them.
  const host = headers.get("x-forwarded-host") ?? headers.get("host");
  if (!host) return new URL(appUrl).origin;
  const protocol = headers.get("x-forwarded-proto")?.split(",")[0]?.trim() === "https" ? "https" : "http";
  return `${protocol}://${host}`;
}
