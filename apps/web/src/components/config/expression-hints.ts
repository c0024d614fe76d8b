"use client";
// What the expression editor may suggest: the fields of the step's input, earlier steps and their outputs,
// the workspace's secret names and the input's header names. The builder provides it for the selected step.
import { createContext } from "react";

export type ExpressionHints = {
  /** The body of the message the step gets (pinned, sampled or from a run), undefined when none is known. */
  input: unknown;
  headers: string[];
  /** Earlier steps by id, with their (pinned or last) output body where one is known. */
  steps: Record<string, unknown>;
  secrets: string[];
};

export const NO_HINTS: ExpressionHints = { input: undefined, headers: [], steps: {}, secrets: [] };

export const ExpressionHintsContext = createContext<ExpressionHints>(NO_HINTS);
