// Encryption of secrets at rest: AES-256-GCM with a random 96-bit nonce per value. Each envelope names the
// key that sealed it, so keys can rotate: seal with the newest, open with whichever key the envelope names.
//
// Envelope: version (1 byte) | key id (8 bytes) | nonce (12 bytes) | tag (16 bytes) | ciphertext
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";

const VERSION = 1;
const KEY_ID_BYTES = 8;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = 1 + KEY_ID_BYTES + NONCE_BYTES + TAG_BYTES;

export class SecretBoxError extends Error {
  override name = "SecretBoxError";
}

export type SecretBox = {
  /** The id of the key new values are sealed with. */
  readonly currentKeyId: string;
  seal(plaintext: string, context: string): Uint8Array<ArrayBuffer>;
  open(envelope: Uint8Array, context: string): string;
  keyIdOf(envelope: Uint8Array): string;
};

function parseKey(encoded: string): Buffer {
  const key = Buffer.from(encoded.trim(), "base64");
  if (key.length !== 32) {
    throw new SecretBoxError(
      "An encryption key must be 32 random bytes, base64-encoded (e.g. `openssl rand -base64 32`).",
    );
  }
  return key;
}

function keyId(key: Buffer): string {
  return createHash("sha256")
    .update(key)
    .digest("hex")
    .slice(0, KEY_ID_BYTES * 2);
}

/**
 * `currentKey` seals; `previousKeys` (retired keys, still needed to open old values) only open.
 * `context` binds a ciphertext to where it belongs (e.g. "secret:<workspaceId>:<name>") as associated data,
 * so an envelope copied into another row or workspace does not decrypt.
 */
export function createSecretBox({
  currentKey,
  previousKeys = [],
}: {
  currentKey: string;
  previousKeys?: string[];
}): SecretBox {
  const current = parseKey(currentKey);
  const keys = new Map<string, Buffer>([current, ...previousKeys.map(parseKey)].map((key) => [keyId(key), key]));
  const currentKeyId = keyId(current);
  return {
    currentKeyId,
    seal(plaintext, context) {
      const nonce = randomBytes(NONCE_BYTES);
      const cipher = createCipheriv("aes-256-gcm", current, nonce);
      cipher.setAAD(Buffer.from(context));
      const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
      const envelope = Buffer.concat([
        Buffer.from([VERSION]),
        Buffer.from(currentKeyId, "hex"),
        nonce,
        cipher.getAuthTag(),
        ciphertext,
      ]);
      return new Uint8Array(envelope);
    },
    open(envelope, context) {
      const bytes = Buffer.from(envelope);
      if (bytes.length < HEADER_BYTES || bytes[0] !== VERSION) throw new SecretBoxError("Not a sealed secret.");
      const id = bytes.subarray(1, 1 + KEY_ID_BYTES).toString("hex");
      const key = keys.get(id);
      if (!key) {
        throw new SecretBoxError(
          `The key ${id} that sealed this secret is not configured (ENCRYPTION_KEY / ENCRYPTION_PREVIOUS_KEYS).`,
        );
      }
      const nonce = bytes.subarray(1 + KEY_ID_BYTES, 1 + KEY_ID_BYTES + NONCE_BYTES);
      const tag = bytes.subarray(1 + KEY_ID_BYTES + NONCE_BYTES, HEADER_BYTES);
      const decipher = createDecipheriv("aes-256-gcm", key, nonce);
      decipher.setAAD(Buffer.from(context));
      decipher.setAuthTag(tag);
      try {
        return Buffer.concat([decipher.update(bytes.subarray(HEADER_BYTES)), decipher.final()]).toString("utf8");
      } catch {
        throw new SecretBoxError("A secret failed its integrity check: it was altered or belongs elsewhere.");
      }
    },
    keyIdOf(envelope) {
      return Buffer.from(envelope)
        .subarray(1, 1 + KEY_ID_BYTES)
        .toString("hex");
    },
  };
}
