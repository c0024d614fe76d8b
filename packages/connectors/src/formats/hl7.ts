// HL7 version 2 messages (pipe-and-hat): parsed into segments whose fields keep their repetitions,
// components and sub-components, with escapes decoded; serialized back to the same text. The separators are
// read from each message's MSH segment, so messages with unusual ones round-trip too.
//
// In the parsed form `fields[n]` is field n of the segment (fields[0] is the segment's name), so PID-5 is
// `fields[5]`. A field is text when it holds one value, an array of components when it has several, and
// { repetitions: [...] } when it repeats; a component with sub-components is an array of them.

export type Hl7Component = string | string[];
export type Hl7Value = string | Hl7Component[];
export type Hl7Field = Hl7Value | { repetitions: Hl7Value[] };
export type Hl7Segment = { name: string; fields: Hl7Field[] };
export type Hl7Message = { segments: Hl7Segment[] };

type Separators = { field: string; component: string; repetition: string; escape: string; subcomponent: string };

export class Hl7Error extends Error {
  override name = "Hl7Error";
}

function separatorsOf(text: string): Separators {
  if (!text.startsWith("MSH") || text.length < 8) {
    throw new Hl7Error("An HL7 v2 message starts with an MSH segment (e.g. MSH|^~\\&|…).");
  }
  const [field, component, repetition, escapeChar, subcomponent] = [...text.slice(3, 8)] as string[];
  return {
    field: field as string,
    component: component as string,
    repetition: repetition as string,
    escape: escapeChar as string,
    subcomponent: subcomponent === field ? "&" : (subcomponent as string),
  };
}

function decodeEscapes(value: string, s: Separators): string {
  if (!value.includes(s.escape)) return value;
  const e = s.escape.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return value.replace(new RegExp(`${e}([^${e}]*)${e}`, "g"), (whole, code: string) => {
    switch (code) {
      case "F":
        return s.field;
      case "S":
        return s.component;
      case "T":
        return s.subcomponent;
      case "R":
        return s.repetition;
      case "E":
        return s.escape;
      case ".br":
        return "\r";
      default:
        if (/^X[0-9A-Fa-f]+$/.test(code)) return Buffer.from(code.slice(1), "hex").toString("latin1");
        return whole; // formatting codes (\H\, \N\…) are kept as they are
    }
  });
}

function encodeEscapes(value: string, s: Separators): string {
  let out = "";
  for (const char of value) {
    if (char === s.escape) out += `${s.escape}E${s.escape}`;
    else if (char === s.field) out += `${s.escape}F${s.escape}`;
    else if (char === s.component) out += `${s.escape}S${s.escape}`;
    else if (char === s.subcomponent) out += `${s.escape}T${s.escape}`;
    else if (char === s.repetition) out += `${s.escape}R${s.escape}`;
    else if (char === "\r") out += `${s.escape}.br${s.escape}`;
    else out += char;
  }
  return out;
}

function parseValue(text: string, s: Separators): Hl7Value {
  const components = text.split(s.component).map((component): Hl7Component => {
    const subs = component.split(s.subcomponent).map((sub) => decodeEscapes(sub, s));
    return subs.length === 1 ? (subs[0] as string) : subs;
  });
  return components.length === 1 && typeof components[0] === "string" ? components[0] : components;
}

function parseField(text: string, s: Separators): Hl7Field {
  const repetitions = text.split(s.repetition);
  if (repetitions.length === 1) return parseValue(text, s);
  return { repetitions: repetitions.map((repetition) => parseValue(repetition, s)) };
}

export function parseHl7(text: string): Hl7Message {
  const trimmed = text.replace(/^\uFEFF/, "").trim();
  const s = separatorsOf(trimmed);
  const segments = trimmed
    .split(/\r\n|\r|\n/)
    .filter((line) => line.trim() !== "")
    .map((line): Hl7Segment => {
      const name = line.slice(0, 3);
      if (!/^[A-Z][A-Z0-9]{2}$/.test(name))
        throw new Hl7Error(`"${line.slice(0, 20)}" does not start with a segment name.`);
      if (name === "MSH") {
        // MSH-1 is the field separator itself and MSH-2 the encoding characters: taken literally.
        const rest = line.slice(9).split(s.field);
        const encoding = line.slice(4, 8);
        return { name, fields: [name, s.field, encoding, ...rest.map((field) => parseField(field, s))] };
      }
      const parts = line.split(s.field);
      return { name, fields: [name, ...parts.slice(1).map((field) => parseField(field, s))] };
    });
  return { segments };
}

function serializeValue(value: Hl7Value, s: Separators): string {
  if (typeof value === "string") return encodeEscapes(value, s);
  return value
    .map((component) =>
      typeof component === "string"
        ? encodeEscapes(component, s)
        : component.map((sub) => encodeEscapes(String(sub ?? ""), s)).join(s.subcomponent),
    )
    .join(s.component);
}

function serializeField(field: Hl7Field | null | undefined, s: Separators): string {
  if (field === null || field === undefined) return "";
  if (typeof field === "number") return String(field);
  if (typeof field === "object" && !Array.isArray(field)) {
    return field.repetitions.map((repetition) => serializeValue(repetition, s)).join(s.repetition);
  }
  return serializeValue(field, s);
}

/** Segments joined by carriage returns, as HL7 v2 (and MLLP) expect. */
export function serializeHl7(message: Hl7Message): string {
  if (!Array.isArray(message?.segments) || message.segments.length === 0) {
    throw new Hl7Error("Give an object with `segments`, each { name, fields }, starting with MSH.");
  }
  const msh = message.segments[0];
  if (msh?.name !== "MSH") throw new Hl7Error("The first segment must be MSH.");
  const field = typeof msh.fields[1] === "string" && msh.fields[1].length === 1 ? msh.fields[1] : "|";
  const encoding = typeof msh.fields[2] === "string" && msh.fields[2].length >= 3 ? msh.fields[2] : "^~\\&";
  const s = separatorsOf(`MSH${field}${encoding}`);
  return message.segments
    .map((segment) => {
      if (!/^[A-Z][A-Z0-9]{2}$/.test(segment.name ?? ""))
        throw new Hl7Error(`"${segment.name}" is not a segment name.`);
      if (segment.name === "MSH") {
        return [`MSH${s.field}${encoding}`, ...segment.fields.slice(3).map((f) => serializeField(f, s))].join(s.field);
      }
      return [segment.name, ...segment.fields.slice(1).map((f) => serializeField(f, s))].join(s.field);
    })
    .join("\r");
}
