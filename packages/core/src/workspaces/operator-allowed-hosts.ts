// OUTBOUND_ALLOWED_HOSTS: the hosts and ranges the operator of a self-hosted installation lets every workspace
// reach (the databases on its own network), comma- or space-separated, each checked as a workspace's entries are.
// Demo workspaces are not widened by it: they reach only the sample API.
import { allowedHostEntryProblem } from "@tributary/connectors";
import { z } from "zod";

export const operatorAllowedHostsSetting = z
  .string()
  .default("")
  .transform((raw) => raw.split(/[\s,]+/).filter(Boolean))
  .superRefine((hosts, context) => {
    for (const host of hosts) {
      const problem = allowedHostEntryProblem(host);
      if (problem) context.addIssue({ code: "custom", message: problem });
    }
  });
