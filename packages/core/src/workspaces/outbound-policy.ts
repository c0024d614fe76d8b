// Where a workspace's outbound calls may go, by its plan: a demo reaches only the sample API (and, where no
// sample API is given, nothing), every other workspace any public address plus the private hosts it allows and
// those the operator allows every workspace (OUTBOUND_ALLOWED_HOSTS).
import type { AddressPolicy } from "@tributary/connectors";
import { DEMO_PLAN } from "../demo/demo-plan.ts";

export function outboundPolicy({
  planId,
  allowedHosts,
  demoApiUrl,
  operatorAllowedHosts = [],
}: {
  planId: string;
  allowedHosts: string[];
  demoApiUrl?: string;
  operatorAllowedHosts?: readonly string[];
}): AddressPolicy {
  if (planId === DEMO_PLAN) return { allowOnlyUrls: demoApiUrl ? [demoApiUrl] : [] };
  return { allowHosts: [...operatorAllowedHosts, ...allowedHosts] };
}
