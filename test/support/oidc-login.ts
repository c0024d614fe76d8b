// Goes through the test provider's sign-in the way a browser would, over HTTP: follows its redirects with its
// cookies, fills its login form (any password) and its consent form, and stops at the redirect back to the app,
// returning that URL (with the code and state, or an error) for the app's callback.
export async function loginAtProvider({
  authorizationUrl,
  login,
  password = "any password",
  redirectUri,
}: {
  authorizationUrl: string;
  login: string;
  password?: string;
  redirectUri: string;
}): Promise<URL> {
  const jar = new Map<string, string>();
  const cookieHeader = () => [...jar].map(([name, value]) => `${name}=${value}`).join("; ");
  const keepCookies = (response: Response) => {
    for (const line of response.headers.getSetCookie()) {
      const [pair = "", ...attributes] = line.split(";");
      const [name = "", value = ""] = pair.split(/=(.*)/s);
      const expired = attributes.some((a) => /^\s*max-age=0/i.test(a) || /^\s*expires=.*1970/i.test(a));
      if (expired || !value) jar.delete(name.trim());
      else jar.set(name.trim(), value);
    }
  };
  let next: { url: string; method: "GET" | "POST"; body?: URLSearchParams } = { url: authorizationUrl, method: "GET" };
  for (let hops = 0; hops < 20; hops++) {
    const response = await fetch(next.url, {
      method: next.method,
      redirect: "manual",
      headers: { cookie: cookieHeader() },
      ...(next.body ? { body: next.body } : {}),
      signal: AbortSignal.timeout(15_000),
    });
    keepCookies(response);
    const location = response.headers.get("location");
    if (location) {
      const target = new URL(location, next.url);
      if (target.href.startsWith(redirectUri)) return target;
      next = { url: target.href, method: "GET" };
      continue;
    }
    const html = await response.text();
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
    if (!response.ok || !action) throw new Error(`The provider answered ${response.status}: ${html.slice(0, 300)}`);
    const url = new URL(action.replaceAll("&amp;", "&"), next.url).href;
    const body = html.includes('name="login"')
      ? new URLSearchParams({ prompt: "login", login, password })
      : new URLSearchParams({ prompt: "consent" });
    next = { url, method: "POST", body };
  }
  throw new Error("The provider's sign-in did not come back to the app within 20 steps.");
}
