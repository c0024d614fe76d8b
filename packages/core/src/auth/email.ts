import { z } from "zod";

/** Emails are compared case-insensitively: stored trimmed and lower-cased. */
export const emailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.email({ message: "Enter a valid email address, like name@example.com." }).max(254));

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}
