// The account mails (password reset, email verification): plain text and a small HTML twin, carrying the
// product's name and the one link of the action, nothing else (no images, no tracking, no other links).
import type { Mail } from "./mailer.ts";

export const PRODUCT_NAME = "Tributary";

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c);

export function actionMail({
  to,
  subject,
  lines,
  action,
  link,
  footer,
}: {
  to: string;
  subject: string;
  /** What happened and what the link does, one paragraph each. */
  lines: string[];
  action: string;
  link: string;
  /** Why the reader may ignore the mail, and how long the link works. */
  footer: string;
}): Mail {
  const text = [...lines, `${action}: ${link}`, footer, `— ${PRODUCT_NAME}`].join("\n\n");
  const paragraphs = lines.map((line) => `<p>${escapeHtml(line)}</p>`).join("\n");
  const html = `<!doctype html>
<html><body style="font-family: sans-serif; color: #1e293b; line-height: 1.5;">
<p><strong>${PRODUCT_NAME}</strong></p>
${paragraphs}
<p><a href="${escapeHtml(link)}">${escapeHtml(action)}</a></p>
<p style="color: #64748b; font-size: 13px;">${escapeHtml(footer)}</p>
<p style="color: #64748b; font-size: 13px;">If the button does not work, paste this address into your browser: ${escapeHtml(link)}</p>
</body></html>`;
  return { to, subject: `${subject} — ${PRODUCT_NAME}`, text, html };
}
