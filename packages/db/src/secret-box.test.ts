import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createSecretBox, SecretBoxError } from "./secret-box.ts";

const key = () => randomBytes(32).toString("base64");

describe("secret box", () => {
  it("round-trips, with a fresh nonce each time", () => {
    const box = createSecretBox({ currentKey: key() });
    const a = box.seal("s3cret ✓", "secret:ws:API_TOKEN");
    const b = box.seal("s3cret ✓", "secret:ws:API_TOKEN");
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(false);
    expect(box.open(a, "secret:ws:API_TOKEN")).toBe("s3cret ✓");
    expect(Buffer.from(a).includes(Buffer.from("s3cret"))).toBe(false);
  });

  it("refuses an envelope moved to another context", () => {
    const box = createSecretBox({ currentKey: key() });
    const sealed = box.seal("value", "secret:workspace-a:TOKEN");
    expect(() => box.open(sealed, "secret:workspace-b:TOKEN")).toThrow(SecretBoxError);
  });

  it("refuses a tampered envelope", () => {
    const box = createSecretBox({ currentKey: key() });
    const sealed = box.seal("value", "ctx");
    sealed[sealed.length - 1] = (sealed[sealed.length - 1] ?? 0) ^ 1;
    expect(() => box.open(sealed, "ctx")).toThrow(/integrity/);
  });

  it("opens values sealed with a previous key after rotation, and seals with the new one", () => {
    const oldKey = key();
    const sealedBefore = createSecretBox({ currentKey: oldKey }).seal("value", "ctx");
    const rotated = createSecretBox({ currentKey: key(), previousKeys: [oldKey] });
    expect(rotated.open(sealedBefore, "ctx")).toBe("value");
    expect(rotated.keyIdOf(rotated.seal("value", "ctx"))).toBe(rotated.currentKeyId);
    expect(rotated.keyIdOf(sealedBefore)).not.toBe(rotated.currentKeyId);
  });

  it("says which key is missing", () => {
    const sealed = createSecretBox({ currentKey: key() }).seal("value", "ctx");
    expect(() => createSecretBox({ currentKey: key() }).open(sealed, "ctx")).toThrow(/is not configured/);
  });

  it("refuses a malformed key with advice", () => {
    expect(() => createSecretBox({ currentKey: "too-short" })).toThrow(/32 random bytes/);
  });
});
