// How deep a JSON value nests. Bodies nested thousands of levels deep parse, but overflow the stack of every
// recursive step after (serialising, storing, evaluating): they are refused where they come in.
export const MAX_JSON_DEPTH = 256;

/** Whether `value` nests deeper than `max` arrays and objects; walked without recursion. */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  const stack: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  for (let item = stack.pop(); item; item = stack.pop()) {
    if (typeof item.value !== "object" || item.value === null) continue;
    const depth = item.depth + 1;
    if (depth > max) return true;
    for (const child of Object.values(item.value)) stack.push({ value: child, depth });
  }
  return false;
}
