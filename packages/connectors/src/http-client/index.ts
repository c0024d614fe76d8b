export { type AddressPolicy, specialRange } from "./address-policy.ts";
export { allowedHostEntryProblem, allowedHostPattern } from "./allowed-host-entry.ts";
export {
  isTransient,
  OutboundBlockedError,
  OutboundConnectionError,
  OutboundError,
  OutboundResponseTooLargeError,
  OutboundTimeoutError,
} from "./errors.ts";
export type { Lookup } from "./guarded-connector.ts";
export { createGuardedFetch, type GuardedFetch } from "./guarded-fetch.ts";
export {
  createGuardedHttpClient,
  type GuardedHttpClient,
  type GuardedHttpClientOptions,
  type HttpMethod,
  type HttpRequest,
  type HttpResponse,
} from "./guarded-http-client.ts";
