/**
 * The local stand-in for SES event publishing. The SES emulator accepts every mail and reports
 * nothing back; on AWS, a mail sent with a configuration set to one of SES's mailbox-simulator
 * addresses bounces or draws a complaint, and SES publishes the event to EventBridge, whose
 * rule invokes the mail-events function. Here a small proxy sits in front of the emulator: it
 * forwards every request unchanged and, for a SendEmail (SES v1, what the mailer uses) that
 * names a configuration set and goes to a simulator address, builds the EventBridge event AWS
 * would deliver (the mail's real tags, the configuration set, the emulator's message id) and
 * hands it to the real mail-events handler a moment later, retrying a few times as
 * EventBridge does. Mail without a configuration set publishes nothing, as on AWS.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { stageSettings } from '#shared/config/stages.js';
import {
  BOUNCE_DETAIL_TYPE,
  COMPLAINT_DETAIL_TYPE,
  MAIL_EVENT_SOURCE,
} from '#shared/mail/mail-events.js';
import { CONFIGURATION_SET_TAG } from '#shared/mail/mail-tags.js';
import { loadHandler } from './function-modules.js';

/** The configuration set the local stack sends with (its mail-events handler accepts only it). */
export const LOCAL_CONFIGURATION_SET = 'gatehouse-local';

export type SimulatedOutcome = 'hard-bounce' | 'soft-bounce' | 'complaint' | 'suppressed';

/**
 * SES's mailbox simulator (a `+label` is allowed before the `@`): what each address produces.
 * SES has no soft-bounce address; `soft-bounce` exists for events the tests build themselves.
 */
const SIMULATOR: Record<string, SimulatedOutcome> = {
  bounce: 'hard-bounce',
  complaint: 'complaint',
  suppressionlist: 'suppressed',
};

export function simulatedOutcome(address: string): SimulatedOutcome | undefined {
  const m = /^([a-z]+)(?:\+[^@]*)?@simulator\.amazonses\.com$/i.exec(address.trim());
  return m?.[1] ? SIMULATOR[m[1].toLowerCase()] : undefined;
}

export interface SentMail {
  messageId: string;
  source: string;
  to: string;
  configurationSet: string;
  /** The message's tags, name -> value. */
  tags: Record<string, string>;
}

/** The EventBridge event SES publishes for `outcome` of `mail` (the shape AWS documents). */
export function sesEventFor(mail: SentMail, outcome: SimulatedOutcome, at = new Date()) {
  const timestamp = at.toISOString();
  const tags: Record<string, string[]> = { [CONFIGURATION_SET_TAG]: [mail.configurationSet] };
  for (const [name, value] of Object.entries(mail.tags)) tags[name] = [value];
  const common = {
    version: '0',
    id: randomUUID(),
    source: MAIL_EVENT_SOURCE,
    account: '000000000000',
    time: timestamp,
    region: 'us-east-1',
    resources: [],
  };
  const sesMail = {
    timestamp,
    source: mail.source,
    sendingAccountId: '000000000000',
    messageId: mail.messageId,
    destination: [mail.to],
    headersTruncated: false,
    tags,
  };
  const feedbackId = `local-${randomUUID()}`;
  if (outcome === 'complaint') {
    return {
      ...common,
      'detail-type': COMPLAINT_DETAIL_TYPE,
      detail: {
        eventType: 'Complaint',
        mail: sesMail,
        complaint: {
          complainedRecipients: [{ emailAddress: mail.to }],
          timestamp,
          feedbackId,
          complaintFeedbackType: 'abuse',
        },
      },
    };
  }
  const [bounceType, bounceSubType, status] =
    outcome === 'soft-bounce'
      ? ['Transient', 'MailboxFull', '4.2.2']
      : outcome === 'suppressed'
        ? ['Permanent', 'OnAccountSuppressionList', '5.1.1']
        : ['Permanent', 'General', '5.1.1'];
  return {
    ...common,
    'detail-type': BOUNCE_DETAIL_TYPE,
    detail: {
      eventType: 'Bounce',
      mail: sesMail,
      bounce: {
        bounceType,
        bounceSubType,
        bouncedRecipients: [
          { emailAddress: mail.to, action: 'failed', status, diagnosticCode: `smtp; ${status}` },
        ],
        timestamp,
        feedbackId,
      },
    },
  };
}

/** The mail a v1 SendEmail form body describes, if it names a configuration set. */
function sentMail(form: URLSearchParams, messageId: string): SentMail[] {
  const configurationSet = form.get('ConfigurationSetName');
  if (form.get('Action') !== 'SendEmail' || !configurationSet) return [];
  const tags: Record<string, string> = {};
  for (let i = 1; form.has(`Tags.member.${i}.Name`); i++) {
    tags[form.get(`Tags.member.${i}.Name`) ?? ''] = form.get(`Tags.member.${i}.Value`) ?? '';
  }
  const to: string[] = [];
  for (let i = 1; form.has(`Destination.ToAddresses.member.${i}`); i++) {
    to.push(form.get(`Destination.ToAddresses.member.${i}`) ?? '');
  }
  const source = form.get('Source') ?? '';
  return to.map((address) => ({ messageId, source, to: address, configurationSet, tags }));
}

type EventHandler = (event: unknown) => Promise<void>;

/** Hands `event` to the mail-events handler; up to 4 attempts with backoff, like EventBridge. */
async function publish(event: unknown, delayMs: number): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await new Promise((r) => setTimeout(r, delayMs * 2 ** (attempt - 1)));
    try {
      await (await loadHandler<EventHandler>('mail-events'))(event);
      return;
    } catch (error) {
      if (attempt >= 4) {
        process.stderr.write(`ses events: dropped an event: ${(error as Error).message}\n`);
        return;
      }
    }
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export interface SesEvents {
  /** The SES endpoint the handlers send through. */
  url: string;
  /** What the handlers' environment needs for it: endpoint, configuration set, send rate. */
  environment: Record<string, string>;
  stop(): Promise<void>;
}

/**
 * The port each emulator's proxy last listened on: a stack restarted in the same process (whose
 * handler modules keep the endpoint they read at load) gets its proxy back on the same port.
 */
const lastPorts = new Map<string, number>();

function listen(server: Server, port: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
}

/** Starts the proxy in front of the SES emulator at `sesUrl`. */
export async function startSesEvents(sesUrl: string, delayMs = 50): Promise<SesEvents> {
  const inFlight = new Set<Promise<void>>();
  const server: Server = createServer((req, res) => {
    void (async () => {
      try {
        const body = await readBody(req);
        const headers = new Headers();
        for (const [name, value] of Object.entries(req.headers)) {
          if (typeof value === 'string' && name !== 'host' && name !== 'content-length') {
            headers.set(name, value);
          }
        }
        const upstream = await fetch(new URL(req.url ?? '/', sesUrl), {
          method: req.method ?? 'GET',
          headers,
          ...(body.length ? { body } : {}),
        });
        const answer = Buffer.from(await upstream.arrayBuffer());
        const answerHeaders = Object.fromEntries(
          [...upstream.headers].filter(
            ([name]) => !['content-encoding', 'content-length', 'transfer-encoding'].includes(name),
          ),
        );
        res.writeHead(upstream.status, answerHeaders);
        res.end(answer);
        const messageId = /<MessageId>([^<]+)<\/MessageId>/.exec(answer.toString('utf8'))?.[1];
        if (!upstream.ok || !messageId || req.method !== 'POST') return;
        for (const mail of sentMail(new URLSearchParams(body.toString('utf8')), messageId)) {
          const outcome = simulatedOutcome(mail.to);
          if (!outcome) continue;
          const p = publish(sesEventFor(mail, outcome), delayMs);
          inFlight.add(p);
          void p.finally(() => inFlight.delete(p));
        }
      } catch (error) {
        if (!res.headersSent) res.writeHead(502);
        res.end(`ses events proxy: ${(error as Error).message}`);
      }
    })();
  });
  await listen(server, lastPorts.get(sesUrl) ?? 0).catch(() => listen(server, 0));
  const { port } = server.address() as AddressInfo;
  lastPorts.set(sesUrl, port);
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    environment: {
      SES_ENDPOINT: url,
      MAIL_CONFIGURATION_SET: LOCAL_CONFIGURATION_SET,
      MAIL_SEND_RATE_PER_SECOND: String(stageSettings('local').mail.sendRatePerSecond),
    },
    async stop() {
      await Promise.allSettled([...inFlight]);
      server.closeAllConnections();
      await new Promise((resolve) => server.close(() => resolve(undefined)));
    },
  };
}
