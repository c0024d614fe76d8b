// Secrets never reach logs or stored messages: every occurrence of a secret's value is replaced.
export const REDACTED = "[redacted]";

/**
 * `value` with every occurrence of any of `secrets` (deep, in strings and keys of plain objects and arrays)
 * replaced by [redacted]. Other objects (dates…) pass untouched.
 */
export function redactSecrets<T>(value: T, secrets: readonly string[]): T {
  const needles = secrets.filter((secret) => secret.length >= 4).sort((a, b) => b.length - a.length);
  if (needles.length === 0) return value;
  const scrub = (text: string): string => {
    let out = text;
    for (const needle of needles) if (out.includes(needle)) out = out.split(needle).join(REDACTED);
    return out;
  };
  const walk = (inner: unknown): unknown => {
    if (typeof inner === "string") return scrub(inner);
    if (Array.isArray(inner)) return inner.map(walk);
    if (inner && typeof inner === "object" && isPlainObject(inner)) {
      return Object.fromEntries(Object.entries(inner).map(([key, v]) => [scrub(key), walk(v)]));
    }
    return inner;
  };
  return walk(value) as T;
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
