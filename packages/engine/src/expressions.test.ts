import { describe, expect, it } from "vitest";
import {
  compileExpression,
  ExpressionError,
  evaluateExpression,
  expressionErrors,
  findExpressions,
  renderTemplate,
} from "./expressions.ts";
import { createMessage } from "./message.ts";

const message = createMessage({
  id: "m1",
  body: { order: { id: 42, items: [{ price: 2 }, { price: 3 }] }, name: "Ada" },
  headers: [{ name: "Content-Type", value: "application/json" }],
});
const scope = {
  message,
  steps: { lookup: { body: { tier: "gold" }, headers: {} } },
  secrets: { API_KEY: "sk-live-123" },
  run: { id: "run-1" },
};

describe("expressions", () => {
  it("keeps the type of a value that is one whole expression", async () => {
    expect(await renderTemplate({ value: "{{ $sum(order.items.price) }}", scope })).toBe(5);
    expect(await renderTemplate({ value: "{{ order }}", scope })).toEqual({
      id: 42,
      items: [{ price: 2 }, { price: 3 }],
    });
    expect(await renderTemplate({ value: " {{ name = 'Ada' }} ", scope })).toBe(true);
  });

  it("makes a string of text with expressions in it", async () => {
    expect(await renderTemplate({ value: "Order {{ order.id }} for {{ name }}", scope })).toBe("Order 42 for Ada");
    expect(await renderTemplate({ value: "items: {{ order.items }}", scope })).toBe('items: [{"price":2},{"price":3}]');
  });

  it("renders deep config and leaves other values alone", async () => {
    const config = {
      url: "https://api/{{ order.id }}",
      retries: 3,
      headers: [{ key: "x", value: "{{ $headers.`content-type` }}" }],
    };
    expect(await renderTemplate({ value: config, scope })).toEqual({
      url: "https://api/42",
      retries: 3,
      headers: [{ key: "x", value: "application/json" }],
    });
  });

  it("offers $steps, $secrets, $run and $message", async () => {
    expect(await renderTemplate({ value: "{{ $steps.lookup.body.tier }}", scope })).toBe("gold");
    expect(await renderTemplate({ value: "Bearer {{ $secrets.API_KEY }}", scope })).toBe("Bearer sk-live-123");
    expect(await renderTemplate({ value: "{{ $run.id }}/{{ $message.id }}", scope })).toBe("run-1/m1");
  });

  it("turns nothing into null and a missing path into an empty string inside text", async () => {
    expect(await renderTemplate({ value: "{{ nothing.here }}", scope })).toBeNull();
    expect(await renderTemplate({ value: "[{{ nothing }}]", scope })).toBe("[]");
  });

  it("names the field and the expression when evaluation fails", async () => {
    const error = await renderTemplate({ value: { url: "{{ $number('x') }}" }, scope }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExpressionError);
    expect((error as ExpressionError).message).toMatch(/^url: the expression \{\{ \$number\('x'\) \}\} failed/);
  });

  it("quotes an expression field as the user wrote it, without braces they never typed", async () => {
    const error = await evaluateExpression({ source: "$number('x')", scope, field: "condition" }).catch(
      (e: unknown) => e,
    );
    expect((error as ExpressionError).message).toMatch(/^condition: the expression \$number\('x'\) failed/);
  });

  it("stops a runaway expression instead of hanging", async () => {
    const runaway = "( $f := function($n) { $f($n + 1) }; $f(0) )";
    await expect(evaluateExpression({ source: runaway, scope })).rejects.toThrow(ExpressionError);
    const slow = "$sum([1..1000000].($ * 2))";
    await expect(evaluateExpression({ source: slow, scope })).rejects.toThrow(/sequence|time/i);
  });

  it("finds expressions with their field paths and reports syntax errors", () => {
    expect(findExpressions({ a: "{{ x }}", b: [{ c: "p {{ y }} q {{ z }}" }], d: 1 })).toEqual([
      { field: "a", source: "x" },
      { field: "b.0.c", source: "y" },
      { field: "b.0.c", source: "z" },
    ]);
    expect(expressionErrors({ ok: "{{ a.b }}", bad: "{{ a. }}", empty: "{{ }}" }).map((e) => e.field)).toEqual([
      "bad",
      "empty",
    ]);
  });

  it("caches compiled expressions", () => {
    expect(compileExpression("a + b")).toBe(compileExpression("a + b"));
  });
});
