// Where the identity provider sends the browser back: the answer is checked and the person signed in to the
// workspace in core; a one-time ticket in a cookie then lets next-auth's "sso" sign-in make the session.
import { AppError, finishSsoSignIn, isServiceUnavailable, issueSsoTicket } from "@tributary/core";
import { NextResponse } from "next/server";
import { clientIp } from "~/server/client-ip.ts";
import { deps } from "~/server/deps.ts";
import { publicOrigin } from "~/server/public-origin.ts";
import { SIGN_IN_UNAVAILABLE } from "~/server/sign-in-gate.ts";
import { SSO_STATE_COOKIE, SSO_TICKET_COOKIE, setSsoCookie, ssoPageUrl, ssoStateOf } from "~/server/sso-cookies.ts";

export const dynamic = "force-dynamic";

const TICKET_COOKIE_SECONDS = 120;

export async function GET(request: Request) {
  const origin = publicOrigin(request.headers);
  const secure = origin.startsWith("https:");
  const { db, redis, secretBox, operatorAllowedHosts } = deps();
  let response: NextResponse;
  try {
    const { user, workspace } = await finishSsoSignIn({
      db,
      redis,
      secretBox,
      callbackUrl: new URL(request.url),
      browserState: ssoStateOf(request.headers.get("cookie")),
      ip: clientIp(request.headers),
      operatorAllowedHosts,
    });
    const ticket = await issueSsoTicket({ redis, userId: user.id, workspaceId: workspace.id });
    const next = new URL("/login/sso/complete", origin);
    next.searchParams.set("next", `/w/${workspace.slug}`);
    response = NextResponse.redirect(next, 303);
    setSsoCookie(response, {
      name: SSO_TICKET_COOKIE,
      value: ticket,
      path: "/api/auth",
      maxAgeSeconds: TICKET_COOKIE_SECONDS,
      secure,
    });
  } catch (error) {
    const message =
      error instanceof AppError ? error.message : isServiceUnavailable(error) ? SIGN_IN_UNAVAILABLE : null;
    if (!message) throw error;
    response = NextResponse.redirect(ssoPageUrl({ origin, error: message }), 303);
  }
  // The state was for this one answer.
  setSsoCookie(response, { name: SSO_STATE_COOKIE, value: "", path: "/api/sso", maxAgeSeconds: 0, secure });
  return response;
}
