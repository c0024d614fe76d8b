// The REST API over HTTP: one call per request, every error turned into a CliError with the server's own
// message and the exit code that matches it.

import type { Login } from "./config.ts";
import { CliError, EXIT, type ExitCode } from "./exit-codes.ts";

type ApiError = { error?: { code?: string; message?: string; details?: unknown } };

const EXIT_BY_STATUS: Record<number, ExitCode> = {
  401: EXIT.unauthorized,
  403: EXIT.forbidden,
  404: EXIT.notFound,
};

export type Api = ReturnType<typeof createApi>;

export function createApi({ url, key }: Login) {
  const base = `${url.replace(/\/+$/, "")}/api/v1`;

  async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${base}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${key}`,
          accept: "application/json",
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(60_000),
      });
    } catch (error) {
      const { cause } = error as { cause?: { code?: string; message?: string } };
      const reason = cause?.code ?? cause?.message ?? (error as Error).message;
      throw new CliError(
        `Cannot reach ${url} (${reason}). Check the URL and that Tributary is running.`,
        EXIT.unavailable,
      );
    }
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : {};
    } catch {
      throw new CliError(
        `${url} answered ${response.status} with something that is not Tributary's API.`,
        EXIT.unavailable,
      );
    }
    if (response.ok) return parsed as T;
    const problem = (parsed as ApiError).error;
    const message = problem?.message ?? `The server answered ${response.status}.`;
    const exitCode = EXIT_BY_STATUS[response.status] ?? (response.status >= 500 ? EXIT.unavailable : EXIT.refused);
    throw new CliError(message, exitCode, problem?.details);
  }

  return {
    get: <T>(path: string) => request<T>("GET", path),
    post: <T>(path: string, body: unknown = {}) => request<T>("POST", path, body),
    put: <T>(path: string, body: unknown) => request<T>("PUT", path, body),
    delete: <T>(path: string) => request<T>("DELETE", path),
  };
}
