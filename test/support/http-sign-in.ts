// Signs in to a running app over HTTP the way its sign-in form does (next-auth's CSRF token, then the
// credentials callback), keeping the cookies it sets.
export type CookieJar = Map<string, string>;

export function cookieHeader(jar: CookieJar): string {
  return [...jar].map(([name, value]) => `${name}=${value}`).join("; ");
}

export function keepCookies(jar: CookieJar, response: Response): void {
  for (const cookie of response.headers.getSetCookie()) {
    const [pair = ""] = cookie.split(";");
    const at = pair.indexOf("=");
    jar.set(pair.slice(0, at), pair.slice(at + 1));
  }
}

export type SignInAnswer = { status: number; headers: Headers; body: string; ms: number; signedIn: boolean };

/** One sign-in attempt; `forwardedFor` stands in for the caller's address when the app trusts one proxy hop. */
export async function signInOverHttp({
  baseUrl,
  email,
  password,
  jar = new Map(),
  forwardedFor,
}: {
  baseUrl: string;
  email: string;
  password: string;
  jar?: CookieJar;
  forwardedFor?: string;
}): Promise<SignInAnswer> {
  const address: Record<string, string> = forwardedFor ? { "x-forwarded-for": forwardedFor } : {};
  const csrf = await fetch(`${baseUrl}/api/auth/csrf`, { headers: { cookie: cookieHeader(jar), ...address } });
  keepCookies(jar, csrf);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const started = performance.now();
  const response = await fetch(`${baseUrl}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookieHeader(jar), ...address },
    body: new URLSearchParams({ email, password, csrfToken, callbackUrl: baseUrl, json: "true" }),
  });
  const body = await response.text();
  const ms = performance.now() - started;
  keepCookies(jar, response);
  const signedIn = response.headers.getSetCookie().some((cookie) => /session-token=[^;]/.test(cookie));
  return { status: response.status, headers: response.headers, body, ms, signedIn };
}
