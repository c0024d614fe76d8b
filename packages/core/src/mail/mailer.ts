// Outgoing mail through SMTP when SMTP_URL is configured. Without one there is no mailer and the UI shows
// links (invites) instead of sending them.
import nodemailer from "nodemailer";

export type Mail = { to: string; subject: string; text: string; html?: string };

export type Mailer = { send(mail: Mail): Promise<void> };

export function createMailer({ smtpUrl, from }: { smtpUrl: string; from: string }): Mailer {
  const transport = nodemailer.createTransport(smtpUrl);
  return {
    async send(mail) {
      await transport.sendMail({ from, ...mail });
    },
  };
}
