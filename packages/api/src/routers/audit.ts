import { listAuditEvents, listAuditEventsInput } from "@tributary/core";
import { router, workspaceProcedure } from "../trpc.ts";

export const auditRouter = router({
  list: workspaceProcedure("audit.read")
    .input(listAuditEventsInput)
    .query(({ ctx: { db, workspace }, input }) => listAuditEvents({ db, ...input, workspaceId: workspace.id })),
});
