// Safe to import in the browser: no server dependencies. The UI reads these to hide what a role cannot do.
export { ACTIONS, type Action, can, isRole, PERMISSIONS, ROLES } from "./permission-matrix.ts";
export { renderPermissionsDoc } from "./permissions-doc.ts";
export { mayManage, rank } from "./roles.ts";
