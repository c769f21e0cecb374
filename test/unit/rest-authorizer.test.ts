/**
 * The REST form's answer to API Gateway, decision by decision: the policy names exactly the
 * method ARN of the request (never a wildcard), the context holds scalars only, and refusals
 * are the errors API Gateway turns into 401 and 500. Also how the local gateway reads a policy.
 */
import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import {
  isRestAuthorizerEvent,
  restDecisionRequest,
  restResult,
} from '#shared/auth/rest-authorizer.js';
import { externalRoutes } from '#shared/auth/route-requirements.js';
import type { AuthorizerContext } from '#shared/http/authorizer-context.js';
import { evaluatePolicy } from '../../local/rest-gateway.js';

const arn = 'arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/GET/t/acme/apps/web';
const who = { tenantId: 'acme', userId: 'user-1', email: 'ann@example.com' };
const decided = (decision: AuthorizerContext['decision'], extra = {}): AuthorizerContext => ({
  decision,
  reason: 'because',
  tenantId: '',
  userId: '',
  email: '',
  ...extra,
});

function restEvent(overrides: Partial<APIGatewayRequestAuthorizerEvent> = {}) {
  return {
    type: 'REQUEST',
    methodArn: arn,
    resource: '/t/{tenantId}/apps/{appId+}',
    path: '/t/acme/apps/web',
    httpMethod: 'GET',
    headers: { Authorization: 'Bearer abc' },
    multiValueHeaders: { Authorization: ['Bearer abc'] },
    pathParameters: { tenantId: 'acme', appId: 'web' },
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    stageVariables: null,
    requestContext: {} as APIGatewayRequestAuthorizerEvent['requestContext'],
    ...overrides,
  } as APIGatewayRequestAuthorizerEvent;
}

describe('REST authorizer answer', () => {
  it('allows exactly the method ARN of the request and hands the backend only the caller', () => {
    const result = restResult(
      decided('allow', { ...who, credential: 'session', authTime: 1700000000, policyVersion: 7 }),
      arn,
    );
    expect(result.principalId).toBe('user-1');
    expect(result.policyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: arn }],
    });
    // What the backend may see, nothing internal (decision, reason, credential, policy version).
    expect(result.context).toEqual({
      ...who,
      principalId: 'user-1',
      principalKind: 'user',
      permissions: '[]',
    });
  });

  it.each(['forbidden', 'not-member'] as const)('answers %s with a Deny on that ARN', (d) => {
    const result = restResult(decided(d, who), arn);
    expect(result.policyDocument.Statement).toEqual([
      { Action: 'execute-api:Invoke', Effect: 'Deny', Resource: arn },
    ]);
    expect(JSON.stringify(result.policyDocument)).not.toContain('*');
  });

  it('names a principal even when nobody was identified', () => {
    expect(restResult(decided('forbidden'), arn).principalId).toBe('anonymous');
  });

  it('keeps only string, number and boolean context values', () => {
    const context = { ...decided('allow', who), tokenId: undefined, extra: { nested: true } };
    const result = restResult(context as AuthorizerContext, arn);
    for (const value of Object.values(result.context ?? {})) {
      expect(['string', 'number', 'boolean']).toContain(typeof value);
    }
    expect(result.context).not.toHaveProperty('tokenId');
    expect(result.context).not.toHaveProperty('extra');
  });

  it('throws Unauthorized (401) for a refused credential, another error (500) when undecided', () => {
    expect(() => restResult(decided('unauthenticated'), arn)).toThrow(/^Unauthorized$/);
    expect(() => restResult(decided('unavailable'), arn)).toThrow(/^Authorization unavailable$/);
  });
});

describe('REST event to decision request', () => {
  const requirements = externalRoutes('tenantId', {
    'GET /t/{tenantId}/apps/{appId+}': [{ resource: 'apps:{appId}', action: 'read' }],
    'ANY /t/{tenantId}/any/{appId+}': [{ resource: 'apps:{appId}', action: 'full' }],
  });

  it('keys the route by method and resource template and passes the path parameters', () => {
    expect(restDecisionRequest({ requirements }, restEvent())).toEqual({
      routeKey: 'GET /t/{tenantId}/apps/{appId+}',
      headers: { authorization: 'Bearer abc' },
      pathParameters: { tenantId: 'acme', appId: 'web' },
    });
  });

  it("falls back to the resource's ANY route, and only then", () => {
    const anyEvent = restEvent({ httpMethod: 'DELETE', resource: '/t/{tenantId}/any/{appId+}' });
    expect(restDecisionRequest({ requirements }, anyEvent).routeKey).toBe(
      'ANY /t/{tenantId}/any/{appId+}',
    );
    const unmapped = restEvent({ httpMethod: 'DELETE' });
    expect(restDecisionRequest({ requirements }, unmapped).routeKey).toBe(
      'DELETE /t/{tenantId}/apps/{appId+}',
    );
  });

  it('reads the Authorization header in any case, and none when two values disagree', () => {
    const upper = restEvent({ headers: { AUTHORIZATION: 'Bearer x' }, multiValueHeaders: null });
    expect(restDecisionRequest({ requirements }, upper).headers).toEqual({
      authorization: 'Bearer x',
    });
    const two = restEvent({
      headers: { Authorization: 'Bearer x', authorization: 'Bearer y' },
      multiValueHeaders: null,
    });
    expect(restDecisionRequest({ requirements }, two).headers).toEqual({});
    const repeated = restEvent({
      headers: { Authorization: 'Bearer y' },
      multiValueHeaders: { Authorization: ['Bearer x', 'Bearer y'] },
    });
    expect(restDecisionRequest({ requirements }, repeated).headers).toEqual({});
  });

  it('tells a REST event from an HTTP API payload 2.0 event', () => {
    expect(isRestAuthorizerEvent(restEvent())).toBe(true);
    expect(isRestAuthorizerEvent({ type: 'REQUEST', version: '2.0', routeArn: arn })).toBe(false);
  });
});

describe('local REST gateway policy evaluation', () => {
  const policy = (
    ...Statement: { Effect: 'Allow' | 'Deny'; Resource: string | string[] }[]
  ): APIGatewayAuthorizerResult => ({
    principalId: 'p',
    policyDocument: {
      Version: '2012-10-17',
      Statement: Statement.map((s) => ({ Action: 'execute-api:Invoke', ...s })),
    },
  });

  it('allows an ARN an Allow names, and no other', () => {
    expect(evaluatePolicy(policy({ Effect: 'Allow', Resource: arn }), arn)).toBe('allow');
    expect(evaluatePolicy(policy({ Effect: 'Allow', Resource: arn }), `${arn}/x`)).toBe(
      'implicit-deny',
    );
  });

  it('lets a matching Deny win over a wildcard Allow', () => {
    const both = policy(
      { Effect: 'Allow', Resource: 'arn:aws:execute-api:*' },
      { Effect: 'Deny', Resource: [arn] },
    );
    expect(evaluatePolicy(both, arn)).toBe('explicit-deny');
  });
});
