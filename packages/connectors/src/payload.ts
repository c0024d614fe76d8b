// How bytes travel in a message — as the webhook ingress keeps them: { contentType, size, base64 } — and how
// a body becomes the payload of a message sent to a broker, and a received payload a body again.

export type Binary = { contentType: string; size: number; base64: string };

export function isBinary(value: unknown): value is Binary {
  return Boolean(value && typeof value === "object" && typeof (value as Binary).base64 === "string");
}

export function binary(bytes: Uint8Array, contentType: string): Binary {
  return { contentType, size: bytes.byteLength, base64: Buffer.from(bytes).toString("base64") };
}

/** Bytes of any input: binary as its bytes, text as UTF-8, anything else as its JSON. */
export function bytesOf(value: unknown): Uint8Array {
  if (isBinary(value)) return Buffer.from(value.base64, "base64");
  return Buffer.from(typeof value === "string" ? value : JSON.stringify(value ?? null), "utf8");
}

/** Decoded bytes as text when they are UTF-8, else kept as binary. */
export function textOrBinary(bytes: Uint8Array, contentType = "application/octet-stream"): string | Binary {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return binary(bytes, contentType);
  }
}

/** A received payload as a body: JSON when it parses, else text when it is UTF-8, else binary. */
export function bodyOfPayload(bytes: Uint8Array, contentType?: string): unknown {
  const decoded = textOrBinary(bytes, contentType ?? "application/octet-stream");
  if (typeof decoded !== "string" || contentType?.startsWith("text/")) return decoded;
  try {
    return JSON.parse(decoded);
  } catch {
    return decoded;
  }
}

/** What a body is sent as: its content type with the bytes. */
export function payloadOf(body: unknown): { bytes: Buffer; contentType: string } {
  const contentType = isBinary(body)
    ? body.contentType
    : typeof body === "string"
      ? "text/plain; charset=utf-8"
      : "application/json";
  return { bytes: Buffer.from(bytesOf(body)), contentType };
}
