/**
 * Where the authorizer's signed HTTP transport sends DynamoDB requests: the SDK's client reads
 * AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL and AWS_USE_FIPS_ENDPOINT itself, so the transport
 * that replaced it in the authorizer must choose the same endpoint (a FIPS-only deployment would
 * otherwise send its authorization reads to a non-FIPS endpoint without a word).
 */
import { describe, expect, it } from 'vitest';
import { awsCredentials, loadEnv } from '#shared/config/env.js';
import { createHttpTransport, dynamoEndpoint } from '#shared/store/signed-http-transport.js';

describe('the DynamoDB endpoint of the signed HTTP transport', () => {
  it.each([
    [{ AWS_REGION: 'eu-west-1' }, 'https://dynamodb.eu-west-1.amazonaws.com'],
    [{ AWS_REGION: 'cn-north-1' }, 'https://dynamodb.cn-north-1.amazonaws.com.cn'],
    [
      { AWS_REGION: 'us-east-1', AWS_USE_FIPS_ENDPOINT: 'true' as const },
      'https://dynamodb-fips.us-east-1.amazonaws.com',
    ],
    [
      { AWS_REGION: 'us-east-1', AWS_USE_FIPS_ENDPOINT: 'false' as const },
      'https://dynamodb.us-east-1.amazonaws.com',
    ],
    [
      {
        AWS_REGION: 'us-east-1',
        AWS_ENDPOINT_URL: 'https://all.example',
        AWS_USE_FIPS_ENDPOINT: 'true' as const,
      },
      'https://all.example',
    ],
    [
      {
        AWS_REGION: 'us-east-1',
        AWS_ENDPOINT_URL: 'https://all.example',
        AWS_ENDPOINT_URL_DYNAMODB: 'https://dynamo.example',
      },
      'https://dynamo.example',
    ],
    [
      {
        AWS_REGION: 'us-east-1',
        DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000',
        AWS_ENDPOINT_URL_DYNAMODB: 'https://dynamo.example',
      },
      'http://127.0.0.1:8000',
    ],
  ])('%o goes to %s', (settings, url) => {
    expect(dynamoEndpoint(settings)).toBe(url);
  });

  it('reads the settings from the environment, and refuses one that is not a URL or a boolean', () => {
    const env = loadEnv({
      AWS_REGION: 'us-gov-west-1',
      AWS_USE_FIPS_ENDPOINT: 'true',
    } as NodeJS.ProcessEnv);
    expect(dynamoEndpoint(env)).toBe('https://dynamodb-fips.us-gov-west-1.amazonaws.com');
    expect(() => loadEnv({ AWS_ENDPOINT_URL_DYNAMODB: 'not a url' } as NodeJS.ProcessEnv)).toThrow(
      /AWS_ENDPOINT_URL_DYNAMODB/,
    );
    expect(() => loadEnv({ AWS_USE_FIPS_ENDPOINT: 'yes' } as NodeJS.ProcessEnv)).toThrow(
      /AWS_USE_FIPS_ENDPOINT/,
    );
  });
});

describe('the credentials of the signed HTTP transport', () => {
  it("reads Lambda's credentials from the environment, the session token when there is one", () => {
    const env = { AWS_ACCESS_KEY_ID: 'AKID', AWS_SECRET_ACCESS_KEY: 'secret' } as NodeJS.ProcessEnv;
    expect(awsCredentials(env)).toEqual({ accessKeyId: 'AKID', secretAccessKey: 'secret' });
    expect(awsCredentials({ ...env, AWS_SESSION_TOKEN: 'tok' })).toEqual({
      accessKeyId: 'AKID',
      secretAccessKey: 'secret',
      sessionToken: 'tok',
    });
    expect(awsCredentials({ AWS_ACCESS_KEY_ID: 'AKID' } as NodeJS.ProcessEnv)).toBeUndefined();
  });

  it('refuses to send unsigned to AWS when there are no credentials (placeholders are for a local emulator only)', async () => {
    const transport = createHttpTransport({
      region: 'us-east-1',
      endpoint: 'https://dynamodb.us-east-1.amazonaws.com',
      requestTimeoutMs: 100,
      credentials: () => undefined,
    });
    await expect(
      transport.call('GetItem', { TableName: 't', Key: { pk: 'a', sk: 'b' } }),
    ).rejects.toThrow(/AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set/);
  });
});
