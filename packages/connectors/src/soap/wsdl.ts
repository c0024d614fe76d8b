// WSDLs read with the `soap` library, which reaches the network only through what we give it: the document
// and any schema or WSDL it imports come through the guarded HTTP client (so private addresses stay refused),
// and an import of a local file is refused outright (a pasted WSDL must not read the worker's disk).

import sax from "sax";
import { type IHttpClient, WSDL } from "soap";
import { type GuardedHttpClient, type HttpMethod, OutboundError } from "../http-client/index.ts";
import { WsdlError } from "./wsdl-error.ts";

export type SoapVersion = "1.1" | "1.2";

export type LoadedWsdl = {
  wsdl: WSDL;
  /** SOAP version of each binding, by the binding's name (1.2 when it is a soap12:binding). */
  versions: Map<string, SoapVersion>;
};

export type SoapOperation = {
  /** Service/Port/Operation: what the call step's "operation" holds. */
  id: string;
  service: string;
  port: string;
  operation: string;
  soapVersion: SoapVersion;
  soapAction: string;
  style: string;
  /** The address the WSDL gives the port. */
  location: string;
  /** The input and output messages as the `soap` library describes them (element names and their types). */
  input: unknown;
  output: unknown;
};

export { WsdlError };

/** The `soap` library's HTTP client, answered by the guarded client. */
export function soapHttpClient(
  http: GuardedHttpClient,
  { timeoutMs, signal }: { timeoutMs: number; signal?: AbortSignal },
): IHttpClient {
  return {
    request(url, data, callback, headers) {
      const method: HttpMethod = data === null || data === undefined ? "GET" : "POST";
      const sent = http
        .request({
          method,
          url,
          headers: Object.fromEntries(Object.entries(headers ?? {}).map(([name, value]) => [name, String(value)])),
          ...(method === "POST" ? { body: String(data) } : {}),
          timeoutMs,
          ...(signal ? { signal } : {}),
        })
        .then(
          (response) => {
            const body = response.text();
            const answer = { status: response.status, headers: response.headers, data: body, config: { headers } };
            callback(null, answer, body);
            return answer;
          },
          (error: unknown) => {
            callback(error);
            throw error;
          },
        );
      // Failures reach the library through the callback; this promise is only returned for its type.
      sent.catch(() => undefined);
      return sent as unknown as ReturnType<IHttpClient["request"]>;
    },
  };
}

/** Which bindings are SOAP 1.2 (a soap12:binding inside), read from the WSDL text itself. */
function bindingVersions(text: string): Map<string, SoapVersion> {
  const versions = new Map<string, SoapVersion>();
  const parser = sax.parser(true, { xmlns: true });
  let binding: string | null = null;
  let depth = 0;
  let bindingDepth = 0;
  parser.onopentag = (node) => {
    const tag = node as sax.QualifiedTag;
    depth += 1;
    if (tag.local === "binding" && tag.uri === "http://schemas.xmlsoap.org/wsdl/") {
      binding = String(tag.attributes.name?.value ?? "");
      bindingDepth = depth;
      versions.set(binding, "1.1");
    } else if (binding && tag.local === "binding" && tag.uri === "http://schemas.xmlsoap.org/wsdl/soap12/") {
      versions.set(binding, "1.2");
    }
  };
  parser.onclosetag = () => {
    if (depth === bindingDepth) binding = null;
    depth -= 1;
  };
  parser.onerror = () => {
    throw new Error("not XML");
  };
  try {
    parser.write(text).close();
  } catch {
    // The library says what is wrong with it.
  }
  return versions;
}

/** sax says "Unexpected close tag\nLine: 3\nColumn: 5\nChar: >": one line, with where. */
function describeParseError(error: unknown): string {
  const text = String((error as Error)?.message ?? error);
  const line = /Line: (\d+)/.exec(text)?.[1];
  const column = /Column: (\d+)/.exec(text)?.[1];
  const what = text.split("\n")[0] ?? text;
  return line ? `${what} at line ${Number(line) + 1}, column ${column}` : what;
}

/** Reads a WSDL from its URL or its text; imports come through `http`, local files are refused. */
export async function loadWsdl({
  source,
  http,
  timeoutMs = 30_000,
}: {
  source: string;
  http: GuardedHttpClient;
  timeoutMs?: number;
}): Promise<LoadedWsdl> {
  const isUrl = /^https?:\/\//i.test(source.trim());
  let text = source;
  if (isUrl) {
    const response = await http.request({ method: "GET", url: source.trim(), timeoutMs });
    if (response.status !== 200) {
      throw new WsdlError(`${source.trim()} answered ${response.status}, not a WSDL.`);
    }
    text = response.text();
  }
  if (!/<([\w-]+:)?definitions[\s>]/.test(text)) {
    throw new WsdlError(
      isUrl
        ? `${source.trim()} is not a WSDL 1.1 document (no <definitions>).`
        : "The WSDL must be its URL (http or https) or a WSDL 1.1 document (<definitions …>).",
    );
  }
  const wsdl = new WSDL(text, isUrl ? source.trim() : "urn:tributary:pasted.wsdl", {
    httpClient: soapHttpClient(http, { timeoutMs }),
    disableCache: true,
    wsdl_options: {
      overrideImportLocation: (location: string, _from: string, written: string) => {
        if (!/^https?:\/\//i.test(location)) {
          throw new WsdlError(
            `The WSDL imports "${written}", which is not an http(s) URL: give the WSDL by its URL, or paste one that imports only by URL.`,
          );
        }
        return location;
      },
    },
  });
  await new Promise<void>((resolve, reject) =>
    wsdl.onReady((error) => {
      if (!error) return resolve();
      if (error instanceof WsdlError || error instanceof OutboundError) return reject(error);
      reject(new WsdlError(`The WSDL cannot be read: ${describeParseError(error)}`));
    }),
  );
  return { wsdl, versions: bindingVersions(text) };
}

type Binding = { methods: Record<string, Method>; style?: string };
type Method = { soapAction?: string; style?: string };
type Port = { location: string; binding: Binding };

/** Every operation of every port of every service. */
export function operationsOf({ wsdl, versions }: LoadedWsdl): SoapOperation[] {
  const services = wsdl.definitions.services as unknown as Record<string, { ports: Record<string, Port> }>;
  // Bindings do not keep their own name: it is their key among the definitions' bindings.
  const bindingNames = new Map(
    Object.entries(wsdl.definitions.bindings as unknown as Record<string, Binding>).map(([name, b]) => [b, name]),
  );
  const described = wsdl.describeServices() as Record<
    string,
    Record<string, Record<string, { input: unknown; output: unknown }>>
  >;
  const operations: SoapOperation[] = [];
  for (const [service, { ports }] of Object.entries(services)) {
    for (const [port, { location, binding }] of Object.entries(ports)) {
      for (const [operation, method] of Object.entries(binding.methods)) {
        const description = described[service]?.[port]?.[operation];
        operations.push({
          id: `${service}/${port}/${operation}`,
          service,
          port,
          operation,
          soapVersion: versions.get(bindingNames.get(binding) ?? "") ?? "1.1",
          soapAction: method.soapAction ?? "",
          style: method.style ?? binding.style ?? "document",
          location,
          input: description?.input ?? null,
          output: description?.output ?? null,
        });
      }
    }
  }
  return operations;
}

/** The operation a step names: Service/Port/Operation, or an operation name that only one port has. */
export function pickOperation(operations: SoapOperation[], name: string): SoapOperation {
  const exact = operations.find((operation) => operation.id === name);
  if (exact) return exact;
  const named = operations.filter((operation) => operation.operation === name);
  if (named.length === 1 && named[0]) return named[0];
  const known = operations.map((operation) => operation.id).join(", ") || "none";
  if (named.length > 1) {
    throw new WsdlError(`Several ports offer ${name}: choose one of ${named.map((o) => o.id).join(", ")}.`);
  }
  throw new WsdlError(`The WSDL has no operation "${name}". It offers: ${known}.`);
}
