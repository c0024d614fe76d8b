// Names and ids of what a flow refers to: a flow file names connections, security rules, called flows and
// secrets; this workspace's graphs hold its own ids. Saving resolves what it can, and validation and publish
// refuse what does not resolve here, naming it (so a flow from another workspace cannot run on its ids).
import { stepCatalog } from "@tributary/connectors";
import { type Db, scoped, type Tx } from "@tributary/db";
import {
  type FlowGraph,
  nameReferences,
  type ReferenceDirectory,
  resolveReferences,
  type UnresolvedReference,
} from "@tributary/engine";

export async function referenceDirectory({
  tx,
  workspaceId,
}: {
  tx: Tx;
  workspaceId: string;
}): Promise<ReferenceDirectory> {
  const where = { workspaceId };
  const select = { id: true, name: true };
  const [connection, securityRule, flow, secrets] = await Promise.all([
    tx.connection.findMany({ where, select }),
    tx.securityRule.findMany({ where, select }),
    tx.flow.findMany({ where, select }),
    tx.secret.findMany({ where, select: { name: true } }),
  ]);
  return { connection, securityRule, flow, secret: secrets.map((secret) => secret.name) };
}

/** The graph with this workspace's ids for every name it resolves, and what does not resolve. */
export async function resolveFlowReferences({
  db,
  tx,
  workspaceId,
  graph,
}: {
  workspaceId: string;
  graph: FlowGraph;
} & ({ db: Db; tx?: undefined } | { tx: Tx; db?: undefined })): Promise<{
  graph: FlowGraph;
  unresolved: UnresolvedReference[];
}> {
  const directory = tx
    ? await referenceDirectory({ tx, workspaceId })
    : await scoped(db as Db, { workspaceId }, (inner) => referenceDirectory({ tx: inner, workspaceId }));
  return resolveReferences({ graph, catalog: stepCatalog, directory });
}

/** The graph as a flow file holds it: names instead of this workspace's ids. */
export async function portableGraph({
  tx,
  workspaceId,
  graph,
}: {
  tx: Tx;
  workspaceId: string;
  graph: FlowGraph;
}): Promise<FlowGraph> {
  return nameReferences({ graph, catalog: stepCatalog, directory: await referenceDirectory({ tx, workspaceId }) });
}
