// Structured text formats: JSON, XML, YAML and CSV, each parsed into a body or written from one.
import { parse as parseCsv } from "csv-parse/sync";
import { stringify as stringifyCsv } from "csv-stringify/sync";
import { XMLBuilder, XMLParser, XMLValidator } from "fast-xml-parser";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { z } from "zod";
import { defineAction, StepFailure } from "../define.ts";
import { inputOf, ioFields, parsing, resultOf, textOf } from "./format-io.ts";

const direction = (parse: string, write: string) =>
  z
    .enum(["parse", "write"])
    .default("parse")
    .meta({ title: "Direction", description: `parse: ${parse}; write: ${write}` });

export const jsonFormat = defineAction({
  type: "format.json",
  effects: "none",
  example: {
    config: { direction: "parse", input: "{{ payload }}", resultField: "data" },
    input: { payload: '{"a":1}' },
    output: { payload: '{"a":1}', data: { a: 1 } },
  },
  title: "JSON",
  description: "Parses JSON text into a body, or writes a body as JSON text.",
  category: "Formats",
  config: z.object({
    direction: direction("text → data", "data → text"),
    pretty: z.boolean().default(false).meta({ title: "Indent the text (write)" }),
    ...ioFields,
  }),
  async run({ config, message }) {
    const input = inputOf(config, message);
    const result =
      config.direction === "parse"
        ? parsing("JSON", () => JSON.parse(textOf(input, "JSON")))
        : JSON.stringify(input ?? null, null, config.pretty ? 2 : undefined);
    return resultOf(config, message, result);
  },
});

const XML_NAMES = { attributeNamePrefix: "@", textNodeName: "#text", ignoreAttributes: false } as const;

export const xmlFormat = defineAction({
  type: "format.xml",
  effects: "none",
  example: {
    config: { direction: "parse" },
    input: '<order id="A-1"><total>42</total></order>',
    output: { order: { "@id": "A-1", total: "42" } },
  },
  title: "XML",
  description:
    "Parses XML into data (attributes as @name, mixed text as #text) or writes data as XML. Element order within a parent is not kept across a round trip.",
  category: "Formats",
  config: z.object({
    direction: direction("XML → data", "data → XML"),
    typedValues: z
      .boolean()
      .default(false)
      .meta({ title: "Read numbers and booleans as such (parse)", description: "Off: every value stays text." }),
    rootElement: z
      .string()
      .regex(/^[A-Za-z_][\w.-]*$/, { message: "An XML element name: letters, digits, _ . and -." })
      .optional()
      .meta({ title: "Root element (write)", description: "Wraps the data in this element." }),
    declaration: z.boolean().default(true).meta({ title: "Start with <?xml … ?> (write)" }),
    pretty: z.boolean().default(true).meta({ title: "Indent (write)" }),
    ...ioFields,
  }),
  async run({ config, message }) {
    const input = inputOf(config, message);
    if (config.direction === "parse") {
      const xml = textOf(input, "XML");
      const valid = XMLValidator.validate(xml);
      if (valid !== true) {
        throw new StepFailure(`The input is not valid XML: ${valid.err.msg} (line ${valid.err.line}).`, {
          code: "invalid_input",
        });
      }
      const parser = new XMLParser({
        ...XML_NAMES,
        parseTagValue: config.typedValues,
        parseAttributeValue: config.typedValues,
        ignoreDeclaration: true,
      });
      return resultOf(config, message, parser.parse(xml));
    }
    const data = config.rootElement ? { [config.rootElement]: input } : input;
    if (!data || typeof data !== "object" || Array.isArray(data)) {
      throw new StepFailure("XML needs an object with one root element; set “Root element” to wrap the data.", {
        code: "invalid_input",
      });
    }
    const xml = new XMLBuilder({ ...XML_NAMES, format: config.pretty, suppressEmptyNode: true }).build(data) as string;
    const declared = config.declaration ? `<?xml version="1.0" encoding="UTF-8"?>\n${xml}` : xml;
    return resultOf(config, message, declared.trimEnd());
  },
});

export const yamlFormat = defineAction({
  type: "format.yaml",
  effects: "none",
  example: {
    config: { direction: "write" },
    input: { name: "Ada", langs: ["en"] },
    output: "name: Ada\nlangs:\n  - en\n",
  },
  title: "YAML",
  description: "Parses YAML into data, or writes data as YAML.",
  category: "Formats",
  config: z.object({ direction: direction("YAML → data", "data → YAML"), ...ioFields }),
  async run({ config, message }) {
    const input = inputOf(config, message);
    const result =
      config.direction === "parse"
        ? parsing("YAML", () => parseYaml(textOf(input, "YAML")) as unknown)
        : stringifyYaml(input ?? null);
    return resultOf(config, message, result);
  },
});

export const csvFormat = defineAction({
  type: "format.csv",
  effects: "none",
  example: { config: { direction: "parse", header: true }, input: "sku,qty\nX,2\n", output: [{ sku: "X", qty: "2" }] },
  title: "CSV",
  description:
    "Parses CSV into a list of rows (objects named by the header row, or lists), or writes a list of rows as CSV.",
  category: "Formats",
  config: z.object({
    direction: direction("CSV → rows", "rows → CSV"),
    header: z.boolean().default(true).meta({ title: "First line is the header" }),
    delimiter: z.string().min(1).max(5).default(",").meta({ title: "Delimiter", description: "e.g. , ; or a tab" }),
    typedValues: z.boolean().default(false).meta({ title: "Read numbers and booleans as such (parse)" }),
    ...ioFields,
  }),
  async run({ config, message }) {
    const input = inputOf(config, message);
    const delimiter = config.delimiter.replace("\\t", "\t");
    if (config.direction === "parse") {
      const rows = parsing("CSV", () =>
        parseCsv(textOf(input, "CSV"), {
          columns: config.header,
          delimiter,
          cast: config.typedValues,
          skip_empty_lines: true,
          bom: true,
          trim: false,
        }),
      );
      return resultOf(config, message, rows);
    }
    if (!Array.isArray(input)) {
      throw new StepFailure("To write CSV, give a list of rows (objects, or lists of values).", {
        code: "invalid_input",
      });
    }
    const objects = input.every((row) => row && typeof row === "object" && !Array.isArray(row));
    const columns = objects ? [...new Set(input.flatMap((row) => Object.keys(row as object)))] : undefined;
    const csv = stringifyCsv(input as never[], {
      header: config.header && objects,
      delimiter,
      ...(columns ? { columns } : {}),
      cast: { object: (value) => JSON.stringify(value), boolean: (value) => String(value) },
    });
    return resultOf(config, message, csv);
  },
});
