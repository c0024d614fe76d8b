"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { Role } from "@tributary/core";
import { mayManage, ROLES } from "@tributary/core/permissions";
import { Alert } from "~/components/alert.tsx";
import { Button } from "~/components/button.tsx";
import { Card, PageHeader } from "~/components/page-header.tsx";
import { QueryRows } from "~/components/query-rows.tsx";
import { useWorkspace } from "~/components/workspace/workspace-context.tsx";
import { describeError, useTRPC } from "~/trpc/react.tsx";
import { InviteForm } from "./invite-form.tsx";
import { PendingInvites } from "./pending-invites.tsx";

export function MembersPanel() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const workspace = useWorkspace();
  const manage = workspace.can("members.manage");
  const members = useQuery(trpc.members.list.queryOptions({ workspaceId: workspace.id }));
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.members.pathKey() });
  const changeRole = useMutation(trpc.members.changeRole.mutationOptions({ onSettled: refresh }));
  const remove = useMutation(trpc.members.remove.mutationOptions({ onSettled: refresh }));
  const failure = changeRole.error ?? remove.error;

  return (
    <>
      <PageHeader
        title="Members"
        description="Everyone in this workspace and their role. Roles decide what each member may do."
      />
      {manage ? <InviteForm onInvited={refresh} /> : null}
      {failure ? (
        <div className="mb-4">
          <Alert>{describeError(failure).message}</Alert>
        </div>
      ) : null}
      <Card>
        <table className="w-full text-left text-sm">
          <caption className="sr-only">Members</caption>
          <thead className="border-b border-slate-200 text-xs text-slate-500 uppercase">
            <tr>
              <th className="px-4 py-2.5 font-medium">Member</th>
              <th className="px-4 py-2.5 font-medium">Role</th>
              <th className="hidden px-4 py-2.5 font-medium sm:table-cell">Joined</th>
              {manage ? (
                <th className="px-4 py-2.5 font-medium">
                  <span className="sr-only">Actions</span>
                </th>
              ) : null}
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            <QueryRows query={members} columns={4} loading="Loading members…" />
            {members.data?.map((member) => {
              const isMe = member.userId === workspace.user.id;
              const editable = manage && !isMe && mayManage({ actorRole: workspace.role, role: member.role });
              return (
                <tr key={member.userId}>
                  <td className="px-4 py-3">
                    <div className="font-medium">{member.email}</div>
                    {isMe ? <div className="text-xs text-slate-500">You</div> : null}
                  </td>
                  <td className="px-4 py-3">
                    {editable ? (
                      <select
                        aria-label={`Role of ${member.email}`}
                        value={member.role}
                        disabled={changeRole.isPending}
                        onChange={(e) =>
                          changeRole.mutate({
                            workspaceId: workspace.id,
                            userId: member.userId,
                            role: e.target.value as Role,
                          })
                        }
                        className="rounded-md border border-slate-300 bg-white px-2 py-1 text-sm"
                      >
                        {ROLES.filter((role) => mayManage({ actorRole: workspace.role, role })).map((role) => (
                          <option key={role} value={role}>
                            {role}
                          </option>
                        ))}
                      </select>
                    ) : (
                      <span className="rounded-full bg-slate-100 px-2 py-0.5 text-xs font-medium text-slate-700">
                        {member.role}
                      </span>
                    )}
                  </td>
                  <td className="hidden px-4 py-3 text-slate-500 sm:table-cell">
                    {member.joinedAt.toLocaleDateString()}
                  </td>
                  {manage ? (
                    <td className="px-4 py-3 text-right">
                      {editable ? (
                        <Button
                          variant="ghost"
                          aria-label={`Remove ${member.email}`}
                          disabled={remove.isPending}
                          onClick={() => {
                            if (window.confirm(`Remove ${member.email} from ${workspace.name}?`)) {
                              remove.mutate({ workspaceId: workspace.id, userId: member.userId });
                            }
                          }}
                        >
                          Remove
                        </Button>
                      ) : null}
                    </td>
                  ) : null}
                </tr>
              );
            })}
          </tbody>
        </table>
      </Card>
      {manage ? <PendingInvites /> : null}
    </>
  );
}
