// The step and connection types this Tributary offers, as the builder and the API describe them.
import { CONNECTION_TYPES, type PaletteEntry, palette } from "@tributary/connectors";
import { z } from "zod";

export type { PaletteEntry };

export function stepTypes(): PaletteEntry[] {
  return palette();
}

export type ConnectionTypeEntry = {
  type: string;
  title: string;
  description: string;
  secretFields: string[];
  configSchema: unknown;
};

export function connectionTypes(): ConnectionTypeEntry[] {
  return [...CONNECTION_TYPES.values()].map((type) => ({
    type: type.type,
    title: type.title,
    description: type.description,
    secretFields: [...type.secretFields],
    configSchema: z.toJSONSchema(type.config, { io: "input", unrepresentable: "any" }),
  }));
}
