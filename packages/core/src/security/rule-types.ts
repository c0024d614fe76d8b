// The kinds of security rule a webhook can require, their settings, and the secret material each holds.
import { randomBytes } from "node:crypto";
import { z } from "zod";

export const RULE_TYPES = ["basic", "api_key", "hmac_standard", "hmac_header", "ip_allow"] as const;
export type RuleType = (typeof RULE_TYPES)[number];

const cidr = z
  .string()
  .trim()
  .regex(/^[0-9a-fA-F:.]+(\/\d{1,3})?$/, {
    message: "Use an IP address or a CIDR range, e.g. 203.0.113.0/24 or 2001:db8::/32.",
  });

export const ruleConfigSchemas = {
  basic: z.object({ username: z.string().trim().min(1).max(200) }),
  api_key: z.object({
    in: z.enum(["header", "query"]).default("header"),
    name: z.string().trim().min(1).max(100).default("X-API-Key"),
  }),
  hmac_standard: z.object({}),
  hmac_header: z.object({
    header: z.string().trim().min(1).max(100).default("X-Signature-256"),
    prefix: z.string().max(40).default("sha256="),
    encoding: z.enum(["hex", "base64"]).default("hex"),
  }),
  ip_allow: z.object({ cidrs: z.array(cidr).min(1, { message: "Allow at least one address or range." }).max(200) }),
} satisfies Record<RuleType, z.ZodType>;

export type RuleConfig<T extends RuleType = RuleType> = z.output<(typeof ruleConfigSchemas)[T]>;

/** The sealed part of a rule. */
export type RuleSecret = { password?: string; key?: string; secrets?: string[]; secret?: string };

export function generatePassword(): string {
  return randomBytes(18).toString("base64url");
}

export function generateApiKey(): string {
  return `tk_${randomBytes(24).toString("base64url")}`;
}

/** A Standard Webhooks signing secret: "whsec_" and base64 of 32 random bytes. */
export function generateSigningSecret(): string {
  return `whsec_${randomBytes(32).toString("base64")}`;
}

/** A short, harmless label of a secret, to tell rotated secrets apart without showing them. */
export function fingerprint(secret: string): string {
  return `…${secret.slice(-4)}`;
}
