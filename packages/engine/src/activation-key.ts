// Stable names for step activations, so a resumed run knows which ones already finished. A step reached
// once is named by its id; a step that can be reached several times gets a suffix derived from what reached
// it (not from arrival order, which can differ between two executions). Loop items scope their steps:
// "each[2]/send" is step "send" in item 2 of the loop activation "each".

/** 32-bit FNV-1a, as 7 base-36 characters: short, stable and pure. */
export function shortHash(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(36).padStart(7, "0");
}

export function itemScope({ loopKey, index }: { loopKey: string; index: number }): string {
  return `${loopKey}[${index}]/`;
}

export function loopDoneKey(loopKey: string): string {
  return `${loopKey}/done`;
}

/** The scope prefix of an activation key ("" at the top level, "each[2]/" inside an item). */
export function scopeOf(key: string): string {
  const slash = key.lastIndexOf("/");
  return slash < 0 ? "" : key.slice(0, slash + 1);
}
