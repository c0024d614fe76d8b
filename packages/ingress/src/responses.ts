// Error answers of the webhook ingress: JSON `{ error: { code, message } }`, the same shape as the API's.
export function problem(
  status: number,
  code: string,
  message: string,
  extra: { headers?: Record<string, string>; details?: unknown } = {},
): Response {
  return Response.json(
    { error: { code, message, ...(extra.details !== undefined ? { details: extra.details } : {}) } },
    { status, headers: { "cache-control": "no-store", ...extra.headers } },
  );
}

export const UNAUTHORIZED_MESSAGE = "Missing or invalid credentials for this webhook.";

/** The Basic challenge of a webhook: its realm is the webhook's address, quotes and backslashes escaped. */
export function basicChallenge({ slug, path }: { slug: string; path: string }): string {
  const realm = `${slug}/${path}`.replace(/["\\]/g, "\\$&");
  return `Basic realm="${realm}"`;
}
