// A connection's config is split in two: the public part (shown in the UI) and the secret fields, sealed as
// one JSON envelope bound to the connection.
import type { SecretBox } from "@tributary/db";

export const connectionContext = ({ workspaceId, connectionId }: { workspaceId: string; connectionId: string }) =>
  `connection:${workspaceId}:${connectionId}`;

export function splitConfig({
  config,
  secretFields,
}: {
  config: Record<string, unknown>;
  secretFields: readonly string[];
}) {
  const open: Record<string, unknown> = {};
  const secret: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(config)) {
    if (secretFields.includes(field)) {
      if (value !== undefined && value !== "") secret[field] = value;
    } else open[field] = value;
  }
  return { open, secret };
}

export function openSecrets({
  secretBox,
  envelope,
  workspaceId,
  connectionId,
}: {
  secretBox: SecretBox;
  envelope: Uint8Array | null;
  workspaceId: string;
  connectionId: string;
}): Record<string, unknown> {
  if (!envelope) return {};
  return JSON.parse(secretBox.open(envelope, connectionContext({ workspaceId, connectionId }))) as Record<
    string,
    unknown
  >;
}
