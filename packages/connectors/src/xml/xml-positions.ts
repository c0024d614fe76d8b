// Where in an XML text something went wrong, said as line and column: libxml2 names an invalid element by a
// path such as /*/*[2] and its line only, so the element's start tag is found again in the text.
import sax from "sax";

export type Position = { line: number; column: number };

type Element = { name: string; position: Position; children: Element[] };

/** The elements of a document as a tree, each with where its start tag begins (1-based line and column). */
function elementTree(xml: string): Element | null {
  const parser = sax.parser(true, { position: true });
  const lineStarts = [0];
  for (let i = 0; i < xml.length; i++) if (xml[i] === "\n") lineStarts.push(i + 1);
  const positionOf = (offset: number): Position => {
    let low = 0;
    let high = lineStarts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if ((lineStarts[middle] ?? 0) <= offset) low = middle;
      else high = middle - 1;
    }
    return { line: low + 1, column: offset - (lineStarts[low] ?? 0) + 1 };
  };
  const root: Element = { name: "", position: { line: 1, column: 1 }, children: [] };
  const stack = [root];
  parser.onopentag = (node) => {
    // startTagPosition is one past the "<", counted in characters from the start.
    const element: Element = { name: node.name, position: positionOf(parser.startTagPosition - 1), children: [] };
    stack.at(-1)?.children.push(element);
    stack.push(element);
  };
  parser.onclosetag = () => {
    stack.pop();
  };
  parser.onerror = () => {
    throw new Error("not well-formed");
  };
  try {
    parser.write(xml).close();
  } catch {
    return null;
  }
  return root;
}

/** The start of the element a libxml2 node path (/*\/*[2], /xs:schema/xs:element[3]) points at, if found. */
export function positionOfPath(xml: string, path: string | undefined): Position | null {
  if (!path?.startsWith("/")) return null;
  let element = elementTree(xml);
  for (const step of path.slice(1).split("/")) {
    const match = /^([^[\]]+)(?:\[(\d+)\])?$/.exec(step);
    if (!element || !match) return null;
    const [, name, index] = match;
    const candidates = element.children.filter((child) => name === "*" || child.name === name);
    element = candidates[Number(index ?? 1) - 1] ?? null;
  }
  return element && element !== null ? element.position : null;
}

/** "line 3, column 7" (or only the line when the column is not known). */
export function describePosition({ line, column }: { line: number; column?: number | null }): string {
  return column ? `line ${line}, column ${column}` : `line ${line}`;
}
