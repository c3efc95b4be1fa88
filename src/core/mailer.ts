/**
 * Outgoing mail over SMTP (nodemailer), configured by TORGAI_SMTP_*. Messages are sent from jobs,
 * never inside a request, so a slow or absent mail server delays a mail instead of a sign-up, and
 * a failed send is retried with the job's backoff.
 */
import type { Transporter } from "nodemailer";
import { type AppContext, owned, resourceKey } from "../app.ts";

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
}

/** The SMTP transport, made on first use (most processes of a server never send mail). */
const TRANSPORT = resourceKey(
  "mail transport",
  (ctx): Promise<Transporter> => createMailTransport(ctx),
  async (transport) => (await transport.catch(() => null))?.close(),
);

/** Whether this server sends mail (and so confirms e-mail addresses). */
export function mailConfigured(ctx: AppContext): boolean {
  return ctx.config.mail !== null;
}

async function createMailTransport(ctx: AppContext): Promise<Transporter> {
  const mail = ctx.config.mail;
  if (!mail) throw new Error("mail is not configured (TORGAI_SMTP_URL or TORGAI_SMTP_HOST)");
  const { createTransport } = await import("nodemailer");
  return createTransport({
    host: mail.host,
    port: mail.port,
    secure: mail.secure,
    auth: mail.user ? { user: mail.user, pass: mail.password ?? "" } : undefined,
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: 60_000,
  });
}

function transportFor(ctx: AppContext): Promise<Transporter> {
  return owned(ctx, TRANSPORT);
}

/** Sends one message; throws when the server refuses it (the calling job retries). */
export async function sendMail(ctx: AppContext, message: MailMessage): Promise<void> {
  const mail = ctx.config.mail;
  const transport = await transportFor(ctx);
  await transport.sendMail({
    from: mail?.from,
    to: message.to,
    subject: message.subject,
    text: message.text,
  });
}
