// JSON from the other side of a boundary, checked without recursion: a value nested deeper than a
// recursive consumer (JSON.stringify, a jsonb column) can take must be refused before it gets there.

/** Whether `value` (parsed JSON) nests at most `maxDepth` arrays and objects deep. */
export function checkJsonDepth(value: unknown, maxDepth: number): boolean {
  const pending: [unknown, number][] = [[value, 0]];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [item, depth] = next;
    if (typeof item !== "object" || item === null) continue;
    if (depth >= maxDepth) return false;
    for (const child of Array.isArray(item) ? item : Object.values(item)) {
      if (typeof child === "object" && child !== null) pending.push([child, depth + 1]);
    }
  }
  return true;
}
