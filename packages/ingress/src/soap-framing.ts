// SOAP webhooks: a wrapper around the webhook handler that speaks SOAP on routes serving a WSDL. GET …?wsdl
// answers the WSDL with this URL as its address. A POSTed envelope is read into the operation's input (JSON)
// and handed to the plain handler as a JSON call — so limits, security rules, idempotency and the sync wait
// are the webhook's own — and the handler's answer is written back as the response envelope, any problem as a
// SOAP fault. Plain webhooks pass straight through. The framing itself is pure (@tributary/connectors/soap).
import { createHash } from "node:crypto";
import type { SoapRequest, SoapService } from "@tributary/connectors/soap";
import { BodyTooLargeError, readBody, type WebhookRouteView, type WebhookWorkspace } from "@tributary/core";
import type { WebhookHandler } from "./webhook-handler.ts";
import { parseWebhookUrl } from "./webhook-request.ts";

/** HTTP statuses that say something about the call itself, kept on the fault; others follow SOAP's rules. */
const HTTP_LEVEL = new Set([401, 403, 404, 405, 413, 415, 429, 503, 504]);

type Options = {
  handle: WebhookHandler;
  workspaces: (address: { slug: string; isTest: boolean }) => Promise<WebhookWorkspace | null>;
  findRoute: (routes: WebhookRouteView[], path: string) => { route: WebhookRouteView } | null;
};

/** The framing, with the SOAP library, loaded by the first SOAP call rather than when the web app starts. */
const framing = () => import("@tributary/connectors/soap");

export function withSoapFraming({ handle, workspaces, findRoute }: Options): WebhookHandler {
  const services = new Map<string, Promise<SoapService>>();
  const serviceOf = (wsdl: string) => {
    const key = createHash("sha256").update(wsdl).digest("base64url");
    let service = services.get(key);
    if (!service) {
      service = framing().then(({ loadSoapService }) => loadSoapService(wsdl));
      service.catch(() => services.delete(key));
      if (services.size >= 256) services.delete(services.keys().next().value as string);
      services.set(key, service);
    }
    return service;
  };

  return async function soapOrPlain(request, info) {
    const url = new URL(request.url);
    const address = parseWebhookUrl(url.pathname);
    if (!address) return handle(request, info);
    const workspace = await workspaces(address).catch(() => null);
    const route = workspace ? findRoute(workspace.routes, address.path)?.route : null;
    if (!workspace || !route?.soap) return handle(request, info);

    const { readSoapRequest, SoapFault, servedWsdl, soapContentType, soapVersionOf, writeSoapFault } = await framing();
    const version = soapVersionOf(request.headers.get("content-type") ?? "");
    const fault = (status: number, reason: string, detail?: unknown) =>
      new Response(writeSoapFault({ version, side: status < 500 ? "client" : "server", reason, detail }), {
        status: HTTP_LEVEL.has(status) ? status : version === "1.2" && status < 500 ? 400 : 500,
        headers: { "content-type": soapContentType(version) },
      });
    let service: SoapService;
    try {
      service = await serviceOf(route.soap.wsdl);
    } catch (error) {
      return fault(500, `This SOAP webhook's WSDL cannot be read: ${(error as Error).message}`);
    }
    if (request.method === "GET" && [...url.searchParams.keys()].some((key) => key.toLowerCase() === "wsdl")) {
      return new Response(servedWsdl(route.soap.wsdl, `${url.origin}${url.pathname}`), {
        headers: { "content-type": "text/xml; charset=utf-8" },
      });
    }
    if (request.method !== "POST") {
      return fault(405, "A SOAP service takes POST, and GET …?wsdl for its WSDL.");
    }
    let xml: string;
    try {
      xml = new TextDecoder().decode(await readBody({ request, maxBytes: workspace.limits.maxMessageBytes }));
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        return fault(
          413,
          `The envelope is larger than this workspace's plan allows (${workspace.limits.maxMessageBytes} bytes).`,
        );
      }
      return fault(400, "The request body could not be read.");
    }
    let call: SoapRequest;
    try {
      call = readSoapRequest(service, {
        xml,
        contentType: request.headers.get("content-type") ?? "",
        soapAction: request.headers.get("soapaction"),
      });
    } catch (error) {
      if (error instanceof SoapFault) return fault(error.status, error.message, error.detail);
      throw error;
    }
    const headers = new Headers(request.headers);
    headers.delete("content-length");
    headers.set("content-type", "application/json");
    headers.set("soap-operation", call.operation.operation);
    headers.set("soap-version", call.version);
    // A UsernameToken with its password in clear is the SOAP way of basic auth: basic-auth rules accept it.
    if (call.usernameToken && !call.usernameToken.digest && !headers.has("authorization")) {
      const { username, password } = call.usernameToken;
      headers.set("authorization", `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`);
    }
    const answer = await handle(
      new Request(request.url, { method: "POST", headers, body: JSON.stringify(call.body ?? null) }),
      info,
    );
    return frameAnswer({ service, call, answer, fault, soap: await framing() });
  };
}

/** The handler's answer as SOAP: a 2xx body as the operation's output, anything else as a fault. */
async function frameAnswer({
  service,
  call,
  answer,
  fault,
  soap,
}: {
  service: SoapService;
  call: SoapRequest;
  answer: Response;
  fault: (status: number, reason: string, detail?: unknown) => Response;
  soap: Awaited<ReturnType<typeof framing>>;
}): Promise<Response> {
  const text = await answer.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Text stays text.
  }
  const runId = answer.headers.get("x-tributary-run");
  if (answer.ok) {
    try {
      return new Response(soap.writeSoapResponse(service, call, body), {
        headers: { "content-type": soap.soapContentType(call.version), ...(runId ? { "x-tributary-run": runId } : {}) },
      });
    } catch (error) {
      return fault(
        500,
        `The flow's answer does not fit ${call.operation.operation}'s output: ${(error as Error).message}`,
      );
    }
  }
  // The ingress's own problems ({ error: { message, details } }), or a Respond step's answer with its status.
  const problem = (body as { error?: { message?: string; details?: unknown } } | null)?.error;
  const own = body as { faultstring?: unknown; reason?: unknown } | null;
  const reason =
    problem?.message ??
    (typeof own?.faultstring === "string" ? own.faultstring : typeof own?.reason === "string" ? own.reason : null) ??
    (typeof body === "string" && body ? body : `The flow answered ${answer.status}.`);
  const response = fault(
    answer.status,
    reason,
    problem ? problem.details : typeof body === "string" ? undefined : body,
  );
  const retryAfter = answer.headers.get("retry-after");
  if (retryAfter) response.headers.set("retry-after", retryAfter);
  if (runId) response.headers.set("x-tributary-run", runId);
  return response;
}
