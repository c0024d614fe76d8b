-- Topics between flows: messages published to a topic wait in Postgres for each subscriber until its run for
-- them is committed.
CREATE TABLE "topics" (
    "id" UUID NOT NULL,
    "workspace_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "max_depth" INTEGER NOT NULL DEFAULT 10000,
    "max_age_seconds" INTEGER NOT NULL DEFAULT 604800,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "topics_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "topics_workspace_id_name_key" ON "topics"("workspace_id", "name");
ALTER TABLE "topics" ADD CONSTRAINT "topics_workspace_id_fkey" FOREIGN KEY ("workspace_id") REFERENCES "workspaces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "topic_messages" (
    "id" UUID NOT NULL,
    "workspace_id" UUID NOT NULL,
    "topic_id" UUID NOT NULL,
    "publish_key" TEXT NOT NULL,
    "body" JSON NOT NULL,
    "headers" JSON NOT NULL DEFAULT '[]',
    "published_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "topic_messages_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "topic_messages_workspace_id_publish_key_key" ON "topic_messages"("workspace_id", "publish_key");
CREATE INDEX "topic_messages_topic_id_id_idx" ON "topic_messages"("topic_id", "id");
ALTER TABLE "topic_messages" ADD CONSTRAINT "topic_messages_topic_id_fkey" FOREIGN KEY ("topic_id") REFERENCES "topics"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "topic_subscribers" (
    "workspace_id" UUID NOT NULL,
    "topic_id" UUID NOT NULL,
    "flow_id" UUID NOT NULL,
    "step_id" TEXT NOT NULL,
    "subscribed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "topic_subscribers_pkey" PRIMARY KEY ("flow_id", "step_id")
);
CREATE INDEX "topic_subscribers_topic_id_idx" ON "topic_subscribers"("topic_id");
ALTER TABLE "topic_subscribers" ADD CONSTRAINT "topic_subscribers_topic_id_fkey" FOREIGN KEY ("topic_id") REFERENCES "topics"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "topic_subscribers" ADD CONSTRAINT "topic_subscribers_flow_id_fkey" FOREIGN KEY ("flow_id") REFERENCES "flows"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "topic_deliveries" (
    "workspace_id" UUID NOT NULL,
    "message_id" UUID NOT NULL,
    "flow_id" UUID NOT NULL,
    "step_id" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,

    CONSTRAINT "topic_deliveries_pkey" PRIMARY KEY ("flow_id", "step_id", "message_id")
);
CREATE INDEX "topic_deliveries_message_id_idx" ON "topic_deliveries"("message_id");
ALTER TABLE "topic_deliveries" ADD CONSTRAINT "topic_deliveries_message_id_fkey" FOREIGN KEY ("message_id") REFERENCES "topic_messages"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "topic_deliveries" ADD CONSTRAINT "topic_deliveries_flow_id_step_id_fkey" FOREIGN KEY ("flow_id", "step_id") REFERENCES "topic_subscribers"("flow_id", "step_id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "topics" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "topics" FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON "topics" USING (workspace_id = app_workspace_id()) WITH CHECK (workspace_id = app_workspace_id());
ALTER TABLE "topic_messages" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "topic_messages" FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON "topic_messages" USING (workspace_id = app_workspace_id()) WITH CHECK (workspace_id = app_workspace_id());
ALTER TABLE "topic_subscribers" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "topic_subscribers" FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON "topic_subscribers" USING (workspace_id = app_workspace_id()) WITH CHECK (workspace_id = app_workspace_id());
ALTER TABLE "topic_deliveries" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "topic_deliveries" FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON "topic_deliveries" USING (workspace_id = app_workspace_id()) WITH CHECK (workspace_id = app_workspace_id());
