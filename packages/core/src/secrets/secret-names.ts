import { z } from "zod";

export const secretNameSchema = z.string().regex(/^[A-Z][A-Z0-9_]{0,63}$/, {
  message: "Secret names use capital letters, digits and _, starting with a letter (e.g. API_TOKEN).",
});

/** Binds a sealed value to its workspace and name: a ciphertext moved elsewhere does not open. */
export const secretContext = ({ workspaceId, name }: { workspaceId: string; name: string }) =>
  `secret:${workspaceId}:${name}`;
