// Deleting a workspace or a flow cascades over its runs while a worker may be committing some of them: the
// two lock the same rows in different orders, and Postgres breaks the cycle by aborting one transaction.
// Postgres's advice is to run the aborted one again; by then the other has ended.

const DEADLOCK_DETECTED = "40P01";

/** Runs `transaction` again, up to `attempts` times in all, when Postgres aborted it to break a deadlock. */
export async function retryOnDeadlock<T>(transaction: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await transaction();
    } catch (error) {
      if (attempt >= attempts || !isDeadlock(error)) throw error;
    }
  }
}

/** Whether `error`, or an error it was caused by, is Postgres's "deadlock detected" (pg's or Prisma's). */
function isDeadlock(error: unknown): boolean {
  let cause = error;
  for (let depth = 0; cause instanceof Object && depth < 8; depth++) {
    const { code, originalCode } = cause as { code?: unknown; originalCode?: unknown };
    if (code === DEADLOCK_DETECTED || originalCode === DEADLOCK_DETECTED) return true;
    cause = (cause as { cause?: unknown }).cause;
  }
  return false;
}
