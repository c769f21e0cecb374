/**
 * SES configuration-set events (bounces, complaints) delivered by EventBridge: each marks the
 * invite it belongs to and stops further mail to the address. (Placeholder until implemented.)
 */
import type { EventBridgeEvent } from 'aws-lambda';

export async function handler(_event: EventBridgeEvent<string, unknown>): Promise<void> {
  throw new Error('mail events are not handled yet');
}
