// "Sign in with SSO": finds the workspace a work email or workspace address names and sends the browser to its
// identity provider, with the state in a cookie so only this browser's answer is taken.
import { AppError, isServiceUnavailable, startSsoSignIn } from "@tributary/core";
import { NextResponse } from "next/server";
import { clientIp } from "~/server/client-ip.ts";
import { deps } from "~/server/deps.ts";
import { publicOrigin } from "~/server/public-origin.ts";
import { SIGN_IN_UNAVAILABLE } from "~/server/sign-in-gate.ts";
import { SSO_STATE_COOKIE, setSsoCookie, ssoPageUrl } from "~/server/sso-cookies.ts";

export const dynamic = "force-dynamic";

const STATE_COOKIE_SECONDS = 600;

export async function GET(request: Request) {
  const typed = (new URL(request.url).searchParams.get("for") ?? "").slice(0, 254);
  const origin = publicOrigin(request.headers);
  const { db, redis, secretBox, operatorAllowedHosts } = deps();
  try {
    const { authorizationUrl, state } = await startSsoSignIn({
      db,
      redis,
      secretBox,
      typed,
      redirectUri: `${origin}/api/sso/callback`,
      ip: clientIp(request.headers),
      operatorAllowedHosts,
    });
    const response = NextResponse.redirect(authorizationUrl, 303);
    setSsoCookie(response, {
      name: SSO_STATE_COOKIE,
      value: state,
      path: "/api/sso",
      maxAgeSeconds: STATE_COOKIE_SECONDS,
      secure: origin.startsWith("https:"),
    });
    return response;
  } catch (error) {
    const message =
      error instanceof AppError ? error.message : isServiceUnavailable(error) ? SIGN_IN_UNAVAILABLE : null;
    if (!message) throw error;
    return NextResponse.redirect(ssoPageUrl({ origin, error: message, typed }), 303);
  }
}
