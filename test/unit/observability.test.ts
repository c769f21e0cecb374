/**
 * Operations plumbing without AWS: strict configuration at a Lambda cold start (local defaults
 * only outside Lambda), log lines carrying the Lambda context, and metrics flushed once per
 * invocation as EMF, in Lambda only.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { build } from 'esbuild';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PROJECT_ROOT } from '#infra/constructs/api-function.js';
import { lambdaBuildOptions, sdkSource } from '#infra/constructs/bundling.js';
import { loadEnv, MissingConfigError } from '#shared/config/env.js';
import {
  captureOutput,
  coldStartInLambda,
  lambdaContext,
  metricsNamed,
} from '../support/lambda-output.js';

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

const deployed = {
  TABLE_NAME: 'gatehouse-prod',
  USER_POOL_ID: 'us-east-1_pool',
  USER_POOL_CLIENT_ID: 'client',
  MAIL_FROM: 'no-reply@example.com',
  ACCEPT_URL: 'https://app.example.com/accept',
};

describe('configuration', () => {
  it('falls back to the local defaults outside Lambda', () => {
    const env = loadEnv({});
    expect(env).toMatchObject({ TABLE_NAME: 'gatehouse', USER_POOL_ID: 'local' });
    expect(env.MAIL_FROM).toBe('no-reply@gatehouse.local');
  });

  it('in Lambda, refuses to read a missing deployment variable, naming it', () => {
    const env = loadEnv({ AWS_LAMBDA_FUNCTION_NAME: 'fn', TABLE_NAME: 'gatehouse-prod' });
    expect(env.TABLE_NAME).toBe('gatehouse-prod');
    expect(() => env.MAIL_FROM).toThrow(MissingConfigError);
    expect(() => env.MAIL_FROM).toThrow(/MAIL_FROM/);
    expect(() => env.USER_POOL_ID).toThrow(/USER_POOL_ID/);
  });

  it('in Lambda, takes every deployment variable that is set', () => {
    const env = loadEnv({ AWS_LAMBDA_FUNCTION_NAME: 'fn', ...deployed });
    expect(env).toMatchObject(deployed);
  });

  it('fails the cold start of a mailer deployed without MAIL_FROM', async () => {
    coldStartInLambda({ ...deployed, MAIL_FROM: undefined });
    await expect(import('../../functions/mailer/handler.js')).rejects.toThrow(
      /Missing environment variable MAIL_FROM/,
    );
  });

  it('fails the cold start of a route function deployed without TABLE_NAME', async () => {
    coldStartInLambda({ ...deployed, TABLE_NAME: undefined });
    await expect(import('../../functions/members/handler.js')).rejects.toThrow(
      /Missing environment variable TABLE_NAME/,
    );
  });

  it('starts a function that lacks only variables it never reads (offboarding: no mail)', async () => {
    coldStartInLambda({
      TABLE_NAME: 'gatehouse-prod',
      USER_POOL_ID: 'us-east-1_pool',
      MAIL_FROM: undefined,
      ACCEPT_URL: undefined,
    });
    await expect(import('../../functions/offboarding/handler.js')).resolves.toHaveProperty(
      'handler',
    );
  });
});

describe('metrics', () => {
  it('in Lambda, flushes what was recorded as EMF in the Gatehouse namespace, once', async () => {
    coldStartInLambda(deployed);
    const metrics = await import('#shared/observability/metrics.js');
    const out = captureOutput();
    metrics.recordBounce('permanent');
    metrics.recordBounce('permanent');
    metrics.recordMailSent();
    metrics.flushMetrics();
    metrics.flushMetrics();
    out.stop();
    const [bounce, ...moreBounces] = metricsNamed(out.emf(), 'MailBounce');
    expect(moreBounces).toEqual([]);
    expect(bounce).toMatchObject({
      MailBounce: [1, 1],
      kind: 'permanent',
      service: 'gatehouse',
      stage: 'test',
      _aws: {
        CloudWatchMetrics: [{ Namespace: 'Gatehouse', Dimensions: [['service', 'stage', 'kind']] }],
      },
    });
    // MailSent has no `kind`: each extra dimension stays on its own metric.
    const [sent] = metricsNamed(out.emf(), 'MailSent');
    expect(sent).toMatchObject({ MailSent: 1, stage: 'test' });
    expect(sent).not.toHaveProperty('kind');
  });

  it('outside Lambda (npm start, tests), records and writes nothing', async () => {
    vi.resetModules();
    const metrics = await import('#shared/observability/metrics.js');
    const out = captureOutput();
    metrics.recordBounce('complaint');
    metrics.recordForcedLogout('member');
    metrics.flushMetrics();
    out.stop();
    expect(out.json()).toEqual([]);
  });
});

describe('log context', () => {
  it("a worker's lines carry the Lambda context; its metrics are flushed when it throws", async () => {
    coldStartInLambda(deployed);
    const { observedWorker } = await import('#shared/observability/worker.js');
    const { logger } = await import('#shared/observability/logger.js');
    const { recordForcedLogout } = await import('#shared/observability/metrics.js');
    const worker = observedWorker(async (_event: unknown) => {
      logger.warn('working');
      recordForcedLogout('offboarding');
      throw new Error('boom');
    });
    const out = captureOutput();
    await expect(worker({}, lambdaContext('req-worker'))).rejects.toThrow('boom');
    out.stop();
    expect(out.logs().find((l) => l.message === 'working')).toMatchObject({
      function_request_id: 'req-worker',
      function_name: 'gatehouse-test-fn',
      cold_start: expect.any(Boolean),
      service: 'gatehouse',
    });
    expect(metricsNamed(out.emf(), 'ForcedLogout')).toMatchObject([
      { ForcedLogout: 1, kind: 'offboarding' },
    ]);
  });

  it("an API function's lines carry API Gateway's request id and the route", async () => {
    coldStartInLambda(deployed);
    const { apiHandler } = await import('#shared/http/api-handler.js');
    const { logger } = await import('#shared/observability/logger.js');
    const { docsRoutes } = await import('#shared/routes/docs-routes.js');
    const handler = apiHandler('docs', docsRoutes, {
      'docs.openapi': async () => {
        logger.warn('serving');
        return {};
      },
    });
    const event = {
      version: '2.0',
      routeKey: 'GET /v1/openapi.json',
      rawPath: '/v1/openapi.json',
      headers: {},
      isBase64Encoded: false,
      requestContext: { requestId: 'apigw-req-7', http: { method: 'GET' } },
    } as unknown as APIGatewayProxyEventV2;
    const out = captureOutput();
    const response = await handler(event, lambdaContext('lambda-req-7'));
    await handler(
      { ...event, requestContext: { requestId: 'apigw-req-8' } } as never,
      lambdaContext('lambda-req-8'),
    );
    out.stop();
    expect(response).toMatchObject({ statusCode: 200 });
    const [first, second] = out.logs().filter((l) => l.message === 'serving');
    expect(first).toMatchObject({
      correlation_id: 'apigw-req-7',
      function_request_id: 'lambda-req-7',
      routeKey: 'GET /v1/openapi.json',
      cold_start: expect.any(Boolean),
    });
    // Keys of one request never leak into the next.
    expect(second).toMatchObject({
      correlation_id: 'apigw-req-8',
      function_request_id: 'lambda-req-8',
    });
  });

  it('answers an item of a newer format with a 500 problem naming it, counted for the alarm', async () => {
    coldStartInLambda(deployed);
    const { apiHandler } = await import('#shared/http/api-handler.js');
    const { docsRoutes } = await import('#shared/routes/docs-routes.js');
    const { UnknownItemFormatError } = await import('#shared/store/records/item-format.js');
    const handler = apiHandler('docs', docsRoutes, {
      'docs.openapi': async () => {
        throw new UnknownItemFormatError('member', 9);
      },
    });
    const out = captureOutput();
    const response = await handler(
      {
        version: '2.0',
        routeKey: 'GET /v1/openapi.json',
        rawPath: '/v1/openapi.json',
        headers: {},
        isBase64Encoded: false,
        requestContext: { requestId: 'apigw-req-9', http: { method: 'GET' } },
      } as unknown as APIGatewayProxyEventV2,
      lambdaContext('lambda-req-9'),
    );
    out.stop();
    expect(response).toMatchObject({
      statusCode: 500,
      headers: { 'content-type': 'application/problem+json' },
    });
    expect(JSON.parse(String((response as { body: string }).body))).toMatchObject({
      title: 'Item format not supported',
      kind: 'member',
    });
    expect(metricsNamed(out.emf(), 'UnknownItemFormat')).toMatchObject([
      { UnknownItemFormat: 1, kind: 'member' },
    ]);
    expect(out.logs().find((l) => l.level === 'ERROR')).toMatchObject({ kind: 'member' });
  });
});

describe('bundle contents', () => {
  /** The input files that end up in the bundle of `functions/<name>/handler.ts` as CDK builds it (not those tree-shaken away). */
  async function bundledInputs(name: string): Promise<string[]> {
    const result = await build({
      ...lambdaBuildOptions(sdkSource(name)),
      entryPoints: [join(PROJECT_ROOT, 'functions', name, 'handler.ts')],
      absWorkingDir: PROJECT_ROOT,
      outdir: join(PROJECT_ROOT, 'cdk.out', 'observability-test'),
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    return Object.values(result.metafile.outputs).flatMap((output) =>
      Object.entries(output.inputs)
        .filter(([, input]) => input.bytesInOutput > 0)
        .map(([path]) => path),
    );
  }

  /** The npm packages in the minified bundle of `functions/<name>/handler.ts`, as CDK builds it. */
  async function bundledPackages(name: string): Promise<string[]> {
    return (await bundledInputs(name)).flatMap(
      (path) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1] ?? [],
    );
  }

  // Powertools Tracer (the X-Ray SDK and semver, about 120 KiB and a quarter of a route
  // function's start CPU) was dropped: Lambda's active tracing still records every invocation.
  it.each(['authorizer', 'members', 'mailer'])(
    'keeps the X-Ray SDK and Powertools Tracer out of the %s bundle',
    async (name) => {
      const packages = await bundledPackages(name);
      expect(packages).toContain('@aws-lambda-powertools/metrics');
      expect(packages).not.toContain('aws-xray-sdk-core');
      expect(packages).not.toContain('@aws-lambda-powertools/tracer');
    },
  );

  // Full zod (zod/v4/classic) is about 90 KiB of a bundle; every schema a function loads is
  // zod/mini. Those that answer with validation messages carry zod's English locale, which full
  // zod used to bring (shared/common/zod-english.ts); the authorizer and the workers that show
  // no zod message (their env only, or offboarding's yes/no event match) have none.
  it('keeps full zod out of every function bundle, and English messages in those that validate', async () => {
    const functions = readdirSync(join(PROJECT_ROOT, 'functions')).filter((name) =>
      existsSync(join(PROJECT_ROOT, 'functions', name, 'handler.ts')),
    );
    expect(functions).toContain('members');
    for (const name of functions) {
      const inputs = await bundledInputs(name);
      expect(
        inputs.filter((p) => p.includes('/zod/v4/classic/')),
        name,
      ).toEqual([]);
      const english = inputs.some((p) => p.endsWith('/zod/v4/locales/en.js'));
      // The $default function (fallback) validates nothing: it matches paths and answers 404/405.
      expect(english, name).toBe(
        !['authorizer', 'mailer', 'mail-redrive', 'offboarding', 'fallback'].includes(name),
      );
    }
  });

  it("leaves the SDK's credential chain out of every bundle: Lambda's credentials are in the environment", async () => {
    for (const name of ['tenants', 'members']) {
      const packages = await bundledPackages(name);
      expect(packages, name).toContain('@aws-sdk/credential-provider-env');
      expect(packages, name).not.toContain('@aws-sdk/credential-provider-node');
      expect(packages, name).not.toContain('@aws-sdk/nested-clients');
    }
  });

  it('leaves the event-stream codec out of every bundle, and its stand-in refuses instead of misbehaving', async () => {
    for (const name of ['tenants', 'mailer', 'invites']) {
      const inputs = await bundledInputs(name);
      expect(
        inputs.some((p) => p.includes('@smithy/core/dist-es/submodules/protocols/')),
        name,
      ).toBe(true);
      expect(
        inputs.filter((p) => p.includes('/submodules/event-streams/')),
        name,
      ).toEqual([]);
      expect(inputs, name).toContain('infra/constructs/no-event-streams.ts');
    }
    const stub = await import('#infra/constructs/no-event-streams.js');
    expect(() => new stub.EventStreamSerde()).toThrow(/Event streams are left out/);
    expect(() => stub.eventStreamSerdeProvider()).toThrow(/Event streams are left out/);
  });

  it("keeps the AWS SDK's clients out of the authorizer: it reads over the signed HTTP transport", async () => {
    const packages = await bundledPackages('authorizer');
    expect(packages).toContain('aws4');
    expect(packages).toContain('@aws-sdk/util-dynamodb');
    expect(
      packages.filter((p) => /^@aws-sdk\/(client-|lib-|core$|credential-)|^@smithy\//.test(p)),
    ).toEqual([]);
  });
});
