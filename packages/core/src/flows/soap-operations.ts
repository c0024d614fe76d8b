// The operations a SOAP call step's WSDL offers, for the builder's operation list: the WSDL is read as the
// worker would read it (the workspace's outbound policy; a demo workspace fetches nothing).
import { createGuardedHttpClient, OutboundError, soapOperations, WsdlError } from "@tributary/connectors";
import { type Db, scoped } from "@tributary/db";
import { z } from "zod";
import { DEMO_PLAN } from "../demo/demo-plan.ts";
import { AppError } from "../errors/app-error.ts";
import { outboundPolicy } from "../workspaces/outbound-policy.ts";

export const soapOperationsInput = z.object({
  wsdl: z
    .string()
    .trim()
    .min(1, { message: "Give the WSDL's URL or paste the WSDL first." })
    .max(4 * 1024 * 1024),
});

export type SoapOperationView = {
  id: string;
  operation: string;
  soapVersion: string;
  soapAction: string;
  location: string;
  input: unknown;
};

export async function listSoapOperations({
  db,
  workspaceId,
  wsdl,
  operatorAllowedHosts,
}: { db: Db; workspaceId: string; operatorAllowedHosts?: readonly string[] } & z.output<
  typeof soapOperationsInput
>): Promise<SoapOperationView[]> {
  const workspace = await scoped(db, { workspaceId }, (tx) =>
    tx.workspace.findUniqueOrThrow({ where: { id: workspaceId }, select: { allowedHosts: true, planId: true } }),
  );
  const isUrl = /^https?:\/\//i.test(wsdl);
  if (isUrl && workspace.planId === DEMO_PLAN) {
    throw new AppError("BAD_REQUEST", "Demo workspaces cannot fetch a WSDL: paste it instead.", { field: "wsdl" });
  }
  const http = createGuardedHttpClient({
    ...outboundPolicy({ ...workspace, operatorAllowedHosts }),
    timeoutMs: 15_000,
  });
  try {
    const operations = await soapOperations({ http, wsdl });
    return operations.map(({ id, operation, soapVersion, soapAction, location, input }) => ({
      id,
      operation,
      soapVersion,
      soapAction,
      location,
      input,
    }));
  } catch (error) {
    if (error instanceof WsdlError || error instanceof OutboundError) {
      throw new AppError("BAD_REQUEST", error.message, { field: "wsdl" });
    }
    throw error;
  } finally {
    await http.close();
  }
}
