/**
 * An SMTP server on loopback (the smtp-server package) that accepts mail only after AUTH with
 * the expected user and password, and keeps each message with its envelope, subject and
 * decoded text, as a mail client would show them.
 */
import { SMTPServer } from 'smtp-server';

export interface Mail {
  to: string[];
  subject: string;
  /** The message body with quoted-printable soft breaks and escapes undone. */
  text: string;
}

export interface Mailbox {
  port: number;
  mails: Mail[];
  /** AUTH attempts refused (wrong user or password). */
  refusedLogins: number;
  close(): Promise<void>;
}

function decodeQuotedPrintable(body: string): string {
  const bytes = body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  return Buffer.from(bytes, 'latin1').toString('utf8');
}

function parseMail(raw: string, to: string[]): Mail {
  const headerEnd = raw.search(/\r?\n\r?\n/);
  const headers = raw.slice(0, headerEnd).replace(/\r?\n[ \t]+/g, ' ');
  const subject = /^Subject: (.*)$/im.exec(headers)?.[1]?.trim() ?? '';
  return { to, subject, text: decodeQuotedPrintable(raw.slice(headerEnd)) };
}

export function startMailbox({ user, password }: { user: string; password: string }): Promise<Mailbox> {
  const mailbox: Mailbox = { port: 0, mails: [], refusedLogins: 0, close: async () => {} };
  const server = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authMethods: ['PLAIN', 'LOGIN'],
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === user && auth.password === password) return callback(null, { user });
      mailbox.refusedLogins++;
      return callback(new Error('invalid user or password'));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const to = session.envelope.rcptTo.map((rcpt) => rcpt.address);
        mailbox.mails.push(parseMail(Buffer.concat(chunks).toString('utf8'), to));
        callback();
      });
    },
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      mailbox.port = (server.server.address() as { port: number }).port;
      mailbox.close = () => new Promise((done) => server.close(() => done()));
      resolve(mailbox);
    });
  });
}
