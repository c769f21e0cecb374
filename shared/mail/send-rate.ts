/**
 * The mailer's send rate: a token bucket in front of the mailer port, so one mailer or
 * re-drive instance never sends more than `ratePerSecond` mails in any second (SES's account
 * rate is per second). A burst waits for tokens instead of failing. Hand-written: no
 * rate-limit package is among the project's dependencies, and this is a few lines.
 */
import type { Mailer } from '#shared/mail/mailer.js';

export interface RateLimiter {
  /** Resolves when one send may start. */
  take(): Promise<void>;
}

export interface RateClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

const realClock: RateClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * A bucket of at most `ratePerSecond` tokens (at least 1), refilled continuously at that rate;
 * each send takes one. Waiters are served in order.
 */
export function tokenBucket(ratePerSecond: number, clock: RateClock = realClock): RateLimiter {
  if (!(ratePerSecond > 0)) throw new Error('ratePerSecond must be positive');
  const capacity = Math.max(1, ratePerSecond);
  let tokens = capacity;
  let last = clock.now();
  let queue: Promise<void> = Promise.resolve();
  const refill = () => {
    const now = clock.now();
    tokens = Math.min(capacity, tokens + ((now - last) / 1000) * ratePerSecond);
    last = now;
  };
  const takeOne = async () => {
    refill();
    while (tokens < 1) {
      await clock.sleep(Math.ceil(((1 - tokens) / ratePerSecond) * 1000));
      refill();
    }
    tokens -= 1;
  };
  return {
    take() {
      const next = queue.then(takeOne);
      queue = next.catch(() => undefined);
      return next;
    },
  };
}

/** The mailer port, each send waiting for a token of `limiter` first. */
export function rateLimitedMailer(mailer: Mailer, limiter: RateLimiter): Mailer {
  return {
    async send(message) {
      await limiter.take();
      await mailer.send(message);
    },
  };
}
