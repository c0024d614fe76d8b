// Checks the peer of a socket a listener trigger accepted (an MLLP connection) against the trigger's security
// rules. Only IP allow-lists can be checked on a socket (TLS client certificates are checked in the handshake);
// a rule of another kind refuses every peer, so a misconfigured listener fails closed.
import { type OpenedRule, type Verdict, verifyRequest } from "./verify-request.ts";

export function verifyPeer({
  rules,
  ruleIds,
  clientIp,
  now = new Date(),
}: {
  rules: ReadonlyMap<string, OpenedRule>;
  ruleIds: readonly string[];
  clientIp: string;
  now?: Date;
}): Verdict & { unfit?: string[] } {
  if (!ruleIds.length) return { ok: true };
  const chosen = ruleIds.flatMap((id) => {
    const rule = rules.get(id);
    return rule ? [rule] : [];
  });
  // Every rule it required was deleted: refuse rather than fall open.
  if (!chosen.length) return { ok: false, failedRuleIds: [] };
  const unfit = chosen.filter((rule) => rule.type !== "ip_allow").map((rule) => rule.id);
  if (unfit.length) return { ok: false, failedRuleIds: unfit, unfit };
  return verifyRequest({
    rules: chosen,
    facts: { headers: {}, query: new URLSearchParams(), rawBody: new Uint8Array(), clientIp, now },
  });
}
