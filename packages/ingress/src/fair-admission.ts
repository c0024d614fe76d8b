// Fair under overload: what a webhook call costs the web process (reading its body, checking it, committing
// its run) is done for at most `capacity` calls at once while more than one workspace is calling. Then each
// workspace has its share of that; its calls beyond wait their turn, and turns go round the workspaces, so one
// tenant's flood does not put everyone else's calls behind its own. A workspace calling alone, or a process
// with room to spare, holds nobody back; the plan's limits (calls a minute, callers waiting) apply as always.
// Waiting for a sync call's answer is not counted: it costs the process nothing.

/** A call's turn; release() when its intake is done (more than once is fine). */
export type Turn = { release(): void };

export type FairAdmission = {
  /** Resolves with the call's turn, or null when it waited `maxWaitMs` in vain (answer 503, try again). */
  admit(workspaceId: string): Promise<Turn | null>;
};

type Tenant = { working: number; waiting: (() => void)[]; lastSeen: number };

export function createFairAdmission({
  capacity,
  maxWaitMs = 10_000,
  activeForMs = 2_000,
}: {
  capacity: number;
  maxWaitMs?: number;
  /** A workspace counts as calling for this long after its last call. */
  activeForMs?: number;
}): FairAdmission {
  const tenants = new Map<string, Tenant>();
  let working = 0;

  const calling = (now: number) => {
    let count = 0;
    for (const [id, tenant] of tenants) {
      if (tenant.working > 0 || tenant.waiting.length > 0 || now - tenant.lastSeen < activeForMs) count++;
      else tenants.delete(id);
    }
    return count;
  };

  const mayStart = (tenant: Tenant, now: number) => {
    if (working < capacity) return true;
    const others = calling(now);
    return others <= 1 || tenant.working < Math.max(1, Math.floor(capacity / others));
  };

  const start = (tenant: Tenant): Turn => {
    tenant.working++;
    working++;
    let released = false;
    return {
      release() {
        if (released) return;
        released = true;
        tenant.working--;
        working--;
        wake();
      },
    };
  };

  /** Gives freed turns to the workspaces that wait, the one with the fewest calls in progress first. */
  const wake = () => {
    const now = Date.now();
    for (;;) {
      let next: Tenant | undefined;
      for (const tenant of tenants.values()) {
        if (tenant.waiting.length > 0 && (!next || tenant.working < next.working)) next = tenant;
      }
      if (!next || !mayStart(next, now)) return;
      next.waiting.shift()?.();
    }
  };

  return {
    admit(workspaceId) {
      const now = Date.now();
      let tenant = tenants.get(workspaceId);
      if (!tenant) {
        tenant = { working: 0, waiting: [], lastSeen: now };
        tenants.set(workspaceId, tenant);
      }
      tenant.lastSeen = now;
      const mine = tenant;
      if (mine.waiting.length === 0 && mayStart(mine, now)) return Promise.resolve(start(mine));
      return new Promise<Turn | null>((resolve) => {
        const go = () => {
          clearTimeout(timer);
          resolve(start(mine));
        };
        const timer = setTimeout(() => {
          const index = mine.waiting.indexOf(go);
          if (index >= 0) mine.waiting.splice(index, 1);
          resolve(null);
        }, maxWaitMs);
        mine.waiting.push(go);
      });
    },
  };
}
