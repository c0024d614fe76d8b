// A workspace's OpenID Connect provider as openid-client sees it: discovered from its issuer through the guarded
// outbound client (a provider on a private network must be in the workspace's or the operator's allowed hosts,
// and only such a provider may be reached over plain http).
import { allowedHostPattern, createGuardedFetch, OutboundError } from "@tributary/connectors";
import * as oidc from "openid-client";
import { AppError } from "../errors/app-error.ts";

export type ProviderClient = { issuer: string; clientId: string; clientSecret: string };

const DISCOVERY_TIMEOUT_SECONDS = 10;

/** Plain http is for a provider the workspace or the operator named as a private host, never for the internet. */
function allowsPlainHttp(issuer: URL, allowHosts: readonly string[]): boolean {
  const host = issuer.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return allowHosts.some(
    (entry) =>
      allowedHostPattern(entry)
        .replace(/^\[|\]$/g, "")
        .toLowerCase() === host,
  );
}

/** The issuer as typed, checked: an absolute https URL (http only for an allowed private host), no query. */
export function issuerUrl(issuer: string, allowHosts: readonly string[]): URL {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    throw new AppError("BAD_REQUEST", `"${issuer}" is not a URL; enter the issuer, like https://login.example.com.`, {
      field: "issuer",
    });
  }
  if (url.search || url.hash) {
    throw new AppError("BAD_REQUEST", "The issuer has no query or fragment; enter it as the provider shows it.", {
      field: "issuer",
    });
  }
  if (url.protocol === "http:" && !allowsPlainHttp(url, allowHosts)) {
    throw new AppError(
      "BAD_REQUEST",
      `The issuer must use https. Plain http is accepted only for a provider on your own network whose host (${url.hostname}) is in the workspace's allowed hosts.`,
      { field: "issuer" },
    );
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new AppError("BAD_REQUEST", "The issuer must be an https URL.", { field: "issuer" });
  }
  return url;
}

/**
 * Reads the provider's discovery document and returns the client configuration for the code flow. A provider that
 * cannot be reached or answers with something else is a BAD_REQUEST naming what failed.
 */
export async function discoverProvider({
  issuer,
  clientId,
  clientSecret,
  allowHosts,
}: ProviderClient & { allowHosts: readonly string[] }): Promise<oidc.Configuration> {
  const url = issuerUrl(issuer, allowHosts);
  const guardedFetch = createGuardedFetch({ allowHosts });
  try {
    const config = await oidc.discovery(url, clientId, clientSecret, undefined, {
      // openid-client's options are a RequestInit in all but the name of its body type.
      [oidc.customFetch]: (target, options) => guardedFetch(target, options as RequestInit),
      timeout: DISCOVERY_TIMEOUT_SECONDS,
      ...(url.protocol === "http:" ? { execute: [oidc.allowInsecureRequests] } : {}),
    });
    const methods = config.serverMetadata().code_challenge_methods_supported;
    if (methods && !methods.includes("S256")) {
      throw new AppError(
        "BAD_REQUEST",
        "The provider does not offer PKCE with S256, which Tributary's sign-in requires. Turn it on for the client at the provider.",
        { field: "issuer" },
      );
    }
    return config;
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError(
      "BAD_REQUEST",
      `Could not read the provider's discovery document (${new URL(".well-known/openid-configuration", `${url.href.replace(/\/?$/, "/")}`).href}): ${describe(error)}`,
      { field: "issuer" },
    );
  }
}

function describe(error: unknown): string {
  if (error instanceof OutboundError) return error.message;
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? ` (${error.cause.message})` : "";
    return `${error.message}${cause}`;
  }
  return String(error);
}
