// Sign-in with next-auth's credentials provider and JWT sessions. Revocation is ours (see core's
// sessions.ts): every request checks the session against the user's session version and the deny-list.
import "server-only";
import { randomUUID } from "node:crypto";
import {
  AppError,
  claimSsoTicket,
  currentUser,
  isServiceUnavailable,
  revokeSession,
  type SessionClaims,
  type SessionUser,
  startDemo,
  verifyCredentials,
} from "@tributary/core";
import type { NextAuthOptions } from "next-auth";
import { getServerSession } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { cache } from "react";
import { getEnv } from "../env.ts";
import { clientIp } from "./client-ip.ts";
import { deps } from "./deps.ts";
import { SIGN_IN_UNAVAILABLE, signInDevice } from "./sign-in-gate.ts";
import { SSO_EXPIRED_SIGN_IN, ssoTicketOf } from "./sso-cookies.ts";

const SESSION_DAYS = 30;

declare module "next-auth" {
  interface Session {
    claims?: SessionClaims;
  }
  interface User {
    sessionVersion: number;
    /** Set by single sign-on: the workspace whose provider signed the person in. */
    ssoWorkspaceId?: string;
  }
}

declare module "next-auth/jwt" {
  interface JWT {
    sv?: number;
    sid?: string;
    /** The workspace whose single sign-on made the session. */
    sso?: string;
  }
}

export const authOptions: NextAuthOptions = {
  session: { strategy: "jwt", maxAge: SESSION_DAYS * 24 * 60 * 60 },
  pages: { signIn: "/login" },
  providers: [
    CredentialsProvider({
      name: "Email",
      credentials: {
        email: { label: "Email", type: "email" },
        password: { label: "Password", type: "password" },
        code: { label: "Two-factor code", type: "text" },
      },
      async authorize(credentials, request) {
        const { db, redis, secretBox } = deps();
        try {
          const user = await verifyCredentials({
            db,
            redis,
            secretBox,
            email: credentials?.email ?? "",
            password: credentials?.password ?? "",
            code: credentials?.code,
            ip: clientIp(request.headers ?? {}),
            device: signInDevice(request.headers?.cookie),
          });
          return { id: user.id, email: user.email, name: user.name, sessionVersion: user.sessionVersion };
        } catch (error) {
          // next-auth hands an Error's message to the sign-in form: ours, never a driver's.
          if (error instanceof AppError) throw new Error(error.message);
          if (isServiceUnavailable(error)) throw new Error(SIGN_IN_UNAVAILABLE);
          throw error;
        }
      },
    }),
    // "Try the demo": a visitor without an account, in a fresh demo workspace of their own.
    CredentialsProvider({
      id: "demo",
      name: "Demo",
      credentials: {},
      async authorize(_credentials, request) {
        const { db, redis, queue } = deps();
        try {
          const { user } = await startDemo({
            db,
            redis,
            queue,
            ip: clientIp(request.headers ?? {}),
            demoApiUrl: getEnv().demoApiUrl,
          });
          return { id: user.id, email: user.email, name: user.name, sessionVersion: user.sessionVersion };
        } catch (error) {
          if (error instanceof AppError) throw new Error(error.message);
          if (isServiceUnavailable(error)) throw new Error(SIGN_IN_UNAVAILABLE);
          throw error;
        }
      },
    }),
    // Single sign-on: /api/sso/callback checked the provider's answer and left a one-time ticket in a cookie.
    CredentialsProvider({
      id: "sso",
      name: "Single sign-on",
      credentials: {},
      async authorize(_credentials, request) {
        const { db, redis } = deps();
        try {
          const claimed = await claimSsoTicket({ db, redis, ticket: ssoTicketOf(request.headers?.cookie) ?? "" });
          if (!claimed) throw new Error(SSO_EXPIRED_SIGN_IN);
          const { user, workspaceId } = claimed;
          return { ...user, ssoWorkspaceId: workspaceId };
        } catch (error) {
          if (isServiceUnavailable(error)) throw new Error(SIGN_IN_UNAVAILABLE);
          throw error;
        }
      },
    }),
  ],
  callbacks: {
    jwt({ token, user }) {
      if (user) {
        token.sub = user.id;
        token.sv = user.sessionVersion;
        token.sid = randomUUID();
        if (user.ssoWorkspaceId) token.sso = user.ssoWorkspaceId;
      }
      return token;
    },
    session({ session, token }) {
      if (token.sub && token.sid && token.sv !== undefined && token.exp) {
        session.claims = {
          userId: token.sub,
          sessionVersion: token.sv,
          sessionId: token.sid,
          expiresAt: Number(token.exp) * 1000,
          ...(token.sso ? { ssoWorkspaceId: token.sso } : {}),
        };
      }
      return session;
    },
  },
  events: {
    async signOut({ token }) {
      if (!token.sub || !token.sid || !token.exp) return;
      await revokeSession({
        redis: deps().redis,
        claims: {
          userId: token.sub,
          sessionVersion: token.sv ?? 0,
          sessionId: token.sid,
          expiresAt: Number(token.exp) * 1000,
        },
      });
    },
  },
};

export type Auth = { user: SessionUser; claims: SessionClaims };

/** The signed-in user of this request, or null. Cached per request. */
export const getAuth = cache(async (): Promise<Auth | null> => {
  const session = await getServerSession(authOptions);
  const claims = session?.claims;
  if (!claims) return null;
  const { db, redis } = deps();
  const user = await currentUser({ db, redis, claims });
  return user ? { user, claims } : null;
});
