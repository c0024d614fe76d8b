// The SMTP connector against a real SMTP server (smtp-server) that the test starts: what it receives is what
// the step sent, attachments from the message included.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useConnectorHarness } from "../support/connector-harness.ts";
import { useTestEnvironment } from "../support/environment.ts";
import { graph } from "../support/run-helpers.ts";
import { type ReceivedMail, startSmtpServer } from "../support/smtp.ts";

const env = useTestEnvironment();
const harness = useConnectorHarness(env);
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
