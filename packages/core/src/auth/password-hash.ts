// argon2id with OWASP's recommended minimum cost (19 MiB, 2 passes, 1 lane). @node-rs/argon2 defaults to
// argon2id; its encoded hash carries the parameters, so they can be raised later without breaking old hashes.
import { hash, verify } from "@node-rs/argon2";

const COST = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

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

// Verifying against this when the email is unknown makes "no such user" cost the same time as "wrong password".
let dummyHash: Promise<string> | undefined;
export function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hashPassword("tributary-timing-equaliser");
  return dummyHash;
}
