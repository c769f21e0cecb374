/** Conditional transactions: the DynamoDB adapter's boundary where cancellations become domain errors. */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import type { DomainError } from '#shared/errors/domain-errors.js';
import type { DocumentClient } from '#shared/store/dynamo-client.js';

export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** Why each item of a cancelled transaction failed (`None` when it did not). */
export type CancellationCodes = string[];

/**
 * Writes `items` atomically. When a condition fails, `onConflict` turns the per-item
 * cancellation codes into the domain error to throw; other errors propagate unchanged.
 */
export async function transactWrite(
  db: DocumentClient,
  items: TransactItem[],
  onConflict: (codes: CancellationCodes) => DomainError,
): Promise<void> {
  try {
    await db.send(new TransactWriteCommand({ TransactItems: items }));
  } catch (error) {
    if (error instanceof TransactionCanceledException) {
      const codes = (error.CancellationReasons ?? []).map((r) => r.Code ?? 'None');
      if (codes.some((c) => c === 'ConditionalCheckFailed' || c === 'TransactionConflict')) {
        const domainError = onConflict(codes);
        (domainError as { cause?: unknown }).cause = error;
        throw domainError;
      }
    }
    throw error;
  }
}

/** Index of the first item whose condition failed, or -1. */
export function failedIndex(codes: CancellationCodes): number {
  return codes.indexOf('ConditionalCheckFailed');
}
