// Mail over SMTP (nodemailer): text and HTML bodies, attachments from the message, a pooled transport per
// connection.
import type { Transporter } from "nodemailer";
import { z } from "zod";
import { type ClientKind, connectionField, pingConnection, withClient } from "../connection-clients.ts";
import { defineConnectionType } from "../connections.ts";
import { defineAction, defineConnector, StepFailure, text } from "../define.ts";
import { isBinary } from "../payload.ts";
import { placeResult, resultField } from "../result-field.ts";

const smtpConfig = z.object({
  host: z.string().trim().min(1, { message: "Enter the mail server's host name." }).meta({ title: "Host" }),
  port: z
    .number()
    .int()
    .min(1)
    .max(65535)
    .default(587)
    .meta({ title: "Port", description: "587 (STARTTLS), 465 (TLS), 25" }),
  security: z.enum(["starttls", "tls", "none"]).default("starttls").meta({
    title: "Security",
    description: "starttls: upgrade to TLS (required); tls: TLS from the start; none: plain text.",
  }),
  username: z.string().optional().meta({ title: "User name" }),
  password: z.string().optional().meta({ title: "Password", widget: "password" }),
  from: z.string().optional().meta({ title: "Default sender", description: 'e.g. "Orders <orders@example.com>"' }),
  timeoutSeconds: z.number().int().min(1).max(300).default(30).meta({ title: "Timeout (s)" }),
});
type SmtpConfig = z.output<typeof smtpConfig>;

const kind: ClientKind<SmtpConfig, Transporter> = {
  type: "smtp",
  service: "SMTP server",
  config: smtpConfig,
  async open(config, address) {
    const { default: nodemailer } = await import("nodemailer");
    return nodemailer.createTransport({
      host: address,
      port: config.port,
      secure: config.security === "tls",
      requireTLS: config.security === "starttls",
      ignoreTLS: config.security === "none",
      tls: { servername: config.host },
      name: "tributary",
      ...(config.username ? { auth: { user: config.username, pass: config.password ?? "" } } : {}),
      pool: true,
      maxConnections: 3,
      connectionTimeout: config.timeoutSeconds * 1000,
      greetingTimeout: config.timeoutSeconds * 1000,
      socketTimeout: config.timeoutSeconds * 1000,
    });
  },
  close: async (transport) => transport.close(),
  ping: (transport) => transport.verify(),
  describe(error, config) {
    const code = (error as { code?: unknown })?.code;
    const where = `The SMTP server at ${config.host}:${config.port}`;
    if (code === "EAUTH") return `${where} refused the user name or password.`;
    if (code === "ETLS") return `${where} does not offer TLS (STARTTLS); choose another security setting.`;
    if (code === "EENVELOPE") return `${where} refused the addresses: ${(error as Error).message}`;
    if (code === "EMESSAGE") return `${where} refused the message: ${(error as Error).message}`;
    return null;
  },
};

const addresses = (title: string) =>
  z
    // The list first: a text field would turn a list into its JSON.
    .union([z.array(text().pipe(z.string())), text().pipe(z.string())])
    .optional()
    .meta({ title, description: "One address, several separated by commas, or a list." });

const attachment = z.object({
  filename: z.string().min(1),
  content: z.unknown(),
  contentType: z.string().optional(),
});

/** Attachment content: binary from the message as its bytes, text as is, anything else as JSON. */
function attachmentContent(content: unknown): string | Buffer {
  if (isBinary(content)) return Buffer.from(content.base64, "base64");
  return typeof content === "string" ? content : JSON.stringify(content, null, 2);
}

const sendStep = defineAction({
  type: "smtp.send",
  example: {
    config: {
      to: "{{ customer.email }}",
      subject: "Order {{ id }} shipped",
      text: "Hello {{ customer.name }}, your order is on its way.",
      attachments: [{ filename: "invoice.pdf", content: "{{ invoice }}" }],
    },
  },
  title: "Send email",
  description:
    "Sends an email with a text and/or HTML body and attachments (from the message: { filename, content }, binary content kept as bytes). The body passes on (or the server's answer goes into a field).",
  category: "Mail",
  config: z.object({
    connectionId: connectionField(kind),
    from: text()
      .pipe(z.string())
      .optional()
      .meta({ title: "From", description: "Empty: the connection's default sender." }),
    to: addresses("To"),
    cc: addresses("Cc"),
    bcc: addresses("Bcc"),
    replyTo: text().pipe(z.string()).optional().meta({ title: "Reply to" }),
    subject: text().pipe(z.string().max(998)).default("").meta({ title: "Subject" }),
    text: text().pipe(z.string()).optional().meta({ title: "Text body", widget: "textarea" }),
    html: text().pipe(z.string()).optional().meta({ title: "HTML body", widget: "textarea" }),
    attachments: z.array(attachment).max(50).default([]).meta({
      title: "Attachments",
      description: 'e.g. {{ files }} or [{ "filename": "a.csv", "content": "{{ csv }}" }]',
      widget: "json",
    }),
    resultField: resultField(),
  }),
  async run(context) {
    const { config, message } = context;
    if (!config.to && !config.cc && !config.bcc) throw new StepFailure("Give at least one recipient (To, Cc or Bcc).");
    const info = await withClient(kind, context, (transport, connection) => {
      const from = config.from || connection.from;
      if (!from) throw new StepFailure("Give a sender: set From, or a default sender on the connection.");
      return transport.sendMail({
        from,
        ...(config.to ? { to: config.to } : {}),
        ...(config.cc ? { cc: config.cc } : {}),
        ...(config.bcc ? { bcc: config.bcc } : {}),
        ...(config.replyTo ? { replyTo: config.replyTo } : {}),
        subject: config.subject,
        ...(config.text !== undefined ? { text: config.text } : {}),
        ...(config.html !== undefined ? { html: config.html } : {}),
        attachments: config.attachments.map((file) => ({
          filename: file.filename,
          content: attachmentContent(file.content),
          ...(file.contentType
            ? { contentType: file.contentType }
            : isBinary(file.content)
              ? { contentType: file.content.contentType }
              : {}),
        })),
        headers: { "X-Tributary-Message-Id": message.id },
      });
    });
    const result = {
      messageId: info.messageId,
      accepted: (info.accepted ?? []).map(String),
      rejected: (info.rejected ?? []).map(String),
    };
    return config.resultField ? placeResult(config.resultField, message, result) : {};
  },
});

export const smtpConnector = defineConnector({
  id: "smtp",
  title: "Email (SMTP)",
  description: "Send email through an SMTP server.",
  steps: [sendStep],
  connectionTypes: [
    defineConnectionType({
      type: "smtp",
      title: "SMTP server",
      description: "A mail server that sends email for you.",
      config: smtpConfig,
      secretFields: ["password"],
      test: ({ config, http }) => pingConnection(kind, { config, http }),
    }),
  ],
});
