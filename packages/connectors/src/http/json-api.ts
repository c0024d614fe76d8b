// One JSON call to a web API through the guarded client, for steps made for one service (Slack, Telegram,
// GraphQL): the answer parsed, a refused call or a non-2xx answer turned into a step failure naming the service.
import { type ActionContext, StepFailure } from "../define.ts";
import { isTransient, OutboundError } from "../http-client/index.ts";

export async function callJsonApi(
  { http, signal, idempotencyKey }: Pick<ActionContext<unknown>, "http" | "signal" | "idempotencyKey">,
  {
    service,
    url,
    body,
    headers = {},
    timeoutSeconds = 30,
  }: { service: string; url: string; body: unknown; headers?: Record<string, string>; timeoutSeconds?: number },
): Promise<{ status: number; json: unknown }> {
  let response: Awaited<ReturnType<typeof http.request>>;
  try {
    response = await http.request({
      method: "POST",
      url,
      headers: { "content-type": "application/json", accept: "application/json", ...headers },
      body: JSON.stringify(body),
      timeoutMs: timeoutSeconds * 1000,
      idempotencyKey,
      signal,
    });
  } catch (error) {
    if (error instanceof OutboundError) {
      throw new StepFailure(`${service}: ${error.message}`, { transient: isTransient(error), code: error.name });
    }
    throw error;
  }
  let json: unknown = null;
  const text = response.text();
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = text;
  }
  if (response.status >= 300 && response.status !== 400 && response.status !== 401 && response.status !== 403) {
    throw new StepFailure(`${service} answered ${response.status}: ${text.slice(0, 300)}`, {
      transient: response.status >= 500 || response.status === 429,
      code: `http_${response.status}`,
    });
  }
  return { status: response.status, json };
}
