// Each format step on real inputs, both directions, and the errors a user sees for bad input.
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { stepFailure as failure, runStep as run } from "../testing/run-step.ts";
import { encodeFormat, hashFormat } from "./encoding.ts";
import { csvFormat, jsonFormat, xmlFormat, yamlFormat } from "./structured.ts";
import { hl7Format, textTemplate } from "./text-formats.ts";

describe("format steps", () => {
  it("JSON: parses text and writes data, into a field when asked", async () => {
    expect(await run(jsonFormat, {}, '{"a":[1,2]}')).toEqual({ a: [1, 2] });
    expect(await run(jsonFormat, { direction: "write", pretty: true }, { a: 1 })).toBe('{\n  "a": 1\n}');
    expect(await run(jsonFormat, { input: '{"b":2}', resultField: "parsed" }, { keep: true })).toEqual({
      keep: true,
      parsed: { b: 2 },
    });
    expect(await failure(run(jsonFormat, {}, "{nope"))).toMatch(/^The input is not valid JSON/);
    expect(await failure(run(jsonFormat, {}, { already: "data" }))).toMatch(/must be JSON as text, not object/);
  });

  it("XML: attributes and text survive a round trip; invalid XML names its line", async () => {
    const xml = '<?xml version="1.0"?>\n<order id="A-1"><item sku="X" qty="2">Widget</item><note>007</note></order>';
    const data = await run(xmlFormat, {}, xml);
    expect(data).toEqual({
      order: { "@id": "A-1", item: { "@sku": "X", "@qty": "2", "#text": "Widget" }, note: "007" },
    });
    expect(await run(xmlFormat, { typedValues: true }, xml)).toMatchObject({ order: { note: 7 } });
    const written = await run(xmlFormat, { direction: "write", pretty: false }, data);
    expect(written).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<order id="A-1"><item sku="X" qty="2">Widget</item><note>007</note></order>',
    );
    expect(
      await run(
        xmlFormat,
        { direction: "write", rootElement: "rows", declaration: false, pretty: false },
        { row: [1, 2] },
      ),
    ).toBe("<rows><row>1</row><row>2</row></rows>");
    expect(await failure(run(xmlFormat, {}, "<a>\n<b></a>"))).toMatch(/not valid XML: .*line 2/);
    expect(await failure(run(xmlFormat, { direction: "write" }, [1, 2]))).toMatch(/Root element/);
  });

  it("YAML: both ways", async () => {
    expect(await run(yamlFormat, {}, "name: Ada\nlangs:\n  - en\n  - fr\n")).toEqual({
      name: "Ada",
      langs: ["en", "fr"],
    });
    expect(await run(yamlFormat, { direction: "write" }, { a: [1] })).toBe("a:\n  - 1\n");
    expect(await failure(run(yamlFormat, {}, "a: [1, 2"))).toMatch(/not valid YAML/);
  });

  it("CSV: header rows to objects and back, quoting what needs it; other delimiters", async () => {
    const csv = 'sku,qty,name\nX,2,"Widget, large"\nY,1,"Say ""hi"""\n';
    const rows = await run(csvFormat, {}, csv);
    expect(rows).toEqual([
      { sku: "X", qty: "2", name: "Widget, large" },
      { sku: "Y", qty: "1", name: 'Say "hi"' },
    ]);
    expect(await run(csvFormat, { typedValues: true }, csv)).toMatchObject([{ qty: 2 }, { qty: 1 }]);
    expect(await run(csvFormat, { direction: "write" }, rows)).toBe(csv);
    expect(await run(csvFormat, { header: false, delimiter: ";" }, "a;b\nc;d")).toEqual([
      ["a", "b"],
      ["c", "d"],
    ]);
    expect(
      await run(csvFormat, { direction: "write", delimiter: "\\t" }, [
        { a: 1, b: true },
        { a: 2, c: { x: 1 } },
      ]),
    ).toBe('a\tb\tc\n1\ttrue\t\n2\t\t"{""x"":1}"\n');
    expect(await failure(run(csvFormat, {}, 'a,b\n"unclosed,1'))).toMatch(/not valid CSV/);
    expect(await failure(run(csvFormat, { direction: "write" }, { not: "a list" }))).toMatch(/list of rows/);
  });

  it("HL7 v2: parses and writes messages", async () => {
    const hl7 = "MSH|^~\\&|LAB|HOSP|||202601011200||ORU^R01|1|P|2.5\rPID|1||42^^^HOSP||DOE^JANE";
    const parsed = (await run(hl7Format, {}, hl7)) as { segments: { name: string; fields: unknown[] }[] };
    expect(parsed.segments[1]?.fields[5]).toEqual(["DOE", "JANE"]);
    expect(await run(hl7Format, { direction: "write" }, parsed)).toBe(hl7);
    expect(await failure(run(hl7Format, {}, "hello"))).toMatch(/not valid HL7 v2: .*MSH/);
  });

  it("encodings: base64 and hex both ways, gzip and zip round trips, binary kept as binary", async () => {
    expect(await run(encodeFormat, {}, "héllo")).toBe("aMOpbGxv");
    expect(await run(encodeFormat, { operation: "base64-decode" }, "aMOpbGxv")).toBe("héllo");
    expect(await run(encodeFormat, { operation: "hex-encode" }, "hi")).toBe("6869");
    expect(await run(encodeFormat, { operation: "hex-decode" }, "6869")).toBe("hi");
    expect(await run(encodeFormat, { operation: "base64-decode" }, "/wA=")).toEqual({
      contentType: "application/octet-stream",
      size: 2,
      base64: "/wA=",
    });
    const zipped = await run(encodeFormat, { operation: "gzip" }, { big: "x".repeat(1000) });
    expect(zipped).toMatchObject({ contentType: "application/gzip" });
    expect((zipped as { size: number }).size).toBeLessThan(100);
    expect(await run(encodeFormat, { operation: "gunzip" }, zipped)).toBe(JSON.stringify({ big: "x".repeat(1000) }));
    expect(await run(encodeFormat, { operation: "gunzip" }, gzipSync("plain").toString("base64"))).toBe("plain");
    const archive = await run(
      encodeFormat,
      { operation: "zip" },
      { "a.txt": "alpha", "dir/b.bin": { base64: "/wA=" } },
    );
    expect(await run(encodeFormat, { operation: "unzip" }, archive)).toEqual({
      "a.txt": "alpha",
      "dir/b.bin": { contentType: "application/octet-stream", size: 2, base64: "/wA=" },
    });
    expect(await failure(run(encodeFormat, { operation: "hex-decode" }, "xyz"))).toMatch(/not hex/);
    expect(await failure(run(encodeFormat, { operation: "gunzip" }, "bm90IGd6aXA="))).toMatch(/not valid gzip/);
  });

  it("hashes and HMACs, as hex or base64", async () => {
    expect(await run(hashFormat, {}, "abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(await run(hashFormat, { algorithm: "md5", encoding: "base64" }, "abc")).toBe("kAFQmDzST7DWlj99KOF/cg==");
    expect(await run(hashFormat, { key: "key" }, "The quick brown fox jumps over the lazy dog")).toBe(
      "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8",
    );
    expect(await run(hashFormat, { resultField: "digest" }, { a: 1 })).toMatchObject({
      a: 1,
      digest: expect.any(String),
    });
  });

  it("text templates: the rendered template becomes the body", async () => {
    expect(await run(textTemplate, { template: "Dear Ada,\nyour order shipped." }, {})).toBe(
      "Dear Ada,\nyour order shipped.",
    );
  });
});
