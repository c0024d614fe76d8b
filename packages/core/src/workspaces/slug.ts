import { randomBytes } from "node:crypto";
import { z } from "zod";

// Slugs appear in URLs (/w/<slug>, /hooks/<slug>/...), so some words are kept for the product itself.
const RESERVED = new Set(["new", "api", "app", "admin", "demo", "hooks", "settings", "login", "signup", "www"]);

export const slugSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9](?:[a-z0-9-]{1,38}[a-z0-9])$/, {
    message: "Use 3–40 lowercase letters, digits and dashes, starting and ending with a letter or digit.",
  })
  .refine((slug) => !RESERVED.has(slug), { message: "This slug is reserved; choose another." });

/** A readable slug derived from a name, always valid; a random suffix makes room when it is taken. */
export function slugFromName({ name, suffix = false }: { name: string; suffix?: boolean }): string {
  const base =
    name
      .normalize("NFKD")
      .replace(/[\u0300-\u036f]/g, "")
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 30)
      .replace(/-+$/, "") || "workspace";
  const padded = base.length < 3 || RESERVED.has(base) ? `${base}-ws` : base;
  return suffix ? `${padded}-${randomBytes(3).toString("hex")}` : padded;
}
