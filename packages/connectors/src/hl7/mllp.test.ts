// MLLP framing over any split of the bytes, broken frames skipped without losing the next one, and HL7 ACKs
// written and read back.
import { describe, expect, it } from "vitest";
import { parseHl7 } from "../formats/hl7.ts";
import { buildAck, mshOf, readAck } from "./hl7-ack.ts";
import { createFrameReader, type FrameProblem, frame } from "./mllp-framing.ts";
import { ackForAnswer } from "./mllp-listener.ts";

const ADT = "MSH|^~\\&|ADT1|HOSP|LAB|HOSP|202601011200||ADT^A01^ADT_A01|MSG00001|P|2.5\rPID|1||42^^^HOSP||DOE^JANE";

function read(chunks: Buffer[], maxBytes = 1024) {
  const messages: string[] = [];
  const problems: FrameProblem["kind"][] = [];
  const reader = createFrameReader({
    maxBytes,
    onMessage: (message) => messages.push(message.toString()),
    onProblem: (problem) => problems.push(problem.kind),
  });
  for (const chunk of chunks) reader.push(chunk);
  return { messages, problems, pending: reader.pending() };
}

describe("MLLP framing", () => {
  it("reads frames however the bytes are split: whole, byte by byte, several in one chunk", () => {
    const bytes = Buffer.concat([frame(Buffer.from("one")), frame(Buffer.from(ADT)), frame(Buffer.from("three"))]);
    expect(read([bytes]).messages).toEqual(["one", ADT, "three"]);
    const single = [...bytes].map((byte) => Buffer.from([byte]));
    expect(read(single)).toEqual({ messages: ["one", ADT, "three"], problems: [], pending: 0 });
    for (let cut = 1; cut < bytes.length; cut++) {
      expect(read([bytes.subarray(0, cut), bytes.subarray(cut)]).messages).toEqual(["one", ADT, "three"]);
    }
  });

  it("skips what does not fit the framing and keeps the next frame", () => {
    const good = frame(Buffer.from("good"));
    expect(read([Buffer.concat([Buffer.from("noise"), good])])).toEqual({
      messages: ["good"],
      problems: ["outside"],
      pending: 0,
    });
    // A frame that never ends: dropped when the next starts.
    expect(read([Buffer.concat([Buffer.from([0x0b]), Buffer.from("half"), good])]).messages).toEqual(["good"]);
    // An end block without its carriage return, even across chunks; the next frame right after it survives.
    const badEnd = Buffer.concat([Buffer.from([0x0b]), Buffer.from("bad"), Buffer.from([0x1c])]);
    expect(read([Buffer.concat([badEnd, good])])).toMatchObject({ messages: ["good"], problems: ["bad-end"] });
    expect(read([badEnd, good])).toMatchObject({ messages: ["good"], problems: ["bad-end"] });
    expect(read([badEnd, Buffer.from([0x0d]), good]).messages).toEqual(["bad", "good"]);
  });

  it("drops a frame larger than allowed, holding no more than the limit", () => {
    const big = frame(Buffer.alloc(5000, "x"));
    const { messages, problems } = read([big, frame(Buffer.from("after"))], 1000);
    expect(messages).toEqual(["after"]);
    expect(problems).toEqual(["too-large"]);
  });
});

describe("HL7 ACKs", () => {
  const inbound = mshOf(parseHl7(ADT));

  it("answers with sender and receiver swapped, the event and the original control id", () => {
    const ack = buildAck({ inbound, code: "AA", now: new Date("2026-12-01T09:30:00Z") });
    const [msh, msa] = ack.split("\r");
    expect(msh).toMatch(
      /^MSH\|\^~\\&\|LAB\|HOSP\|ADT1\|HOSP\|20261201093000\+0000\|\|ACK\^A01\^ACK\|[0-9A-F]{20}\|P\|2\.5$/,
    );
    expect(msa).toBe("MSA|AA|MSG00001|");
    expect(readAck(ack)).toEqual({ code: "AA", controlId: "MSG00001", text: "", errors: [] });
  });

  it("carries an error in MSA-3 and ERR, escaped, and reads it back", () => {
    const ack = buildAck({ inbound, code: "AE", text: "Unknown patient 42|x", errorCode: "204" });
    expect(ack).toContain("MSA|AE|MSG00001|Unknown patient 42\\F\\x");
    expect(ack).toContain("ERR|||204^Unknown key identifier^HL70357|E||||Unknown patient 42\\F\\x");
    expect(readAck(ack)).toEqual({
      code: "AE",
      controlId: "MSG00001",
      text: "Unknown patient 42|x",
      errors: ["Unknown key identifier: Unknown patient 42|x"],
    });
    expect(readAck("MSH|^~\\&|A|B\rPID|1")).toBeNull();
    expect(readAck("not hl7")).toBeNull();
  });

  it("turns the flow's answer into the ACK a listener sends", () => {
    const message = parseHl7(ADT);
    const own = "MSH|^~\\&|LAB|HOSP|ADT1|HOSP|20260101||ACK|X1|P|2.5\nMSA|AR|MSG00001|busy";
    expect(ackForAnswer({ status: "answered", httpStatus: 200, body: own }, message, "r", 1000)).toBe(
      own.replace("\n", "\r"),
    );
    expect(readAck(ackForAnswer({ status: "succeeded", body: {} }, message, "r", 1000))?.code).toBe("AA");
    expect(readAck(ackForAnswer({ status: "failed", error: "boom" }, message, "r", 1000))).toMatchObject({
      code: "AE",
      text: "boom",
    });
    expect(
      readAck(ackForAnswer({ status: "answered", httpStatus: 409, body: "taken" }, message, "r", 1000)),
    ).toMatchObject({
      code: "AE",
      text: "taken",
    });
    expect(readAck(ackForAnswer({ status: "pending" }, message, "run-1", 5000))?.text).toBe(
      "Not processed within 5 s; it goes on as run run-1.",
    );
  });
});
