// Checks a webhook request against its security rules, in constant time over raw bytes. Rules are grouped
// by domain: a domain is satisfied when any of its rules passes, and the request passes when every domain is
// satisfied (so "office IPs" AND ("API key" OR "HMAC") is two domains). No rules: the webhook is open.
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import ipaddr from "ipaddr.js";
import type { RuleConfig, RuleSecret, RuleType } from "./rule-types.ts";

export const STANDARD_WEBHOOKS_TOLERANCE_SECONDS = 5 * 60;

export type OpenedRule = { id: string; domain: string; type: RuleType; config: RuleConfig; secret: RuleSecret };

export type WebhookRequestFacts = {
  headers: Record<string, string>;
  query: URLSearchParams;
  rawBody: Uint8Array;
  clientIp: string;
  now: Date;
};

/** Equal-length digests make the comparison's time independent of where the inputs differ, and of their length. */
function sameSecret(provided: string | Uint8Array, expected: string | Uint8Array): boolean {
  const a = createHash("sha256").update(provided).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b);
}

function basic(rule: OpenedRule, facts: WebhookRequestFacts): boolean {
  const header = facts.headers.authorization ?? "";
  const match = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header.trim());
  const decoded = match ? Buffer.from(match[1] ?? "", "base64").toString("utf8") : "";
  const colon = decoded.indexOf(":");
  const username = colon >= 0 ? decoded.slice(0, colon) : "";
  const password = colon >= 0 ? decoded.slice(colon + 1) : "";
  const config = rule.config as RuleConfig<"basic">;
  // Both compared every time, so a wrong username costs the same as a wrong password.
  const userOk = sameSecret(username, config.username);
  const passwordOk = sameSecret(password, rule.secret.password ?? "");
  return userOk && passwordOk && Boolean(rule.secret.password);
}

function apiKey(rule: OpenedRule, facts: WebhookRequestFacts): boolean {
  const config = rule.config as RuleConfig<"api_key">;
  const provided =
    config.in === "header" ? (facts.headers[config.name.toLowerCase()] ?? "") : (facts.query.get(config.name) ?? "");
  return sameSecret(provided, rule.secret.key ?? "") && Boolean(rule.secret.key);
}

/** Standard Webhooks (standardwebhooks.com): HMAC-SHA256 of "id.timestamp.body", timestamp within 5 minutes. */
function standardWebhooks(rule: OpenedRule, facts: WebhookRequestFacts): boolean {
  const id = facts.headers["webhook-id"];
  const timestamp = facts.headers["webhook-timestamp"];
  const signatures = facts.headers["webhook-signature"];
  if (!id || !timestamp || !signatures || !/^\d{1,12}$/.test(timestamp)) return false;
  if (Math.abs(facts.now.getTime() / 1000 - Number(timestamp)) > STANDARD_WEBHOOKS_TOLERANCE_SECONDS) return false;
  const signed = Buffer.concat([Buffer.from(`${id}.${timestamp}.`), facts.rawBody]);
  const offered = signatures
    .split(" ")
    .map((entry) => entry.split(","))
    .filter(([version]) => version === "v1")
    .map(([, value]) => Buffer.from(value ?? "", "base64"));
  let ok = false;
  for (const secret of rule.secret.secrets ?? []) {
    const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
    const expected = createHmac("sha256", key).update(signed).digest();
    for (const signature of offered) if (sameSecret(signature, expected)) ok = true;
  }
  return ok;
}

/** GitHub/Stripe style: a header carrying HMAC-SHA256 of the raw body, with a prefix like "sha256=". */
function headerSignature(rule: OpenedRule, facts: WebhookRequestFacts): boolean {
  const config = rule.config as RuleConfig<"hmac_header">;
  const provided = facts.headers[config.header.toLowerCase()] ?? "";
  if (!rule.secret.secret || !provided.startsWith(config.prefix)) return false;
  const offered = Buffer.from(provided.slice(config.prefix.length).trim(), config.encoding);
  const expected = createHmac("sha256", rule.secret.secret).update(facts.rawBody).digest();
  return sameSecret(offered, expected);
}

function ipAllowed(rule: OpenedRule, facts: WebhookRequestFacts): boolean {
  let address: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    address = ipaddr.process(facts.clientIp);
  } catch {
    return false;
  }
  return (rule.config as RuleConfig<"ip_allow">).cidrs.some((entry) => {
    try {
      const [network, bits] = entry.includes("/") ? ipaddr.parseCIDR(entry) : [ipaddr.process(entry), -1];
      const range = ipaddr.process(network.toString());
      const prefix = bits === -1 ? (range.kind() === "ipv4" ? 32 : 128) : bits;
      return range.kind() === address.kind() && address.match(range, prefix);
    } catch {
      return false;
    }
  });
}

const CHECKS: Record<RuleType, (rule: OpenedRule, facts: WebhookRequestFacts) => boolean> = {
  basic,
  api_key: apiKey,
  hmac_standard: standardWebhooks,
  hmac_header: headerSignature,
  ip_allow: ipAllowed,
};

export type Verdict = { ok: true } | { ok: false; failedRuleIds: string[] };

export function verifyRequest({ rules, facts }: { rules: OpenedRule[]; facts: WebhookRequestFacts }): Verdict {
  if (rules.length === 0) return { ok: true };
  const domains = new Map<string, OpenedRule[]>();
  for (const rule of rules) domains.set(rule.domain, [...(domains.get(rule.domain) ?? []), rule]);
  const failed: string[] = [];
  let ok = true;
  for (const group of domains.values()) {
    // Every rule is checked (no early exit), so timing does not tell which one passed.
    const results = group.map((rule) => CHECKS[rule.type](rule, facts));
    if (!results.some(Boolean)) {
      ok = false;
      failed.push(...group.map((rule) => rule.id));
    }
  }
  return ok ? { ok: true } : { ok: false, failedRuleIds: failed };
}
