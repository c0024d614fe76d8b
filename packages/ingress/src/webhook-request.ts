// What a webhook request says, split out of its URL: whose, which path, production or test.
export type WebhookAddress = { slug: string; path: string; isTest: boolean };

export const HOOKS_PREFIX = "/hooks/";
export const TEST_HOOKS_PREFIX = "/hooks-test/";

export function parseWebhookUrl(pathname: string): WebhookAddress | null {
  const isTest = pathname.startsWith(TEST_HOOKS_PREFIX);
  if (!isTest && !pathname.startsWith(HOOKS_PREFIX)) return null;
  const rest = pathname.slice((isTest ? TEST_HOOKS_PREFIX : HOOKS_PREFIX).length);
  const slash = rest.indexOf("/");
  if (slash <= 0) return null;
  let slug: string;
  try {
    slug = decodeURIComponent(rest.slice(0, slash)).toLowerCase();
  } catch {
    return null;
  }
  return { slug, path: rest.slice(slash + 1), isTest };
}

/** Headers that carry credentials or signatures: kept out of the message, whose headers are stored. */
const SENSITIVE =
  /^(authorization|proxy-authorization|cookie|set-cookie|webhook-signature|x-hub-signature(-256)?|stripe-signature|x-signature(-256)?|x-api-key)$/i;

export function isSensitiveHeader(name: string, extra: ReadonlySet<string>): boolean {
  return SENSITIVE.test(name) || extra.has(name.toLowerCase());
}
