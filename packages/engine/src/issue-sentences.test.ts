import { describe, expect, it } from "vitest";
import { z } from "zod";
import { fieldLabel, fieldSentences, firstProblem, humanizeKey, issueSentence } from "./issue-sentences.ts";

const connection = z
  .object({
    host: z.string().trim().min(1).meta({ title: "Host" }),
    port: z.number().int().min(1).max(65535).default(5432).meta({ title: "Port" }),
    baseUrl: z.url().optional(),
    tls: z.enum(["disable", "require", "verify"]).default("require"),
    token: z.string().min(1, { message: "Enter the token." }).optional(),
    tags: z.array(z.string().max(3)).min(1),
    connectTimeoutSeconds: z.number(),
  })
  .strict();

function problems(value: unknown) {
  const parsed = connection.safeParse(value);
  if (parsed.success) throw new Error("expected a failure");
  return fieldSentences(parsed.error, connection);
}

describe("zod problems as sentences", () => {
  it("names fields by their schema title, else by their key in words, and never shows zod's wording", () => {
    const found = problems({
      host: "",
      port: 70000,
      baseUrl: "not a url",
      tls: "sometimes",
      token: "",
      tags: ["long one"],
      connectTimeoutSeconds: "ten",
      extra: true,
    });
    expect(found).toEqual({
      host: "Host cannot be empty.",
      port: "Port must be 65535 or less.",
      baseUrl: "Base url must be a full URL, e.g. https://example.com.",
      tls: 'Tls must be one of "disable", "require", "verify".',
      token: "Enter the token.",
      "tags.0": "Item 1 can have at most 3 characters.",
      connectTimeoutSeconds: "Connect timeout seconds must be a number.",
      "": "This value has fields it does not know: extra. Remove them.",
    });
    for (const message of Object.values(found)) {
      expect(message).not.toMatch(/Invalid|Too big|Too small|expected|received|<=|>=/);
      expect(message).toMatch(/^[A-Z].*\.$/);
    }
  });

  it("says a missing field is required and an empty list needs an item", () => {
    expect(problems({ port: 0, tags: [], connectTimeoutSeconds: 1 })).toEqual({
      host: "Host is required.",
      port: "Port must be 1 or more.",
      tags: "Tags needs at least one item.",
    });
  });

  it("gives the first problem with its field for a single message", () => {
    const parsed = connection.safeParse({ host: "db", port: 1.5, tags: ["a"], connectTimeoutSeconds: 1 });
    expect(parsed.success).toBe(false);
    if (!parsed.success) {
      expect(firstProblem(parsed.error, connection)).toEqual({
        field: "port",
        message: "Port must be a whole number.",
      });
    }
  });

  it("keeps a refinement's own message and ends it as a sentence", () => {
    const schema = z.object({ a: z.string() }).refine(() => false, { message: "Pick one of them", path: ["a"] });
    const parsed = schema.safeParse({ a: "x" });
    if (parsed.success) throw new Error("expected a failure");
    const issue = parsed.error.issues[0];
    if (!issue) throw new Error("expected an issue");
    expect(issueSentence(issue)).toBe("Pick one of them.");
  });

  it("humanizes keys and finds titles through wrappers", () => {
    expect(humanizeKey("queryTimeoutSeconds")).toBe("Query timeout seconds");
    expect(humanizeKey("header_name")).toBe("Header name");
    expect(humanizeKey(2)).toBe("Item 3");
    expect(fieldLabel(["port"], connection)).toBe("Port");
    expect(fieldLabel(["nope"], connection)).toBe("Nope");
  });
});
