// A connection's config is split in two: the public part (shown in the UI) and the secret fields, sealed as
// one JSON envelope bound to the connection.
import { type SecretBox, SecretBoxError } from "@tributary/db";
import { AppError } from "../errors/app-error.ts";

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

/**
 * The connection's secret fields, opened. One that cannot be opened (tampered, or sealed with a key this process
 * is not given) is a PRECONDITION_FAILED naming the connection and what to do, never a bare crash.
 */
export function openSecrets({
  secretBox,
  envelope,
  workspaceId,
  connectionId,
  name = "this connection",
}: {
  secretBox: SecretBox;
  envelope: Uint8Array | null;
  workspaceId: string;
  connectionId: string;
  name?: string;
}): Record<string, unknown> {
  if (!envelope) return {};
  try {
    return JSON.parse(secretBox.open(envelope, connectionContext({ workspaceId, connectionId }))) as Record<
      string,
      unknown
    >;
  } catch (error) {
    if (!(error instanceof SecretBoxError)) throw error;
    throw new AppError(
      "PRECONDITION_FAILED",
      `The secret fields of ${name} cannot be opened: ${error.message} Edit the connection and enter them again, or give the key they were sealed with in ENCRYPTION_PREVIOUS_KEYS.`,
      { reason: "secret_unreadable", connectionId },
    );
  }
}
