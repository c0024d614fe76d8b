// Device tokens (OWASP's "device cookies"): a browser that signed in to an account gets a token signed with
// the server's secret and bound to that account. Sign-in attempts that bring it are exempt from the account's
// lockout, so an attacker failing from many addresses cannot lock the owner out of their own browser; a
// token that fails too often is no longer trusted (see sign-in-limits.ts).
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { normalizeEmail } from "./email.ts";
import { accountKey } from "./sign-in-limits.ts";

export const DEVICE_COOKIE = "tributary-device";
export const DEVICE_TOKEN_DAYS = 180;

function signature({ secret, email, deviceId }: { secret: string; email: string; deviceId: string }): Buffer {
  return createHmac("sha256", secret)
    .update(`device:${accountKey(normalizeEmail(email))}:${deviceId}`)
    .digest();
}

/** A new token for this browser and account, given on each successful sign-in. */
export function issueDeviceToken({ secret, email }: { secret: string; email: string }): string {
  const deviceId = randomBytes(16).toString("base64url");
  return `${deviceId}.${signature({ secret, email, deviceId }).toString("base64url")}`;
}

/** The device id of a token signed for this account, or null for a missing, forged or other account's token. */
export function verifyDeviceToken({
  secret,
  email,
  token,
}: {
  secret: string;
  email: string;
  token: string | null | undefined;
}): string | null {
  const [deviceId, signed, extra] = (token ?? "").split(".");
  if (!deviceId || !signed || extra !== undefined) return null;
  const expected = signature({ secret, email, deviceId });
  const given = Buffer.from(signed, "base64url");
  return given.length === expected.length && timingSafeEqual(given, expected) ? deviceId : null;
}
