import NextAuth from "next-auth";
import { authOptions } from "~/server/auth.ts";
import { gatedCredentialsSignIn } from "~/server/sign-in-gate.ts";

const handler = NextAuth(authOptions);

type Context = { params: Promise<{ nextauth: string[] }> };

/** Password sign-ins pass the gate (limits answered 429, outages 503, device tokens); the rest is next-auth's. */
function POST(request: Request, context: Context) {
  if (new URL(request.url).pathname.endsWith("/callback/credentials"))
    return gatedCredentialsSignIn(request, (gated) => handler(gated, context));
  return handler(request, context);
}

export { handler as GET, POST };
