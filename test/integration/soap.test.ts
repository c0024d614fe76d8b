// SOAP against real HTTP on loopback: the call step against a service served by the `soap` library's own
// server (WSDL pasted and by URL, SOAP 1.1 and 1.2, WS-Security UsernameToken, faults), and the SOAP webhook
// through the ingress called by the `soap` library's own client. Outbound HTTP goes through the guarded client.
import { createServer, type IncomingMessage, type Server } from "node:http";
import { createGuardedHttpClient, OutboundBlockedError, soapOperations, WsdlError } from "@tributary/connectors";
import { createSecretBox, createSecurityRule, getRun, listRuns, listSoapOperations, setSecret } from "@tributary/core";
import { scoped } from "@tributary/db";
import { type Client, createClientAsync, listen, WSSecurity } from "soap";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useConnectorHarness } from "../support/connector-harness.ts";
import { useTestEnvironment } from "../support/environment.ts";
import { graph, publishedFlow } from "../support/run-helpers.ts";
import { webhookHarness } from "../support/webhook-harness.ts";
import { TEST_ENCRYPTION_KEY } from "../support/worker-process.ts";

const env = useTestEnvironment();
const harness = useConnectorHarness(env);
const secretBox = createSecretBox({ currentKey: TEST_ENCRYPTION_KEY });

const wsdlFor = (base: string) => `<?xml version="1.0" encoding="UTF-8"?>
<definitions name="OrderService" targetNamespace="urn:example:orders"
  xmlns="http://schemas.xmlsoap.org/wsdl/" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"
  xmlns:soap12="http://schemas.xmlsoap.org/wsdl/soap12/" xmlns:tns="urn:example:orders"
  xmlns:xsd="http://www.w3.org/2001/XMLSchema">
  <types>
    <xsd:schema targetNamespace="urn:example:orders" elementFormDefault="qualified">
      <xsd:element name="GetOrderRequest">
        <xsd:complexType><xsd:sequence><xsd:element name="orderId" type="xsd:string"/></xsd:sequence></xsd:complexType>
      </xsd:element>
      <xsd:element name="GetOrderResponse">
        <xsd:complexType><xsd:sequence>
          <xsd:element name="orderId" type="xsd:string"/>
          <xsd:element name="status" type="xsd:string"/>
          <xsd:element name="total" type="xsd:string"/>
        </xsd:sequence></xsd:complexType>
      </xsd:element>
    </xsd:schema>
  </types>
  <message name="GetOrderInput"><part name="parameters" element="tns:GetOrderRequest"/></message>
  <message name="GetOrderOutput"><part name="parameters" element="tns:GetOrderResponse"/></message>
  <portType name="OrderPortType">
    <operation name="GetOrder"><input message="tns:GetOrderInput"/><output message="tns:GetOrderOutput"/></operation>
  </portType>
  <binding name="OrderBinding" type="tns:OrderPortType">
    <soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>
    <operation name="GetOrder">
      <soap:operation soapAction="urn:example:orders/GetOrder"/>
      <input><soap:body use="literal"/></input><output><soap:body use="literal"/></output>
    </operation>
  </binding>
  <binding name="OrderBinding12" type="tns:OrderPortType">
    <soap12:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>
    <operation name="GetOrder">
      <soap12:operation soapAction="urn:example:orders/GetOrder"/>
      <input><soap12:body use="literal"/></input><output><soap12:body use="literal"/></output>
    </operation>
  </binding>
  <service name="OrderService">
    <port name="OrderPort" binding="tns:OrderBinding"><soap:address location="${base}/orders"/></port>
    <port name="OrderPort12" binding="tns:OrderBinding12"><soap12:address location="${base}/orders12"/></port>
  </service>
</definitions>`;

type Seen = { path: string; contentType: string; xml: string };

/** The service, served by the soap library's own server: a fault for order "missing", WS-Security on /secure. */
async function startSoapServer() {
  const seen: Seen[] = [];
  const server: Server = createServer((_request, response) => {
    response.statusCode = 404;
    response.end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const getOrder = ({ orderId }: { orderId: string }) => {
    if (orderId === "missing") {
      throw { Fault: { faultcode: "soap:Client", faultstring: "No such order", detail: { orderId } } };
    }
    return { orderId, status: "shipped", total: "42.50" };
  };
  const services = { OrderService: { OrderPort: { GetOrder: getOrder }, OrderPort12: { GetOrder: getOrder } } };
  const record = (path: string) => (type: string, data: unknown, request: IncomingMessage) => {
    if (type === "received") {
      seen.push({ path, contentType: String(request.headers["content-type"] ?? ""), xml: String(data) });
    }
  };
  const xml = wsdlFor(base);
  listen(server, { path: "/orders", services, xml }).log = record("/orders");
  listen(server, { path: "/orders12", services, xml, forceSoap12Headers: true }).log = record("/orders12");
  const secure = listen(server, { path: "/secure", services, xml: wsdlFor(`${base}/secure-base`) });
  secure.log = record("/secure");
  secure.authenticate = (security: { UsernameToken?: { Username?: unknown; Password?: unknown } } | undefined) => {
    const token = security?.UsernameToken;
    const password = token?.Password as { $value?: string } | string | undefined;
    return token?.Username === "erp" && (typeof password === "string" ? password : password?.$value) === "s3cret";
  };
  return {
    base,
    xml,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

describe("SOAP call step against the soap library's server", () => {
  let service: Awaited<ReturnType<typeof startSoapServer>>;
  beforeAll(async () => {
    service = await startSoapServer();
  });
  afterAll(async () => {
    await service?.close();
  });

  const call = (
    config: Record<string, unknown>,
    body: unknown = {},
    extra: [string, string, Record<string, unknown>?][] = [],
  ) =>
    harness.runFlow(
      graph(
        [["start", "trigger.manual"], ["call", "soap.call", config], ...extra],
        [["start", "call"], ...extra.map(([id]) => ["call", id, "error"] as [string, string, string])],
      ),
      body,
    );

  it("lists the WSDL's operations with their SOAP versions", async () => {
    const http = createGuardedHttpClient({ allowHosts: ["127.0.0.1"] });
    try {
      const operations = await soapOperations({ http, wsdl: `${service.base}/orders?wsdl` });
      expect(operations.map(({ id, soapVersion, soapAction }) => ({ id, soapVersion, soapAction }))).toEqual([
        { id: "OrderService/OrderPort/GetOrder", soapVersion: "1.1", soapAction: "urn:example:orders/GetOrder" },
        { id: "OrderService/OrderPort12/GetOrder", soapVersion: "1.2", soapAction: "urn:example:orders/GetOrder" },
      ]);
      expect(operations[0]?.input).toMatchObject({ orderId: "xsd:string" });
    } finally {
      await http.close();
    }
    // The builder's list: read with the workspace's outbound policy, errors said on the WSDL field.
    const listed = await listSoapOperations({ db: env.db, workspaceId: harness.workspaceId, wsdl: service.xml });
    expect(listed.map((operation) => operation.id)).toEqual([
      "OrderService/OrderPort/GetOrder",
      "OrderService/OrderPort12/GetOrder",
    ]);
    await expect(
      listSoapOperations({
        db: env.db,
        workspaceId: harness.workspaceId,
        wsdl: "<definitions>\n<message></definitions>",
      }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringMatching(/The WSDL cannot be read/) });
  });

  it("calls an operation from a pasted WSDL and from the WSDL's URL, in SOAP 1.1 and 1.2", async () => {
    const pasted = await call(
      {
        wsdl: service.xml,
        operation: "OrderService/OrderPort/GetOrder",
        arguments: { orderId: "{{ id }}" },
        resultField: "order",
      },
      { id: "A-1" },
    );
    expect(pasted.status).toBe("succeeded");
    expect(pasted.output?.body).toEqual({ id: "A-1", order: { orderId: "A-1", status: "shipped", total: "42.50" } });
    expect(service.seen.at(-1)).toMatchObject({ path: "/orders", contentType: expect.stringContaining("text/xml") });
    expect(service.seen.at(-1)?.xml).toContain("http://schemas.xmlsoap.org/soap/envelope/");

    const byUrl = await call(
      { wsdl: `${service.base}/orders?wsdl`, operation: "OrderService/OrderPort12/GetOrder" },
      { orderId: "B-2" },
    );
    expect(byUrl.status).toBe("succeeded");
    expect(byUrl.output?.body).toMatchObject({ orderId: "B-2", status: "shipped" });
    expect(service.seen.at(-1)).toMatchObject({
      path: "/orders12",
      contentType: expect.stringContaining("application/soap+xml"),
    });
    expect(service.seen.at(-1)?.xml).toContain("http://www.w3.org/2003/05/soap-envelope");

    const ambiguous = await call({ wsdl: service.xml, operation: "GetOrder" });
    expect(ambiguous.error?.message).toMatch(
      /Several ports offer GetOrder: choose one of OrderService\/OrderPort\/GetOrder, OrderService\/OrderPort12\/GetOrder/,
    );
  });

  it("gives a SOAP fault's code, reason and detail, on the error output when it is connected", async () => {
    const failed = await call(
      { wsdl: service.xml, operation: "OrderService/OrderPort/GetOrder" },
      { orderId: "missing" },
    );
    expect(failed.status).toBe("failed");
    expect(failed.error?.message).toMatch(
      /GetOrder answered with a SOAP fault: soap:Client: No such order \(detail: .*missing/,
    );
    const routed = await call(
      { wsdl: service.xml, operation: "OrderService/OrderPort/GetOrder" },
      { orderId: "missing" },
      [["handle", "util.log", { message: "fault: {{ error.message }}" }]],
    );
    expect(routed.status).toBe("succeeded");
    expect(routed.output?.body).toMatchObject({
      error: { code: "soap_fault", message: expect.stringContaining("No such order") },
    });
  });

  it("sends a WS-Security UsernameToken from a connection or from a secret", async () => {
    const secure = {
      wsdl: service.xml.replaceAll(`${service.base}/orders`, `${service.base}/secure`),
      operation: "OrderService/OrderPort/GetOrder",
    };
    const good = await harness.connect("ws-security", { username: "erp", password: "s3cret" });
    const ok = await call({ ...secure, connectionId: good }, { orderId: "C-3" });
    expect(ok.output?.body).toMatchObject({ orderId: "C-3" });
    expect(service.seen.at(-1)?.xml).toMatch(/<wsse:Username>erp<\/wsse:Username>/);
    const wrong = await harness.connect("ws-security", { username: "erp", password: "guess" });
    expect((await call({ ...secure, connectionId: wrong }, { orderId: "C-4" })).error?.message).toMatch(
      /SOAP fault: .*Invalid username or password/,
    );
    await setSecret({
      db: env.db,
      secretBox,
      workspaceId: harness.workspaceId,
      actor: harness.actor,
      name: "ERP_PASSWORD",
      value: "s3cret",
    });
    const fromSecret = await call(
      { ...secure, username: "erp", password: "{{ $secrets.ERP_PASSWORD }}" },
      { orderId: "C-5" },
    );
    expect(fromSecret.output?.body).toMatchObject({ orderId: "C-5" });
  });

  it("reaches WSDLs, their imports and endpoints only through the guarded client", async () => {
    const guarded = createGuardedHttpClient();
    try {
      await expect(soapOperations({ http: guarded, wsdl: `${service.base}/orders?wsdl` })).rejects.toBeInstanceOf(
        OutboundBlockedError,
      );
      const importing = service.xml.replace("<types>", '<import namespace="urn:x" location="/etc/passwd"/><types>');
      await expect(soapOperations({ http: guarded, wsdl: importing })).rejects.toThrow(WsdlError);
      await expect(soapOperations({ http: guarded, wsdl: importing })).rejects.toThrow(
        /imports "\/etc\/passwd", which is not an http\(s\) URL/,
      );
      const remote = service.xml.replace(
        "<types>",
        `<import namespace="urn:x" location="${service.base}/orders?wsdl"/><types>`,
      );
      await expect(soapOperations({ http: guarded, wsdl: remote })).rejects.toBeInstanceOf(OutboundBlockedError);
    } finally {
      await guarded.close();
    }
  });
});

describe("SOAP webhook", () => {
  let hooks: ReturnType<typeof webhookHarness>;
  let ingress: Server;
  let base = "";
  let slug = "";
  afterAll(async () => {
    await hooks?.close();
    await new Promise<void>((resolve) => (ingress ? ingress.close(() => resolve()) : resolve()));
  });
  beforeAll(async () => {
    hooks = webhookHarness(env);
    // The ingress behind a real HTTP server, so the soap library's client talks to it as to any service.
    ingress = createServer(async (request, response) => {
      const chunks: Buffer[] = [];
      for await (const chunk of request) chunks.push(chunk as Buffer);
      const answer = await hooks.handle(
        new Request(`http://${request.headers.host}${request.url}`, {
          method: request.method ?? "GET",
          headers: request.headers as Record<string, string>,
          ...(chunks.length ? { body: Buffer.concat(chunks) } : {}),
        }),
        "127.0.0.1",
      );
      response.writeHead(answer.status, Object.fromEntries(answer.headers));
      response.end(Buffer.from(await answer.arrayBuffer()));
    });
    await new Promise<void>((resolve) => ingress.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(ingress.address() as { port: number }).port}`;
    slug = await scoped(
      env.db,
      { workspaceId: harness.workspaceId },
      async (tx) =>
        (await tx.workspace.findUniqueOrThrow({ where: { id: harness.workspaceId }, select: { slug: true } })).slug,
    );
  });

  const publish = (path: string, extra: Record<string, unknown> = {}) =>
    publishedFlow({
      db: env.db,
      workspaceId: harness.workspaceId,
      actor: harness.actor,
      name: `SOAP ${path}`,
      graph: graph(
        [
          ["in", "soap.webhook", { path, wsdl: wsdlFor("http://placeholder.invalid"), ...extra }],
          ["check", "data.transform", { expression: 'orderId = "boom" ? $error("no such order: " & orderId) : $' }],
          ["answer", "data.transform", { expression: '{ "orderId": orderId, "status": "received", "total": "7.00" }' }],
        ],
        [
          ["in", "check"],
          ["check", "answer"],
        ],
      ),
    });

  it("serves its WSDL with its own URL and answers the soap library's client in SOAP 1.1 and 1.2", async () => {
    const flowId = await publish("soap/orders");
    const url = `${base}/hooks/${slug}/soap/orders`;
    const wsdl = await (await fetch(`${url}?wsdl`)).text();
    expect(wsdl).toContain(`<soap:address location="${url}"/>`);
    expect(wsdl).toContain(`<soap12:address location="${url}"/>`);

    const client: Client = await createClientAsync(`${url}?wsdl`);
    const [result] = await client.GetOrderAsync({ orderId: "A-1" });
    expect(result).toEqual({ orderId: "A-1", status: "received", total: "7.00" });
    const [summary] = (await listRuns({ db: env.db, workspaceId: harness.workspaceId, flowId, limit: 1 })).runs;
    const run = await getRun({ db: env.db, workspaceId: harness.workspaceId, runId: summary?.id ?? "" });
    expect(run.input.body).toEqual({ orderId: "A-1" });
    expect(run.input.headers).toEqual(
      expect.arrayContaining([
        { name: "soap-operation", value: "GetOrder" },
        { name: "soap-version", value: "1.1" },
      ]),
    );

    const soap12: Client = await createClientAsync(`${url}?wsdl`, { forceSoap12Headers: true });
    const method = (
      soap12 as unknown as Record<
        string,
        Record<string, Record<string, (args: unknown, cb: (e: unknown, r: unknown) => void) => void>>
      >
    ).OrderService?.OrderPort12?.GetOrder;
    const answer = await new Promise((resolve, reject) =>
      method?.({ orderId: "B-2" }, (e, r) => (e ? reject(e) : resolve(r))),
    );
    expect(answer).toEqual({ orderId: "B-2", status: "received", total: "7.00" });
    expect(String(soap12.lastResponse)).toContain("http://www.w3.org/2003/05/soap-envelope");
  }, 60_000);

  it("answers a failed run, a broken envelope and an unknown operation with SOAP faults", async () => {
    await publish("soap/faults");
    const url = `${base}/hooks/${slug}/soap/faults`;
    const client: Client = await createClientAsync(`${url}?wsdl`);
    const failed = await client.GetOrderAsync({ orderId: "boom" }).then(
      () => null,
      (error: { root?: { Envelope?: { Body?: { Fault?: { faultcode?: string; faultstring?: string } } } } }) =>
        error.root?.Envelope?.Body?.Fault,
    );
    expect(failed?.faultcode).toBe("soap:Server");
    expect(failed?.faultstring).toMatch(/The flow did not finish: .*no such order: boom/);

    const broken = await fetch(url, {
      method: "POST",
      headers: { "content-type": "text/xml" },
      body: "<soap:Envelope",
    });
    expect(broken.status).toBe(500);
    expect(await broken.text()).toMatch(
      /<faultcode>soap:Client<\/faultcode><faultstring>The request is not a SOAP envelope/,
    );
    const unknown = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/soap+xml; charset=utf-8" },
      body: '<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body><x:Nope xmlns:x="urn:x"/></e:Body></e:Envelope>',
    });
    expect(unknown.status).toBe(400);
    expect(unknown.headers.get("content-type")).toMatch(/application\/soap\+xml/);
    expect(await unknown.text()).toMatch(
      /<soap:Value>soap:Sender<\/soap:Value>.*This service has no operation for &lt;Nope&gt;/,
    );
  }, 60_000);

  it("takes a WS-Security UsernameToken as the credentials of a basic-auth rule", async () => {
    const rule = await createSecurityRule({
      db: env.db,
      secretBox,
      workspaceId: harness.workspaceId,
      actor: harness.actor,
      name: "ERP caller",
      domain: "default",
      type: "basic",
      config: { username: "erp" },
    });
    await publish("soap/secure", { securityRuleIds: [rule.ruleId] });
    const url = `${base}/hooks/${slug}/soap/secure`;
    const anonymous: Client = await createClientAsync(`${url}?wsdl`);
    const refused = await anonymous.GetOrderAsync({ orderId: "S-1" }).then(
      () => null,
      (error: {
        response?: { status?: number };
        root?: { Envelope?: { Body?: { Fault?: { faultstring?: string } } } };
      }) => error,
    );
    expect(refused?.response?.status).toBe(401);
    const client: Client = await createClientAsync(`${url}?wsdl`);
    client.setSecurity(new WSSecurity("erp", rule.secret ?? ""));
    const [result] = await client.GetOrderAsync({ orderId: "S-2" });
    expect(result).toMatchObject({ orderId: "S-2", status: "received" });
  }, 60_000);
});
