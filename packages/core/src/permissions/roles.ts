import type { Role } from "@tributary/db";
import { ROLES } from "./permission-matrix.ts";

/** Lower is more powerful: owner 0 … viewer 4. */
export function rank(role: Role): number {
  return ROLES.indexOf(role);
}

/** A member may manage members and grant roles only at or below their own rank; only owners touch owners. */
export function mayManage({ actorRole, role }: { actorRole: Role; role: Role }): boolean {
  return role === "owner" ? actorRole === "owner" : rank(actorRole) <= rank(role);
}
