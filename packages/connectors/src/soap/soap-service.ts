// A SOAP service a flow serves (the SOAP webhook), as pure functions of its WSDL: a request envelope becomes
// the operation's name and its input as JSON, the flow's result becomes the response envelope, a failure a
// SOAP fault (1.1 or 1.2, as the caller spoke), and the WSDL is served with this webhook's own address.
// The webhook ingress calls these; nothing here does I/O (a served WSDL must be self-contained).
import type { WSDL } from "soap";
import type { GuardedHttpClient } from "../http-client/index.ts";
import { type LoadedWsdl, loadWsdl, operationsOf, type SoapOperation, type SoapVersion, WsdlError } from "./wsdl.ts";

export { WsdlError } from "./wsdl.ts";

const ENVELOPE_NS: Record<SoapVersion, string> = {
  "1.1": "http://schemas.xmlsoap.org/soap/envelope/",
  "1.2": "http://www.w3.org/2003/05/soap-envelope",
};

/** A failure to answer with a SOAP fault: the HTTP status and who is to blame (the caller or the service). */
export class SoapFault extends Error {
  override name = "SoapFault";
  readonly status: number;
  readonly side: "client" | "server";
  readonly detail: unknown;
  constructor(status: number, message: string, detail?: unknown) {
    super(message);
    this.status = status;
    this.side = status < 500 ? "client" : "server";
    this.detail = detail;
  }
}

export type SoapService = LoadedWsdl & { operations: SoapOperation[] };

export type SoapRequest = {
  operation: SoapOperation;
  version: SoapVersion;
  /** The operation's input, as JSON. */
  body: unknown;
  /** A WS-Security UsernameToken the caller sent, if any. */
  usernameToken: { username: string; password: string; digest: boolean } | null;
};

const offline: GuardedHttpClient = {
  request: async () => {
    throw new WsdlError(
      "A SOAP webhook's WSDL must be self-contained: put its schemas inline instead of importing them.",
    );
  },
  resolve: async () => {
    throw new WsdlError("A SOAP webhook's WSDL cannot import anything.");
  },
  close: async () => undefined,
};

/** Reads the WSDL a SOAP webhook serves (its text; imports are refused). */
export async function loadSoapService(wsdl: string): Promise<SoapService> {
  const loaded = await loadWsdl({ source: wsdl, http: offline });
  return { ...loaded, operations: operationsOf(loaded) };
}

/** The request's SOAP version: 1.2 comes as application/soap+xml, 1.1 as text/xml. */
export function soapVersionOf(contentType: string): SoapVersion {
  return /application\/soap\+xml/i.test(contentType) ? "1.2" : "1.1";
}

/** SOAP 1.1 names the action in SOAPAction, 1.2 in the content type's action parameter. */
function actionOf(headers: { soapAction?: string | null; contentType: string }): string {
  const raw = headers.soapAction ?? /action="?([^";]+)"?/i.exec(headers.contentType)?.[1] ?? "";
  return raw.replace(/^"|"$/g, "");
}

type BindingInternals = { topElements?: Record<string, { methodName: string; outputName: string }> };
type MethodInternals = { output?: { $name?: string; targetNSAlias?: string; targetNamespace?: string } };

function bindingOf(wsdl: WSDL, operation: SoapOperation) {
  const services = wsdl.definitions.services as unknown as Record<
    string,
    { ports: Record<string, { binding: BindingInternals & { methods: Record<string, MethodInternals> } }> }
  >;
  const binding = services[operation.service]?.ports[operation.port]?.binding;
  if (!binding) throw new SoapFault(500, `The WSDL has no port ${operation.service}/${operation.port}.`);
  return binding;
}

/** The operation and its input from a request envelope; a SoapFault (400) when it is not one we serve. */
export function readSoapRequest(
  service: SoapService,
  request: { xml: string; contentType: string; soapAction?: string | null },
): SoapRequest {
  const version = soapVersionOf(request.contentType);
  let envelope: { Header?: Record<string, unknown>; Body?: Record<string, unknown> };
  try {
    envelope = service.wsdl.xmlToObject(request.xml);
  } catch (error) {
    throw new SoapFault(400, `The request is not a SOAP envelope: ${String((error as Error).message).split("\n")[0]}`);
  }
  const body = envelope?.Body;
  if (!body || typeof body !== "object") throw new SoapFault(400, "The request has no SOAP Body.");
  const element = Object.keys(body).find((key) => key !== "attributes" && !key.startsWith("$"));
  if (!element) throw new SoapFault(400, "The SOAP Body is empty: name an operation.");
  const action = actionOf({ soapAction: request.soapAction ?? null, contentType: request.contentType });
  const candidates = service.operations;
  const operation =
    (action &&
      (candidates.find((o) => o.soapAction === action) ??
        candidates.find((o) => o.soapAction && o.soapAction.split("/").at(-1) === action))) ||
    candidates.find((o) => bindingOf(service.wsdl, o).topElements?.[element]?.methodName === o.operation) ||
    candidates.find((o) => o.style === "rpc" && o.operation === element);
  if (!operation) {
    throw new SoapFault(
      400,
      `This service has no operation for <${element}>${action ? ` (SOAPAction ${action})` : ""}. It offers ${candidates.map((o) => o.operation).join(", ")}.`,
    );
  }
  const security = (envelope.Header?.Security as { UsernameToken?: Record<string, unknown> } | undefined)
    ?.UsernameToken;
  const password = security?.Password as { $value?: unknown; attributes?: { Type?: string } } | string | undefined;
  const passwordText = typeof password === "object" ? String(password?.$value ?? "") : String(password ?? "");
  const passwordType = typeof password === "object" ? String(password?.attributes?.Type ?? "") : "";
  return {
    operation,
    version,
    body: body[element] ?? {},
    usernameToken: security
      ? {
          username: String(security.Username ?? ""),
          password: passwordText,
          digest: /PasswordDigest$/.test(passwordType),
        }
      : null,
  };
}

function envelope(version: SoapVersion, wsdl: WSDL | null, body: string): string {
  const namespaces = wsdl?.xmlnsInEnvelope ?? "";
  return `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="${ENVELOPE_NS[version]}"${namespaces}><soap:Body>${body}</soap:Body></soap:Envelope>`;
}

const escapeXml = (text: string) =>
  text.replace(/[<>&"']/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[c] ?? c);

/** The response envelope with the flow's result as the operation's output message. */
export function writeSoapResponse(service: SoapService, request: SoapRequest, result: unknown): string {
  const { wsdl } = service;
  const binding = bindingOf(wsdl, request.operation);
  const method = binding.methods[request.operation.operation];
  const value = result && typeof result === "object" ? result : { result };
  let body: string;
  if (request.operation.style === "rpc") {
    body = wsdl.objectToRpcXML(`${request.operation.operation}Response`, value, "", wsdl.definitions.$targetNamespace);
  } else {
    const output = method?.output;
    const name = output?.$name ?? `${request.operation.operation}Response`;
    body = wsdl.objectToDocumentXML(name, value, output?.targetNSAlias ?? "", output?.targetNamespace);
  }
  return envelope(request.version, wsdl, body);
}

/** A SOAP fault: Client/Sender for the caller's mistakes, Server/Receiver for ours; detail as JSON text. */
export function writeSoapFault({
  version,
  side,
  reason,
  detail,
}: {
  version: SoapVersion;
  side: "client" | "server";
  reason: string;
  detail?: unknown;
}): string {
  const detailText =
    detail === undefined || detail === null
      ? ""
      : escapeXml(typeof detail === "string" ? detail : JSON.stringify(detail));
  const fault =
    version === "1.2"
      ? `<soap:Fault><soap:Code><soap:Value>soap:${side === "client" ? "Sender" : "Receiver"}</soap:Value></soap:Code><soap:Reason><soap:Text xml:lang="en">${escapeXml(reason)}</soap:Text></soap:Reason>${detailText ? `<soap:Detail>${detailText}</soap:Detail>` : ""}</soap:Fault>`
      : `<soap:Fault><faultcode>soap:${side === "client" ? "Client" : "Server"}</faultcode><faultstring>${escapeXml(reason)}</faultstring>${detailText ? `<detail>${detailText}</detail>` : ""}</soap:Fault>`;
  return envelope(version, null, fault);
}

/** The content type of an answer in this SOAP version. */
export function soapContentType(version: SoapVersion): string {
  return version === "1.2" ? "application/soap+xml; charset=utf-8" : "text/xml; charset=utf-8";
}

/** The WSDL with every soap:address pointing at `endpoint` (this webhook's URL). */
export function servedWsdl(text: string, endpoint: string): string {
  return text.replace(
    /(<[\w-]+:address\b[^>]*?\blocation\s*=\s*)("[^"]*"|'[^']*')/g,
    (_whole, start: string) => `${start}"${escapeXml(endpoint)}"`,
  );
}
