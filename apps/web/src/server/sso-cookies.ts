// The two short-lived cookies of a single sign-on (the state that binds the provider's answer to the browser that
// started it, and the one-time ticket the callback leaves for next-auth's "sso" sign-in; both httpOnly), and the
// signed messages redirects carry to the Sign in with SSO page.
import { createHmac, timingSafeEqual } from "node:crypto";
import type { NextResponse } from "next/server";
import { getEnv } from "../env.ts";

export const SSO_STATE_COOKIE = "tributary.sso-state";
export const SSO_TICKET_COOKIE = "tributary.sso-ticket";

export const SSO_EXPIRED_SIGN_IN =
  "This single sign-on expired or was already used. Start again with “Sign in with SSO”.";

function cookieOf(cookieHeader: string | null | undefined, name: string): string | undefined {
  return (cookieHeader ?? "")
    .split(";")
    .map((part) => part.trim())
    .find((part) => part.startsWith(`${name}=`))
    ?.slice(name.length + 1);
}

export const ssoTicketOf = (cookieHeader: string | null | undefined) => cookieOf(cookieHeader, SSO_TICKET_COOKIE);
export const ssoStateOf = (cookieHeader: string | null | undefined) => cookieOf(cookieHeader, SSO_STATE_COOKIE);

export function setSsoCookie(
  response: NextResponse,
  {
    name,
    value,
    path,
    maxAgeSeconds,
    secure,
  }: { name: string; value: string; path: string; maxAgeSeconds: number; secure: boolean },
): void {
  // Lax: the cookie comes along when the provider sends the browser back (a top-level GET from its site).
  response.cookies.set(name, value, { httpOnly: true, sameSite: "lax", secure, path, maxAge: maxAgeSeconds });
}

/**
 * The message a redirect to /login/sso carries, with a signature: the page shows only messages this app wrote,
 * so a link cannot put words of someone else's on Tributary's sign-in page.
 */
export function ssoPageUrl({ origin, error, typed }: { origin: string; error: string; typed?: string }): URL {
  const url = new URL("/login/sso", origin);
  if (typed) url.searchParams.set("for", typed);
  url.searchParams.set("error", error);
  url.searchParams.set("sig", signatureOf(error));
  return url;
}

export function verifiedSsoError({ error, sig }: { error?: string; sig?: string }): string | null {
  if (!error || !sig) return null;
  const expected = Buffer.from(signatureOf(error));
  const given = Buffer.from(sig);
  return expected.length === given.length && timingSafeEqual(expected, given) ? error : null;
}

const signatureOf = (message: string) =>
  createHmac("sha256", getEnv().AUTH_SECRET).update(`sso-notice:${message}`).digest("base64url");
