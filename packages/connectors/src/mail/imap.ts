// New mail over IMAP (imapflow, parsed with mailparser): a trigger that starts a run for each unseen message of
// a mailbox and, once the run is committed, marks it seen, moves it or deletes it.
import type { ImapFlow } from "imapflow";
import { z } from "zod";
import { type ClientKind, connectionField, failureOf, pingConnection } from "../connection-clients.ts";
import { defineConnectionType } from "../connections.ts";
import { defineConnector, defineTrigger } from "../define.ts";
import { binary } from "../payload.ts";
import { pollingSubscription, subscriptionSettings } from "../subscription-helpers.ts";

const imapConfig = z.object({
  host: z.string().trim().min(1, { message: "Enter the mail server's host name." }).meta({ title: "Host" }),
  port: z.number().int().min(1).max(65535).default(993).meta({ title: "Port", description: "993 (TLS), 143" }),
  security: z
    .enum(["tls", "starttls", "none"])
    .default("tls")
    .meta({ title: "Security", description: "tls: TLS from the start; starttls: upgrade to TLS; none: plain text." }),
  username: z.string().trim().min(1, { message: "Enter the user name." }).meta({ title: "User name" }),
  password: z.string().optional().meta({ title: "Password", widget: "password" }),
  timeoutSeconds: z.number().int().min(1).max(300).default(30).meta({ title: "Timeout (s)" }),
});
type ImapConfig = z.output<typeof imapConfig>;

const kind: ClientKind<ImapConfig, ImapFlow> = {
  type: "imap",
  service: "IMAP server",
  config: imapConfig,
  async open(config, address) {
    const { ImapFlow } = await import("imapflow");
    const client = new ImapFlow({
      host: address,
      port: config.port,
      secure: config.security === "tls",
      doSTARTTLS: config.security === "starttls" ? true : config.security === "none" ? false : undefined,
      tls: { servername: config.host },
      auth: { user: config.username, pass: config.password ?? "" },
      logger: false,
      connectionTimeout: config.timeoutSeconds * 1000,
      greetingTimeout: config.timeoutSeconds * 1000,
      socketTimeout: config.timeoutSeconds * 1000,
    });
    client.on("error", () => undefined); // the next command reports it
    await client.connect();
    return client;
  },
  close: async (client) => {
    await client.logout().catch(() => client.close());
  },
  ping: (client) => client.noop(),
  describe(error, config) {
    const text = `${(error as { authenticationFailed?: boolean })?.authenticationFailed ? "AUTHENTICATIONFAILED " : ""}${(error as Error)?.message ?? ""} ${(error as { responseText?: string })?.responseText ?? ""}`;
    const where = `The IMAP server at ${config.host}:${config.port}`;
    if (/AUTHENTICATIONFAILED|authentication failed|invalid credentials/i.test(text)) {
      return `${where} refused the user name or password (user ${config.username}).`;
    }
    if (/NONEXISTENT|doesn't exist|does not exist|Mailbox not found/i.test(text)) return `IMAP: ${text.trim()}`;
    return null;
  },
};

const newMail = defineTrigger({
  type: "imap.new-mail",
  example: {
    config: { mailbox: "INBOX", afterRun: "seen", intervalSeconds: 60 },
    input: {
      from: "ada@example.com",
      to: ["orders@example.com"],
      subject: "Order A-1",
      text: "Two widgets, please.",
      attachments: [],
    },
  },
  title: "New email (IMAP)",
  description:
    "Starts a run for each unseen message in a mailbox, with its sender, recipients, subject, text, HTML and attachments (binary); once the run is committed the message is marked seen, moved or deleted, so it is run once.",
  category: "Mail",
  config: z.object({
    connectionId: connectionField(kind),
    mailbox: z.string().min(1).default("INBOX").meta({ title: "Mailbox" }),
    afterRun: z.enum(["seen", "move", "delete"]).default("seen").meta({ title: "Then" }),
    moveTo: z.string().optional().meta({ title: "Move to mailbox", description: "For “move”, e.g. Processed" }),
    intervalSeconds: z.number().int().min(1).max(3600).default(60).meta({ title: "Look every (s)" }),
  }),
  async subscribe({ config, connection, http, deliver }) {
    const settings = subscriptionSettings(kind, connection);
    const address = await http.resolve(settings.host);
    const look = async (closing: () => boolean) => {
      const client = await kind.open(settings, address);
      try {
        const mailbox = await client.mailboxOpen(config.mailbox);
        if (config.afterRun === "move" && config.moveTo)
          await client.mailboxCreate(config.moveTo).catch(() => undefined);
        const unseen = (await client.search({ seen: false }, { uid: true })) || [];
        for (const uid of unseen) {
          if (closing()) return;
          const fetched = await client.fetchOne(String(uid), { source: true, uid: true }, { uid: true });
          if (fetched === false || !fetched.source) continue;
          const { simpleParser } = await import("mailparser");
          const mail = await simpleParser(fetched.source);
          const addresses = (field: typeof mail.to) =>
            (Array.isArray(field) ? field : field ? [field] : []).flatMap((group) =>
              group.value.map((entry) => entry.address ?? ""),
            );
          await deliver({
            body: {
              from: mail.from?.value[0]?.address ?? null,
              to: addresses(mail.to),
              cc: addresses(mail.cc),
              subject: mail.subject ?? "",
              date: mail.date?.toISOString() ?? null,
              messageId: mail.messageId ?? null,
              text: mail.text ?? "",
              html: typeof mail.html === "string" ? mail.html : null,
              attachments: mail.attachments.map((attachment) => ({
                filename: attachment.filename ?? null,
                ...binary(attachment.content, attachment.contentType),
              })),
            },
            headers: [
              { name: "imap-mailbox", value: config.mailbox },
              ...(mail.messageId ? [{ name: "email-message-id", value: mail.messageId }] : []),
            ],
            // A message seen again (the worker stopped before marking it) is not run twice.
            dedupeKey: `${config.mailbox}:${mailbox.uidValidity}:${uid}`,
          });
          if (config.afterRun === "seen") await client.messageFlagsAdd(String(uid), ["\\Seen"], { uid: true });
          else if (config.afterRun === "delete") await client.messageDelete(String(uid), { uid: true });
          else await client.messageMove(String(uid), config.moveTo || "Processed", { uid: true });
        }
      } finally {
        await kind.close(client);
      }
    };
    return pollingSubscription({
      intervalMs: config.intervalSeconds * 1000,
      look,
      failure: (error) => failureOf(kind, settings, error),
    });
  },
});

export const imapConnector = defineConnector({
  id: "imap",
  title: "Email (IMAP)",
  description: "Start runs for new email in a mailbox.",
  steps: [newMail],
  connectionTypes: [
    defineConnectionType({
      type: "imap",
      title: "IMAP server",
      description: "A mailbox server to read email from.",
      config: imapConfig,
      secretFields: ["password"],
      test: ({ config, http }) => pingConnection(kind, { config, http }),
    }),
  ],
});
