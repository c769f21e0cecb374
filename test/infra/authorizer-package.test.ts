/**
 * The authorizer package's constructs (packages/authorizer) as a consumer stack uses them: the
 * prebuilt bundle plus routes.json as one asset, HTTP and REST authorizers without caching,
 * route maps validated at synth, the stage found through SSM, and the same table access as
 * Gatehouse's own authorizer.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { HttpIntegration, RestApi } from 'aws-cdk-lib/aws-apigateway';
import { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpUrlIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { beforeAll, describe, expect, it } from 'vitest';
import { ACTIONS } from '#shared/acl/types.js';
import { keys } from '#shared/store/keys.js';
import { TABLE_INDEXES } from '#shared/store/table-definition.js';
import {
  AUTHORIZER_ACTIONS,
  GATEHOUSE_INDEX_NAMES,
  GatehouseAuthorizer,
  GatehouseStage,
  gatehouseParameterNames,
  type RouteMap,
} from '../../packages/authorizer/src/index.js';
import { TENANT_PARTITION_PREFIX } from '../../packages/authorizer/src/table-access.js';
import { ensureAuthorizerBundle } from '../support/authorizer-package.js';
import {
  nagErrors,
  onlyResource,
  resourcesOf,
  roleStatements,
  type Statement,
  type Synthesized,
  synthesize,
} from './synth-kit.js';

const appRoute = 'GET /t/{tenantId}/apps/{appId+}';
const routes: RouteMap = {
  [appRoute]: [
    { resource: 'dcos:adminrouter:service:marathon', action: 'full' },
    { resource: 'dcos:service:marathon:marathon:services/{appId}', action: 'read' },
  ],
  'GET /t/{tenantId}/apps': [
    { resource: 'dcos:service:marathon:marathon:services', action: 'read' },
  ],
};

const explicitStage = () =>
  GatehouseStage.fromAttributes({
    tableName: 'gatehouse-table',
    tableArn: 'arn:aws:dynamodb:eu-west-1:111111111111:table/gatehouse-table',
    userPoolId: 'eu-west-1_abc',
    userPoolArn: 'arn:aws:cognito-idp:eu-west-1:111111111111:userpool/eu-west-1_abc',
    appClientIds: ['client-a', 'client-b'],
  });

function consumer(options: { routes?: RouteMap; fromStage?: boolean } = {}) {
  const app = new App();
  const stack = new Stack(app, 'AppsService');
  const gatehouse = new GatehouseAuthorizer(stack, 'Gatehouse', {
    gatehouse: options.fromStage ? GatehouseStage.fromStage(stack, 'prod') : explicitStage(),
    routes: options.routes ?? routes,
  });
  return { app, stack, gatehouse };
}

/** The authorizer's staged asset directory, after checking the function deploys it as code. */
function assetDirOf(stack: Stack, gatehouse: GatehouseAuthorizer): string {
  const code = onlyResource(Template.fromStack(stack), 'AWS::Lambda::Function').Properties?.Code;
  expect(code).toHaveProperty('S3Key');
  return gatehouse.assetDirectory;
}

let main: Synthesized;

beforeAll(async () => {
  await ensureAuthorizerBundle();
  main = synthesize({ bundle: false, mailerEntry: null });
});

describe('GatehouseAuthorizer on an HTTP API', () => {
  it('protects a mapped route with an uncached payload-2.0 authorizer running the prebuilt bundle', () => {
    const { stack, gatehouse } = consumer();
    const api = new HttpApi(stack, 'Api');
    gatehouse.protect(api, appRoute, new HttpUrlIntegration('Backend', 'https://example.com'));
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: appRoute,
      AuthorizationType: 'CUSTOM',
    });
    const authorizer = onlyResource(template, 'AWS::ApiGatewayV2::Authorizer').Properties;
    expect(authorizer).toMatchObject({
      AuthorizerType: 'REQUEST',
      AuthorizerResultTtlInSeconds: 0,
      EnableSimpleResponses: true,
      AuthorizerPayloadFormatVersion: '2.0',
    });
    expect(authorizer?.IdentitySource ?? []).toEqual([]);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      Environment: {
        Variables: Match.objectLike({
          AUTHORIZER_MODE: 'external',
          AUTHORIZER_ROUTES_FILE: 'routes.json',
          TABLE_NAME: 'gatehouse-table',
          USER_POOL_ID: 'eu-west-1_abc',
          USER_POOL_CLIENT_IDS: 'client-a,client-b',
        }),
      },
    });

    const dir = assetDirOf(stack, gatehouse);
    expect(JSON.parse(readFileSync(join(dir, 'routes.json'), 'utf8'))).toEqual({
      format: 1,
      tenantParam: 'tenantId',
      routes,
    });
    expect(readFileSync(join(dir, 'index.mjs'), 'utf8')).toContain(
      'sourceMappingURL=index.mjs.map',
    );
  });

  it('refuses to protect a route missing from its route map', () => {
    const { stack, gatehouse } = consumer();
    const api = new HttpApi(stack, 'Api');
    expect(() =>
      gatehouse.protect(
        api,
        'DELETE /t/{tenantId}/apps/{appId+}',
        new HttpUrlIntegration('B', 'https://example.com'),
      ),
    ).toThrow(/not in the route map/);
  });
});

describe('GatehouseAuthorizer on a REST API', () => {
  it('protects a mapped route with an uncached REQUEST authorizer', () => {
    const { stack, gatehouse } = consumer();
    const api = new RestApi(stack, 'Rest');
    gatehouse.protectRest(api, appRoute, new HttpIntegration('https://example.com/{appId}'));
    gatehouse.protectRest(
      api,
      'GET /t/{tenantId}/apps',
      new HttpIntegration('https://example.com'),
    );
    const template = Template.fromStack(stack);
    const authorizer = onlyResource(template, 'AWS::ApiGateway::Authorizer').Properties;
    expect(authorizer).toMatchObject({ Type: 'REQUEST', AuthorizerResultTtlInSeconds: 0 });
    expect(authorizer?.IdentitySource ?? '').toBe('');
    const methods = resourcesOf(template, 'AWS::ApiGateway::Method');
    expect(methods.map((m) => m.Properties?.AuthorizationType)).toEqual(['CUSTOM', 'CUSTOM']);
    template.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: '{appId+}' });
    // API Gateway may invoke the one function for this REST API.
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Principal: 'apigateway.amazonaws.com',
    });
  });

  it('refuses to protect a REST route missing from its route map', () => {
    const { stack, gatehouse } = consumer();
    const api = new RestApi(stack, 'Rest');
    expect(() =>
      gatehouse.protectRest(
        api,
        'POST /t/{tenantId}/apps',
        new HttpIntegration('https://example.com'),
      ),
    ).toThrow(/not in the route map/);
  });
});

describe('route maps at synth', () => {
  it.each([
    [
      { 'GET /apps/{appId}': [{ resource: 'x', action: 'read' }] },
      /"GET \/apps\/\{appId\}" has no \{tenantId\}/,
    ],
    [
      { 'GET /t/{tenantId}/x': [{ resource: 'x', action: 'write' }] },
      /route "GET \/t\/\{tenantId\}\/x", permission 1: unknown action "write"/,
    ],
    [{ 'FETCH /t/{tenantId}': [] }, /"FETCH \/t\/\{tenantId\}" has an unknown method/],
    [{ 'GET t/{tenantId}': [] }, /"GET t\/\{tenantId\}" is not a route key/],
    [
      { 'GET /t/{tenantId}/a': [{ resource: 'apps/{name}', action: 'read' }] },
      /uses \{name\}, not a path parameter/,
    ],
    [
      { 'GET /t/{tenantId}/a/{b}': [{ resource: 'apps/../{b}', action: 'read' }] },
      /"GET \/t\/\{tenantId\}\/a\/\{b\}".*"\." or "\.\." level/,
    ],
    [
      { 'GET /t/{tenantId}/a': [{ resource: 'apps', action: 'read', scope: 'x' }] },
      /unknown field scope/,
    ],
  ])('refuses a broken route map, naming the route (%#)', (broken, message) => {
    expect(() => consumer({ routes: broken as unknown as RouteMap })).toThrow(message);
  });

  it('synthesizes a map of 500 routes, which an environment variable could not hold', () => {
    const many: Record<string, RouteMap[string]> = {};
    for (let i = 0; i < 500; i++) {
      many[`GET /t/{tenantId}/service${i}/items/{itemId}`] = [
        { resource: `svc:service${i}:items/{itemId}`, action: 'read' },
      ];
    }
    const { stack, gatehouse } = consumer({ routes: many });
    const dir = assetDirOf(stack, gatehouse);
    const file = JSON.parse(readFileSync(join(dir, 'routes.json'), 'utf8'));
    expect(Object.keys(file.routes)).toHaveLength(500);
    const env = JSON.stringify(
      onlyResource(Template.fromStack(stack), 'AWS::Lambda::Function').Properties?.Environment,
    );
    expect(env.length).toBeLessThan(1000);
  });
});

describe('finding a Gatehouse stage', () => {
  it('reads the stage from its SSM parameters at deploy time', () => {
    const { stack } = consumer({ fromStage: true });
    const parameters = Template.fromStack(stack).toJSON().Parameters as Record<
      string,
      { Type: string; Default: string }
    >;
    const names = gatehouseParameterNames('prod');
    const byName = Object.fromEntries(Object.values(parameters).map((p) => [p.Default, p.Type]));
    expect(byName).toMatchObject({
      [names.tableName]: 'AWS::SSM::Parameter::Value<String>',
      [names.tableArn]: 'AWS::SSM::Parameter::Value<String>',
      [names.userPoolId]: 'AWS::SSM::Parameter::Value<String>',
      [names.appClientIds]: 'AWS::SSM::Parameter::Value<List<String>>',
    });
  });

  it('is published by the Gatehouse data stack under the stable names', () => {
    const published = resourcesOf(main.dataTemplate, 'AWS::SSM::Parameter').map((p) => [
      p.Properties?.Name,
      p.Properties?.Type,
    ]);
    const names = gatehouseParameterNames('prod');
    expect(published).toEqual(
      expect.arrayContaining([
        [names.tableName, 'String'],
        [names.tableArn, 'String'],
        [names.userPoolId, 'String'],
        [names.userPoolArn, 'String'],
        [names.appClientIds, 'StringList'],
      ]),
    );
  });

  it('passes cdk-nag in a consumer stack', () => {
    const { app, stack, gatehouse } = consumer({ fromStage: true });
    gatehouse.protect(
      new HttpApi(stack, 'Api'),
      appRoute,
      new HttpUrlIntegration('B', 'https://example.com'),
    );
    expect(nagErrors(app).filter((e) => e.includes(' at AppsService/Gatehouse'))).toEqual([]);
  });
});

describe('one contract with Gatehouse', () => {
  it('grants the same table access as Gatehouse grants its own authorizer', () => {
    // Resources differ (an import vs an ARN); actions and conditions must not.
    const table = (statements: Statement[]) =>
      statements
        .filter((s) => JSON.stringify(s.Action).includes('dynamodb:'))
        .map((s) => ({
          actions: [s.Action].flat().sort(),
          condition: (s as { Condition?: unknown }).Condition ?? null,
        }));
    const own = table(roleStatements(main.api, main.apiTemplate, main.api.authorizerFunction));
    const { stack } = consumer();
    const consumerStatements = resourcesOf(Template.fromStack(stack), 'AWS::IAM::Policy').flatMap(
      (p) =>
        (p.Properties?.PolicyDocument as { Statement?: Statement[] } | undefined)?.Statement ?? [],
    );
    expect(table(consumerStatements)).toEqual(own);
    expect(own).toHaveLength(2);
  });

  it('knows the actions, indexes and tenant partition of Gatehouse', () => {
    expect([...AUTHORIZER_ACTIONS]).toEqual([...ACTIONS]);
    expect([...GATEHOUSE_INDEX_NAMES]).toEqual(TABLE_INDEXES.map((i) => i.indexName));
    expect(TENANT_PARTITION_PREFIX).toBe(keys.tenantPartition(''));
  });
});
