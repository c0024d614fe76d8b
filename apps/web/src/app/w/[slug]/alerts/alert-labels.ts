import type { AlertChannelName, AlertEventName } from "@tributary/core";

export const EVENT_LABELS: Record<AlertEventName, string> = {
  run_failed: "A run fails",
  run_handled_errors: "A run has handled errors",
  trigger_failing: "A queue or stream trigger keeps failing",
  run_slow: "A run is slower than a threshold",
  queue_backlog: "Queued runs pile up",
};

export const CHANNEL_LABELS: Record<AlertChannelName, string> = {
  email: "Email",
  slack: "Slack (incoming webhook)",
  webhook: "Webhook (Standard Webhooks signature)",
  flow: "Start a flow",
};

export const EVENT_OPTIONS = Object.keys(EVENT_LABELS) as AlertEventName[];
export const CHANNEL_OPTIONS = Object.keys(CHANNEL_LABELS) as AlertChannelName[];
