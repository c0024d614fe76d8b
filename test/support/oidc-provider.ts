// A real OpenID Connect provider (the oidc-provider package) in the test process, on a free loopback port: one
// confidential client, PKCE required, people whose claims carry a `groups` list the test may change between
// sign-ins. Its development login page takes any password for a known login; then it asks for consent.
import { createServer, type Server } from "node:http";
import Provider from "oidc-provider";
import { freePort } from "./free-port.ts";

export type TestPerson = { email: string; name: string; groups: string[]; emailVerified?: boolean };

export type TestOidcProvider = {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Login name → person; change a person's groups and their next sign-in carries the new ones. */
  people: Map<string, TestPerson>;
  stop(): Promise<void>;
};

export async function startOidcProvider({
  redirectUris,
  people = {},
}: {
  redirectUris: string[];
  people?: Record<string, TestPerson>;
}): Promise<TestOidcProvider> {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const clientId = `tributary-${port}`;
  const clientSecret = `secret-${port}-${Math.random().toString(36).slice(2)}`;
  const known = new Map(Object.entries(people));
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: redirectUris,
        grant_types: ["authorization_code"],
        response_types: ["code"],
        token_endpoint_auth_method: "client_secret_post",
      },
    ],
    pkce: { required: () => true },
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name", "groups"] },
    cookies: { keys: ["a-cookie-key-for-the-test-provider"] },
    ttl: { Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 600, IdToken: 600, AuthorizationCode: 60 },
    features: { devInteractions: { enabled: true } },
    async findAccount(_context, id) {
      const person = known.get(id);
      if (!person) return undefined;
      return {
        accountId: id,
        async claims() {
          return {
            sub: id,
            email: person.email,
            email_verified: person.emailVerified ?? true,
            name: person.name,
            groups: person.groups,
          };
        },
      };
    },
  });
  const server: Server = createServer(provider.callback());
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    issuer,
    clientId,
    clientSecret,
    people: known,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
