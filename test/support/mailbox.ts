// Reading what the test SMTP server received, as a person reads their inbox: the mails to an address, and
// the link in one.
import { setTimeout as sleep } from "node:timers/promises";
import type { ReceivedMail, startSmtpServer } from "./smtp.ts";

export type TestSmtp = Awaited<ReturnType<typeof startSmtpServer>>;

export function mailTo(smtp: TestSmtp, address: string): ReceivedMail[] {
  return smtp.received.filter((mail) => mail.to.includes(address));
}

/** Waits until `count` mails reached `address` and returns the last. */
export async function waitForMail(smtp: TestSmtp, address: string, count = 1, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const mails = mailTo(smtp, address);
    if (mails.length >= count) return mails[count - 1] as ReceivedMail;
    if (Date.now() > deadline) throw new Error(`no mail #${count} to ${address} within ${timeoutMs} ms`);
    await sleep(50);
  }
}

/** The raw message with quoted-printable undone (soft line breaks joined, =XX bytes decoded). */
export function textOf(mail: ReceivedMail): string {
  const joined = mail.raw.replace(/=\r?\n/g, "");
  return Buffer.from(
    joined.replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16))),
    "latin1",
  ).toString("utf8");
}

/** The first link in the mail that contains `marker`. */
export function linkIn(mail: ReceivedMail, marker: string): string {
  const text = textOf(mail);
  const link = text.match(/https?:\/\/[^\s"<>]+/g)?.find((candidate) => candidate.includes(marker));
  if (!link) throw new Error(`no link with ${marker} in the mail to ${mail.to.join(", ")}`);
  return link;
}
