// The mail connectors against real servers the test starts: SMTP (smtp-server), where what it receives is what
// the step sent, attachments included; and IMAP (Dovecot), whose new mail starts runs once each.
import { getRun, listRuns } from "@tributary/core";
import { ImapFlow } from "imapflow";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useConnectorHarness } from "../support/connector-harness.ts";
import { useTestEnvironment } from "../support/environment.ts";
import { startImapServer } from "../support/imap-server.ts";
import { graph } from "../support/run-helpers.ts";
import { type ReceivedMail, startSmtpServer } from "../support/smtp.ts";

const env = useTestEnvironment();
const harness = useConnectorHarness(env, { workerEnv: { SUBSCRIPTION_SYNC_MS: "300" } });
let smtp: { port: number; received: ReceivedMail[]; close(): Promise<void> };

beforeAll(async () => {
  smtp = await startSmtpServer({ users: { mailer: "s3cret-pass" } });
});
afterAll(async () => {
  await smtp?.close();
});

const manual: [string, string] = ["start", "trigger.manual"];

describe("SMTP", () => {
  it("pings the server with the credentials, and names wrong ones", async () => {
    const ok = await harness.connect("smtp", {
      host: "127.0.0.1",
      port: smtp.port,
      security: "none",
      username: "mailer",
      password: "s3cret-pass",
    });
    expect(await harness.ping(ok)).toMatchObject({ ok: true });
    const wrong = await harness.connect("smtp", {
      host: "127.0.0.1",
      port: smtp.port,
      security: "none",
      username: "mailer",
      password: "nope",
    });
    expect(await harness.ping(wrong)).toMatchObject({
      ok: false,
      message: expect.stringMatching(/refused the user name or password/),
    });
    const noTls = await harness.connect("smtp", {
      host: "127.0.0.1",
      port: smtp.port,
      username: "mailer",
      password: "s3cret-pass",
    });
    expect(await harness.ping(noTls)).toMatchObject({
      ok: false,
      message: expect.stringMatching(/does not offer TLS/),
    });
  });

  it("sends text and HTML with attachments from the message, filled from the message", async () => {
    const connectionId = await harness.connect("smtp", {
      host: "127.0.0.1",
      port: smtp.port,
      security: "none",
      username: "mailer",
      password: "s3cret-pass",
      from: "Orders <orders@example.com>",
    });
    const pdf = Buffer.from("%PDF-1.7 fake invoice bytes \u0000\u00ff");
    const run = await harness.runFlow(
      graph(
        [
          manual,
          [
            "mail",
            "smtp.send",
            {
              connectionId,
              to: "{{ customer.email }}",
              bcc: ["audit@example.com"],
              subject: "Order {{ id }} shipped",
              text: "Hello {{ customer.name }}, order {{ id }} is on its way.",
              html: "<p>Hello <b>{{ customer.name }}</b></p>",
              attachments: [
                { filename: "invoice.pdf", content: "{{ invoice }}" },
                { filename: "order.json", content: "{{ $ }}" },
              ],
              resultField: "mail",
            },
          ],
        ],
        [["start", "mail"]],
      ),
      {
        id: "A-17",
        customer: { name: "Ada", email: "ada@example.com" },
        invoice: { contentType: "application/pdf", size: pdf.length, base64: pdf.toString("base64") },
      },
    );
    expect(run.status, JSON.stringify(run.error)).toBe("succeeded");
    expect((run.output?.body as { mail: { accepted: string[] } } | undefined)?.mail.accepted).toEqual([
      "ada@example.com",
      "audit@example.com",
    ]);
    const mail = smtp.received.at(-1);
    expect(mail?.from).toBe("orders@example.com");
    expect(mail?.to).toEqual(["ada@example.com", "audit@example.com"]);
    const raw = mail?.raw.replace(/\r\n/g, "\n") ?? "";
    expect(raw).toContain("Subject: Order A-17 shipped");
    expect(raw).not.toMatch(/^Bcc:/m);
    expect(raw).toContain("Hello Ada, order A-17 is on its way.");
    expect(raw).toContain("<p>Hello <b>Ada</b></p>");
    expect(raw).toMatch(/Content-Type: application\/pdf; name=invoice\.pdf/);
    expect(raw.replace(/\n/g, "")).toContain(pdf.toString("base64"));
    expect(raw).toContain("filename=order.json");
  });

  it("says what is missing when there is no recipient", async () => {
    const connectionId = await harness.connect("smtp", {
      host: "127.0.0.1",
      port: smtp.port,
      security: "none",
      username: "mailer",
      password: "s3cret-pass",
      from: "a@example.com",
    });
    const run = await harness.runFlow(
      graph([manual, ["mail", "smtp.send", { connectionId, subject: "x", text: "y" }]], [["start", "mail"]]),
    );
    expect(run.status).toBe("failed");
    expect(run.error?.message).toMatch(/at least one recipient/);
  });
});

describe("IMAP", () => {
  let imap: Awaited<ReturnType<typeof startImapServer>>;
  beforeAll(async () => {
    imap = await startImapServer({ username: "orders", password: "imap-pass-7" });
  });
  afterAll(async () => {
    await imap?.stop();
  });

  const mailbox = async (work: (client: ImapFlow) => Promise<void>) => {
    const client = new ImapFlow({
      host: "127.0.0.1",
      port: imap.port,
      secure: false,
      doSTARTTLS: false,
      auth: { user: "orders", pass: "imap-pass-7" },
      logger: false,
    });
    await client.connect();
    try {
      await work(client);
    } finally {
      await client.logout();
    }
  };
  const mail = (n: number) =>
    [
      "From: Ada <ada@example.com>",
      "To: orders@example.com",
      `Subject: Order ${n}`,
      `Message-ID: <order-${n}@example.com>`,
      "MIME-Version: 1.0",
      'Content-Type: multipart/mixed; boundary="b"',
      "",
      "--b",
      "Content-Type: text/plain; charset=utf-8",
      "",
      `Please send ${n} widgets.`,
      "--b",
      'Content-Type: text/csv; name="order.csv"',
      'Content-Disposition: attachment; filename="order.csv"',
      "Content-Transfer-Encoding: base64",
      "",
      Buffer.from(`sku,qty\nX,${n}\n`).toString("base64"),
      "--b--",
      "",
    ].join("\r\n");

  it("pings the server and names a wrong password", async () => {
    const ok = await harness.connect("imap", {
      host: "127.0.0.1",
      port: imap.port,
      security: "none",
      username: "orders",
      password: "imap-pass-7",
    });
    expect(await harness.ping(ok)).toMatchObject({ ok: true });
    const wrong = await harness.connect("imap", {
      host: "127.0.0.1",
      port: imap.port,
      security: "none",
      username: "orders",
      password: "nope",
    });
    expect(await harness.ping(wrong)).toMatchObject({
      ok: false,
      message: expect.stringMatching(/refused the user name or password/),
    });
  });

  it("starts a run for each new message, with its attachments, and marks it seen", async () => {
    const connectionId = await harness.connect("imap", {
      host: "127.0.0.1",
      port: imap.port,
      security: "none",
      username: "orders",
      password: "imap-pass-7",
    });
    await mailbox(async (client) => {
      await client.append("INBOX", mail(0), ["\\Seen"]); // already read: not the trigger's
    });
    const flowId = await harness.publish(
      graph(
        [
          ["mail", "imap.new-mail", { connectionId, intervalSeconds: 1 }],
          ["log", "util.log", { message: "{{ subject }}" }],
        ],
        [["mail", "log"]],
      ),
    );
    await mailbox(async (client) => {
      for (const n of [1, 2]) await client.append("INBOX", mail(n));
    });
    const deadline = Date.now() + 20_000;
    let runs: Awaited<ReturnType<typeof listRuns>>["runs"] = [];
    while (runs.length < 2 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      runs = (await listRuns({ db: env.db, workspaceId: harness.workspaceId, flowId, limit: 10 })).runs;
    }
    const bodies = await Promise.all(
      runs.map(
        async (run) =>
          (await getRun({ db: env.db, workspaceId: harness.workspaceId, runId: run.id })).input.body as Record<
            string,
            unknown
          >,
      ),
    );
    expect(bodies.map((body) => body.subject).sort()).toEqual(["Order 1", "Order 2"]);
    expect(bodies.find((body) => body.subject === "Order 2")).toMatchObject({
      from: "ada@example.com",
      to: ["orders@example.com"],
      text: "Please send 2 widgets.",
      attachments: [
        { filename: "order.csv", contentType: "text/csv", base64: Buffer.from("sku,qty\nX,2\n").toString("base64") },
      ],
    });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect((await listRuns({ db: env.db, workspaceId: harness.workspaceId, flowId, limit: 10 })).runs).toHaveLength(2);
    await mailbox(async (client) => {
      await client.mailboxOpen("INBOX");
      expect(await client.search({ seen: false })).toEqual([]);
    });
  });
});
