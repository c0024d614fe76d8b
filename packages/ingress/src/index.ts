export { createWebhookHandler, type WebhookHandler, type WebhookHandlerDeps } from "./webhook-handler.ts";
export { HOOKS_PREFIX, TEST_HOOKS_PREFIX } from "./webhook-request.ts";
