/**
 * The local stand-in for the mailer's stream event source: polls DynamoDB Local's stream, keeps
 * only new outbox records (`invite-mail`, `account-mail`: the CDK filter), calls the real mailer
 * handler in batches, and retries the records it reports as failed with backoff, like Lambda's
 * retry policy. It resumes where it stopped: the last sequence number handled per shard is kept
 * in a checkpoint file, and shards without one are read from their trim horizon (delivery is
 * idempotent, so reading a record twice sends nothing twice).
 */

import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { isOutboxRecord } from '#shared/invites/invite-delivery.js';
import { openStreamReader } from '#shared/store/stream-reader.js';
import { loadHandler } from './function-modules.js';

type MailerHandler = (
  event: DynamoDBStreamEvent,
) => Promise<{ batchItemFailures: { itemIdentifier: string }[] }>;

export interface MailPollerOptions {
  endpoint: string;
  region: string;
  tableName: string;
  intervalMs?: number;
  /** Attempts per failed batch record before the poller leaves it to the re-drive. */
  maxAttempts?: number;
  /** Where the per-shard position is kept across restarts; none keeps it in memory only. */
  checkpointFile?: string;
}

type Checkpoint = Record<string, string>;

function readCheckpoint(file: string | undefined): Checkpoint {
  if (!file || !existsSync(file)) return {};
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Checkpoint;
  } catch {
    return {};
  }
}

function writeCheckpoint(file: string | undefined, checkpoint: Checkpoint) {
  if (!file) return;
  // Write then rename, so a kill mid-write leaves the previous checkpoint intact.
  writeFileSync(`${file}.tmp`, JSON.stringify(checkpoint));
  renameSync(`${file}.tmp`, file);
}

/** A record the mailer failed, to be handed to it again once `due` (epoch ms). */
interface Retry {
  record: DynamoDBRecord;
  attempt: number;
  due: number;
}

/**
 * Hands `records` to the mailer handler as attempt `attempt`; returns the ones it failed, to
 * retry with backoff, except those out of attempts (left to the re-drive).
 */
async function deliver(
  records: DynamoDBRecord[],
  attempt: number,
  maxAttempts: number,
): Promise<Retry[]> {
  if (!records.length) return [];
  const handler = await loadHandler<MailerHandler>('mailer');
  let failed: Set<string>;
  try {
    const res = await handler({ Records: records });
    failed = new Set(res.batchItemFailures.map((f) => f.itemIdentifier));
  } catch {
    failed = new Set(records.map((r) => r.dynamodb?.SequenceNumber ?? ''));
  }
  const retries: Retry[] = [];
  for (const record of records) {
    if (!failed.has(record.dynamodb?.SequenceNumber ?? '')) continue;
    if (attempt >= maxAttempts) {
      // The item is on the outbox's due list: the re-drive retries it from there.
      process.stderr.write(
        `mail poller: leaving a record to the re-drive after ${attempt} attempts\n`,
      );
      continue;
    }
    retries.push({ record, attempt: attempt + 1, due: Date.now() + 200 * 2 ** attempt });
  }
  return retries;
}

/** Runs `poll` every `interval` ms until stopped; a failed poll is reported and the next one runs. */
function pollEvery(interval: number, poll: () => Promise<void>) {
  let stopped = false;
  let wake: (() => void) | undefined;
  const loop = (async () => {
    while (!stopped) {
      try {
        await poll();
      } catch (error) {
        if (!stopped) process.stderr.write(`mail poller: ${(error as Error).message}\n`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, interval);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  })();
  return {
    async stop() {
      stopped = true;
      wake?.();
      await loop;
    },
  };
}

/** Starts polling; returns the stop function. */
export async function startMailPoller(options: MailPollerOptions): Promise<() => Promise<void>> {
  const interval = options.intervalMs ?? 200;
  const maxAttempts = options.maxAttempts ?? 4;
  const stream = await openStreamReader(options, options.tableName);
  const checkpoint = readCheckpoint(options.checkpointFile);
  /** Open iterators per shard; `null` once a closed shard has been read to its end. */
  const iterators = new Map<string, string | null>();
  const retries: Retry[] = [];

  async function refreshShards() {
    for (const id of await stream.shardIds()) {
      if (!iterators.has(id)) iterators.set(id, await stream.iterator(id, checkpoint[id]));
    }
  }

  const invoke = async (records: DynamoDBRecord[], attempt: number) => {
    retries.push(...(await deliver(records, attempt, maxAttempts)));
  };

  async function pollOnce() {
    await refreshShards();
    for (const [id, iterator] of iterators) {
      if (!iterator) continue;
      const page = await stream.read(iterator, 100).catch((error: unknown) => {
        // An expired or dead iterator (e.g. DynamoDB Local restarted) is made again from the checkpoint.
        iterators.delete(id);
        throw error;
      });
      const batch = page.records.filter((r) => isOutboxRecord(r));
      for (let i = 0; i < batch.length; i += 10) await invoke(batch.slice(i, i + 10), 1);
      iterators.set(id, page.next);
      const last = page.records.at(-1)?.dynamodb?.SequenceNumber;
      if (last) {
        checkpoint[id] = last;
        writeCheckpoint(options.checkpointFile, checkpoint);
      }
    }
    const now = Date.now();
    const due = retries.filter((r) => r.due <= now);
    for (const d of due) retries.splice(retries.indexOf(d), 1);
    for (const d of due) await invoke([d.record], d.attempt);
  }

  await refreshShards();
  const loop = pollEvery(interval, pollOnce);
  return async () => {
    await loop.stop();
    stream.close();
  };
}
