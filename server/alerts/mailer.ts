import { createTransport, type Transporter } from 'nodemailer';
import type { Config } from '../config';

/**
 * How alert e-mails leave the app (nodemailer):
 *  - `smtp`: through the SMTP server of `SMTP_URL`;
 *  - `outbox`: sandbox mode without `SMTP_URL`: kept in this process, newest first, for the
 *    outbox page (`/sandbox/outbox`), so a person trying the app sees what would have gone out;
 *  - `off`: with Procore credentials and no `SMTP_URL`, nothing is sent (the banner still shows).
 */
export interface MailMessage {
  to: string[];
  subject: string;
  text: string;
}

export interface OutboxMessage extends MailMessage {
  id: number;
  /** When it was "sent" (ISO). */
  at: string;
  from: string;
}

export interface Mailer {
  readonly mode: 'smtp' | 'outbox' | 'off';
  /** Sends one message; throws when the SMTP server refuses it or cannot be reached. */
  send(message: MailMessage): Promise<void>;
  /** The outbox's messages, newest first (empty unless `mode` is `outbox`). */
  outbox(): OutboxMessage[];
  close(): void;
}

/** The outbox keeps this many messages; older ones drop off. */
const OUTBOX_SIZE = 200;

export function createMailer(config: Pick<Config, 'mail' | 'sandbox'>): Mailer {
  const { smtpUrl, from } = config.mail;
  if (smtpUrl) {
    const transport = createTransport(smtpUrl);
    return {
      mode: 'smtp',
      async send(message) {
        await transport.sendMail({ from, ...message });
      },
      outbox: () => [],
      close: () => transport.close(),
    };
  }
  if (!config.sandbox) {
    return {
      mode: 'off',
      async send() {},
      outbox: () => [],
      close: () => {},
    };
  }
  // The same message nodemailer would put on the wire, kept instead of sent.
  const transport: Transporter = createTransport({ jsonTransport: true });
  const kept: OutboxMessage[] = [];
  let seq = 0;
  return {
    mode: 'outbox',
    async send(message) {
      const info = (await transport.sendMail({ from, ...message })) as { envelope: { to: string[] } };
      seq += 1;
      kept.unshift({ id: seq, at: new Date().toISOString(), from, ...message, to: info.envelope.to });
      kept.length = Math.min(kept.length, OUTBOX_SIZE);
    },
    outbox: () => [...kept],
    close: () => transport.close(),
  };
}
