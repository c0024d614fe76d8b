// Steps made for one web service, over HTTP only: Slack and Telegram messages, and GraphQL queries.
import { z } from "zod";
import { defineAction, defineConnector, headerList, StepFailure, text } from "../define.ts";
import { placeResult, resultField } from "../result-field.ts";
import { callJsonApi } from "./json-api.ts";

const secretText = (title: string, description: string) =>
  text()
    .pipe(z.string().min(1, { message: `Enter the ${title.toLowerCase()}.` }))
    .meta({ title, description, widget: "password" });

const slackMessage = defineAction({
  type: "slack.message",
  example: {
    config: {
      via: "webhook",
      webhookUrl: "{{ $secrets.SLACK_WEBHOOK_URL }}",
      text: "Order {{ id }} paid: {{ total }} EUR",
    },
  },
  title: "Slack message",
  description:
    "Posts a message to Slack, through an incoming-webhook URL or with a bot token and a channel (chat.postMessage). The body passes on (or Slack's answer goes into a field).",
  category: "Chat",
  config: z.object({
    via: z.enum(["webhook", "bot"]).default("webhook").meta({ title: "Send with" }),
    webhookUrl: text()
      .pipe(z.string())
      .optional()
      .meta({ title: "Webhook URL", description: "e.g. {{ $secrets.SLACK_WEBHOOK_URL }}", widget: "password" }),
    token: text()
      .pipe(z.string())
      .optional()
      .meta({ title: "Bot token", description: "e.g. {{ $secrets.SLACK_BOT_TOKEN }}", widget: "password" }),
    channel: text()
      .pipe(z.string())
      .optional()
      .meta({ title: "Channel (bot)", description: "e.g. #orders or C0123456" }),
    text: text()
      .pipe(z.string().min(1, { message: "Write the message." }).max(40_000))
      .meta({ title: "Text", widget: "textarea" }),
    blocks: z.array(z.unknown()).optional().meta({ title: "Blocks (Block Kit)", widget: "json" }),
    apiBase: z
      .url()
      .default("https://slack.com/api")
      .meta({ title: "API address", description: "Slack's, unless you test against another." }),
    resultField: resultField(),
  }),
  async run(context) {
    const { config, message } = context;
    const payload = { text: config.text, ...(config.blocks ? { blocks: config.blocks } : {}) };
    if (config.via === "webhook") {
      if (!config.webhookUrl) throw new StepFailure("Give the incoming-webhook URL (Slack gives one per channel).");
      const { status, json } = await callJsonApi(context, { service: "Slack", url: config.webhookUrl, body: payload });
      if (status >= 300)
        throw new StepFailure(`Slack refused the message (${status}): ${String(json)}`, { code: "slack_refused" });
      return config.resultField ? placeResult(config.resultField, message, { ok: true }) : {};
    }
    if (!config.token || !config.channel) throw new StepFailure("Give the bot token and the channel.");
    const { json } = await callJsonApi(context, {
      service: "Slack",
      url: `${config.apiBase.replace(/\/$/, "")}/chat.postMessage`,
      headers: { authorization: `Bearer ${config.token}` },
      body: { channel: config.channel, ...payload },
    });
    const answer = json as { ok?: boolean; error?: string; ts?: string; channel?: string };
    if (!answer?.ok) {
      throw new StepFailure(`Slack refused the message: ${answer?.error ?? "no answer"}.`, {
        transient: answer?.error === "ratelimited",
        code: "slack_refused",
      });
    }
    return config.resultField
      ? placeResult(config.resultField, message, { ok: true, ts: answer.ts, channel: answer.channel })
      : {};
  },
});

const telegramMessage = defineAction({
  type: "telegram.message",
  example: { config: { token: "{{ $secrets.TELEGRAM_BOT_TOKEN }}", chatId: "123456789", text: "Order {{ id }} paid" } },
  title: "Telegram message",
  description:
    "Sends a message with a Telegram bot (sendMessage). The body passes on (or the sent message goes into a field).",
  category: "Chat",
  config: z.object({
    token: secretText("Bot token", "From @BotFather, e.g. {{ $secrets.TELEGRAM_BOT_TOKEN }}"),
    chatId: text()
      .pipe(z.string().min(1, { message: "Give the chat id." }))
      .meta({ title: "Chat id", description: "A number, or @channelname" }),
    text: text()
      .pipe(z.string().min(1, { message: "Write the message." }).max(4096))
      .meta({ title: "Text", widget: "textarea" }),
    parseMode: z.enum(["none", "MarkdownV2", "HTML"]).default("none").meta({ title: "Formatting" }),
    silent: z.boolean().default(false).meta({ title: "Without a notification sound" }),
    apiBase: z
      .url()
      .default("https://api.telegram.org")
      .meta({ title: "API address", description: "Telegram's, unless you run your own Bot API server." }),
    resultField: resultField(),
  }),
  async run(context) {
    const { config, message } = context;
    const { json } = await callJsonApi(context, {
      service: "Telegram",
      url: `${config.apiBase.replace(/\/$/, "")}/bot${config.token}/sendMessage`,
      body: {
        chat_id: config.chatId,
        text: config.text,
        ...(config.parseMode === "none" ? {} : { parse_mode: config.parseMode }),
        disable_notification: config.silent,
      },
    });
    const answer = json as { ok?: boolean; description?: string; error_code?: number; result?: { message_id: number } };
    if (!answer?.ok) {
      throw new StepFailure(`Telegram refused the message: ${answer?.description ?? "no answer"}.`, {
        transient: answer?.error_code === 429,
        code: "telegram_refused",
      });
    }
    return config.resultField ? placeResult(config.resultField, message, { messageId: answer.result?.message_id }) : {};
  },
});

const graphqlQuery = defineAction({
  type: "graphql.query",
  example: {
    config: {
      url: "https://api.example.com/graphql",
      query: "query ($id: ID!) { order(id: $id) { id total } }",
      variables: { id: "{{ id }}" },
    },
    output: { order: { id: "A-1", total: 42 } },
  },
  title: "GraphQL query",
  description:
    "Sends a GraphQL query or mutation with variables; the body becomes its data. Errors in the answer fail the step (or go to the error output).",
  category: "HTTP",
  config: z.object({
    url: text()
      .pipe(z.string().min(1, { message: "Enter the GraphQL endpoint." }))
      .meta({ title: "Endpoint URL" }),
    query: text()
      .pipe(
        z
          .string()
          .min(1, { message: "Write the query." })
          .refine((query) => !query.includes("{{"), {
            message: "Do not put {{ }} in the query: use $variables and give their values in Variables.",
          }),
      )
      .meta({ title: "Query", widget: "textarea" }),
    variables: z
      .record(z.string(), z.unknown())
      .default({})
      .meta({ title: "Variables", description: 'e.g. { "id": "{{ order.id }}" }', widget: "json" }),
    operationName: text().pipe(z.string()).optional().meta({ title: "Operation name" }),
    headers: headerList().default([]).meta({
      title: "Headers",
      description: "e.g. Authorization: Bearer {{ $secrets.API_TOKEN }}",
      widget: "keyValue",
    }),
    timeoutSeconds: z.number().int().min(1).max(300).default(30).meta({ title: "Timeout (s)" }),
    resultField: resultField(),
  }),
  async run(context) {
    const { config, message } = context;
    const { status, json } = await callJsonApi(context, {
      service: `GraphQL at ${new URL(config.url).host}`,
      url: config.url,
      headers: Object.fromEntries(config.headers.map(({ name, value }) => [name.toLowerCase(), value])),
      body: {
        query: config.query,
        variables: config.variables,
        ...(config.operationName ? { operationName: config.operationName } : {}),
      },
      timeoutSeconds: config.timeoutSeconds,
    });
    const answer = json as { data?: unknown; errors?: { message: string }[] } | null;
    if (answer?.errors?.length) {
      throw new StepFailure(`GraphQL: ${answer.errors.map((error) => error.message).join("; ")}`, {
        code: "graphql_errors",
      });
    }
    if (status >= 300 || !answer || !("data" in answer)) {
      throw new StepFailure(`GraphQL at ${new URL(config.url).host} answered ${status} without data.`, {
        code: `http_${status}`,
      });
    }
    return placeResult(config.resultField, message, answer.data);
  },
});

export const presetsConnector = defineConnector({
  id: "presets",
  title: "Slack, Telegram, GraphQL",
  description: "Messages to Slack and Telegram, and GraphQL queries — over HTTP, through the guarded client.",
  steps: [slackMessage, telegramMessage, graphqlQuery],
});
