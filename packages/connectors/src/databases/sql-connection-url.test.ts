import { describe, expect, it } from "vitest";
import { sqlConnectionConfig } from "./sql-engine.ts";

const postgres = sqlConnectionConfig({ defaultPort: 5432, schemes: ["postgresql", "postgres"] });
const mysql = sqlConnectionConfig({ defaultPort: 3306, schemes: ["mysql", "mariadb"] });

describe("a database connection given by URL", () => {
  it("is read into host, port, database, user, password and TLS", () => {
    const parsed = postgres.parse({
      connectWith: "url",
      url: "postgresql://bob:s%40cret@db.example.com:6543/orders?sslmode=verify-full",
    });
    expect(parsed).toMatchObject({
      host: "db.example.com",
      port: 6543,
      database: "orders",
      user: "bob",
      password: "s@cret",
      tls: "verify",
    });
    expect(parsed).not.toHaveProperty("url");
    expect(mysql.parse({ connectWith: "url", url: "mariadb://app@10.0.0.5/shop?ssl-mode=DISABLED" })).toMatchObject({
      host: "10.0.0.5",
      port: 3306,
      database: "shop",
      user: "app",
      tls: "disable",
    });
  });

  it("keeps the saved password and the TLS field when the URL has none", () => {
    expect(
      postgres.parse({ connectWith: "url", url: "postgres://bob@db/orders", password: "kept", tls: "disable" }),
    ).toMatchObject({ password: "kept", tls: "disable" });
  });

  it("says in words what is wrong with a URL", () => {
    const problems = (url: string) =>
      postgres.safeParse({ connectWith: "url", url }).error?.issues.map((i) => i.message);
    expect(problems("db.example.com")).toEqual([
      "Enter a connection URL such as postgresql://user:password@db.example.com:5432/orders.",
    ]);
    expect(problems("mysql://a@b/c")).toEqual([
      "A connection URL here starts with postgresql:// or postgres://, not mysql://.",
    ]);
    expect(problems("postgresql://db.example.com/orders")).toEqual([
      "The URL names no user: write it as postgresql://user:password@host:5432/database.",
    ]);
  });

  it("asks for the fields when connecting by fields", () => {
    const issues = postgres.safeParse({ host: "db" }).error?.issues ?? [];
    expect(issues.map((issue) => [issue.path.join("."), issue.message])).toEqual([
      ["database", "Name the database."],
      ["user", "Enter the user name."],
    ]);
  });
});
