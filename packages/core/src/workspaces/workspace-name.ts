import { z } from "zod";

export const workspaceNameSchema = z
  .string()
  .trim()
  .min(1, { message: "Give the workspace a name." })
  .max(80, { message: "Keep the name under 80 characters." });
