import { describe, expect, it } from "vitest";
import { appendHeaders, createMessage, describeBody, headerMap, headerValue, withBody } from "./message.ts";
import { REDACTED, redactSecrets } from "./redact.ts";

describe("message", () => {
  it("appends headers without rewriting history and keeps its id", () => {
    const original = createMessage({ id: "m", body: 1, headers: [{ name: "A", value: "1" }] });
    const next = appendHeaders(withBody(original, 2), [{ name: "a", value: "2", stepId: "s" }]);
    expect(original.headers).toHaveLength(1);
    expect(next.id).toBe("m");
    expect(next.headers.map((h) => h.value)).toEqual(["1", "2"]);
    expect(headerValue(next, "A")).toBe("2");
    expect(headerMap(next)).toEqual({ a: "2" });
  });
});

describe("redactSecrets", () => {
  it("replaces secret values everywhere, deep", () => {
    const value = { url: "https://x/?key=sk-123456", list: ["Bearer sk-123456"], nested: { "sk-123456": 1 }, n: 5 };
    expect(redactSecrets(value, ["sk-123456"])).toEqual({
      url: `https://x/?key=${REDACTED}`,
      list: [`Bearer ${REDACTED}`],
      nested: { [REDACTED]: 1 },
      n: 5,
    });
  });

  it("leaves dates and other non-plain objects alone", () => {
    const at = new Date();
    expect(redactSecrets({ at, note: "key sk-123456" }, ["sk-123456"])).toEqual({ at, note: `key ${REDACTED}` });
  });

  it("ignores very short values, which would redact everything", () => {
    expect(redactSecrets("a b c", ["a"])).toBe("a b c");
  });
});

describe("describeBody", () => {
  it("names what a body is, for errors", () => {
    expect(describeBody("hello")).toBe("text (“hello”, 5 characters)");
    expect(describeBody({})).toBe("an empty object ({})");
    expect(describeBody({ a: 1, b: 2 })).toBe("an object with a, b");
    expect(describeBody([1])).toBe("a list of 1 item");
    expect(describeBody(null)).toBe("empty (null)");
    expect(describeBody({ contentType: "image/png", size: 1, base64: "AA==" })).toBe("binary data (image/png)");
  });
});
