import { redirect } from "next/navigation";
import { serverCaller } from "~/server/caller.ts";
import { requireAuth } from "~/server/require-auth.ts";

export const dynamic = "force-dynamic";

/** Where sign-in lands: the first of the user's workspaces, or the page to create one. */
export default async function WorkspacesPage() {
  await requireAuth("/workspaces");
  const workspaces = await (await serverCaller()).workspaces.list();
  redirect(workspaces[0] ? `/w/${workspaces[0].slug}` : "/workspaces/new");
}
