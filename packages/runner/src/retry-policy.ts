// When to try a failed step again: transient failures by default (timeouts, connection errors, 5xx and 429),
// with exponential back-off and jitter, so retries from many runs do not arrive in lockstep.
import type { RetryPolicy } from "@tributary/engine";

export const NO_RETRY: RetryPolicy = {
  attempts: 1,
  initialDelayMs: 1_000,
  maxDelayMs: 60_000,
  multiplier: 2,
  retryOn: "transient",
};

export function shouldRetry({
  policy,
  attempt,
  transient,
}: {
  policy: RetryPolicy;
  attempt: number;
  transient: boolean;
}): boolean {
  if (attempt >= policy.attempts) return false;
  return policy.retryOn === "all" || transient;
}

/** The wait before try `attempt + 1`: initial × multiplier^(attempt-1), capped, with ±50% jitter. */
export function backoffMs({
  policy,
  attempt,
  random = Math.random,
}: {
  policy: RetryPolicy;
  attempt: number;
  random?: () => number;
}): number {
  const base = Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.multiplier ** (attempt - 1));
  return Math.round(base * (0.5 + random()));
}
