import { describe, expect, it } from "vitest";
import { actionMail } from "./action-mail.ts";

describe("actionMail", () => {
  const mail = actionMail({
    to: "ada@example.com",
    subject: "Reset your password",
    lines: ['Someone <script>alert("x")</script> asked.'],
    action: "Choose a new password",
    link: "https://tributary.example.com/reset-password?token=abc&x=1",
    footer: "The link works once.",
  });

  it("names the product and carries the action's link in both parts", () => {
    expect(mail.subject).toBe("Reset your password — Tributary");
    expect(mail.text).toContain("Choose a new password: https://tributary.example.com/reset-password?token=abc&x=1");
    expect(mail.text).toContain("— Tributary");
    expect(mail.html).toContain('<a href="https://tributary.example.com/reset-password?token=abc&amp;x=1">');
  });

  it("links nothing else and escapes what it shows", () => {
    expect(mail.html?.match(/<a /g)).toHaveLength(1);
    expect(mail.html).not.toMatch(/<img|<script/);
    expect(mail.html).toContain("&lt;script&gt;");
  });
});
