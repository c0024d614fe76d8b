// What stands before next-auth's credentials sign-in: an attempt the limits refuse is answered 429 with
// Retry-After (not a failed sign-in), an unreachable Postgres or Redis 503 with Retry-After (never the
// driver's error text), both within a second; a successful sign-in gives the browser its device token
// (core's device-token.ts), which keeps the account's lockout from applying to it.
import "server-only";
import {
  AppError,
  assertSignInAttemptAllowed,
  DEVICE_COOKIE,
  DEVICE_TOKEN_DAYS,
  isServiceUnavailable,
  issueDeviceToken,
  type SignInDevice,
} from "@tributary/core";
import { getEnv } from "../env.ts";
import { clientIp } from "./client-ip.ts";
import { deps } from "./deps.ts";
import { publicOrigin } from "./public-origin.ts";

export const SIGN_IN_UNAVAILABLE =
  "Signing in is not possible right now: Tributary cannot reach its database or Redis. Try again in a few seconds.";
const RETRY_AFTER_SECONDS = 5;

/** The browser's device token and the secret it is checked with. */
export function signInDevice(cookieHeader: string | null | undefined): SignInDevice {
  const token = (cookieHeader ?? "")
    .split(";")
    .map((part) => part.trim())
    .find((part) => part.startsWith(`${DEVICE_COOKIE}=`))
    ?.slice(DEVICE_COOKIE.length + 1);
  return { token, secret: getEnv().AUTH_SECRET };
}

/**
 * Runs next-auth's credentials callback behind the gate. The answer keeps next-auth's JSON shape (`url` with
 * `?error=`), so its signIn() client shows the message.
 */
export async function gatedCredentialsSignIn(
  request: Request,
  signIn: (request: Request) => Promise<Response>,
): Promise<Response> {
  const form = await request
    .clone()
    .formData()
    .catch(() => null);
  const email = String(form?.get("email") ?? "");
  const origin = publicOrigin(request.headers);
  try {
    await assertSignInAttemptAllowed({
      redis: deps().redis,
      email,
      ip: clientIp(request.headers),
      device: signInDevice(request.headers.get("cookie")),
    });
  } catch (error) {
    if (error instanceof AppError && error.code === "TOO_MANY_REQUESTS") {
      const seconds = Number(error.details?.retryAfterSeconds ?? 60);
      return refusal({ origin, status: 429, code: "too_many_requests", message: error.message, retryAfter: seconds });
    }
    if (isServiceUnavailable(error)) {
      return refusal({
        origin,
        status: 503,
        code: "unavailable",
        message: SIGN_IN_UNAVAILABLE,
        retryAfter: RETRY_AFTER_SECONDS,
      });
    }
    throw error;
  }
  const answer = await signIn(request);
  const signedIn = answer.headers.getSetCookie().some((cookie) => /session-token=[^;]/.test(cookie));
  if (!signedIn) return answer;
  const headers = new Headers(answer.headers);
  headers.append("set-cookie", deviceCookie(origin, issueDeviceToken({ secret: getEnv().AUTH_SECRET, email })));
  return new Response(answer.body, { status: answer.status, statusText: answer.statusText, headers });
}

function deviceCookie(origin: string, token: string): string {
  const secure = origin.startsWith("https:") ? "; Secure" : "";
  return `${DEVICE_COOKIE}=${token}; Path=/api/auth; Max-Age=${DEVICE_TOKEN_DAYS * 24 * 3600}; HttpOnly; SameSite=Lax${secure}`;
}

function refusal({
  origin,
  status,
  code,
  message,
  retryAfter,
}: {
  origin: string;
  status: number;
  code: string;
  message: string;
  retryAfter: number;
}): Response {
  const url = new URL("/login", origin);
  url.searchParams.set("error", message);
  return Response.json(
    { error: { code, message }, url: url.toString() },
    { status, headers: { "retry-after": String(retryAfter), "cache-control": "no-store" } },
  );
}
