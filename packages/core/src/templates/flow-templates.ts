// The template gallery: flows a newcomer starts from, one per common integration, each with the sample
// message its trigger would get. Every template validates as it is (test/integration/templates.test.ts), and
// those that need no outside service run as they are. Steps that talk to an outside system leave their
// connection to be chosen: `connections` names them, and a new flow takes the workspace's own when it has one.
import type { FlowGraph, FlowStep } from "@tributary/engine";

export type FlowTemplate = {
  id: string;
  title: string;
  description: string;
  /** Searchable words: systems, formats, what it does. */
  tags: string[];
  /** What must exist outside Tributary for it to run (empty: it runs as it is). */
  needs: string[];
  /** Steps whose `connectionId` the user chooses, and the connection type each takes. */
  connections: { stepId: string; type: string }[];
  graph: FlowGraph;
  /** The trigger's sample message: pinned on the new draft's trigger, what step tests and a test run start from. */
  sample: { body: unknown };
};

type StepSpec = [id: string, type: string, config?: Record<string, unknown>, name?: string];

/** A left-to-right graph: steps laid out in order, edges as [from, to, output?]. */
function flow(steps: StepSpec[], edges: [string, string, string?][], rows: Record<string, number> = {}): FlowGraph {
  let column = 0;
  return {
    version: 1,
    steps: steps.map(([id, type, config, name]): FlowStep => {
      const row = rows[id] ?? 0;
      const step: FlowStep = { id, type, config: config ?? {}, position: { x: column * 280, y: row * 140 } };
      if (row === 0 || !(id in rows)) column += 1;
      return name ? { ...step, name } : step;
    }),
    edges: edges.map(([from, to, output]) => ({ from, to, output: output ?? "out" })),
  };
}

const ORDER = { id: "A-1041", customer: { name: "Ada Lovelace", email: "ada@example.com" }, total: 129.5 };

const ADT_MESSAGE =
  "MSH|^~\\&|ADMIT|HOSP|LAB|HOSP|202611301200||ADT^A01|MSG00001|P|2.5\rPID|1||4711^^^HOSP^MR||LOVELACE^ADA||18151210|F\rPV1|1|I|W^101^1";

export const FLOW_TEMPLATES: FlowTemplate[] = [
  {
    id: "webhook-to-slack",
    title: "Webhook → Slack message",
    description: "Posts a message to a Slack channel for every call of a webhook, e.g. a new order from your shop.",
    tags: ["slack", "webhook", "notification", "chat", "alert"],
    needs: ["A Slack incoming-webhook URL in the secret SLACK_WEBHOOK_URL"],
    connections: [],
    graph: flow(
      [
        ["order", "trigger.webhook", { path: "orders-to-slack", methods: ["POST"] }, "New order"],
        [
          "notify",
          "slack.message",
          {
            via: "webhook",
            webhookUrl: "{{ $secrets.SLACK_WEBHOOK_URL }}",
            text: "New order {{ id }} from {{ customer.name }}: {{ total }} EUR",
          },
          "Tell the team",
        ],
      ],
      [["order", "notify"]],
    ),
    sample: { body: ORDER },
  },
  {
    id: "postgres-rows-to-email",
    title: "PostgreSQL rows → daily email",
    description: "Every morning, reads yesterday's orders from PostgreSQL and emails a summary.",
    tags: ["postgres", "postgresql", "sql", "database", "email", "smtp", "schedule", "report"],
    needs: ["A PostgreSQL connection", "An SMTP connection"],
    connections: [
      { stepId: "orders", type: "postgres" },
      { stepId: "mail", type: "smtp" },
    ],
    graph: flow(
      [
        ["daily", "trigger.schedule", { cron: "0 7 * * *", timezone: "UTC" }, "Every morning"],
        [
          "orders",
          "postgres.query",
          {
            sql: "SELECT id, customer, total FROM orders WHERE created_at >= now() - interval '1 day' ORDER BY created_at",
            params: [],
            resultField: "orders",
          },
          "Yesterday's orders",
        ],
        [
          "mail",
          "smtp.send",
          {
            to: "team@example.com",
            subject: "{{ $count(orders.rows) }} orders yesterday",
            text: "Orders of the last day: {{ $join(orders.rows.(id & ' ' & customer & ' ' & total), ', ') }}",
          },
          "Email the summary",
        ],
      ],
      [
        ["daily", "orders"],
        ["orders", "mail"],
      ],
    ),
    sample: { body: { firedAt: "2026-12-01T07:00:00.000Z" } },
  },
  {
    id: "hl7-to-json",
    title: "HL7 v2 → JSON",
    description: "Takes an HL7 v2 message over HTTP and answers with its segments as JSON, the patient picked out.",
    tags: ["hl7", "healthcare", "json", "webhook", "convert", "adt"],
    needs: [],
    connections: [],
    graph: flow(
      [
        ["hl7", "trigger.webhook", { path: "hl7-to-json", methods: ["POST"], responseMode: "sync" }, "HL7 in"],
        ["parse", "format.hl7", { direction: "parse" }, "Parse HL7"],
        [
          "patient",
          "data.transform",
          {
            expression:
              "{ 'type': segments[name = 'MSH'].fields[9], 'patientId': segments[name = 'PID'].fields[3][0], 'name': segments[name = 'PID'].fields[5], 'segments': segments }",
          },
          "Pick out the patient",
        ],
        ["answer", "http.respond", { status: 200 }, "Answer with JSON"],
      ],
      [
        ["hl7", "parse"],
        ["parse", "patient"],
        ["patient", "answer"],
      ],
    ),
    sample: { body: ADT_MESSAGE },
  },
  {
    id: "csv-to-mysql",
    title: "CSV → MySQL",
    description: "Accepts a CSV file over HTTP and inserts its rows into a MySQL or MariaDB table.",
    tags: ["csv", "mysql", "mariadb", "database", "import", "webhook", "file"],
    needs: ["A MySQL connection", "A contacts table (email, name, city)"],
    connections: [{ stepId: "insert", type: "mysql" }],
    graph: flow(
      [
        ["upload", "trigger.webhook", { path: "contacts-csv", methods: ["POST"] }, "CSV upload"],
        ["parse", "format.csv", { direction: "parse", header: true }, "Parse CSV"],
        [
          "insert",
          "mysql.insert",
          { table: "contacts", onConflict: "update", conflictColumns: ["email"] },
          "Insert rows",
        ],
      ],
      [
        ["upload", "parse"],
        ["parse", "insert"],
      ],
    ),
    sample: { body: "email,name,city\nada@example.com,Ada Lovelace,London\ngrace@example.com,Grace Hopper,New York\n" },
  },
  {
    id: "rabbitmq-to-postgres",
    title: "RabbitMQ → PostgreSQL",
    description: "Consumes order messages from a RabbitMQ queue and upserts each into a PostgreSQL table.",
    tags: ["rabbitmq", "amqp", "queue", "postgres", "postgresql", "database", "messaging"],
    needs: ["An AMQP (RabbitMQ) connection", "A PostgreSQL connection with an orders table"],
    connections: [
      { stepId: "queue", type: "amqp" },
      { stepId: "store", type: "postgres" },
    ],
    graph: flow(
      [
        ["queue", "amqp.consume", { queue: "orders" }, "Orders queue"],
        [
          "shape",
          "data.transform",
          { expression: "{ 'id': id, 'customer': customer.name, 'total': total }" },
          "Shape the row",
        ],
        ["store", "postgres.insert", { table: "orders", onConflict: "update", conflictColumns: ["id"] }, "Upsert"],
      ],
      [
        ["queue", "shape"],
        ["shape", "store"],
      ],
    ),
    sample: { body: ORDER },
  },
  {
    id: "schedule-http-mqtt",
    title: "Schedule → HTTP → MQTT",
    description: "Every five minutes, reads a sensor API over HTTP and publishes the reading to an MQTT topic.",
    tags: ["schedule", "http", "api", "mqtt", "iot", "sensor", "poll"],
    needs: ["An HTTP API to read", "An MQTT connection"],
    connections: [{ stepId: "publish", type: "mqtt" }],
    graph: flow(
      [
        ["every", "trigger.schedule", { cron: "*/5 * * * *", timezone: "UTC" }, "Every 5 minutes"],
        ["read", "http.request", { method: "GET", url: "https://api.example.com/sensors/boiler" }, "Read the sensor"],
        [
          "reading",
          "data.transform",
          { expression: "{ 'sensor': 'boiler', 'celsius': body.temperature, 'at': $now() }" },
          "Make a reading",
        ],
        ["publish", "mqtt.publish", { topic: "plant/boiler/temperature", qos: 1, retain: true }, "Publish"],
      ],
      [
        ["every", "read"],
        ["read", "reading"],
        ["reading", "publish"],
      ],
    ),
    sample: { body: { firedAt: "2026-12-01T07:05:00.000Z" } },
  },
  {
    id: "webhook-quote-api",
    title: "Webhook API: price an order",
    description: "A small JSON API: the caller posts an order and gets its price back in the same answer.",
    tags: ["webhook", "api", "json", "transform", "respond", "sync"],
    needs: [],
    connections: [],
    graph: flow(
      [
        ["order", "trigger.webhook", { path: "quote", methods: ["POST"], responseMode: "sync" }, "Order in"],
        [
          "price",
          "data.transform",
          {
            expression:
              "{ 'item': item, 'quantity': qty, 'total': qty * 4.5, 'currency': 'EUR', 'discount': qty >= 10 ? 0.1 : 0 }",
          },
          "Price it",
        ],
        ["answer", "http.respond", { status: 200 }, "Answer"],
      ],
      [
        ["order", "price"],
        ["price", "answer"],
      ],
    ),
    sample: { body: { item: "tea", qty: 12 } },
  },
  {
    id: "xml-to-json",
    title: "XML → JSON",
    description: "Takes an XML document over HTTP and answers with it as JSON.",
    tags: ["xml", "json", "convert", "webhook", "format"],
    needs: [],
    connections: [],
    graph: flow(
      [
        ["xml", "trigger.webhook", { path: "xml-to-json", methods: ["POST"], responseMode: "sync" }, "XML in"],
        ["parse", "format.xml", { direction: "parse" }, "Parse XML"],
        ["answer", "http.respond", { status: 200 }, "Answer with JSON"],
      ],
      [
        ["xml", "parse"],
        ["parse", "answer"],
      ],
    ),
    sample: { body: '<order id="A-1041"><customer>Ada Lovelace</customer><total>129.5</total></order>' },
  },
  {
    id: "code-enrich-order",
    title: "Enrich an order with TypeScript",
    description: "A typed code step computes totals and tax from the order lines; the result goes to the run log.",
    tags: ["code", "typescript", "transform", "manual", "calculate"],
    needs: [],
    connections: [],
    graph: flow(
      [
        ["start", "trigger.manual", {}, "Start"],
        [
          "enrich",
          "code.typescript",
          {
            source: `type Line = { sku: string; qty: number; price: number };
type Order = { id: string; lines: Line[] };

export default function (message: Message<Order>, ctx: StepContext) {
  const net = message.body.lines.reduce((sum, line) => sum + line.qty * line.price, 0);
  const tax = Math.round(net * 0.2 * 100) / 100;
  ctx.log.info(\`order \${message.body.id}: \${net} net\`);
  return { ...message.body, net, tax, gross: net + tax };
}
`,
          },
          "Compute totals",
        ],
        ["log", "util.log", { message: "Order {{ id }} comes to {{ gross }}" }, "Log it"],
      ],
      [
        ["start", "enrich"],
        ["enrich", "log"],
      ],
    ),
    sample: {
      body: {
        id: "A-1041",
        lines: [
          { sku: "TEA", qty: 2, price: 4.5 },
          { sku: "CUP", qty: 1, price: 12 },
        ],
      },
    },
  },
  {
    id: "route-by-value",
    title: "Route large orders",
    description: "A webhook whose orders over 100 take one path and the rest another.",
    tags: ["branch", "route", "condition", "webhook", "if"],
    needs: [],
    connections: [],
    graph: flow(
      [
        ["order", "trigger.webhook", { path: "orders-route", methods: ["POST"] }, "Order in"],
        ["large", "flow.branch", { condition: "total > 100" }, "Over 100?"],
        ["review", "util.log", { level: "warn", message: "Order {{ id }} needs a review: {{ total }}" }, "Review"],
        ["accept", "util.log", { message: "Order {{ id }} accepted" }, "Accept"],
      ],
      [
        ["order", "large"],
        ["large", "review", "true"],
        ["large", "accept", "false"],
      ],
      { accept: 1 },
    ),
    sample: { body: ORDER },
  },
  {
    id: "loop-order-lines",
    title: "Each line of an order",
    description: "Loops over an order's lines, prices each one, and adds them up when the loop is done.",
    tags: ["loop", "each", "list", "array", "transform", "manual"],
    needs: [],
    connections: [],
    graph: flow(
      [
        ["start", "trigger.manual", {}, "Start"],
        ["each", "flow.loop", { items: "lines" }, "Each line"],
        ["line", "data.transform", { expression: "{ 'sku': sku, 'amount': qty * price }" }, "Price the line"],
        ["total", "data.transform", { expression: "{ 'total': $sum($.amount), 'lines': $count($) }" }, "Add up"],
      ],
      [
        ["start", "each"],
        ["each", "line", "item"],
        ["each", "total", "done"],
      ],
      { total: 1 },
    ),
    sample: {
      body: {
        lines: [
          { sku: "TEA", qty: 2, price: 4.5 },
          { sku: "CUP", qty: 1, price: 12 },
        ],
      },
    },
  },
  {
    id: "webhook-to-telegram",
    title: "Webhook → Telegram alert",
    description: "Sends a Telegram message when a monitoring system calls the webhook with an alert.",
    tags: ["telegram", "chat", "alert", "notification", "webhook", "monitoring"],
    needs: ["A Telegram bot token in the secret TELEGRAM_BOT_TOKEN"],
    connections: [],
    graph: flow(
      [
        ["alert", "trigger.webhook", { path: "alerts-to-telegram", methods: ["POST"] }, "Alert in"],
        [
          "send",
          "telegram.message",
          {
            token: "{{ $secrets.TELEGRAM_BOT_TOKEN }}",
            chatId: "@ops_alerts",
            text: "{{ severity }}: {{ summary }}",
          },
          "Tell on-call",
        ],
      ],
      [["alert", "send"]],
    ),
    sample: { body: { severity: "critical", summary: "Disk full on db-1" } },
  },
  {
    id: "redis-page-counter",
    title: "Count hits in Redis",
    description: "Counts calls per page in Redis and answers with the new count.",
    tags: ["redis", "counter", "cache", "webhook", "api"],
    needs: ["A Redis connection"],
    connections: [{ stepId: "count", type: "redis" }],
    graph: flow(
      [
        ["hit", "trigger.webhook", { path: "hits", methods: ["POST"], responseMode: "sync" }, "Hit"],
        ["count", "redis.incr", { key: "hits:{{ page }}", resultField: "hits" }, "Count it"],
        ["answer", "http.respond", { status: 200 }, "Answer"],
      ],
      [
        ["hit", "count"],
        ["count", "answer"],
      ],
    ),
    sample: { body: { page: "/pricing" } },
  },
  {
    id: "nats-to-http",
    title: "NATS → HTTP API",
    description: "Forwards each message of a NATS subject to an HTTP API as JSON.",
    tags: ["nats", "messaging", "http", "api", "forward"],
    needs: ["A NATS connection", "An HTTP API to call"],
    connections: [{ stepId: "events", type: "nats" }],
    graph: flow(
      [
        ["events", "nats.subscribe", { subject: "orders.created" }, "orders.created"],
        [
          "forward",
          "http.request",
          { method: "POST", url: "https://api.example.com/orders", sendBody: true },
          "POST to the API",
        ],
      ],
      [["events", "forward"]],
    ),
    sample: { body: ORDER },
  },
];
