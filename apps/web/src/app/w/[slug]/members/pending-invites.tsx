"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Button } from "~/components/button.tsx";
import { Card } from "~/components/page-header.tsx";
import { useWorkspace } from "~/components/workspace/workspace-context.tsx";
import { useTRPC } from "~/trpc/react.tsx";

export function PendingInvites() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const workspace = useWorkspace();
  const invites = useQuery(trpc.members.invites.queryOptions({ workspaceId: workspace.id }));
  const revoke = useMutation(
    trpc.members.revokeInvite.mutationOptions({
      onSettled: () => queryClient.invalidateQueries({ queryKey: trpc.members.invites.pathKey() }),
    }),
  );
  if (!invites.data?.length) return null;
  return (
    <Card className="mt-6">
      <h2 className="border-b border-slate-200 px-4 py-2.5 text-sm font-medium">Pending invites</h2>
      <ul className="divide-y divide-slate-100">
        {invites.data.map((invite) => (
          <li key={invite.id} className="flex items-center justify-between gap-3 px-4 py-3 text-sm">
            <div>
              <div className="font-medium">{invite.email}</div>
              <div className="text-xs text-slate-500">
                as {invite.role} · expires {invite.expiresAt.toLocaleDateString()}
              </div>
            </div>
            <Button
              variant="ghost"
              aria-label={`Revoke the invite for ${invite.email}`}
              busy={revoke.isPending && revoke.variables?.inviteId === invite.id}
              onClick={() => revoke.mutate({ workspaceId: workspace.id, inviteId: invite.id })}
            >
              Revoke
            </Button>
          </li>
        ))}
      </ul>
    </Card>
  );
}
