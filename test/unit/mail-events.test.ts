/**
 * Issue 15, pure parts: reading SES's EventBridge events (bounce, complaint, soft bounce, other
 * configuration sets, malformed events), the tags that name an invite within SES's tag
 * alphabet, the simulator addresses of the local stack, and the send-rate token bucket.
 */
import { describe, expect, it } from 'vitest';
import { parseMailEvent } from '#shared/mail/mail-events.js';
import {
  decodeTagValue,
  encodeTagValue,
  inviteMailTags,
  inviteOfTags,
} from '#shared/mail/mail-tags.js';
import { type RateClock, tokenBucket } from '#shared/mail/send-rate.js';
import { type SentMail, sesEventFor, simulatedOutcome } from '../../local/ses-events.js';

const SET = 'gatehouse-test';
const mail: SentMail = {
  messageId: '0100018c-abc',
  source: 'no-reply@example.com',
  to: 'bounce@simulator.amazonses.com',
  configurationSet: SET,
  tags: inviteMailTags({ tenantId: 'acme', inviteId: '01HX0000000000000000000000', sendCount: 2 }),
};
const at = new Date('2026-12-07T10:00:00.000Z');

describe('parseMailEvent', () => {
  it('reads a permanent bounce as bounced, naming the invite and send from the tags', () => {
    expect(parseMailEvent(sesEventFor(mail, 'hard-bounce', at), SET)).toEqual({
      kind: 'bounced',
      tenantId: 'acme',
      inviteId: '01HX0000000000000000000000',
      sendCount: 2,
      recipients: ['bounce@simulator.amazonses.com'],
      at: at.toISOString(),
      detail: 'Permanent bounce (General)',
      messageId: '0100018c-abc',
    });
  });

  it('reads a complaint as complained', () => {
    expect(parseMailEvent(sesEventFor(mail, 'complaint', at), SET)).toMatchObject({
      kind: 'complained',
      detail: 'Complaint (abuse)',
    });
  });

  it('reads transient and undetermined bounces as soft bounces', () => {
    expect(parseMailEvent(sesEventFor(mail, 'soft-bounce', at), SET)).toMatchObject({
      kind: 'soft-bounce',
      detail: 'Transient bounce (MailboxFull)',
    });
    const undetermined = sesEventFor(mail, 'hard-bounce', at);
    (undetermined.detail as { bounce: { bounceType: string } }).bounce.bounceType = 'Undetermined';
    expect(parseMailEvent(undetermined, SET).kind).toBe('soft-bounce');
  });

  it('does not name a suppression-list subtype to the tenant', () => {
    expect(parseMailEvent(sesEventFor(mail, 'suppressed', at), SET)).toMatchObject({
      kind: 'bounced',
      detail: 'Permanent bounce',
    });
  });

  it('ignores events of another configuration set, and every event when none is configured', () => {
    const event = sesEventFor({ ...mail, configurationSet: 'other' }, 'hard-bounce', at);
    expect(parseMailEvent(event, SET)).toEqual({
      kind: 'ignored',
      why: 'another configuration set (other)',
    });
    expect(parseMailEvent(sesEventFor(mail, 'hard-bounce', at), undefined).kind).toBe('ignored');
  });

  it('ignores other SES events, other sources and mail that names no invite', () => {
    const delivered = { ...sesEventFor(mail, 'hard-bounce', at), 'detail-type': 'Email Delivered' };
    expect(parseMailEvent(delivered, SET).kind).toBe('ignored');
    const cognito = { ...sesEventFor(mail, 'hard-bounce', at), source: 'aws.cognito-idp' };
    expect(parseMailEvent(cognito, SET).kind).toBe('ignored');
    expect(parseMailEvent('not an event', SET).kind).toBe('ignored');
    const untagged = sesEventFor({ ...mail, tags: {} }, 'hard-bounce', at);
    expect(parseMailEvent(untagged, SET)).toEqual({
      kind: 'ignored',
      why: 'the mail names no invite',
    });
  });

  it('throws on a malformed bounce, naming the field, so EventBridge retries and dead-letters it', () => {
    const broken = sesEventFor(mail, 'hard-bounce', at);
    (broken.detail as { bounce: { bouncedRecipients: unknown[] } }).bounce.bouncedRecipients = [];
    expect(() => parseMailEvent(broken, SET)).toThrow(/detail\.bounce\.bouncedRecipients/);
    const noMail = { ...sesEventFor(mail, 'complaint', at), detail: { eventType: 'Complaint' } };
    expect(() => parseMailEvent(noMail, SET)).toThrow(/detail\.mail/);
  });
});

describe('SES message tags', () => {
  it('keeps ids of letters, digits and dashes as they are', () => {
    expect(inviteMailTags({ tenantId: 'acme-1', inviteId: '01HXABC', sendCount: 3 })).toEqual({
      'gatehouse-tenant': 'acme-1',
      'gatehouse-invite': '01HXABC',
      'gatehouse-send': '3',
    });
  });

  it('encodes any other value into the tag alphabet and decodes it back', () => {
    for (const value of ['a_b', 'x.y@z', 'über', 'b64_trap', ' ', 'a+b/c=']) {
      const tag = encodeTagValue(value);
      expect(tag).toMatch(/^[A-Za-z0-9_-]{1,256}$/);
      expect(decodeTagValue(tag)).toBe(value);
    }
  });

  it('refuses values it cannot have produced and values too long for SES', () => {
    expect(decodeTagValue('has space')).toBeUndefined();
    expect(decodeTagValue('b64_!!')).toBeUndefined();
    expect(decodeTagValue('a_b')).toBeUndefined();
    expect(() => encodeTagValue('x'.repeat(257))).toThrow(/256/);
  });

  it('finds the invite in tags as SES publishes them (name -> values)', () => {
    expect(inviteOfTags({ 'gatehouse-tenant': ['acme'], 'gatehouse-invite': ['01HX'] })).toEqual({
      tenantId: 'acme',
      inviteId: '01HX',
    });
    expect(inviteOfTags({ 'gatehouse-tenant': ['acme'] })).toBeUndefined();
  });
});

describe('simulator addresses of the local stack', () => {
  it('maps SES mailbox-simulator addresses, with or without a label, and nothing else', () => {
    expect(simulatedOutcome('bounce@simulator.amazonses.com')).toBe('hard-bounce');
    expect(simulatedOutcome('complaint+t1@simulator.amazonses.com')).toBe('complaint');
    expect(simulatedOutcome('suppressionlist@simulator.amazonses.com')).toBe('suppressed');
    expect(simulatedOutcome('success@simulator.amazonses.com')).toBeUndefined();
    expect(simulatedOutcome('bounce@example.com')).toBeUndefined();
  });
});

describe('tokenBucket', () => {
  /** A clock that moves only when the bucket sleeps. */
  function fakeClock(): RateClock & { slept: number[] } {
    let t = 0;
    const slept: number[] = [];
    return {
      slept,
      now: () => t,
      sleep: async (ms) => {
        slept.push(ms);
        t += ms;
      },
    };
  }

  it('lets a burst of the rate through at once, then one send per 1/rate seconds', async () => {
    const clock = fakeClock();
    const bucket = tokenBucket(5, clock);
    const starts: number[] = [];
    await Promise.all(
      Array.from({ length: 12 }, () => bucket.take().then(() => starts.push(clock.now()))),
    );
    expect(starts.slice(0, 5)).toEqual([0, 0, 0, 0, 0]);
    // 7 more sends at 5 per second: the last starts 1.4 s in.
    expect(starts.at(-1)).toBe(1400);
    // In no window of one second do more than 5 (+ the initial burst's edge) start.
    for (const s of starts) {
      expect(starts.filter((x) => x > s && x <= s + 1000).length).toBeLessThanOrEqual(5);
    }
  });

  it('refuses a rate that is not positive', () => {
    expect(() => tokenBucket(0)).toThrow();
  });
});
