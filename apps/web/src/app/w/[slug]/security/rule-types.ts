// How the Security page names each rule type and summarises its settings.
import type { RuleType } from "@tributary/core";

export const RULE_TYPE_LABELS: Record<RuleType, string> = {
  basic: "Basic auth",
  api_key: "API key",
  hmac_standard: "Signature (Standard Webhooks)",
  hmac_header: "Signature header (GitHub/Stripe style)",
  ip_allow: "IP allow-list",
};

export function describeConfig(type: RuleType, config: Record<string, unknown>): string {
  switch (type) {
    case "basic":
      return `Username ${String(config.username)}`;
    case "api_key":
      return `${config.in === "query" ? "Query parameter" : "Header"} ${String(config.name)}`;
    case "hmac_standard":
      return "webhook-id, webhook-timestamp, webhook-signature; 5-minute tolerance";
    case "hmac_header":
      return `Header ${String(config.header)}: ${String(config.prefix)}<${String(config.encoding)} HMAC-SHA256 of the body>`;
    case "ip_allow":
      return (config.cidrs as string[]).join(", ");
  }
}

export const RULE_TYPE_OPTIONS = Object.keys(RULE_TYPE_LABELS) as RuleType[];
