import { describe, expect, it } from "vitest";
import { issuerUrl } from "./identity-provider.ts";
import { mappedRole, ssoSettingsInput } from "./sso-settings.ts";

describe("single sign-on settings", () => {
  it("gives the highest role of the mapped groups a person is in, and none without a mapped group", () => {
    const mappings = [
      { group: "staff", role: "viewer" as const },
      { group: "eng", role: "editor" as const },
      { group: "ops", role: "operator" as const },
    ];
    expect(mappedRole({ mappings, groups: ["staff", "ops"] })).toBe("operator");
    expect(mappedRole({ mappings, groups: ["ops", "eng", "staff"] })).toBe("editor");
    expect(mappedRole({ mappings, groups: ["marketing"] })).toBeNull();
    expect(mappedRole({ mappings, groups: [] })).toBeNull();
  });

  it("takes https issuers, and plain http only for a host the workspace allows", () => {
    expect(issuerUrl("https://login.example.com/realms/acme", []).href).toBe("https://login.example.com/realms/acme");
    expect(() => issuerUrl("http://login.example.com", [])).toThrow(/must use https/);
    expect(issuerUrl("http://idp.internal:8080", ["idp.internal:8080"]).host).toBe("idp.internal:8080");
    expect(() => issuerUrl("not a url", [])).toThrow(/is not a URL/);
    expect(() => issuerUrl("https://login.example.com/?tenant=1", [])).toThrow(/no query/);
    expect(() => issuerUrl("ftp://login.example.com", [])).toThrow(/https URL/);
  });

  it("keeps email domains lower-case, without @, once each", () => {
    const parsed = ssoSettingsInput.parse({
      issuer: "https://login.example.com",
      clientId: "tributary",
      allowedDomains: ["Example.COM", "@example.com", "corp.example.org"],
      roleMappings: [],
    });
    expect(parsed.allowedDomains).toEqual(["example.com", "corp.example.org"]);
    expect(parsed).toMatchObject({ groupsClaim: "groups", enabled: true, requireSso: false });
    expect(ssoSettingsInput.safeParse({ ...parsed, allowedDomains: ["not a domain"] }).success).toBe(false);
  });
});
