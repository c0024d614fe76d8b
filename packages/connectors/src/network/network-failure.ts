// Failures to reach or talk to a server, said the same way for every protocol: which server, and why
// (refused, unknown host, timeout, TLS), and whether trying again later may help.
import { StepFailure } from "../define.ts";
import { OutboundError } from "../http-client/index.ts";

export type Server = { service: string; host: string; port: number };

const TRANSIENT: Record<string, string> = {
  ECONNREFUSED: "refused the connection (is it running, on that port?)",
  ECONNRESET: "closed the connection",
  EPIPE: "closed the connection",
  ETIMEDOUT: "did not answer in time",
  EHOSTUNREACH: "cannot be reached from here",
  ENETUNREACH: "cannot be reached from here",
  EAI_AGAIN: "could not be resolved just now (DNS)",
  PROTOCOL_CONNECTION_LOST: "closed the connection",
};

const PERMANENT: Record<string, string> = {
  ENOTFOUND: "does not exist (no DNS record)",
  DEPTH_ZERO_SELF_SIGNED_CERT: "has a self-signed TLS certificate",
  SELF_SIGNED_CERT_IN_CHAIN: "has a TLS certificate from an unknown authority",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "has a TLS certificate that cannot be verified",
  ERR_TLS_CERT_ALTNAME_INVALID: "has a TLS certificate for another name",
  CERT_HAS_EXPIRED: "has an expired TLS certificate",
};

/** The step failure for a network error, or null when the error is not about the network. */
export function networkFailure(error: unknown, { service, host, port }: Server): StepFailure | null {
  if (error instanceof StepFailure) return error;
  if (error instanceof OutboundError)
    return new StepFailure(error.message, { transient: error.transient, code: "blocked" });
  const code = (error as { code?: unknown })?.code;
  const where = `${service} at ${host}:${port}`;
  if (typeof code === "string" && TRANSIENT[code]) {
    return new StepFailure(`${where} ${TRANSIENT[code]}.`, { transient: true, code: "unreachable" });
  }
  if (typeof code === "string" && PERMANENT[code]) {
    return new StepFailure(`${where} ${PERMANENT[code]}.`, { code: "unreachable" });
  }
  if (/ECONNREFUSED|connection refused/i.test(String((error as Error)?.message))) {
    return new StepFailure(`${where} ${TRANSIENT.ECONNREFUSED}.`, { transient: true, code: "unreachable" });
  }
  if (/timeout|timed out/i.test(String((error as Error)?.message))) {
    return new StepFailure(`${where} did not answer in time.`, { transient: true, code: "timeout" });
  }
  return null;
}

/** Resolves within `ms` or fails with a timeout that names the server. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, server: Server): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new StepFailure(`${server.service} at ${server.host}:${server.port} did not answer within ${ms / 1000} s.`, {
            transient: true,
            code: "timeout",
          }),
        ),
      ms,
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
