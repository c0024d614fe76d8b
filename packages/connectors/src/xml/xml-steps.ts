// XML steps: select with XPath 3.1 (fontoxpath), transform with XSLT (xslt-processor) and validate against an
// XSD (libxml2 compiled to WebAssembly). Every failure names the line and column it concerns. None of them
// reaches a file or the network: XPath has no doc(), XSLT imports and document() are refused, and libxml2-wasm
// has no input provider registered (an XSD that imports or includes another fails and says so).
import { createHash } from "node:crypto";
import { XMLParser } from "fast-xml-parser";
import type { XmlDocument, XsdValidator } from "libxml2-wasm";
import type * as Slimdom from "slimdom";
import { z } from "zod";
import { defineAction, defineConnector, headerList, StepFailure, text } from "../define.ts";
import { inputOf, ioFields, resultOf, textOf } from "../formats/format-io.ts";
import { describePosition, positionOfPath } from "./xml-positions.ts";

const XML_DATA = new XMLParser({
  attributeNamePrefix: "@",
  textNodeName: "#text",
  ignoreAttributes: false,
  parseTagValue: false,
  parseAttributeValue: false,
  ignoreDeclaration: true,
});

const invalid = (message: string) => new StepFailure(message, { code: "invalid_input" });

// The XML engines are large: loaded when a step first needs them, not when a worker or the web app starts.
const libxml2 = () => import("libxml2-wasm");
const slimdomModule = () => import("slimdom");
const fontoxpathModule = async () => (await import("fontoxpath")).default;
const xsltModule = () => import("xslt-processor");

/** Parses with libxml2, turning its first error into "what, at line L, column C: why". */
async function parseChecked(xml: string, what: string): Promise<XmlDocument> {
  const { XmlDocument, XmlLibError } = await libxml2();
  try {
    return XmlDocument.fromString(xml);
  } catch (error) {
    const detail = error instanceof XmlLibError ? error.details[0] : undefined;
    const where = detail?.line ? ` at ${describePosition({ line: detail.line, column: detail.col })}` : "";
    throw invalid(`${what} is not well-formed XML${where}: ${(detail?.message ?? (error as Error).message).trim()}`);
  }
}

const xpathExpression = () =>
  text()
    .pipe(z.string().trim().min(1, { message: "Write an XPath expression." }).max(20_000))
    .meta({ title: "XPath expression", widget: "textarea" });

const namespaceList = () =>
  headerList().default([]).meta({
    title: "Namespace prefixes",
    description: "Prefix → namespace URI, e.g. soap → http://schemas.xmlsoap.org/soap/envelope/",
    widget: "keyValue",
  });

/** Where an XPath syntax error is, from fontoxpath's own position when it gives one. */
function xpathFailure(error: unknown, expression: string): StepFailure {
  // fontoxpath says where as "at <>:1:4 - 1:5".
  const at = /at <>:(\d+):(\d+)/.exec(String((error as Error).message ?? ""));
  const position = at ? { line: Number(at[1]), column: Number(at[2]) } : null;
  const message = String((error as Error).message ?? error)
    .split("\n")
    .find((line) => /^(Error: )?[A-Z]{4}\d{4}/.test(line.trim()))
    ?.trim()
    .replace(/^Error: /, "");
  const what = message ?? String((error as Error).message ?? error).split("\n")[0];
  if (/^XPST/.test(what ?? "")) {
    const where = position ? ` at ${describePosition(position)}` : "";
    return invalid(`The XPath expression is not valid${where}: ${what}`);
  }
  const short = expression.length > 80 ? `${expression.slice(0, 77)}…` : expression;
  return new StepFailure(`The XPath expression ${short} failed: ${what}`, { code: "xpath_failed" });
}

type NodeLike = { nodeType: number; textContent: string | null; documentElement?: unknown };

function isNode(value: unknown): value is NodeLike {
  return Boolean(value && typeof value === "object" && typeof (value as NodeLike).nodeType === "number");
}

/** An XPath result item as JSON: nodes by `nodesAs`, dates as ISO text, maps and arrays item by item. */
function itemToJson(item: unknown, nodesAs: "text" | "xml" | "data", slimdom: typeof Slimdom): unknown {
  if (isNode(item)) {
    const element = item.nodeType === 9 ? (item.documentElement as NodeLike) : item;
    if (nodesAs === "text" || element.nodeType !== 1) return element.textContent ?? "";
    const markup = slimdom.serializeToWellFormedString(element as unknown as Slimdom.Node);
    return nodesAs === "xml" ? markup : XML_DATA.parse(markup);
  }
  if (item instanceof Date) return item.toISOString();
  if (Array.isArray(item)) return item.map((entry) => itemToJson(entry, nodesAs, slimdom));
  if (item instanceof Map)
    return Object.fromEntries([...item].map(([k, v]) => [String(k), itemToJson(v, nodesAs, slimdom)]));
  if (item && typeof item === "object") {
    return Object.fromEntries(Object.entries(item).map(([k, v]) => [k, itemToJson(v, nodesAs, slimdom)]));
  }
  return item;
}

export const xpathSelect = defineAction({
  type: "xml.xpath",
  example: {
    config: {
      expression: "/order/line[@sku = $sku]/qty",
      variables: { sku: "X-1" },
      input: "{{ xml }}",
      resultField: "qty",
    },
    input: { xml: '<order id="A-1"><line sku="X-1"><qty>2</qty></line><line sku="Y-2"><qty>5</qty></line></order>' },
    output: {
      xml: '<order id="A-1"><line sku="X-1"><qty>2</qty></line><line sku="Y-2"><qty>5</qty></line></order>',
      qty: "2",
    },
  },
  title: "XPath select",
  description:
    "Selects from an XML document with an XPath 3.1 expression: one match gives a value, several a list (nodes as their text, their XML or as data; maps and arrays as JSON).",
  category: "XML",
  config: z.object({
    expression: xpathExpression(),
    namespaces: namespaceList(),
    variables: z.record(z.string(), z.unknown()).optional().meta({
      title: "Variables",
      description: 'Bound as $name in the expression, e.g. { "sku": "X-1" }',
      widget: "json",
    }),
    nodesAs: z.enum(["text", "xml", "data"]).default("text").meta({
      title: "Nodes as",
      description: "text: their string value; xml: their markup; data: parsed like the XML step",
    }),
    results: z.enum(["auto", "first", "list"]).default("auto").meta({
      title: "Results",
      description: "auto: one match a value, several a list, none null; first; list: always a list",
    }),
    ...ioFields,
  }),
  async run({ config, message }) {
    const xml = textOf(inputOf(config, message), "XML");
    const [slimdom, fontoxpath] = await Promise.all([slimdomModule(), fontoxpathModule()]);
    let document: Slimdom.Document;
    try {
      document = slimdom.parseXmlDocument(xml);
    } catch (error) {
      const text = String((error as Error).message);
      const at = /At line (\d+), character (\d+)/.exec(text);
      const where = at ? ` at ${describePosition({ line: Number(at[1]), column: Number(at[2]) })}` : "";
      throw invalid(`The input is not well-formed XML${where}: ${text.split("\n")[0]}`);
    }
    const prefixes = new Map(config.namespaces.map(({ name, value }) => [name, value]));
    let items: unknown[];
    try {
      items = fontoxpath.evaluateXPath(
        config.expression,
        document,
        null,
        config.variables ?? {},
        fontoxpath.evaluateXPath.ALL_RESULTS_TYPE,
        {
          namespaceResolver: (prefix: string) => prefixes.get(prefix) ?? null,
          language: fontoxpath.evaluateXPath.XPATH_3_1_LANGUAGE,
        },
      ) as unknown[];
    } catch (error) {
      throw xpathFailure(error, config.expression);
    }
    const values = items.map((item) => itemToJson(item, config.nodesAs, slimdom));
    const result =
      config.results === "list"
        ? values
        : config.results === "first" || values.length <= 1
          ? (values[0] ?? null)
          : values;
    return resultOf(config, message, result);
  },
});

/** Attributes of XSLT instructions that hold XPath, for finding which one the processor could not read. */
const XPATH_ATTRIBUTES = new Set(["select", "test", "use", "group-by", "group-adjacent"]);

/** Where in the stylesheet the first XPath the processor cannot parse is, for a location-less error. */
function locateBadXPath(
  stylesheet: string,
  XsltXPath: Awaited<ReturnType<typeof xsltModule>>["XPath"],
): { line: number; column: number; expression: string } | null {
  const parser = new XsltXPath();
  const lines = stylesheet.split("\n");
  for (const [index, line] of lines.entries()) {
    for (const match of line.matchAll(/\s([\w:-]+)\s*=\s*("([^"]*)"|'([^']*)')/g)) {
      const [, name, , double, single] = match;
      if (!name || !XPATH_ATTRIBUTES.has(name)) continue;
      const expression = (double ?? single ?? "")
        .replaceAll("&lt;", "<")
        .replaceAll("&gt;", ">")
        .replaceAll("&quot;", '"')
        .replaceAll("&apos;", "'")
        .replaceAll("&amp;", "&");
      try {
        parser.xPathParse(expression, undefined, "3.1");
      } catch {
        return { line: index + 1, column: (match.index ?? 0) + 2, expression };
      }
    }
  }
  return null;
}

export const xsltTransform = defineAction({
  type: "xml.xslt",
  example: {
    config: {
      stylesheet:
        '<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"><xsl:template match="/order"><invoice ref="{@id}"><xsl:value-of select="sum(line/qty)"/></invoice></xsl:template></xsl:stylesheet>',
    },
    input: '<order id="A-1"><line><qty>2</qty></line><line><qty>5</qty></line></order>',
    output: '<invoice ref="A-1">7</invoice>',
  },
  title: "XSLT transform",
  description:
    "Transforms an XML document with an XSLT stylesheet (XSLT 1.0, with the parts of 2.0 and 3.0 its engine, xslt-processor, implements: test 2.0/3.0 stylesheets on a sample). The result is text, or data parsed from it.",
  category: "XML",
  config: z.object({
    stylesheet: text()
      .pipe(
        z
          .string()
          .min(1, { message: "Paste the XSLT stylesheet." })
          .max(1024 * 1024),
      )
      .meta({ title: "Stylesheet", widget: "textarea" }),
    parameters: z
      .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
      .optional()
      .meta({
        title: "Parameters",
        description: "Values of the stylesheet's top-level xsl:param, by name",
        widget: "json",
      }),
    output: z.enum(["text", "data"]).default("text").meta({
      title: "Result as",
      description: "text: as the stylesheet writes it; data: XML parsed like the XML step",
    }),
    ...ioFields,
  }),
  async run({ config, message }) {
    const xml = textOf(inputOf(config, message), "XML");
    // xslt-processor reads broken XML without complaint: libxml2 checks both first and says where.
    (await parseChecked(xml, "The input")).dispose();
    (await parseChecked(config.stylesheet, "The stylesheet")).dispose();
    const { XmlParser: XsltXmlParser, XPath: XsltXPath, Xslt } = await xsltModule();
    const parser = new XsltXmlParser();
    const xslt = new Xslt({
      parameters: Object.entries(config.parameters ?? {}).map(([name, value]) => ({ name, value })),
      fetchFunction: async (uri: string) => {
        throw new Error(`the stylesheet imports or includes ${uri}; paste one self-contained stylesheet instead`);
      },
      documentLoader: () => null,
    });
    let result: string;
    try {
      result = await xslt.xsltProcess(parser.xmlParse(xml), parser.xmlParse(config.stylesheet));
    } catch (error) {
      const reason = String((error as Error).message ?? error);
      const bad = /^XP(ST|DY|TY)/.test(reason) ? locateBadXPath(config.stylesheet, XsltXPath) : null;
      if (bad) {
        throw invalid(
          `The stylesheet has an XPath it cannot read at ${describePosition(bad)} (${bad.expression}): ${reason}`,
        );
      }
      throw invalid(`The stylesheet could not be applied: ${reason}`);
    }
    if (config.output === "data") {
      (await parseChecked(result, "The transform's result")).dispose();
      return resultOf(config, message, XML_DATA.parse(result));
    }
    return resultOf(config, message, result);
  },
});

/** Compiled schemas by the digest of their text: compiling is the slow part, and flows use few schemas. */
const validators = new Map<string, XsdValidator>();
const MAX_VALIDATORS = 32;

async function validatorFor(schema: string): Promise<XsdValidator> {
  const { XmlLibError, XsdValidator } = await libxml2();
  const key = createHash("sha256").update(schema).digest("base64url");
  const cached = validators.get(key);
  if (cached) {
    validators.delete(key);
    validators.set(key, cached);
    return cached;
  }
  const document = await parseChecked(schema, "The schema");
  let validator: XsdValidator;
  try {
    validator = XsdValidator.fromDoc(document);
  } catch (error) {
    const details = error instanceof XmlLibError ? error.details.filter((detail) => detail.level >= 2) : [];
    const first = details[0];
    const position = first ? (positionOfPath(schema, first.xpath) ?? { line: first.line, column: first.col }) : null;
    const where = position?.line ? ` at ${describePosition(position)}` : "";
    const imports = /failed to load/i.test((error as Error).message)
      ? " Schemas that import or include others by location are not fetched: paste one self-contained schema."
      : "";
    throw invalid(
      `The schema is not a valid XSD${where}: ${(first?.message ?? (error as Error).message).trim()}${imports}`,
    );
  } finally {
    document.dispose();
  }
  validators.set(key, validator);
  if (validators.size > MAX_VALIDATORS) {
    const [oldest] = validators;
    if (oldest) {
      validators.delete(oldest[0]);
      oldest[1].dispose();
    }
  }
  return validator;
}

export const xsdValidate = defineAction({
  type: "xml.validate",
  example: {
    config: {
      schema:
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"><xs:element name="order"><xs:complexType><xs:sequence><xs:element name="id" type="xs:string"/><xs:element name="total" type="xs:decimal"/></xs:sequence></xs:complexType></xs:element></xs:schema>',
    },
    input: "<order><id>A-1</id><total>42</total></order>",
    output: "<order><id>A-1</id><total>42</total></order>",
  },
  title: "XSD validate",
  description:
    "Checks an XML document against an XML Schema (XSD 1.0). A valid document passes on unchanged; an invalid one fails the step (or takes its error output) with each problem's line and column.",
  category: "XML",
  config: z.object({
    schema: text()
      .pipe(
        z
          .string()
          .min(1, { message: "Paste the XML Schema." })
          .max(4 * 1024 * 1024),
      )
      .meta({ title: "Schema (XSD)", widget: "textarea" }),
    input: ioFields.input,
  }),
  async run({ config, message }) {
    const xml = textOf(inputOf(config, message), "XML");
    const validator = await validatorFor(config.schema);
    const { XmlLibError } = await libxml2();
    const document = await parseChecked(xml, "The input");
    try {
      validator.validate(document);
    } catch (error) {
      const details = error instanceof XmlLibError ? error.details.filter((detail) => detail.level >= 2) : [];
      if (!details.length) throw invalid(`The input could not be validated: ${(error as Error).message}`);
      const problems = details.slice(0, 10).map((detail) => {
        const position = positionOfPath(xml, detail.xpath) ?? { line: detail.line, column: detail.col };
        return `${describePosition(position)}: ${detail.message.trim()}`;
      });
      const more = details.length > 10 ? ` (and ${details.length - 10} more)` : "";
      throw new StepFailure(`The input does not match the schema: ${problems.join("; ")}${more}`, {
        code: "invalid_document",
      });
    } finally {
      document.dispose();
    }
    return {};
  },
});

export const xmlConnector = defineConnector({
  id: "xml",
  title: "XML",
  description: "XPath 3.1 selection, XSLT transforms and XML Schema validation.",
  steps: [xpathSelect, xsltTransform, xsdValidate],
});
