/**
 * The local stand-in for the mailer's stream event source: polls DynamoDB Local's stream, keeps
 * only outbox records (`invite-mail`, `account-mail`: the CDK filter), calls the real mailer handler in batches, and
 * retries the records it reports as failed with backoff, like Lambda's retry policy.
 */

import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  type _Record,
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { isOutboxRecord } from '#shared/invites/invite-delivery.js';
import { loadHandler } from './function-modules.js';

type MailerHandler = (
  event: DynamoDBStreamEvent,
) => Promise<{ batchItemFailures: { itemIdentifier: string }[] }>;

export interface MailPollerOptions {
  endpoint: string;
  region: string;
  tableName: string;
  intervalMs?: number;
  /** Attempts per record before it is dropped (the DLQ in AWS). */
  maxAttempts?: number;
}

const local = { accessKeyId: 'local', secretAccessKey: 'local' };

function isOutbox(record: _Record): boolean {
  return isOutboxRecord(record);
}

/** Starts polling; returns the stop function. */
export async function startMailPoller(options: MailPollerOptions): Promise<() => Promise<void>> {
  const interval = options.intervalMs ?? 200;
  const maxAttempts = options.maxAttempts ?? 4;
  const ddb = new DynamoDBClient({
    region: options.region,
    endpoint: options.endpoint,
    credentials: local,
  });
  const streams = new DynamoDBStreamsClient({
    region: options.region,
    endpoint: options.endpoint,
    credentials: local,
  });
  const table = await ddb.send(new DescribeTableCommand({ TableName: options.tableName }));
  const streamArn = table.Table?.LatestStreamArn;
  if (!streamArn) throw new Error(`table ${options.tableName} has no stream`);
  const iterators = new Map<string, string | undefined>();
  let first = true;
  let stopped = false;
  const retries: { record: DynamoDBRecord; attempt: number; due: number }[] = [];

  async function refreshShards() {
    const desc = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
    for (const shard of desc.StreamDescription?.Shards ?? []) {
      const id = shard.ShardId;
      if (!id || iterators.has(id)) continue;
      const open = !shard.SequenceNumberRange?.EndingSequenceNumber;
      // Shards that existed before start are history: read only what is new from now on.
      if (first && !open) {
        iterators.set(id, undefined);
        continue;
      }
      const it = await streams.send(
        new GetShardIteratorCommand({
          StreamArn: streamArn,
          ShardId: id,
          ShardIteratorType: first ? 'LATEST' : 'TRIM_HORIZON',
        }),
      );
      iterators.set(id, it.ShardIterator);
    }
    first = false;
  }

  async function invoke(records: DynamoDBRecord[], attempt: number) {
    if (!records.length) return;
    const handler = await loadHandler<MailerHandler>('mailer');
    let failed: Set<string>;
    try {
      const res = await handler({ Records: records });
      failed = new Set(res.batchItemFailures.map((f) => f.itemIdentifier));
    } catch {
      failed = new Set(records.map((r) => r.dynamodb?.SequenceNumber ?? ''));
    }
    for (const record of records) {
      if (!failed.has(record.dynamodb?.SequenceNumber ?? '')) continue;
      if (attempt >= maxAttempts) {
        process.stderr.write(`mail poller: dropping a record after ${attempt} attempts (DLQ)\n`);
        continue;
      }
      retries.push({ record, attempt: attempt + 1, due: Date.now() + 200 * 2 ** attempt });
    }
  }

  async function pollOnce() {
    await refreshShards();
    const batch: DynamoDBRecord[] = [];
    for (const [id, iterator] of iterators) {
      if (!iterator) continue;
      const res = await streams.send(
        new GetRecordsCommand({ ShardIterator: iterator, Limit: 100 }),
      );
      iterators.set(id, res.NextShardIterator);
      for (const r of res.Records ?? [])
        if (isOutbox(r)) batch.push(r as unknown as DynamoDBRecord);
    }
    for (let i = 0; i < batch.length; i += 10) await invoke(batch.slice(i, i + 10), 1);
    const now = Date.now();
    const due = retries.filter((r) => r.due <= now);
    for (const d of due) retries.splice(retries.indexOf(d), 1);
    for (const d of due) await invoke([d.record], d.attempt);
  }

  await refreshShards();
  const loop = (async () => {
    while (!stopped) {
      try {
        await pollOnce();
      } catch (error) {
        if (!stopped) process.stderr.write(`mail poller: ${(error as Error).message}\n`);
      }
      await new Promise((r) => setTimeout(r, interval));
    }
  })();
  return async () => {
    stopped = true;
    await loop;
    streams.destroy();
    ddb.destroy();
  };
}
