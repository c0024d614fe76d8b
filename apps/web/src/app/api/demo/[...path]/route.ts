// The sample API demo flows call (the only host a demo workspace may reach): a few fixed answers that make
// the sample flows do something worth watching.
export const dynamic = "force-dynamic";

const ORDERS = [
  { id: "A-1001", customer: "Harbour Tea Co.", status: "shipped", total: 42.5 },
  { id: "A-1002", customer: "Lantern Books", status: "late", total: 18 },
  { id: "A-1003", customer: "Orchard Bikes", status: "packing", total: 310 },
];

function answer(path: string[]): Response {
  switch (path.join("/")) {
    case "orders":
      return Response.json({ orders: ORDERS });
    case "unavailable":
      return Response.json({ error: "The sample API is down on purpose, to show retries." }, { status: 503 });
    default:
      return Response.json(
        { error: `No sample at /api/demo/${path.join("/")}. Try /api/demo/orders or POST /api/demo/echo.` },
        { status: 404 },
      );
  }
}

export async function GET(_request: Request, { params }: { params: Promise<{ path: string[] }> }) {
  return answer((await params).path);
}

/** POST /api/demo/echo answers what it was sent; other paths answer as for GET. */
export async function POST(request: Request, { params }: { params: Promise<{ path: string[] }> }) {
  const { path } = await params;
  if (path.join("/") !== "echo") return answer(path);
  const text = (await request.text()).slice(0, 64 * 1024);
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON: echoed as text.
  }
  return Response.json({ received: body, at: new Date().toISOString() });
}
