/**
 * Where the authorizer's signed HTTP transport sends DynamoDB requests: the SDK's client reads
 * AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL and AWS_USE_FIPS_ENDPOINT itself, so the transport
 * that replaced it in the authorizer must choose the same endpoint (a FIPS-only deployment would
 * otherwise send its authorization reads to a non-FIPS endpoint without a word).
 */
import { describe, expect, it } from 'vitest';
import { loadEnv } from '#shared/config/env.js';
import { dynamoEndpoint } from '#shared/store/signed-http-transport.js';

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
