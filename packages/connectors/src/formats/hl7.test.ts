import { describe, expect, it } from "vitest";
import { Hl7Error, parseHl7, serializeHl7 } from "./hl7.ts";

const ADT = [
  "MSH|^~\\&|ADT1|GOOD HEALTH HOSPITAL|GHH LAB, INC.|GOOD HEALTH HOSPITAL|198808181126|SECURITY|ADT^A01^ADT_A01|MSG00001|P|2.8||",
  "EVN|A01|200708181123||",
  "PID|1||PATID1234^5^M11^ADT1^MR^GOOD HEALTH HOSPITAL~123456789^^^USSSA^SS||EVERYMAN^ADAM^A^III||19610615|M||C|2222 HOME STREET^^GREENSBORO^NC^27401-1020|GL|(555) 555-2004|(555)555-2004||S||PATID12345001^2^M10^ADT1^AN^A|444333333|987654^NC|",
  "NK1|1|O'NEIL^MARY \\T\\ JOE^F|SPO^Spouse^HL70063|",
  "OBX|1|FT|NOTE||Fever \\F\\ cough\\.br\\since Monday \\S\\ worse||||||F",
].join("\r");

describe("HL7 v2", () => {
  it("parses fields, components, repetitions and escapes, numbering fields as HL7 does", () => {
    const { segments } = parseHl7(ADT);
    expect(segments.map((s) => s.name)).toEqual(["MSH", "EVN", "PID", "NK1", "OBX"]);
    const [msh, , pid, nk1, obx] = segments;
    expect(msh?.fields.slice(0, 4)).toEqual(["MSH", "|", "^~\\&", "ADT1"]);
    expect(msh?.fields[9]).toEqual(["ADT", "A01", "ADT_A01"]);
    expect(pid?.fields[3]).toEqual({
      repetitions: [
        ["PATID1234", "5", "M11", "ADT1", "MR", "GOOD HEALTH HOSPITAL"],
        ["123456789", "", "", "USSSA", "SS"],
      ],
    });
    expect(pid?.fields[5]).toEqual(["EVERYMAN", "ADAM", "A", "III"]);
    expect(pid?.fields[7]).toBe("19610615");
    expect(nk1?.fields[2]).toEqual(["O'NEIL", "MARY & JOE", "F"]);
    expect(obx?.fields[5]).toBe("Fever | cough\rsince Monday ^ worse");
  });

  it("serializes what it parsed back to the same message", () => {
    expect(serializeHl7(parseHl7(ADT))).toBe(ADT);
    expect(serializeHl7(parseHl7(ADT.replaceAll("\r", "\n")))).toBe(ADT);
  });

  it("keeps sub-components and escapes separators found in values", () => {
    const message = parseHl7("MSH|^~\\&|A|B\rZZ1|one&two^three|");
    expect(message.segments[1]?.fields[1]).toEqual([["one", "two"], "three"]);
    const built = serializeHl7({
      segments: [
        { name: "MSH", fields: ["MSH", "|", "^~\\&", "APP"] },
        { name: "OBX", fields: ["OBX", "1", "a|b^c~d&e\\f", ["x", ["y", "z"]], { repetitions: ["r1", "r2"] }] },
      ],
    });
    expect(built).toBe("MSH|^~\\&|APP\rOBX|1|a\\F\\b\\S\\c\\R\\d\\T\\e\\E\\f|x^y&z|r1~r2");
    expect(parseHl7(built).segments[1]?.fields[2]).toBe("a|b^c~d&e\\f");
  });

  it("reads the separators each message declares", () => {
    const custom = "MSH#:*!@#APP#FAC\rPID#1##ID1:A*ID2:B";
    const { segments } = parseHl7(custom);
    expect(segments[1]?.fields[3]).toEqual({
      repetitions: [
        ["ID1", "A"],
        ["ID2", "B"],
      ],
    });
    expect(serializeHl7({ segments })).toBe(custom);
  });

  it("refuses what is not an HL7 v2 message, saying why", () => {
    expect(() => parseHl7("PID|1")).toThrow(Hl7Error);
    expect(() => parseHl7("MSH|^~\\&|A\rnot a segment")).toThrow(/segment name/);
    expect(() => serializeHl7({ segments: [] })).toThrow(/segments/);
  });
});
