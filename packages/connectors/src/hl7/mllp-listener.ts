// An MLLP listener: a TCP (or TLS) server on the trigger's port. Each message on a connection becomes one run,
// taken in the order it came; the sender gets an ACK for each: AA once the run is committed, or the flow's
// own answer, AE when the flow failed, AR when the message could not be taken at all (nothing was kept).
import { createServer as createNetServer, type Server, type Socket } from "node:net";
import { createServer as createTlsServer, type TLSSocket } from "node:tls";
import type { MessageHeader } from "@tributary/engine";
import type { Delivered, Delivery, RunAnswer, StepLog, Subscription } from "../define.ts";
import { type Hl7Message, parseHl7, serializeHl7 } from "../formats/hl7.ts";
import { type AckCode, buildAck, fieldText, hl7Headers, mshOf } from "./hl7-ack.ts";
import { createFrameReader, describeFrameProblem, frame } from "./mllp-framing.ts";
import { allowedClient, type TlsListenerConfig, tlsServerOptions } from "./tls-listener.ts";

export type MllpListenerOptions = {
  host: string;
  port: number;
  tls: TlsListenerConfig | null;
  acknowledge: "committed" | "flow";
  timeoutMs: number;
  bodyAs: "parsed" | "text";
  encoding: "utf-8" | "latin1";
  dedupe: boolean;
  maxBytes: number;
  deliver(delivery: Delivery): Promise<Delivered>;
  awaitAnswer(options: { runId: string; timeoutMs: number }): Promise<RunAnswer>;
  admit(peer: { address: string }): Promise<boolean>;
  log: StepLog;
};

/** A frame started but not finished within this long closes the connection (a stalled or hostile peer). */
const FRAME_STALL_MS = 60_000;
/** Messages waiting on one connection before it is paused (a sender that does not wait for its ACKs). */
const MAX_QUEUED = 50;

/** The ACK for the flow's answer: an HL7 message it wrote is sent as it is, anything else becomes AA or AE. */
export function ackForAnswer(answer: RunAnswer, inbound: Hl7Message | null, runId: string, timeoutMs: number): string {
  const msh = inbound ? mshOf(inbound) : null;
  switch (answer.status) {
    case "answered": {
      const { body } = answer;
      if (typeof body === "string" && body.trimStart().startsWith("MSH")) return body.trim().replace(/\r?\n/g, "\r");
      if (body && typeof body === "object" && Array.isArray((body as Hl7Message).segments)) {
        return serializeHl7(body as Hl7Message);
      }
      const text = typeof body === "string" ? body : body === undefined || body === null ? "" : JSON.stringify(body);
      return answer.httpStatus >= 400
        ? buildAck({ inbound: msh, code: "AE", text: text || `The flow answered ${answer.httpStatus}.` })
        : buildAck({ inbound: msh, code: "AA", text });
    }
    case "succeeded":
      return buildAck({ inbound: msh, code: "AA" });
    case "failed":
      return buildAck({ inbound: msh, code: "AE", text: answer.error, errorCode: "207" });
    case "pending":
      return buildAck({
        inbound: msh,
        code: "AE",
        text: `Not processed within ${timeoutMs / 1000} s; it goes on as run ${runId}.`,
        errorCode: "207",
      });
  }
}

export async function listenMllp(options: MllpListenerOptions): Promise<Subscription> {
  const { log } = options;
  const sockets = new Set<Socket>();
  let closing = false;
  const server: Server = options.tls ? createTlsServer(tlsServerOptions(options.tls)) : createNetServer();
  server.maxConnections = 200;

  server.on(options.tls ? "secureConnection" : "connection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", (error) => log("warn", `MLLP connection from ${socket.remoteAddress}: ${error.message}`));
    void accept(socket);
  });
  if (options.tls) {
    server.on("tlsClientError", (error, socket) => {
      log("warn", `TLS handshake with ${socket.remoteAddress} failed: ${error.message}`);
    });
  }

  async function accept(socket: Socket): Promise<void> {
    socket.pause();
    const address = socket.remoteAddress ?? "";
    const admitted = await options.admit({ address }).catch(() => false);
    const certificate = options.tls ? (socket as TLSSocket).getPeerCertificate() : null;
    const clientOk = !options.tls || allowedClient(options.tls, certificate);
    if (!admitted || !clientOk) {
      log(
        "warn",
        `MLLP connection from ${address} refused: ${admitted ? "its client certificate is not allowed" : "not allowed by the trigger's security rules"}.`,
      );
      socket.destroy();
      return;
    }
    const peerHeaders: MessageHeader[] = [
      { name: "mllp-remote-address", value: address },
      { name: "mllp-local-port", value: String(options.port) },
      ...(certificate?.subject?.CN ? [{ name: "tls-client-subject", value: String(certificate.subject.CN) }] : []),
    ];
    const queue: Buffer[] = [];
    let working = false;
    const reply = (ack: string) => {
      if (!socket.destroyed && socket.writable) socket.write(frame(Buffer.from(ack, options.encoding)));
    };
    const drain = async () => {
      if (working) return;
      working = true;
      while (queue.length) {
        const next = queue.shift() as Buffer;
        if (queue.length < MAX_QUEUED / 2) socket.resume();
        reply(await handle(next, peerHeaders));
      }
      working = false;
    };
    const reader = createFrameReader({
      maxBytes: options.maxBytes,
      onMessage: (bytes) => {
        queue.push(bytes);
        if (queue.length >= MAX_QUEUED) socket.pause();
        void drain();
      },
      onProblem: (problem) => {
        log("warn", `From ${address}: ${describeFrameProblem(problem)}.`);
        if (problem.kind === "too-large") {
          reply(
            buildAck({
              inbound: null,
              code: "AR",
              text: `The message is larger than this listener takes (${options.maxBytes} bytes).`,
            }),
          );
        }
      },
    });
    socket.setTimeout(FRAME_STALL_MS, () => {
      if (reader.pending() > 0) {
        log("warn", `From ${address}: a frame stalled for ${FRAME_STALL_MS / 1000} s; the connection is closed.`);
        socket.destroy();
      }
    });
    socket.on("data", (chunk: Buffer) => reader.push(chunk));
    socket.resume();
  }

  /** One received message: committed as a run, answered by its ACK. */
  async function handle(bytes: Buffer, peerHeaders: MessageHeader[]): Promise<string> {
    const text = bytes.toString(options.encoding);
    let parsed: Hl7Message;
    try {
      parsed = parseHl7(text);
    } catch (error) {
      return buildAck({
        inbound: null,
        code: "AR",
        text: `Not an HL7 v2 message: ${(error as Error).message}`,
        errorCode: "100",
      });
    }
    const msh = mshOf(parsed);
    const f = (n: number) => fieldText(msh?.fields[n]);
    const rawMsh =
      text
        .replace(/^\uFEFF/, "")
        .trim()
        .split(/\r\n|\r|\n/)[0] ?? "";
    let delivered: Delivered;
    try {
      delivered = await options.deliver({
        body: options.bodyAs === "parsed" ? parsed : text,
        headers: [...(msh ? hl7Headers(msh, rawMsh) : []), ...peerHeaders],
        ...(options.dedupe && f(10) ? { dedupeKey: `${f(3)}|${f(4)}|${f(10)}` } : {}),
      });
    } catch (error) {
      log("error", `Could not store message ${f(10)}: ${(error as Error).message}`);
      return buildAck({
        inbound: msh,
        code: "AR",
        text: "Tributary could not store the message just now; send it again.",
        errorCode: "207",
      });
    }
    if (options.acknowledge === "committed") return buildAck({ inbound: msh, code: "AA" satisfies AckCode });
    const answer = await options
      .awaitAnswer({ runId: delivered.runId, timeoutMs: options.timeoutMs })
      .catch((error: Error): RunAnswer => ({ status: "failed", error: error.message }));
    return ackForAnswer(answer, parsed, delivered.runId, options.timeoutMs);
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) => {
      reject(
        error.code === "EADDRINUSE"
          ? new Error(
              `Port ${options.port} is in use on this worker by another program; free it or change LISTENER_PORTS.`,
            )
          : error,
      );
    });
    server.listen({ host: options.host, port: options.port }, resolve);
  });
  log("info", `MLLP listener on ${options.host}:${options.port}${options.tls ? " (TLS)" : ""}.`);

  const ended = new Promise<Error | null>((resolve) => {
    server.on("error", (error) => resolve(closing ? null : error));
    server.on("close", () => resolve(closing ? null : new Error("The MLLP listener closed.")));
  });
  return {
    ended,
    async close() {
      closing = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
