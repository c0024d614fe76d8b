// A request body becomes the message body by its content type: JSON parsed, forms as objects, text and XML
// as text, anything else kept as bytes (base64), so nothing is lost.
import { MAX_JSON_DEPTH, nestsDeeperThan } from "@tributary/core";

export class MalformedBodyError extends Error {
  override name = "MalformedBodyError";
}

export function parseBody({ bytes, contentType }: { bytes: Uint8Array; contentType: string }): unknown {
  if (bytes.byteLength === 0) return null;
  const type = contentType.split(";")[0]?.trim().toLowerCase() ?? "";
  const text = () => new TextDecoder("utf-8", { fatal: false }).decode(bytes);
  if (type === "application/json" || type.endsWith("+json")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text());
    } catch (error) {
      throw new MalformedBodyError(
        `The body is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    if (nestsDeeperThan(parsed, MAX_JSON_DEPTH))
      throw new MalformedBodyError(`The JSON body nests deeper than ${MAX_JSON_DEPTH} levels, the most accepted.`);
    return parsed;
  }
  if (type === "application/x-www-form-urlencoded") {
    const form: Record<string, string | string[]> = Object.create(null);
    for (const [key, value] of new URLSearchParams(text())) {
      const existing = form[key];
      form[key] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
    }
    return { ...form };
  }
  if (type.startsWith("text/") || type === "application/xml" || type.endsWith("+xml") || type === "") return text();
  return { contentType: type, size: bytes.byteLength, base64: Buffer.from(bytes).toString("base64") };
}
