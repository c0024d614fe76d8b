// A sending MLLP connection: opened once per connection settings in a worker and kept (pooled), one message
// in flight at a time as MLLP wants, each waiting for its ACK within a time limit. A connection that times
// out or is dropped by the peer is closed for good, so a late ACK can never be taken for the next message's.
import { connect as netConnect, type Socket } from "node:net";
import { connect as tlsConnect } from "node:tls";
import { z } from "zod";
import { StepFailure } from "../define.ts";
import { createFrameReader, describeFrameProblem, frame } from "./mllp-framing.ts";

export const mllpConnectionConfig = z.object({
  host: z.string().trim().min(1, { message: "Enter the receiving system's host name." }).meta({ title: "Host" }),
  port: z.number().int().min(1).max(65535).default(2575).meta({ title: "Port" }),
  tls: z.boolean().default(false).meta({ title: "TLS" }),
  caCertificate: z
    .string()
    .optional()
    .meta({ title: "CA certificate (PEM)", description: "Empty: the system's CAs.", widget: "textarea" }),
  clientCertificate: z
    .string()
    .optional()
    .meta({ title: "Client certificate (PEM)", description: "For receivers that ask for one.", widget: "textarea" }),
  clientKey: z.string().optional().meta({ title: "Client key (PEM)", widget: "password" }),
  encoding: z
    .enum(["utf-8", "latin1"])
    .default("utf-8")
    .meta({ title: "Character encoding", description: "Of the bytes on the wire (HL7 MSH-18)." }),
  connectTimeoutSeconds: z.number().int().min(1).max(120).default(10).meta({ title: "Connect timeout (s)" }),
  ackTimeoutSeconds: z.number().int().min(1).max(600).default(30).meta({ title: "Wait for the ACK (s)" }),
});
export type MllpConnectionConfig = z.output<typeof mllpConnectionConfig>;

export type MllpClient = {
  /** Sends one message and resolves with the peer's answer (the ACK's bytes). */
  send(message: Buffer, timeoutMs: number): Promise<Buffer>;
  alive(): boolean;
  close(): Promise<void>;
};

const where = (config: MllpConnectionConfig) => `The MLLP receiver at ${config.host}:${config.port}`;

export function openMllpClient(config: MllpConnectionConfig, address: string): Promise<MllpClient> {
  return new Promise((resolve, reject) => {
    const socket: Socket = config.tls
      ? tlsConnect({
          host: address,
          port: config.port,
          servername: config.host,
          ...(config.caCertificate ? { ca: config.caCertificate } : {}),
          ...(config.clientCertificate && config.clientKey
            ? { cert: config.clientCertificate, key: config.clientKey }
            : {}),
        })
      : netConnect({ host: address, port: config.port });
    let open = false;
    let failure: Error | null = null;
    let waiting: { resolve: (answer: Buffer) => void; reject: (error: Error) => void } | null = null;
    let queue: Promise<unknown> = Promise.resolve();
    const connectTimer = setTimeout(() => {
      socket.destroy(Object.assign(new Error("connect timeout"), { code: "ETIMEDOUT" }));
    }, config.connectTimeoutSeconds * 1000);

    const reader = createFrameReader({
      maxBytes: 16 * 1024 * 1024,
      onMessage: (answer) => {
        const current = waiting;
        waiting = null;
        // An answer nobody waits for (the peer sent two): ignored, as it cannot belong to a later message.
        current?.resolve(answer);
      },
      onProblem: (problem) => {
        const current = waiting;
        waiting = null;
        current?.reject(
          new StepFailure(`${where(config)} answered with a broken frame: ${describeFrameProblem(problem)}.`, {
            transient: true,
            code: "bad_frame",
          }),
        );
      },
    });

    const fail = (error: Error) => {
      failure ??= error;
      const current = waiting;
      waiting = null;
      current?.reject(error);
    };
    socket.on("data", (chunk: Buffer) => reader.push(chunk));
    socket.on("error", (error) => {
      clearTimeout(connectTimer);
      if (!open) reject(error);
      fail(error);
    });
    socket.on("close", () => {
      clearTimeout(connectTimer);
      if (!open) reject(failure ?? Object.assign(new Error("closed"), { code: "ECONNRESET" }));
      fail(
        new StepFailure(`${where(config)} closed the connection before it acknowledged the message.`, {
          transient: true,
          code: "unreachable",
        }),
      );
    });
    socket.once(config.tls ? "secureConnect" : "connect", () => {
      clearTimeout(connectTimer);
      open = true;
      socket.setNoDelay(true);
      resolve({
        alive: () => failure === null && !socket.destroyed,
        async close() {
          socket.destroy();
        },
        send(message, timeoutMs) {
          const attempt = queue.then(
            () =>
              new Promise<Buffer>((done, refuse) => {
                if (failure) return refuse(failure);
                const timer = setTimeout(() => {
                  waiting = null;
                  const timeout = new StepFailure(
                    `${where(config)} did not acknowledge the message within ${timeoutMs / 1000} s.`,
                    { transient: true, code: "timeout" },
                  );
                  fail(timeout);
                  socket.destroy();
                  refuse(timeout);
                }, timeoutMs);
                waiting = {
                  resolve: (answer) => {
                    clearTimeout(timer);
                    done(answer);
                  },
                  reject: (error) => {
                    clearTimeout(timer);
                    refuse(error);
                  },
                };
                socket.write(frame(message));
              }),
          );
          queue = attempt.catch(() => undefined);
          return attempt;
        },
      });
    });
  });
}
