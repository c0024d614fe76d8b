// Whether an error means Postgres or Redis cannot be reached right now (down, restarting, a dropped
// connection, a full pool): work that hit it is tried again later, nothing about it is the user's to fix.

/** Postgres error classes and codes of a lost or refused connection: 08 connection exceptions, 57P0x shutdowns. */
const POSTGRES_CODES = /^(08|57P0[1-3]|53300)/;
const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
]);
/** Prisma's codes for the same: cannot reach, timed out, closed, pool timeout. */
const PRISMA_CODES = new Set(["P1001", "P1002", "P1008", "P1017", "P2024"]);
const MESSAGES =
  /Connection terminated|Connection is closed|connect ECONNREFUSED|timeout exceeded when trying to connect|Client has encountered a connection error|Reached the max retries per request|Stream isn't writeable|server closed the connection|Command timed out/i;

export function isServiceUnavailable(error: unknown): boolean {
  for (let cause = error, depth = 0; cause && depth < 5; depth++) {
    if (typeof cause !== "object") return false;
    const { code, message } = cause as { code?: unknown; message?: unknown };
    if (typeof code === "string" && (POSTGRES_CODES.test(code) || NETWORK_CODES.has(code) || PRISMA_CODES.has(code)))
      return true;
    if (typeof message === "string" && MESSAGES.test(message)) return true;
    cause = (cause as { cause?: unknown }).cause;
  }
  return false;
}
