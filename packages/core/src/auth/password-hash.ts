// argon2id with OWASP's recommended minimum cost (19 MiB, 2 passes, 1 lane). @node-rs/argon2 defaults to
// argon2id; its encoded hash carries the parameters, so they can be raised later without breaking old hashes.
import { hash, verify } from "@node-rs/argon2";

const COST = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;
const CURRENT_VERSION = 19;

export function hashPassword(password: string): Promise<string> {
  return hash(password, COST);
}

export async function verifyPassword({
  hash: encoded,
  password,
}: {
  hash: string;
  password: string;
}): Promise<boolean> {
  try {
    return await verify(encoded, password);
  } catch {
    return false;
  }
}

/**
 * Whether a stored hash is weaker than what hashPassword makes today (argon2i or argon2d, an older argon2
 * version, or less memory, fewer passes or lanes), so a successful sign-in should replace it.
 */
export function needsRehash(encoded: string): boolean {
  // $argon2id$v=19$m=19456,t=2,p=1$salt$hash
  const match = /^\$(argon2(?:id|i|d))\$v=(\d+)\$m=(\d+),t=(\d+),p=(\d+)\$/.exec(encoded);
  if (!match) return true;
  const [, algorithm, version, memory, passes, lanes] = match;
  return (
    algorithm !== "argon2id" ||
    Number(version) < CURRENT_VERSION ||
    Number(memory) < COST.memoryCost ||
    Number(passes) < COST.timeCost ||
    Number(lanes) < COST.parallelism
  );
}

// Verifying against this when the email is unknown makes "no such user" cost the same time as "wrong password".
let dummyHash: Promise<string> | undefined;
export function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hashPassword("tributary-timing-equaliser");
  return dummyHash;
}
