// HL7 v2 acknowledgements: what a receiver writes back (MSH, MSA with the code and the original control id,
// ERR with the error) and what a sender reads from one. Codes: AA accepted, AE error, AR rejected (original
// mode); CA, CE, CR the same as commit acknowledgements (enhanced mode).
import { createHash, randomUUID } from "node:crypto";
import type { MessageHeader } from "@tributary/engine";
import { type Hl7Field, type Hl7Message, type Hl7Segment, parseHl7, serializeHl7 } from "../formats/hl7.ts";

export const ACK_CODES = ["AA", "AE", "AR", "CA", "CE", "CR"] as const;
export type AckCode = (typeof ACK_CODES)[number];

/** HL7 table 0357, the error codes an ACK carries in ERR-3. */
export const ERROR_CODES: Record<string, string> = {
  "100": "Segment sequence error",
  "101": "Required field missing",
  "102": "Data type error",
  "103": "Table value not found",
  "200": "Unsupported message type",
  "201": "Unsupported event code",
  "202": "Unsupported processing id",
  "203": "Unsupported version id",
  "204": "Unknown key identifier",
  "205": "Duplicate key identifier",
  "206": "Application record locked",
  "207": "Application internal error",
};

/** A field as people read it: components joined by ^, sub-components by &, repetitions by ~. */
export function fieldText(field: Hl7Field | undefined): string {
  if (field === undefined || field === null) return "";
  if (typeof field === "string") return field;
  if (Array.isArray(field)) return field.map((c) => (Array.isArray(c) ? c.join("&") : c)).join("^");
  return field.repetitions.map(fieldText).join("~");
}

/** Component `n` (1-based) of a field. */
function component(field: Hl7Field | undefined, n: number): string {
  if (typeof field === "string") return n === 1 ? field : "";
  if (Array.isArray(field)) {
    const value = field[n - 1];
    return Array.isArray(value) ? (value[0] ?? "") : (value ?? "");
  }
  return field ? component(field.repetitions[0], n) : "";
}

/** The MSH segment of a parsed message, or null when there is none. */
export function mshOf(message: Hl7Message): Hl7Segment | null {
  return message.segments[0]?.name === "MSH" ? message.segments[0] : null;
}

/** What a received message says about itself, as message headers the flow (and an ACK step) can read. */
export function hl7Headers(msh: Hl7Segment, rawMsh: string): MessageHeader[] {
  const f = (n: number) => fieldText(msh.fields[n]);
  return [
    { name: "hl7-msh", value: rawMsh },
    { name: "hl7-sending-application", value: f(3) },
    { name: "hl7-sending-facility", value: f(4) },
    { name: "hl7-receiving-application", value: f(5) },
    { name: "hl7-receiving-facility", value: f(6) },
    { name: "hl7-message-type", value: f(9) },
    { name: "hl7-control-id", value: f(10) },
    { name: "hl7-processing-id", value: f(11) },
    { name: "hl7-version", value: f(12) },
  ];
}

/** The MSH of the message a run started with, from its hl7-msh header (last one wins), or null. */
export function mshFromHeaders(headers: readonly MessageHeader[]): Hl7Segment | null {
  const raw = [...headers].reverse().find((header) => header.name === "hl7-msh")?.value;
  if (!raw) return null;
  try {
    return mshOf(parseHl7(raw));
  } catch {
    return null;
  }
}

/** HL7 DTM in UTC, e.g. 20261201093000+0000. */
export function hl7Timestamp(now: Date): string {
  return `${now.toISOString().replace(/[-:T]/g, "").slice(0, 14)}+0000`;
}

/** A control id (MSH-10, at most 20 characters): random, or derived from `seed` so retries repeat it. */
export function controlId(seed?: string): string {
  const source = seed ? createHash("sha256").update(seed).digest("hex") : randomUUID().replaceAll("-", "");
  return source.slice(0, 20).toUpperCase();
}

/**
 * The ACK for a received message: sender and receiver swapped, ACK^<event>^ACK, MSA with the code and the
 * original control id; an error code and text also go into ERR (ERR-3 and ERR-8), the text also into MSA-3.
 */
export function buildAck({
  inbound,
  code,
  text = "",
  errorCode,
  now = new Date(),
}: {
  inbound: Hl7Segment | null;
  code: AckCode;
  text?: string;
  errorCode?: string;
  now?: Date;
}): string {
  const f = (n: number): Hl7Field => inbound?.fields[n] ?? "";
  const event = component(inbound?.fields[9], 2);
  const version = fieldText(f(12)) || "2.5";
  const segments: Hl7Segment[] = [
    {
      name: "MSH",
      fields: [
        "MSH",
        "|",
        "^~\\&",
        f(5),
        f(6),
        f(3),
        f(4),
        hl7Timestamp(now),
        "",
        event ? ["ACK", event, "ACK"] : "ACK",
        controlId(),
        f(11) || "P",
        version,
      ],
    },
    // MSA-3 holds 80 characters; the whole text goes into ERR-8.
    { name: "MSA", fields: ["MSA", code, f(10), text.slice(0, 80)] },
  ];
  const failed = code !== "AA" && code !== "CA";
  if (failed && (text || errorCode)) {
    const codeValue = errorCode ?? "207";
    segments.push({
      name: "ERR",
      fields: ["ERR", "", "", [codeValue, ERROR_CODES[codeValue] ?? "", "HL70357"], "E", "", "", "", text],
    });
  }
  return serializeHl7({ segments });
}

export type ReadAck = { code: string; controlId: string; text: string; errors: string[] };

/** The code, the acknowledged control id and the error texts of an ACK, or null if it is not one. */
export function readAck(text: string): ReadAck | null {
  let message: Hl7Message;
  try {
    message = parseHl7(text);
  } catch {
    return null;
  }
  const msa = message.segments.find((segment) => segment.name === "MSA");
  if (!msa) return null;
  const errors = message.segments
    .filter((segment) => segment.name === "ERR")
    .map((segment) => {
      const user = fieldText(segment.fields[8]);
      const coded = component(segment.fields[3], 2) || component(segment.fields[3], 1);
      const legacy = fieldText(segment.fields[1]);
      return [coded, user || legacy].filter(Boolean).join(": ");
    })
    .filter(Boolean);
  return {
    code: fieldText(msa.fields[1]),
    controlId: fieldText(msa.fields[2]),
    text: fieldText(msa.fields[3]),
    errors,
  };
}
