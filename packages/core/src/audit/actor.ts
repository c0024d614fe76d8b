/** Who is acting, for permission checks and the audit log. */
export type Actor = { userId: string; email: string; ip: string | null };
