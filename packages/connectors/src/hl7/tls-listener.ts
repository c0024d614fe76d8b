// A listener's TLS identity: its certificate and key, and optionally the CA whose client certificates it
// accepts (then a client without one is refused in the handshake), narrowed to named clients if listed.
import { createPrivateKey, X509Certificate } from "node:crypto";
import type { PeerCertificate, TlsOptions } from "node:tls";
import { z } from "zod";
import { defineConnectionType } from "../connections.ts";

export const tlsListenerConfig = z.object({
  certificate: z
    .string()
    .trim()
    .min(1, { message: "Paste the listener's certificate (PEM, with its chain)." })
    .meta({ title: "Certificate (PEM)", widget: "textarea" }),
  privateKey: z.string().optional().meta({ title: "Private key (PEM)", widget: "password" }),
  clientCa: z.string().optional().meta({
    title: "Client CA (PEM)",
    description: "Set it to require client certificates signed by this CA; empty: no client certificate asked.",
    widget: "textarea",
  }),
  allowedClients: z.array(z.string().trim().min(1)).default([]).meta({
    title: "Allowed clients",
    description: "Subject common names or SHA-256 fingerprints (AB:CD:…); empty: any certificate from the CA.",
  }),
});
export type TlsListenerConfig = z.output<typeof tlsListenerConfig>;

export function tlsServerOptions(config: TlsListenerConfig): TlsOptions {
  return {
    cert: config.certificate,
    key: config.privateKey ?? "",
    ...(config.clientCa ? { ca: config.clientCa, requestCert: true, rejectUnauthorized: true } : {}),
    minVersion: "TLSv1.2",
  };
}

/** Whether a verified client certificate is one of the allowed clients (any, when none are listed). */
export function allowedClient(config: TlsListenerConfig, certificate: PeerCertificate | null): boolean {
  if (!config.clientCa || config.allowedClients.length === 0) return true;
  if (!certificate?.fingerprint256) return false;
  const names = new Set([String(certificate.subject?.CN ?? ""), certificate.fingerprint256.toUpperCase()]);
  return config.allowedClients.some((allowed) => names.has(allowed) || names.has(allowed.toUpperCase()));
}

export const tlsListenerConnection = defineConnectionType({
  type: "tls-listener",
  title: "TLS listener certificate",
  description: "The certificate and key a listener (an MLLP port) presents, and the clients it accepts.",
  config: tlsListenerConfig,
  secretFields: ["privateKey"],
  async test({ config }) {
    try {
      const certificate = new X509Certificate(config.certificate);
      if (!certificate.checkPrivateKey(createPrivateKey(config.privateKey ?? ""))) {
        return { ok: false, message: "The private key does not belong to the certificate." };
      }
      const until = new Date(certificate.validTo);
      if (until.getTime() < Date.now())
        return { ok: false, message: `The certificate expired on ${until.toISOString()}.` };
      if (config.clientCa) new X509Certificate(config.clientCa);
      return {
        ok: true,
        message: `${certificate.subject.replaceAll("\n", ", ")}, valid until ${until.toISOString()}.`,
      };
    } catch (error) {
      return { ok: false, message: `The certificate or a key cannot be read: ${(error as Error).message}` };
    }
  },
});
