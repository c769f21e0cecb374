/**
 * Stands in for `@smithy/core/event-streams` in every deployed bundle (the alias in
 * infra/constructs/bundling.ts). The SDK's protocol code loads it with a dynamic import only when
 * an operation streams events (Bedrock, Transcribe, S3 Select); none of the DynamoDB, Cognito and
 * SES operations Gatehouse calls does, and esbuild would otherwise put the whole codec (about
 * 13 KiB) into every bundle, the authorizer's included. Should a bundled client ever reach an
 * event stream, the call fails with this message instead of misbehaving.
 */
const MESSAGE =
  'Event streams are left out of Gatehouse bundles (infra/constructs/no-event-streams.ts): remove the alias in bundling.ts to call an event-stream operation';

/** What the protocol constructs for an event-stream operation; never constructible here. */
export class EventStreamSerde {
  constructor() {
    throw new Error(MESSAGE);
  }
}

/** What the protocol resolves its event-stream marshaller from; never callable here. */
export function eventStreamSerdeProvider(): never {
  throw new Error(MESSAGE);
}
