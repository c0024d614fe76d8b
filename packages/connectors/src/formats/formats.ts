// The Formats connector: convert a message between data and the text or bytes other systems speak.
import { defineConnector } from "../define.ts";
import { encodeFormat, hashFormat } from "./encoding.ts";
import { csvFormat, jsonFormat, xmlFormat, yamlFormat } from "./structured.ts";
import { hl7Format, textTemplate } from "./text-formats.ts";

export const formatsConnector = defineConnector({
  id: "formats",
  title: "Formats",
  description: "JSON, XML, YAML, CSV, HL7 v2, text templates, base64/hex, gzip/zip, hashes and HMACs.",
  steps: [jsonFormat, xmlFormat, yamlFormat, csvFormat, hl7Format, textTemplate, encodeFormat, hashFormat],
});
