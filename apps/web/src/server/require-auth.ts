import "server-only";
import { redirect } from "next/navigation";
import { type Auth, getAuth } from "./auth.ts";

/** The signed-in user, or a redirect to the sign-in page that comes back to `returnTo`. */
export async function requireAuth(returnTo: string): Promise<Auth> {
  const auth = await getAuth();
  if (!auth) redirect(`/login?callbackUrl=${encodeURIComponent(returnTo)}`);
  return auth;
}
