import type { AddressInfo } from "node:net";
import { simpleParser, type ParsedMail } from "mailparser";
import { SMTPServer, type SMTPServerOptions } from "smtp-server";

/**
 * A real SMTP server on a free loopback port that parses every mail it accepts into `mails`.
 * `options` add what a test needs: a certificate for STARTTLS, a sign-in check.
 */
export async function startSmtpReceiver(options: Omit<SMTPServerOptions, "onData" | "logger"> = {}) {
  const mails: ParsedMail[] = [];
  const server = new SMTPServer({
    ...options,
    logger: false,
    onData(stream, _session, callback) {
      simpleParser(stream).then(
        (mail) => {
          mails.push(mail);
          callback();
        },
        (error: Error) => callback(error),
      );
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.server.address() as AddressInfo).port,
    mails,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
