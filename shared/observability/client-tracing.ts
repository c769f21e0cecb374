/**
 * Where SDK clients meet tracing without importing the tracer: each client factory hands its
 * client here, and the tracer (shared/observability/tracer.ts) registers itself when a function
 * imports it. The authorizer never imports the tracer, so its bundle stays without the X-Ray SDK
 * (about 120 KiB) while its clients are created by the same factories as everyone else's.
 */

/** What the AWS SDK v3 clients have in common, as far as instrumentation is concerned. */
export interface InstrumentableClient {
  middlewareStack: unknown;
}

type Instrument = (client: InstrumentableClient) => void;

let instrument: Instrument | undefined;
const waiting: InstrumentableClient[] = [];

/** Called by every client factory: instruments the client now, or once a tracer registers. */
export function traceClient<C extends InstrumentableClient>(client: C): C {
  if (instrument) instrument(client);
  else waiting.push(client);
  return client;
}

/** Registers the instrumentation (once per process); clients created earlier get it too. */
export function registerClientTracing(fn: Instrument): void {
  if (instrument) return;
  instrument = fn;
  for (const client of waiting.splice(0)) fn(client);
}
