// The XML steps on real documents: XPath 3.1 selections, XSLT transforms, XSD validation, and errors that say
// where (line and column) the input, the expression, the stylesheet or the schema went wrong.
import { describe, expect, it } from "vitest";
import { stepFailure as failure, runStep as run } from "../testing/run-step.ts";
import { xpathSelect, xsdValidate, xsltTransform } from "./xml-steps.ts";

const ENVELOPE = `<?xml version="1.0"?>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">
  <soap:Header><m:Trace xmlns:m="urn:orders">t-1</m:Trace></soap:Header>
  <soap:Body>
    <m:Order xmlns:m="urn:orders" id="A-1">
      <m:Line sku="X"><m:Qty>2</m:Qty></m:Line>
      <m:Line sku="Y"><m:Qty>5</m:Qty></m:Line>
    </m:Order>
  </soap:Body>
</soap:Envelope>`;

const NAMESPACES = [
  { name: "soap", value: "http://schemas.xmlsoap.org/soap/envelope/" },
  { name: "o", value: "urn:orders" },
];

describe("XPath select", () => {
  it("selects with namespaces and variables: one match a value, several a list, XPath 3.1 maps and arrays as JSON", async () => {
    const select = (expression: string, extra: Record<string, unknown> = {}) =>
      run(xpathSelect, { expression, namespaces: NAMESPACES, ...extra }, ENVELOPE);
    expect(await select("//o:Order/@id")).toBe("A-1");
    expect(await select("//o:Line/o:Qty")).toEqual(["2", "5"]);
    expect(await select("//o:Line[@sku = $sku]/o:Qty", { variables: { sku: "Y" } })).toBe("5");
    expect(await select("sum(//o:Qty)")).toBe(7);
    expect(await select("//o:Nothing")).toBeNull();
    expect(await select("//o:Line/o:Qty", { results: "first" })).toBe("2");
    expect(await select("//o:Order/@id", { results: "list" })).toEqual(["A-1"]);
    expect(await select("map { 'id': string(//o:Order/@id), 'skus': array { //o:Line/@sku ! string() } }")).toEqual({
      id: "A-1",
      skus: ["X", "Y"],
    });
    expect(await select("//o:Line[1]", { nodesAs: "xml" })).toBe(
      '<m:Line xmlns:m="urn:orders" sku="X"><m:Qty>2</m:Qty></m:Line>',
    );
    expect(await select("//o:Line[2]", { nodesAs: "data" })).toEqual({
      "m:Line": { "@xmlns:m": "urn:orders", "@sku": "Y", "m:Qty": "5" },
    });
    expect(
      await run(
        xpathSelect,
        { expression: "count(//*:Line)", input: "<a><Line/><Line/></a>", resultField: "lines" },
        { keep: true },
      ),
    ).toEqual({ keep: true, lines: 2 });
  });

  it("names the line and column of broken XML and of a broken expression", async () => {
    expect(await failure(run(xpathSelect, { expression: "/a" }, "<a>\n  <b></a>"))).toMatch(
      /^The input is not well-formed XML at line 2, column 6: /,
    );
    expect(await failure(run(xpathSelect, { expression: "//a[" }, "<a/>"))).toMatch(
      /^The XPath expression is not valid at line 1, column 4: XPST0003/,
    );
    expect(await failure(run(xpathSelect, { expression: "//x:a" }, "<a/>"))).toMatch(/XPST0081/);
    // No file or network access from an expression.
    expect(await failure(run(xpathSelect, { expression: "doc('file:///etc/hostname')" }, "<a/>"))).toMatch(/XPST0017/);
  });
});

describe("XSLT transform", () => {
  const stylesheet = `<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform" xmlns:o="urn:orders"
    xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">
  <xsl:param name="currency" select="'EUR'"/>
  <xsl:template match="/soap:Envelope">
    <invoice ref="{soap:Body/o:Order/@id}" currency="{$currency}">
      <xsl:for-each select="soap:Body/o:Order/o:Line">
        <xsl:sort select="o:Qty" data-type="number" order="descending"/>
        <item sku="{@sku}"><xsl:value-of select="o:Qty * 10"/></item>
      </xsl:for-each>
    </invoice>
  </xsl:template>
</xsl:stylesheet>`;

  it("transforms into text, or into data; parameters reach the stylesheet", async () => {
    const out = await run(xsltTransform, { stylesheet, parameters: { currency: "CHF" } }, ENVELOPE);
    expect(String(out).replace(/\s+</g, "<")).toBe(
      '<invoice ref="A-1" currency="CHF"><item sku="Y">50</item><item sku="X">20</item></invoice>',
    );
    expect(await run(xsltTransform, { stylesheet, output: "data" }, ENVELOPE)).toEqual({
      invoice: {
        "@ref": "A-1",
        "@currency": "EUR",
        item: [
          { "@sku": "Y", "#text": "50" },
          { "@sku": "X", "#text": "20" },
        ],
      },
    });
  });

  it("names the line and column of a broken input, a broken stylesheet and an XPath it cannot read", async () => {
    expect(await failure(run(xsltTransform, { stylesheet }, "<a>\n <b></a>"))).toMatch(
      /^The input is not well-formed XML at line 2, column \d+: Opening and ending tag mismatch/,
    );
    expect(
      await failure(run(xsltTransform, { stylesheet: stylesheet.replace("</xsl:for-each>", "") }, ENVELOPE)),
    ).toMatch(/^The stylesheet is not well-formed XML at line 10, column \d+/);
    const badXPath = stylesheet.replace('select="o:Qty * 10"', 'select="o:Qty * ("');
    expect(await failure(run(xsltTransform, { stylesheet: badXPath }, ENVELOPE))).toMatch(
      /^The stylesheet has an XPath it cannot read at line 8, column 42 \(o:Qty \* \(\): XPST0003/,
    );
  });

  it("refuses to import or include other stylesheets", async () => {
    const including = stylesheet.replace(
      '<xsl:param name="currency"',
      '<xsl:include href="http://127.0.0.1:9/other.xsl"/><xsl:param name="currency"',
    );
    expect(await failure(run(xsltTransform, { stylesheet: including }, ENVELOPE))).toMatch(
      /imports or includes http:\/\/127\.0\.0\.1:9\/other\.xsl/,
    );
  });
});

describe("XSD validate", () => {
  const schema = `<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:orders"
  xmlns="urn:orders" elementFormDefault="qualified">
  <xs:element name="order">
    <xs:complexType>
      <xs:sequence>
        <xs:element name="id" type="xs:string"/>
        <xs:element name="total" type="xs:decimal"/>
      </xs:sequence>
    </xs:complexType>
  </xs:element>
</xs:schema>`;

  it("passes a valid document on unchanged", async () => {
    const valid = '<order xmlns="urn:orders"><id>A-1</id><total>42.50</total></order>';
    expect(await run(xsdValidate, { schema }, valid)).toBeUndefined();
  });

  it("fails an invalid document with each problem's line and column", async () => {
    const invalid = '<order xmlns="urn:orders">\n  <total>4x</total>\n    <id>A-1</id>\n</order>';
    const message = await failure(run(xsdValidate, { schema }, invalid));
    expect(message).toMatch(/^The input does not match the schema: line 2, column 3: Element '\{urn:orders\}total'/);
    const wrongType = '<order xmlns="urn:orders">\n<id>A-1</id>\n  <total>4x</total></order>';
    expect(await failure(run(xsdValidate, { schema }, wrongType))).toMatch(
      /line 3, column 3: Element '\{urn:orders\}total': '4x' is not a valid value of the atomic type 'xs:decimal'/,
    );
  });

  it("says where a schema is broken, and that imported schemas are not fetched", async () => {
    const broken = schema.replace('type="xs:decimal"', 'type="money"');
    expect(await failure(run(xsdValidate, { schema: broken }, "<order/>"))).toMatch(
      /^The schema is not a valid XSD at line 7, column 9: element decl. '\{urn:orders\}total', attribute 'type'/,
    );
    const importing = schema.replace(
      '<xs:element name="order">',
      '<xs:include schemaLocation="http://127.0.0.1:9/types.xsd"/><xs:element name="order">',
    );
    expect(await failure(run(xsdValidate, { schema: importing }, "<order/>"))).toMatch(
      /are not fetched: paste one self-contained schema/,
    );
    expect(await failure(run(xsdValidate, { schema: "<xs:schema" }, "<order/>"))).toMatch(
      /^The schema is not well-formed XML at line 1, column \d+/,
    );
  });
});
