// HL7 v2 over MLLP against real sockets on loopback: the listener trigger held by a real worker answered by a
// plain TCP (and TLS) client written here, the send step against a plain TCP server written here, and the two
// against each other. Broken frames, trickled bytes, dropped connections and 1,000 messages in a row.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, connect as netConnect, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect as tlsConnect } from "node:tls";
import {
  createSecretBox,
  createSecurityRule,
  getRun,
  listListenerPorts,
  listRuns,
  setFlowStatus,
  startRun,
  updateSecurityRule,
} from "@tributary/core";
import { sqlInWorkspace } from "@tributary/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useConnectorHarness } from "../support/connector-harness.ts";
import { useTestEnvironment } from "../support/environment.ts";
import { freePortRange } from "../support/free-port.ts";
import { graph, waitForRun } from "../support/run-helpers.ts";
import { TEST_ENCRYPTION_KEY } from "../support/worker-process.ts";

const ports = await freePortRange(8);
const env = useTestEnvironment();
const harness = useConnectorHarness(env, {
  workerEnv: { SUBSCRIPTION_SYNC_MS: "300", LISTENER_PORTS: ports.text, LISTENER_HOST: "127.0.0.1" },
});

const VT = 0x0b;
const FS = 0x1c;
const CR = 0x0d;
const wrap = (text: string) => Buffer.concat([Buffer.from([VT]), Buffer.from(text, "utf8"), Buffer.from([FS, CR])]);
const adt = (controlId: string, patient = "DOE^JANE") =>
  `MSH|^~\\&|ADT1|HOSP|LAB|HOSP|202601011200||ADT^A01^ADT_A01|${controlId}|P|2.5\rPID|1||42^^^HOSP||${patient}`;
const msa = (ack: string) => ack.split("\r").find((segment) => segment.startsWith("MSA|")) ?? "";
const until = async <T>(read: () => Promise<T | null | undefined>, what: string, timeoutMs = 20_000): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};

/** A plain MLLP client: writes bytes, and hands out the frames it receives in order. */
async function client(port: number, socket?: Socket) {
  const connection =
    socket ??
    (await new Promise<Socket>((resolve, reject) => {
      const opened = netConnect({ host: "127.0.0.1", port }, () => resolve(opened));
      opened.once("error", reject);
    }));
  let buffered = Buffer.alloc(0);
  const frames: string[] = [];
  const waiters: ((frame: string | null) => void)[] = [];
  let closed = false;
  connection.on("data", (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    for (let end = buffered.indexOf(FS); end !== -1 && end + 1 < buffered.length; end = buffered.indexOf(FS)) {
      const text = buffered.subarray(buffered.indexOf(VT) + 1, end).toString("utf8");
      buffered = buffered.subarray(end + 2);
      const waiter = waiters.shift();
      if (waiter) waiter(text);
      else frames.push(text);
    }
  });
  connection.on("close", () => {
    closed = true;
    for (const waiter of waiters.splice(0)) waiter(null);
  });
  connection.on("error", () => undefined);
  const next = (timeoutMs = 15_000) =>
    new Promise<string>((resolve, reject) => {
      const ready = frames.shift();
      if (ready !== undefined) return resolve(ready);
      if (closed) return reject(new Error("no ACK came: the connection is closed"));
      const timer = setTimeout(() => reject(new Error("no ACK came")), timeoutMs);
      waiters.push((frame) => {
        clearTimeout(timer);
        if (frame === null) reject(new Error("no ACK came: the connection was closed"));
        else resolve(frame);
      });
    });
  return {
    socket: connection,
    closed: () => closed,
    write: (bytes: Buffer) => connection.write(bytes),
    next,
    async send(text: string) {
      connection.write(wrap(text));
      return next();
    },
    close: () => connection.destroy(),
  };
}

/** Whether something listens on the port. */
const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const probe = netConnect({ host: "127.0.0.1", port }, () => {
      probe.destroy();
      resolve(true);
    });
    probe.once("error", () => resolve(false));
  });

/** Connects once the worker listens on the trigger's port (assigned when it started the listener). */
async function listenerPort(flowId: string): Promise<number> {
  const port = await until(
    async () => (await listListenerPorts({ db: env.db, workspaceId: harness.workspaceId, flowId }))[0]?.port,
    "a listener port",
  );
  await until(() => listening(port), `the listener on port ${port}`);
  return port;
}

const runCount = (flowId: string) =>
  sqlInWorkspace(env.db.sql, harness.workspaceId, async (sql) => {
    const { rows } = await sql.query<{ n: number }>("SELECT count(*)::int AS n FROM runs WHERE flow_id = $1", [flowId]);
    return rows[0]?.n ?? 0;
  });

/** A flow of an MLLP listener and a log step. */
const listenerFlow = (config: Record<string, unknown>) =>
  harness.publish(
    graph(
      [
        ["in", "hl7.mllp-listener", config],
        ["log", "util.log", { message: "got it" }],
      ],
      [["in", "log"]],
    ),
  );

describe("MLLP listener, acknowledging once the run is committed", () => {
  let flowId = "";
  let port = 0;

  beforeAll(async () => {
    flowId = await listenerFlow({});
    port = await listenerPort(flowId);
  });

  it("starts one run per message with the parsed message and its MSH as headers, and answers AA", async () => {
    const mllp = await client(port);
    try {
      const ack = await mllp.send(adt("MSG-1"));
      expect(ack).toMatch(/^MSH\|\^~\\&\|LAB\|HOSP\|ADT1\|HOSP\|\d{14}\+0000\|\|ACK\^A01\^ACK\|/);
      expect(msa(ack)).toBe("MSA|AA|MSG-1|");
      const [summary] = (await listRuns({ db: env.db, workspaceId: harness.workspaceId, flowId, limit: 1 })).runs;
      const run = await waitForRun({ db: env.db, workspaceId: harness.workspaceId, runId: summary?.id ?? "" });
      expect(run.status).toBe("succeeded");
      expect(run.trigger).toBe("hl7.mllp-listener");
      expect(run.input.body).toMatchObject({
        segments: [
          { name: "MSH" },
          { name: "PID", fields: ["PID", "1", "", ["42", "", "", "HOSP"], "", ["DOE", "JANE"]] },
        ],
      });
      expect(run.input.headers).toEqual(
        expect.arrayContaining([
          { name: "hl7-control-id", value: "MSG-1" },
          { name: "hl7-message-type", value: "ADT^A01^ADT_A01" },
          { name: "hl7-sending-application", value: "ADT1" },
          { name: "mllp-remote-address", value: expect.stringContaining("127.0.0.1") },
        ]),
      );
      // The same message sent again (its ACK was lost, say) is recognised: AA again, no second run.
      expect(msa(await mllp.send(adt("MSG-1")))).toBe("MSA|AA|MSG-1|");
      expect(await runCount(flowId)).toBe(1);
    } finally {
      mllp.close();
    }
  });

  it("skips a broken frame and answers the next message; rejects what is not HL7 with AR", async () => {
    const mllp = await client(port);
    try {
      const before = await runCount(flowId);
      // Noise, then a frame whose end block has no carriage return, then a good message.
      mllp.write(Buffer.from("hello\r\n"));
      mllp.write(Buffer.concat([Buffer.from([VT]), Buffer.from(adt("BROKEN")), Buffer.from([FS, 0x41])]));
      expect(msa(await mllp.send(adt("MSG-2")))).toBe("MSA|AA|MSG-2|");
      const rejected = await mllp.send("this is not HL7");
      expect(msa(rejected)).toMatch(/^MSA\|AR\|\|Not an HL7 v2 message/);
      expect(rejected).toContain("ERR|||100^Segment sequence error^HL70357|E");
      expect(await runCount(flowId)).toBe(before + 1);
    } finally {
      mllp.close();
    }
  });

  it("takes a message whose bytes trickle in one at a time", async () => {
    const mllp = await client(port);
    try {
      const bytes = wrap(adt("SLOW-1"));
      for (const byte of bytes) {
        mllp.write(Buffer.from([byte]));
        await new Promise((resolve) => setTimeout(resolve, 3));
      }
      expect(msa(await mllp.next())).toBe("MSA|AA|SLOW-1|");
    } finally {
      mllp.close();
    }
  });

  it("keeps a message whose sender hung up before its ACK, once, and goes on serving", async () => {
    const before = await runCount(flowId);
    const quitter = await client(port);
    quitter.write(wrap(adt("QUIT-1")));
    quitter.socket.end();
    await until(async () => (await runCount(flowId)) === before + 1, "the quitter's run");
    const mllp = await client(port);
    try {
      expect(msa(await mllp.send(adt("QUIT-1")))).toBe("MSA|AA|QUIT-1|");
      expect(msa(await mllp.send(adt("AFTER-1")))).toBe("MSA|AA|AFTER-1|");
      expect(await runCount(flowId)).toBe(before + 2);
    } finally {
      mllp.close();
    }
  });

  it("takes 1,000 messages in a row on one connection, each acknowledged, each a run", async () => {
    const before = await runCount(flowId);
    const mllp = await client(port);
    try {
      for (let n = 1; n <= 1000; n++) {
        expect(msa(await mllp.send(adt(`BULK-${n}`)))).toBe(`MSA|AA|BULK-${n}|`);
      }
      expect(await runCount(flowId)).toBe(before + 1000);
    } finally {
      mllp.close();
    }
  }, 120_000);

  it("stops listening while the flow is paused, and listens on the same port again", async () => {
    await setFlowStatus({
      db: env.db,
      workspaceId: harness.workspaceId,
      actor: harness.actor,
      flowId,
      status: "paused",
    });
    await until(async () => !(await listening(port)), "the listener to close");
    await setFlowStatus({
      db: env.db,
      workspaceId: harness.workspaceId,
      actor: harness.actor,
      flowId,
      status: "active",
    });
    expect(await listenerPort(flowId)).toBe(port);
  });
});

describe("MLLP listener, waiting for the flow's answer", () => {
  it("sends the ACK the flow writes, AA when the flow ends without one, AE with the error when it fails", async () => {
    const acking = await harness.publish(
      graph(
        [
          ["in", "hl7.mllp-listener", { acknowledge: "flow", timeoutSeconds: 20 }],
          ["ack", "hl7.ack", { code: "AE", text: "Unknown patient {{ segments[1].fields[5][0] }}", errorCode: "204" }],
        ],
        [["in", "ack"]],
      ),
    );
    const plain = await harness.publish(
      graph(
        [
          ["in", "hl7.mllp-listener", { acknowledge: "flow" }],
          ["log", "util.log", { message: "seen" }],
        ],
        [["in", "log"]],
      ),
    );
    const failing = await harness.publish(
      graph(
        [
          ["in", "hl7.mllp-listener", { acknowledge: "flow" }],
          ["parse", "format.json", {}],
        ],
        [["in", "parse"]],
      ),
    );
    const [ackPort, plainPort, failingPort] = await Promise.all([acking, plain, failing].map(listenerPort));
    const clients = await Promise.all([ackPort, plainPort, failingPort].map((port) => client(port ?? 0)));
    try {
      const [toAck, toPlain, toFailing] = clients;
      const written = (await toAck?.send(adt("FLOW-1", "ROE^RICHARD"))) ?? "";
      expect(msa(written)).toBe("MSA|AE|FLOW-1|Unknown patient ROE");
      expect(written).toContain("ERR|||204^Unknown key identifier^HL70357|E||||Unknown patient ROE");
      expect(msa((await toPlain?.send(adt("FLOW-2"))) ?? "")).toBe("MSA|AA|FLOW-2|");
      const failed = (await toFailing?.send(adt("FLOW-3"))) ?? "";
      expect(msa(failed)).toMatch(/^MSA\|AE\|FLOW-3\|.*JSON/);
    } finally {
      for (const open of clients) open.close();
    }
  }, 60_000);
});

describe("MLLP listener security", () => {
  const secretBox = createSecretBox({ currentKey: TEST_ENCRYPTION_KEY });
  let dir = "";
  const pem = (name: string) => readFileSync(join(dir, name), "utf8");
  const openssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "trb-mllp-tls-"));
    openssl(
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-days",
      "2",
      "-subj",
      "/CN=Test CA",
      "-keyout",
      "ca.key",
      "-out",
      "ca.pem",
    );
    const issue = (name: string, subject: string, extra: string[] = []) => {
      openssl(
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-subj",
        subject,
        "-keyout",
        `${name}.key`,
        "-out",
        `${name}.csr`,
      );
      openssl(
        "x509",
        "-req",
        "-in",
        `${name}.csr`,
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "2",
        "-out",
        `${name}.pem`,
        ...extra,
      );
    };
    execFileSync("sh", ["-c", "printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\n' > san.ext"], { cwd: dir });
    issue("server", "/CN=localhost", ["-extfile", "san.ext"]);
    issue("lab", "/CN=lab-sender");
    issue("other", "/CN=someone-else");
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("speaks TLS and lets in only the allowed clients' certificates from its CA", async () => {
    const tlsConnection = await harness.connect("tls-listener", {
      certificate: pem("server.pem"),
      privateKey: pem("server.key"),
      clientCa: pem("ca.pem"),
      allowedClients: ["lab-sender"],
    });
    expect((await harness.ping(tlsConnection)).message).toMatch(/CN=localhost, valid until/);
    const flowId = await listenerFlow({ connectionId: tlsConnection });
    const port = await until(
      async () => (await listListenerPorts({ db: env.db, workspaceId: harness.workspaceId, flowId }))[0]?.port,
      "a port",
    );
    const tlsClient = (name: string | null) =>
      new Promise<Socket>((resolve, reject) => {
        const socket = tlsConnect({
          host: "127.0.0.1",
          port,
          ca: pem("ca.pem"),
          ...(name ? { cert: pem(`${name}.pem`), key: pem(`${name}.key`) } : {}),
        });
        socket.once("secureConnect", () => resolve(socket));
        socket.once("error", reject);
      });
    const lab = await until(() => tlsClient("lab").catch(() => null), "the TLS listener");
    const mllp = await client(port, lab);
    try {
      expect(msa(await mllp.send(adt("TLS-1")))).toBe("MSA|AA|TLS-1|");
      const run = (await listRuns({ db: env.db, workspaceId: harness.workspaceId, flowId, limit: 1 })).runs[0];
      const detail = await getRun({ db: env.db, workspaceId: harness.workspaceId, runId: run?.id ?? "" });
      expect(detail.input.headers).toContainEqual({ name: "tls-client-subject", value: "lab-sender" });
    } finally {
      mllp.close();
    }
    // A certificate from the CA but not an allowed client: connected, then closed unanswered.
    const other = await client(port, await tlsClient("other"));
    other.write(wrap(adt("TLS-2")));
    await until(async () => other.closed(), "the other client to be closed");
    await expect(other.next(500)).rejects.toThrow(/no ACK/);
    // No certificate at all: the handshake fails (TLS 1.3 tells the client on its first read).
    const anonymous = await tlsClient(null).then(
      (socket) =>
        new Promise<boolean>((resolve) => {
          socket.on("error", () => resolve(true));
          socket.on("close", () => resolve(true));
          socket.write(wrap(adt("TLS-3")));
        }),
      () => true,
    );
    expect(anonymous).toBe(true);
    expect(await runCount(flowId)).toBe(1);
  }, 60_000);

  it("closes connections from addresses its IP allow-list does not name, and follows edits of the rule", async () => {
    const rule = await createSecurityRule({
      db: env.db,
      secretBox,
      workspaceId: harness.workspaceId,
      actor: harness.actor,
      name: "Lab network",
      domain: "default",
      type: "ip_allow",
      config: { cidrs: ["10.20.0.0/16"] },
    });
    const flowId = await listenerFlow({ securityRuleIds: [rule.ruleId] });
    const port = await listenerPort(flowId);
    const refused = await client(port);
    refused.write(wrap(adt("IP-1")));
    await until(async () => refused.closed(), "the refused client to be closed");
    await updateSecurityRule({
      db: env.db,
      workspaceId: harness.workspaceId,
      actor: harness.actor,
      ruleId: rule.ruleId,
      config: { cidrs: ["10.20.0.0/16", "127.0.0.1"] },
    });
    const allowed = await until(async () => {
      const attempt = await client(port);
      const ack = await attempt.send(adt("IP-2")).catch(() => null);
      attempt.close();
      return ack;
    }, "the edited rule to let loopback in");
    expect(msa(allowed)).toBe("MSA|AA|IP-2|");
    expect(await runCount(flowId)).toBe(1);
  }, 60_000);
});

/** A plain MLLP receiver: answers each message as `answer` says (or not at all). */
function receiver(answer: (message: string, socket: Socket) => string | null) {
  const received: string[] = [];
  let connections = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    connections += 1;
    sockets.add(socket);
    let buffered = Buffer.alloc(0);
    socket.on("error", () => undefined);
    socket.on("data", (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      for (let end = buffered.indexOf(FS); end !== -1 && end + 1 < buffered.length; end = buffered.indexOf(FS)) {
        const text = buffered.subarray(buffered.indexOf(VT) + 1, end).toString("utf8");
        buffered = buffered.subarray(end + 2);
        received.push(text);
        const reply = answer(text, socket);
        if (reply !== null) socket.write(wrap(reply));
      }
    });
  });
  const ready = new Promise<number>((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve((server.address() as { port: number }).port)),
  );
  return {
    received,
    ready,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}

const controlIdOf = (message: string) => message.split("\r")[0]?.split("|")[9] ?? "";
const ackText = (message: string, code: string, text = "") =>
  `MSH|^~\\&|LAB|HOSP|ADT1|HOSP|20260101||ACK|A${controlIdOf(message)}|P|2.5\rMSA|${code}|${controlIdOf(message)}|${text}${code === "AA" ? "" : `\rERR|||207^Application internal error^HL70357|E||||${text}`}`;

describe("MLLP send step", () => {
  it("sends over a kept connection and reads AA, AE (with the receiver's error) and AR", async () => {
    const plain = receiver((message) => {
      if (message.endsWith("||ERR")) return ackText(message, "AE", "Unknown patient");
      if (message.endsWith("||REJ")) return ackText(message, "AR", "Busy");
      return ackText(message, "AA");
    });
    const port = await plain.ready;
    try {
      const connectionId = await harness.connect("mllp", { host: "127.0.0.1", port, ackTimeoutSeconds: 5 });
      expect(await harness.ping(connectionId)).toMatchObject({ ok: true });
      const send = (body: unknown) =>
        harness.runFlow(
          graph(
            [
              ["start", "trigger.manual"],
              ["send", "hl7.mllp-send", { connectionId, resultField: "ack" }],
            ],
            [["start", "send"]],
          ),
          body,
        );
      const ok = await send({ text: adt("") });
      expect(ok.status).toBe("failed");
      expect(JSON.stringify(ok.error)).toMatch(/HL7 v2 text, or segments/);
      const sent = await harness.runFlow(
        graph(
          [
            ["start", "trigger.manual"],
            ["send", "hl7.mllp-send", { connectionId, message: "{{ hl7 }}", resultField: "ack" }],
          ],
          [["start", "send"]],
        ),
        { hl7: adt("") },
      );
      expect(sent.status).toBe("succeeded");
      const last = plain.received.at(-1) ?? "";
      // No control id in the message: one was made, and the ACK was checked against it.
      expect(controlIdOf(last)).toMatch(/^[0-9A-F]{20}$/);
      expect(sent.output?.body).toMatchObject({ ack: { code: "AA", controlId: controlIdOf(last) } });

      const error = await send(adt("E-1", "ERR"));
      expect(error.status).toBe("failed");
      expect(error.error?.message).toMatch(
        /answered AE \(error\) for E-1: Unknown patient; Application internal error: Unknown patient/,
      );
      const rejected = await send(adt("R-1", "REJ"));
      expect(rejected.error?.message).toMatch(/answered AR \(rejected\) for R-1: Busy/);
    } finally {
      await plain.close();
    }
  }, 60_000);

  it("fails when the receiver hangs up or says nothing, and sends again on a new connection", async () => {
    let mode: "drop" | "silent" | "answer" = "drop";
    const plain = receiver((message, socket) => {
      if (mode === "drop") {
        socket.destroy();
        return null;
      }
      return mode === "silent" ? null : ackText(message, "AA");
    });
    const port = await plain.ready;
    try {
      const connectionId = await harness.connect("mllp", { host: "127.0.0.1", port, ackTimeoutSeconds: 1 });
      const flow = graph(
        [
          ["start", "trigger.manual"],
          ["send", "hl7.mllp-send", { connectionId }],
        ],
        [["start", "send"]],
      );
      const dropped = await harness.runFlow(flow, adt("D-1"));
      expect(dropped.error?.message).toMatch(/closed the connection before it acknowledged the message/);
      mode = "silent";
      const silent = await harness.runFlow(flow, adt("S-1"));
      expect(silent.error?.message).toMatch(/did not acknowledge the message within 1 s/);
      mode = "answer";
      expect((await harness.runFlow(flow, adt("A-1"))).status).toBe("succeeded");
    } finally {
      await plain.close();
    }
  }, 60_000);

  it("sends 1,000 messages in a row over one kept connection", async () => {
    const plain = receiver((message) => ackText(message, "AA"));
    const port = await plain.ready;
    try {
      const connectionId = await harness.connect("mllp", { host: "127.0.0.1", port });
      const flowId = await harness.publish(
        graph(
          [
            ["start", "trigger.manual"],
            ["each", "flow.loop", { items: "$map([1..1000], function($n) { $string($n) })" }],
            [
              "send",
              "hl7.mllp-send",
              {
                connectionId,
                message: "MSH|^~\\&|ADT1|HOSP|LAB|HOSP|202601011200||ADT^A01|N{{ $ }}|P|2.5\rPID|1||{{ $ }}",
              },
            ],
          ],
          [
            ["start", "each"],
            ["each", "send", "item"],
          ],
        ),
      );
      const { runId } = await startRun({
        db: env.db,
        queue: env.queue,
        workspaceId: harness.workspaceId,
        flowId,
        trigger: "manual",
        body: {},
      });
      const run = await waitForRun({ db: env.db, workspaceId: harness.workspaceId, runId, timeoutMs: 150_000 });
      expect(run.status).toBe("succeeded");
      expect(plain.received).toHaveLength(1000);
      expect(plain.received.map(controlIdOf)).toEqual(Array.from({ length: 1000 }, (_, i) => `N${i + 1}`));
      expect(plain.connections()).toBe(1);
    } finally {
      await plain.close();
    }
  }, 180_000);
});

describe("MLLP send step against the MLLP listener", () => {
  it("sends to a flow's listener and reads the ACK that flow writes", async () => {
    const listening = await harness.publish(
      graph(
        [
          ["in", "hl7.mllp-listener", { acknowledge: "flow" }],
          ["ack", "hl7.ack", { code: "AA", text: "Filed for {{ segments[1].fields[5][0] }}" }],
        ],
        [["in", "ack"]],
      ),
    );
    const port = await listenerPort(listening);
    const connectionId = await harness.connect("mllp", { host: "127.0.0.1", port });
    const run = await harness.runFlow(
      graph(
        [
          ["start", "trigger.manual"],
          ["send", "hl7.mllp-send", { connectionId, resultField: "ack" }],
        ],
        [["start", "send"]],
      ),
      adt("", "POE^EDGAR"),
    );
    expect(run.status).toBe("succeeded");
    expect(run.output?.body).toMatchObject({ ack: { code: "AA", text: "Filed for POE" } });
    expect(await runCount(listening)).toBe(1);
  }, 60_000);
});
