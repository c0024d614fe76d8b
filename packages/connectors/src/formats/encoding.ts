// Bytes: base64 and hex, gzip, zip archives, and digests (hashes and HMACs).
import { createHash, createHmac } from "node:crypto";
import { gunzipSync, gzipSync } from "node:zlib";
import { unzipSync, zipSync } from "fflate";
import { z } from "zod";
import { defineAction, StepFailure, text } from "../define.ts";
import { binary, bytesOf, isBinary, textOrBinary } from "../payload.ts";
import { inputOf, ioFields, parsing, resultOf } from "./format-io.ts";

const OPERATIONS = [
  "base64-encode",
  "base64-decode",
  "hex-encode",
  "hex-decode",
  "gzip",
  "gunzip",
  "zip",
  "unzip",
] as const;

/** Bytes given as binary, or as base64 text. */
function encodedBytes(value: unknown, what: string): Uint8Array {
  if (isBinary(value)) return Buffer.from(value.base64, "base64");
  if (typeof value === "string") return Buffer.from(value, "base64");
  throw new StepFailure(`The input must be ${what} (binary, or base64 text).`, { code: "invalid_input" });
}

function convert(operation: (typeof OPERATIONS)[number], input: unknown): unknown {
  switch (operation) {
    case "base64-encode":
      return Buffer.from(bytesOf(input)).toString("base64");
    case "base64-decode": {
      const source = typeof input === "string" ? input.trim() : "";
      if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(source)) {
        throw new StepFailure("The input is not base64 text.", { code: "invalid_input" });
      }
      return textOrBinary(Buffer.from(source, "base64"));
    }
    case "hex-encode":
      return Buffer.from(bytesOf(input)).toString("hex");
    case "hex-decode": {
      const source = typeof input === "string" ? input.trim() : "";
      if (!/^([0-9a-fA-F]{2})*$/.test(source))
        throw new StepFailure("The input is not hex text.", { code: "invalid_input" });
      return textOrBinary(Buffer.from(source, "hex"));
    }
    case "gzip":
      return binary(gzipSync(bytesOf(input)), "application/gzip");
    case "gunzip":
      return textOrBinary(parsing("gzip data", () => gunzipSync(encodedBytes(input, "gzip data"))));
    case "zip": {
      if (!input || typeof input !== "object" || Array.isArray(input) || isBinary(input)) {
        throw new StepFailure('To zip, give an object of file names and contents, e.g. { "a.txt": "hello" }.', {
          code: "invalid_input",
        });
      }
      const files = Object.fromEntries(Object.entries(input).map(([name, content]) => [name, bytesOf(content)]));
      return binary(zipSync(files), "application/zip");
    }
    case "unzip": {
      const files = parsing("a zip archive", () => unzipSync(encodedBytes(input, "a zip archive")));
      return Object.fromEntries(Object.entries(files).map(([name, bytes]) => [name, textOrBinary(bytes)]));
    }
  }
}

export const encodeFormat = defineAction({
  type: "format.encode",
  effects: "none",
  example: { config: { operation: "base64-encode" }, input: "hello", output: "aGVsbG8=" },
  title: "Encode, compress, archive",
  description:
    "base64 and hex, gzip, zip. Decoded bytes become text when they are UTF-8, else binary ({ contentType, size, base64 }); unzip gives an object of file names and contents.",
  category: "Formats",
  config: z.object({
    operation: z.enum(OPERATIONS).default("base64-encode").meta({ title: "Operation" }),
    ...ioFields,
  }),
  async run({ config, message }) {
    return resultOf(config, message, convert(config.operation, inputOf(config, message)));
  },
});

export const hashFormat = defineAction({
  type: "format.hash",
  effects: "none",
  example: {
    config: { algorithm: "sha256", key: "{{ $secrets.SIGNING_KEY }}", encoding: "hex", resultField: "signature" },
  },
  title: "Hash or HMAC",
  description:
    "A digest of the input (text as UTF-8, data as its JSON, binary as its bytes); an HMAC when a key is set.",
  category: "Formats",
  config: z.object({
    algorithm: z.enum(["sha256", "sha512", "sha1", "md5"]).default("sha256").meta({ title: "Algorithm" }),
    key: text()
      .pipe(z.string())
      .optional()
      .meta({ title: "HMAC key", description: "Empty: a plain hash. E.g. {{ $secrets.SIGNING_KEY }}" }),
    encoding: z.enum(["hex", "base64"]).default("hex").meta({ title: "Digest as" }),
    ...ioFields,
  }),
  async run({ config, message }) {
    const bytes = bytesOf(inputOf(config, message));
    const digest = config.key
      ? createHmac(config.algorithm, config.key).update(bytes).digest(config.encoding)
      : createHash(config.algorithm).update(bytes).digest(config.encoding);
    return resultOf(config, message, digest);
  },
});
