// The workspace around the flows: the calling key itself, the allowed hosts of its outbound calls, connections and secrets
// (values write-only), security rules and members (read-only: managing them is left to the web app).
import {
  allowedHostsInput,
  connectionTypes,
  deleteConnection,
  deleteSecret,
  getWorkspaceSettings,
  keyIdentity,
  listConnections,
  listMembers,
  listSecrets,
  listSecurityRules,
  ROLES,
  RULE_TYPES,
  saveConnection,
  saveConnectionInput,
  securityRuleUsage,
  setSecret,
  setSecretInput,
  testConnection,
  updateWorkspaceSettings,
} from "@tributary/core";
import { z } from "zod";
import { date, nothing, type Operation, operation } from "../operation.ts";

const connection = z.object({
  id: z.uuid(),
  name: z.string(),
  type: z.string(),
  config: z.record(z.string(), z.unknown()),
  secretFieldsSet: z.array(z.string()),
  lastCheckedAt: date.nullable(),
  lastCheckOk: z.boolean().nullable(),
  lastCheckNote: z.string().nullable(),
});
const connectionId = z.object({ connectionId: z.uuid() });
const allowedHosts = z.object({
  allowedHosts: z.array(z.string()),
  /** OUTBOUND_ALLOWED_HOSTS, set by the installation's operator; not changeable here. */
  operatorAllowedHosts: z.array(z.string()),
});
const connectionBody = saveConnectionInput.omit({ connectionId: true });
const secretName = setSecretInput.pick({ name: true });

export const WORKSPACE_OPERATIONS: Operation[] = [
  operation({
    id: "getKey",
    method: "GET",
    path: "/key",
    summary: "The API key making the call: its name, its role and the workspace it acts in",
    action: "workspace.read",
    input: z.object({}),
    output: z.object({
      keyId: z.uuid(),
      name: z.string(),
      role: z.enum(ROLES),
      workspace: z.object({ id: z.uuid(), slug: z.string(), name: z.string() }),
    }),
    run: ({ db, key }) => keyIdentity({ db, principal: key }),
  }),
  operation({
    id: "getAllowedHosts",
    method: "GET",
    path: "/allowed-hosts",
    summary:
      "The private hosts, IPs and CIDR ranges this workspace's outbound calls may reach, and those the installation allows every workspace",
    action: "workspace.read",
    input: z.object({}),
    output: allowedHosts,
    run: async ({ db, workspaceId, operatorAllowedHosts }) => ({
      allowedHosts: (await getWorkspaceSettings({ db, workspaceId })).allowedHosts,
      operatorAllowedHosts: [...operatorAllowedHosts],
    }),
  }),
  operation({
    id: "setAllowedHosts",
    method: "PUT",
    path: "/allowed-hosts",
    summary:
      "Replace the workspace's allowed hosts (host, host:port, IP or CIDR range; owners and admins); the next run uses them",
    action: "settings.manage",
    input: z.object({ allowedHosts: allowedHostsInput }),
    output: allowedHosts,
    run: async ({ db, workspaceId, actor, operatorAllowedHosts }, input) => ({
      allowedHosts: (await updateWorkspaceSettings({ db, workspaceId, actor, allowedHosts: input.allowedHosts }))
        .allowedHosts,
      operatorAllowedHosts: [...operatorAllowedHosts],
    }),
  }),
  operation({
    id: "listConnectionTypes",
    method: "GET",
    path: "/connection-types",
    summary: "The kinds of connection, with the JSON Schema of their config and which fields are secret",
    action: "connections.read",
    input: z.object({}),
    output: z.object({
      types: z.array(
        z.object({
          type: z.string(),
          title: z.string(),
          description: z.string(),
          secretFields: z.array(z.string()),
          configSchema: z.record(z.string(), z.unknown()),
        }),
      ),
    }),
    run: async () => ({ types: connectionTypes() }),
  }),
  operation({
    id: "listConnections",
    method: "GET",
    path: "/connections",
    summary: "The workspace's outgoing connections (secret fields are named, never shown)",
    action: "connections.read",
    input: z.object({}),
    output: z.object({ connections: z.array(connection) }),
    run: async ({ db, workspaceId }) => ({ connections: await listConnections({ db, workspaceId }) }),
  }),
  operation({
    id: "createConnection",
    method: "POST",
    path: "/connections",
    summary: "Create a connection; its config is checked by its type and its secret fields sealed",
    action: "connections.manage",
    creates: true,
    input: connectionBody,
    output: z.object({ id: z.uuid() }),
    run: ({ db, secretBox, workspaceId, actor }, input) =>
      saveConnection({ db, secretBox, workspaceId, actor, ...input }),
  }),
  operation({
    id: "updateConnection",
    method: "PUT",
    path: "/connections/{connectionId}",
    summary: "Replace a connection's name and config; secret fields left out keep their saved values",
    action: "connections.manage",
    input: connectionBody.extend(connectionId.shape),
    output: z.object({ id: z.uuid() }),
    run: ({ db, secretBox, workspaceId, actor }, input) =>
      saveConnection({ db, secretBox, workspaceId, actor, ...input }),
  }),
  operation({
    id: "testConnection",
    method: "POST",
    path: "/connections/{connectionId}/test",
    summary: "Try the connection now (the availability ping) and remember the answer",
    action: "connections.manage",
    input: connectionId,
    output: z.object({ ok: z.boolean(), message: z.string() }),
    run: ({ db, secretBox, workspaceId, operatorAllowedHosts }, input) =>
      testConnection({ db, secretBox, workspaceId, operatorAllowedHosts, ...input }),
  }),
  operation({
    id: "deleteConnection",
    method: "DELETE",
    path: "/connections/{connectionId}",
    summary: "Delete a connection",
    action: "connections.manage",
    input: connectionId,
    output: nothing,
    run: async ({ db, workspaceId, actor }, input) => {
      await deleteConnection({ db, workspaceId, actor, ...input });
      return {};
    },
  }),
  operation({
    id: "listSecrets",
    method: "GET",
    path: "/secrets",
    summary: "The names of the workspace's secrets (values are write-only)",
    action: "secrets.read",
    input: z.object({}),
    output: z.object({ secrets: z.array(z.object({ name: z.string(), updatedAt: date })) }),
    run: async ({ db, workspaceId }) => ({ secrets: await listSecrets({ db, workspaceId }) }),
  }),
  operation({
    id: "setSecret",
    method: "PUT",
    path: "/secrets/{name}",
    summary: "Create or replace a secret; its value is sealed and never shown again",
    action: "secrets.manage",
    input: setSecretInput,
    output: nothing,
    run: async ({ db, secretBox, workspaceId, actor }, input) => {
      await setSecret({ db, secretBox, workspaceId, actor, ...input });
      return {};
    },
  }),
  operation({
    id: "deleteSecret",
    method: "DELETE",
    path: "/secrets/{name}",
    summary: "Delete a secret",
    action: "secrets.manage",
    input: secretName,
    output: nothing,
    run: async ({ db, workspaceId, actor }, input) => {
      await deleteSecret({ db, workspaceId, actor, ...input });
      return {};
    },
  }),
  operation({
    id: "listSecurityRules",
    method: "GET",
    path: "/security-rules",
    summary: "The rules that guard webhooks (never their secrets), with their failure counts",
    action: "security.read",
    input: z.object({}),
    output: z.object({
      rules: z.array(
        z.object({
          id: z.uuid(),
          name: z.string(),
          domain: z.string(),
          type: z.enum(RULE_TYPES),
          config: z.record(z.string(), z.unknown()),
          secrets: z.array(z.string()),
          failures: z.number().int(),
          lastFailureAt: z.string().nullable(),
          createdAt: date,
        }),
      ),
    }),
    run: async ({ db, redis, secretBox, workspaceId }) => ({
      rules: await listSecurityRules({ db, redis, secretBox, workspaceId }),
    }),
  }),
  operation({
    id: "getSecurityRuleUsage",
    method: "GET",
    path: "/security-rules/{ruleId}/usage",
    summary: "The webhook triggers a rule guards, in published versions and drafts",
    action: "security.read",
    input: z.object({ ruleId: z.uuid() }),
    output: z.object({
      usage: z.array(
        z.object({
          flowId: z.uuid(),
          flowName: z.string(),
          stepId: z.string(),
          where: z.enum(["published", "draft"]),
        }),
      ),
    }),
    run: async ({ db, workspaceId }, input) => ({ usage: await securityRuleUsage({ db, workspaceId, ...input }) }),
  }),
  operation({
    id: "listMembers",
    method: "GET",
    path: "/members",
    summary: "The workspace's members and their roles",
    action: "members.read",
    input: z.object({}),
    output: z.object({
      members: z.array(
        z.object({
          userId: z.uuid(),
          email: z.string(),
          name: z.string().nullable(),
          role: z.enum(ROLES),
          joinedAt: date,
        }),
      ),
    }),
    run: async ({ db, workspaceId }) => ({ members: await listMembers({ db, workspaceId }) }),
  }),
];
