import { describe, expect, it } from "vitest";
import { insertableRows } from "./sql-connector.ts";

describe("insertableRows", () => {
  it("takes one object or a list of objects", () => {
    expect(insertableRows({ id: 1 }, "the message body")).toEqual([{ id: 1 }]);
    expect(insertableRows([{ id: 1 }, { id: 2, note: null }], "the message body")).toHaveLength(2);
    expect(insertableRows([], "the message body")).toEqual([]);
  });

  it("refuses text (a queue message that is not JSON), saying what it got", () => {
    expect(() => insertableRows("order 42, 3 items", "the message body")).toThrow(
      /The row \(the message body\) is text \(“order 42, 3 items”, 17 characters\), not an object to insert\. .*not JSON arrives as text/,
    );
    expect(() => insertableRows({ contentType: "application/octet-stream", size: 2, base64: "AAE=" }, "x")).toThrow(
      /is binary data/,
    );
  });

  it("refuses an empty row or one whose every value is missing, instead of inserting nothing", () => {
    expect(() => insertableRows({}, "the message body")).toThrow(/is an empty object \(\{\}\), so nothing/);
    expect(() => insertableRows([{ id: 1 }, { id: null, total: null }], "the Rows field")).toThrow(
      /Row 2 of the Rows field is empty: every column \(id, total\) is null/,
    );
  });
});
