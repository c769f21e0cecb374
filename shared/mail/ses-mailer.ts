/** SES adapter of the mailer port (SendEmail v1, which the local SES emulator also accepts). */
import { SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import { assertHeaderSafe, type Mailer } from '#shared/mail/mailer.js';
import { clientConfig, guardClient } from '#shared/platform/dependency-guard.js';

export function createSesClient(opts: {
  region: string;
  endpoint?: string;
  requestTimeoutMs?: number;
}): SESClient {
  const client = new SESClient(clientConfig(opts));
  return guardClient(client, 'SES');
}

/**
 * Sends through `client` from `from`; with `configurationSet`, every mail names it, so SES
 * publishes the mail's bounces and complaints (with the message's tags) to its destinations.
 */
export function sesMailer(client: SESClient, from: string, configurationSet?: string): Mailer {
  return {
    async send(message) {
      assertHeaderSafe(message);
      const tags = Object.entries(message.tags ?? {}).map(([Name, Value]) => ({ Name, Value }));
      await client.send(
        new SendEmailCommand({
          Source: from,
          Destination: { ToAddresses: [message.to] },
          Message: {
            Subject: { Data: message.subject, Charset: 'UTF-8' },
            Body: {
              Text: { Data: message.text, Charset: 'UTF-8' },
              Html: { Data: message.html, Charset: 'UTF-8' },
            },
          },
          ...(configurationSet ? { ConfigurationSetName: configurationSet } : {}),
          ...(tags.length ? { Tags: tags } : {}),
        }),
      );
    },
  };
}
