/**
 * Reads the table's DynamoDB stream on DynamoDB Local, shard by shard, for the local stand-in of
 * the mailer's stream event source. Records come in the shape Lambda delivers them.
 */
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord } from 'aws-lambda';
import { type LocalEndpoint, localClientConfig } from '#shared/store/local-table.js';

/** One read of a shard: its records, and where to read next (null once a closed shard ends). */
export interface ShardPage {
  records: DynamoDBRecord[];
  next: string | null;
}

export interface StreamReader {
  /** The ids of the stream's shards now. */
  shardIds(): Promise<string[]>;
  /**
   * Where to read a shard from: after `afterSequence` when given and still in the stream, else
   * from its trim horizon (the oldest record kept). Null when the shard has nothing to read.
   */
  iterator(shardId: string, afterSequence?: string): Promise<string | null>;
  /** Up to `limit` records at `iterator`; a dead or expired iterator throws. */
  read(iterator: string, limit: number): Promise<ShardPage>;
  close(): void;
}

/** Opens the stream of `tableName` (which must have one). */
export async function openStreamReader(
  at: LocalEndpoint,
  tableName: string,
): Promise<StreamReader> {
  const ddb = new DynamoDBClient(localClientConfig(at));
  const streams = new DynamoDBStreamsClient(localClientConfig(at));
  const table = await ddb.send(new DescribeTableCommand({ TableName: tableName })).finally(() => {
    ddb.destroy();
  });
  const streamArn = table.Table?.LatestStreamArn;
  if (!streamArn) {
    streams.destroy();
    throw new Error(`table ${tableName} has no stream`);
  }

  async function iterator(shardId: string, afterSequence?: string): Promise<string | null> {
    if (afterSequence) {
      try {
        const it = await streams.send(
          new GetShardIteratorCommand({
            StreamArn: streamArn,
            ShardId: shardId,
            ShardIteratorType: 'AFTER_SEQUENCE_NUMBER',
            SequenceNumber: afterSequence,
          }),
        );
        return it.ShardIterator ?? null;
      } catch {
        // The position is gone (trimmed): read what is left of the shard.
      }
    }
    const it = await streams.send(
      new GetShardIteratorCommand({
        StreamArn: streamArn,
        ShardId: shardId,
        ShardIteratorType: 'TRIM_HORIZON',
      }),
    );
    return it.ShardIterator ?? null;
  }

  return {
    async shardIds() {
      const desc = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
      return (desc.StreamDescription?.Shards ?? []).flatMap((s) => (s.ShardId ? [s.ShardId] : []));
    },
    iterator,
    async read(shardIterator, limit) {
      const res = await streams.send(
        new GetRecordsCommand({ ShardIterator: shardIterator, Limit: limit }),
      );
      return {
        records: (res.Records ?? []) as unknown as DynamoDBRecord[],
        next: res.NextShardIterator ?? null,
      };
    },
    close: () => streams.destroy(),
  };
}
