/** CDK template assertions for the data and API stacks and cdk-nag (the authorizer package: authorizer-package.test.ts). */
import type { CfnElement } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  CLI_CALLBACK_URL,
  STAGES,
  type StageSettings,
  stageSettings,
} from '#shared/config/stages.js';
import { routeTable } from '#shared/routes/route-table.js';
import { routeKey } from '#shared/routes/route-types.js';
import { TABLE_INDEXES, TABLE_KEYS, TTL_ATTRIBUTE } from '#shared/store/table-definition.js';
import {
  actionsOf,
  envOf,
  functionByDescription,
  type Json,
  nagErrors,
  onlyResource,
  type Resource,
  resourcesOf,
  roleStatements,
  type Statement,
  type Synthesized,
  statementsOf,
  synthesize,
} from './synth-kit.js';

let main: Synthesized;

beforeAll(() => {
  // Real esbuild bundles for the deployable app (about a second per function on 2 cores).
  main = synthesize({ bundle: true });
});

describe('data stack', () => {
  it('builds the single table from table-definition.ts', () => {
    const table = onlyResource(main.dataTemplate, 'AWS::DynamoDB::Table');
    expect(table.Properties).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: TABLE_KEYS.partitionKey, KeyType: 'HASH' },
        { AttributeName: TABLE_KEYS.sortKey, KeyType: 'RANGE' },
      ],
      TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
      StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      DeletionProtectionEnabled: true,
    });
    const indexes = table.Properties?.GlobalSecondaryIndexes as Json[];
    expect(indexes).toHaveLength(TABLE_INDEXES.length);
    for (const index of TABLE_INDEXES) {
      expect(indexes).toContainEqual({
        IndexName: index.indexName,
        KeySchema: [
          { AttributeName: index.partitionKey, KeyType: 'HASH' },
          { AttributeName: index.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      });
    }
  });

  it('retains the table and the user pool when the stack is deleted', () => {
    main.dataTemplate.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    main.dataTemplate.hasResource('AWS::Cognito::UserPool', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  it('lets only admins create users, who sign in by case-insensitive email', () => {
    main.dataTemplate.hasResourceProperties('AWS::Cognito::UserPool', {
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      UsernameAttributes: ['email'],
      UsernameConfiguration: { CaseSensitive: false },
      DeletionProtection: 'ACTIVE',
      Policies: {
        PasswordPolicy: Match.objectLike({
          MinimumLength: 12,
          RequireLowercase: true,
          RequireUppercase: true,
          RequireNumbers: true,
          RequireSymbols: true,
        }),
      },
    });
  });

  it('issues 15-minute access tokens and 30-day refresh tokens to a secretless client', () => {
    main.dataTemplate.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      AccessTokenValidity: 15,
      RefreshTokenValidity: 43200,
      TokenValidityUnits: Match.objectLike({ AccessToken: 'minutes', RefreshToken: 'minutes' }),
      GenerateSecret: false,
      PreventUserExistenceErrors: 'ENABLED',
    });
  });

  it("signs people in through managed login: the code grant with the stage's redirect URLs only", () => {
    const { oauth } = stageSettings('prod');
    const client = onlyResource(main.dataTemplate, 'AWS::Cognito::UserPoolClient');
    expect(client.Properties).toMatchObject({
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthFlows: ['code'],
      CallbackURLs: oauth.callbackUrls,
      LogoutURLs: oauth.logoutUrls,
    });
    expect(new Set(client.Properties?.AllowedOAuthScopes as string[])).toEqual(
      new Set(['openid', 'email', 'profile']),
    );
    expect(oauth.callbackUrls).toContain(CLI_CALLBACK_URL);
    main.dataTemplate.hasResourceProperties('AWS::Cognito::UserPoolDomain', {
      Domain: oauth.domainPrefix,
      ManagedLoginVersion: 2,
    });
    main.dataTemplate.hasResourceProperties('AWS::Cognito::ManagedLoginBranding', {
      UseCognitoProvidedValues: true,
    });
  });

  it('refuses a deployed stage whose redirect URL is plain http on 127.0.0.1 or has a fragment', () => {
    const prod = STAGES.prod as StageSettings;
    const bad = {
      ...prod,
      oauth: { ...prod.oauth, callbackUrls: ['http://127.0.0.1:3000/console/'] },
    };
    expect(() => stageSettings('bad', { bad })).toThrow(/plain http only for localhost/);
    const fragment = { ...prod, oauth: { ...prod.oauth, logoutUrls: ['https://a.example/#x'] } };
    expect(() => stageSettings('fragment', { fragment })).toThrow(/oauth.logoutUrls/);
  });

  it('allows no password (and no SRP) sign-in on prod: only refresh', () => {
    const client = onlyResource(main.dataTemplate, 'AWS::Cognito::UserPoolClient');
    expect(client.Properties?.ExplicitAuthFlows).toEqual(['ALLOW_REFRESH_TOKEN_AUTH']);
  });

  it('allows password sign-in on a stage whose settings ask for it', () => {
    const prod = stageSettings('prod');
    const cli = synthesize({
      bundle: false,
      mailerEntry: null,
      settings: { ...prod, stage: 'cli', cognito: { allowPasswordAuth: true } },
    });
    const client = onlyResource(cli.dataTemplate, 'AWS::Cognito::UserPoolClient');
    expect(client.Properties?.ExplicitAuthFlows).toEqual([
      'ALLOW_USER_PASSWORD_AUTH',
      'ALLOW_REFRESH_TOKEN_AUTH',
    ]);
  });

  it("sends Cognito's own mail through the stage's SES identity, not Cognito's default sender", () => {
    const { mail } = stageSettings('prod');
    const pool = onlyResource(main.dataTemplate, 'AWS::Cognito::UserPool');
    const email = pool.Properties?.EmailConfiguration as Json;
    expect(email).toMatchObject({
      EmailSendingAccount: 'DEVELOPER',
      From: `Gatehouse <${mail.from}>`,
    });
    expect(JSON.stringify(email.SourceArn)).toContain(`:identity/${mail.sesIdentity}`);
  });
});

describe('api stack', () => {
  it('serves every route of the route table with the authorization its kind requires', () => {
    const routes = resourcesOf(main.apiTemplate, 'AWS::ApiGatewayV2::Route');
    // Plus `$default`.
    expect(routes).toHaveLength(routeTable.length + 1);
    for (const route of routeTable) {
      const guarded = route.auth.kind === 'tenant' || route.auth.kind === 'authenticated';
      main.apiTemplate.hasResourceProperties('AWS::ApiGatewayV2::Route', {
        RouteKey: routeKey(route),
        AuthorizationType: guarded ? 'CUSTOM' : 'NONE',
      });
    }
  });

  it('builds one function per distinct route-table function, plus the authorizer, fallback and offboarding', () => {
    const names = new Set(routeTable.map((r) => r.fn));
    for (const name of names) functionByDescription(main.apiTemplate, `Gatehouse ${name} routes`);
    // The mailer, the re-drive and (with them) the mail-events function.
    const mailers = (main.api.mailer ? 2 : 0) + (main.api.mailRedrive ? 1 : 0);
    expect(resourcesOf(main.apiTemplate, 'AWS::Lambda::Function')).toHaveLength(
      names.size + 3 + mailers,
    );
    expect(resourcesOf(main.apiTemplate, 'AWS::ApiGatewayV2::Integration')).toHaveLength(
      names.size + 1,
    );
  });

  it('alarms on every dead-letter queue and every function but the authorizer, on one dashboard', () => {
    const alarms = resourcesOf(main.apiTemplate, 'AWS::CloudWatch::Alarm').map(
      (a) => a.Properties as Json,
    );
    const names = alarms.map((a) => String(a.AlarmName));
    for (const dlq of ['Mailer', 'Offboarding', 'MailEvents']) {
      expect(
        names.some((n) => n.includes(dlq) || n.toLowerCase().includes(dlq.toLowerCase())),
      ).toBe(true);
    }
    const functions = resourcesOf(main.apiTemplate, 'AWS::Lambda::Function').length;
    const errorAlarms = alarms.filter((a) => a.MetricName === 'Errors');
    // Every function has an Errors alarm except the authorizer, whose 401s are not faults.
    expect(errorAlarms).toHaveLength(functions - 1);
    expect(resourcesOf(main.apiTemplate, 'AWS::CloudWatch::Dashboard')).toHaveLength(1);
  });

  it('answers unknown routes through an unauthorized $default route on the fallback function', () => {
    const route = resourcesOf(main.apiTemplate, 'AWS::ApiGatewayV2::Route').find(
      (r) => r.Properties?.RouteKey === '$default',
    );
    expect(route?.Properties).toMatchObject({ AuthorizationType: 'NONE' });
    const integrationId = JSON.stringify(route?.Properties?.Target).match(/"Ref":"([^"]+)"/)?.[1];
    const integration = main.apiTemplate.toJSON().Resources[String(integrationId)] as Resource;
    const fallbackId = main.api.getLogicalId(main.api.fallback.fn.node.defaultChild as CfnElement);
    expect(JSON.stringify(integration.Properties?.IntegrationUri)).toContain(fallbackId);
  });

  it('never caches authorizer decisions and invokes the authorizer without any identity source', () => {
    const authorizer = onlyResource(main.apiTemplate, 'AWS::ApiGatewayV2::Authorizer');
    expect(authorizer.Properties).toMatchObject({
      AuthorizerType: 'REQUEST',
      AuthorizerResultTtlInSeconds: 0,
      EnableSimpleResponses: true,
      AuthorizerPayloadFormatVersion: '2.0',
      IdentitySource: [],
    });
    const fn = functionByDescription(main.apiTemplate, 'Gatehouse authorizer (internal mode)');
    expect(envOf(fn)).toMatchObject({ AUTHORIZER_MODE: 'internal' });
  });

  it('runs every function on nodejs22.x arm64 with tracing, and source maps on but in the authorizer', () => {
    const functions = resourcesOf(main.apiTemplate, 'AWS::Lambda::Function');
    expect(functions.length).toBeGreaterThan(0);
    for (const fn of functions) {
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        Handler: 'index.handler',
      });
      // The authorizer's cold start is every cold request's: Node would parse its whole map on load.
      const authorizer = String(fn.Properties?.Description ?? '').startsWith(
        'Gatehouse authorizer',
      );
      expect(envOf(fn).NODE_OPTIONS, String(fn.Properties?.Description)).toBe(
        authorizer ? undefined : '--enable-source-maps',
      );
    }
    const logGroups = resourcesOf(main.apiTemplate, 'AWS::Logs::LogGroup');
    for (const group of logGroups) expect(group.Properties?.RetentionInDays).toBe(30);
  });

  it('gives route functions and the authorizer 512 MB, 10 s and the Cognito ids', () => {
    const names = [...new Set(routeTable.map((r) => `Gatehouse ${r.fn} routes`))];
    for (const description of [...names, 'Gatehouse authorizer (internal mode)']) {
      const fn = functionByDescription(main.apiTemplate, description);
      expect(fn.Properties).toMatchObject({ MemorySize: 512, Timeout: 10 });
      expect(envOf(fn)).toHaveProperty('USER_POOL_ID');
      expect(envOf(fn)).toHaveProperty('USER_POOL_CLIENT_ID');
    }
  });

  it("gives the mail senders the stage's sender and accept page, and takes no stack parameters", () => {
    const { mail } = stageSettings('prod');
    for (const description of [
      'Gatehouse invite mailer (table stream consumer)',
      'Gatehouse outbox re-drive (scheduled)',
    ]) {
      const env = envOf(functionByDescription(main.apiTemplate, description));
      expect(env).toMatchObject({ MAIL_FROM: mail.from, ACCEPT_URL: mail.acceptUrl });
    }
    for (const name of new Set(routeTable.map((r) => r.fn))) {
      const env = envOf(functionByDescription(main.apiTemplate, `Gatehouse ${name} routes`));
      expect(env).not.toHaveProperty('MAIL_FROM');
    }
    expect(main.apiTemplate.toJSON().Parameters ?? {}).not.toHaveProperty('SesIdentity');
    expect(main.apiTemplate.toJSON().Parameters ?? {}).not.toHaveProperty('AcceptUrl');
  });

  it('carries the stage in both stack names, so two stages share an account', () => {
    expect(main.data.stackName).toBe('Gatehouse-prod-Data');
    expect(main.api.stackName).toBe('Gatehouse-prod-Api');
  });

  it('grants no IAM action with a wildcard', () => {
    const statements = [...statementsOf(main.apiTemplate), ...statementsOf(main.dataTemplate)];
    expect(statements.length).toBeGreaterThan(0);
    const wildcards = statements.flatMap(actionsOf).filter((a) => a.includes('*'));
    expect(wildcards).toEqual([]);
  });

  it('scopes Cognito admin calls to the user pool and SES sends to the sending identity', () => {
    const statements = statementsOf(main.apiTemplate);
    const cognito = statements.filter((s) =>
      actionsOf(s).some((a) => a.startsWith('cognito-idp:')),
    );
    expect(cognito.length).toBeGreaterThan(0);
    for (const s of cognito) {
      expect(actionsOf(s)).not.toContain('cognito-idp:AdminUserGlobalSignOut');
      expect(JSON.stringify(s.Resource)).toMatch(
        /^\{"Fn::ImportValue":"Gatehouse-prod-Data:.*UserPool/,
      );
    }
    const ses = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('ses:')));
    expect(ses.length).toBeGreaterThan(0);
    for (const s of ses) {
      expect(actionsOf(s)).toEqual(['ses:SendEmail']);
      expect(JSON.stringify(s.Resource)).toContain(
        `:identity/${stageSettings('prod').mail.sesIdentity}`,
      );
    }
  });

  it("lets the authorizer write only an API token's lastUsedAt, in tenant partitions", () => {
    const statements = roleStatements(
      main.api,
      main.apiTemplate,
      main.api.authorizerFunction,
    ).filter((s) => actionsOf(s).some((a) => a.startsWith('dynamodb:')));
    const writes = statements.filter((s) =>
      actionsOf(s).some(
        (a) => !['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'].includes(a),
      ),
    );
    expect(writes).toEqual([
      {
        Effect: 'Allow',
        Action: 'dynamodb:UpdateItem',
        Resource: { 'Fn::ImportValue': expect.stringMatching(/^Gatehouse-prod-Data:.*Table/) },
        Condition: {
          'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['TENANT#*'] },
          'ForAllValues:StringEquals': { 'dynamodb:Attributes': ['pk', 'sk', 'lastUsedAt'] },
          StringEqualsIfExists: {
            'dynamodb:Select': 'SPECIFIC_ATTRIBUTES',
            'dynamodb:ReturnValues': ['NONE', 'UPDATED_OLD', 'UPDATED_NEW'],
          },
        },
      },
    ]);
    const reads = statements.filter((s) => !writes.includes(s));
    expect(reads).toHaveLength(1);
    expect([...actionsOf(reads[0] as Statement)].sort()).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:GetItem',
    ]);
    // Items by key only: no Query, and no index (its signed HTTP transport sends neither).
    const resources = JSON.stringify(reads[0]?.Resource);
    expect(resources).not.toContain('/index/');
  });

  it('writes JSON access logs for the default stage and throttles it', () => {
    main.apiTemplate.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      AccessLogSettings: {
        DestinationArn: Match.anyValue(),
        Format: Match.stringLikeRegexp('\\$context\\.requestId'),
      },
      DefaultRouteSettings: Match.objectLike({
        ThrottlingRateLimit: stageSettings('prod').throttle.rateLimit,
        ThrottlingBurstLimit: stageSettings('prod').throttle.burstLimit,
      }),
    });
  });

  it("answers the browser preflight for the stage's origins, with the headers clients send", () => {
    const api = onlyResource(main.apiTemplate, 'AWS::ApiGatewayV2::Api');
    expect(api.Properties?.CorsConfiguration).toEqual({
      AllowOrigins: stageSettings('prod').allowedOrigins,
      AllowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
      AllowHeaders: ['authorization', 'content-type', 'idempotency-key'],
      ExposeHeaders: ['retry-after', 'allow'],
      AllowCredentials: false,
      MaxAge: 3600,
    });
  });

  it('configures no CORS for a stage without browser origins', () => {
    const closed = synthesize({
      bundle: false,
      mailerEntry: null,
      settings: { ...stageSettings('prod'), stage: 'closed', allowedOrigins: [] },
    });
    const api = onlyResource(closed.apiTemplate, 'AWS::ApiGatewayV2::Api');
    expect(api.Properties).not.toHaveProperty('CorsConfiguration');
  });

  it("maps the stage's custom domain to the API, and adds none without one", () => {
    main.apiTemplate.resourceCountIs('AWS::ApiGatewayV2::DomainName', 0);
    const certificateArn = 'arn:aws:acm:us-east-1:111111111111:certificate/abc';
    const withDomain = synthesize({
      bundle: false,
      mailerEntry: null,
      settings: {
        ...stageSettings('prod'),
        stage: 'custom',
        domain: { name: 'api.example.com', certificateArn },
      },
    });
    withDomain.apiTemplate.hasResourceProperties('AWS::ApiGatewayV2::DomainName', {
      DomainName: 'api.example.com',
      DomainNameConfigurations: [Match.objectLike({ CertificateArn: certificateArn })],
    });
    withDomain.apiTemplate.hasResourceProperties('AWS::ApiGatewayV2::ApiMapping', {
      DomainName: Match.anyValue(),
      ApiId: Match.anyValue(),
      Stage: Match.anyValue(),
    });
    withDomain.apiTemplate.hasOutput('DomainTarget', {});
    expect(nagErrors(withDomain.app)).toEqual([]);
  });

  it('outputs what a client needs: API URL, user pool, client and table', () => {
    for (const name of ['ApiUrl', 'UserPoolId', 'UserPoolClientId', 'TableName']) {
      main.apiTemplate.hasOutput(name, {});
    }
  });

  it('builds no mailer, queue or stream mapping without a mailer entry', () => {
    const explicitNone = synthesize({ bundle: false, mailerEntry: null });
    explicitNone.apiTemplate.resourceCountIs('AWS::Lambda::EventSourceMapping', 0);
    // The one queue left is offboarding's dead-letter queue.
    explicitNone.apiTemplate.resourceCountIs('AWS::SQS::Queue', 1);
  });
});

describe('offboarding', () => {
  it('hands the user pool deletions and disables (CloudTrail via EventBridge) to the offboarding function', () => {
    const rule = resourcesOf(main.apiTemplate, 'AWS::Events::Rule').find((r) =>
      JSON.stringify(r.Properties?.EventPattern ?? '').includes('aws.cognito-idp'),
    );
    if (!rule) throw new Error('no event-pattern rule');
    expect(rule.Properties).toMatchObject({
      EventPattern: {
        source: ['aws.cognito-idp'],
        'detail-type': ['AWS API Call via CloudTrail'],
        detail: {
          eventSource: ['cognito-idp.amazonaws.com'],
          eventName: ['AdminDeleteUser', 'AdminDisableUser', 'DeleteUser'],
          requestParameters: { userPoolId: [expect.anything()] },
        },
      },
    });
    const fn = functionByDescription(
      main.apiTemplate,
      'Gatehouse offboarding: user-pool deletions end sessions and tokens',
    );
    expect(envOf(fn)).toHaveProperty('USER_POOL_ID');
    expect(envOf(fn)).toHaveProperty('TABLE_NAME');
    // Least privilege: the user's stamp and memberships, and the stamps of their member items.
    const roleId = (fn.Properties?.Role as { 'Fn::GetAtt': string[] } | undefined)?.[
      'Fn::GetAtt'
    ][0];
    const statements = resourcesOf(main.apiTemplate, 'AWS::IAM::Policy')
      .filter((p) => JSON.stringify(p.Properties?.Roles).includes(String(roleId)))
      .flatMap(
        (p) =>
          (p.Properties?.PolicyDocument as { Statement?: Statement[] } | undefined)?.Statement ??
          [],
      );
    const tableStatements = statements.filter((st) =>
      actionsOf(st).some((a) => a.startsWith('dynamodb:')),
    );
    expect(tableStatements).toEqual([
      expect.objectContaining({
        Action: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
        Condition: {
          'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['USER#*', 'TENANT#*'] },
        },
      }),
    ]);
    const resources = JSON.stringify(tableStatements[0]?.Resource);
    expect(resources).toContain('/index/byUser');
    expect(resources).not.toContain('/index/*');
    const targets = (rule.Properties as { Targets: { Arn: unknown; DeadLetterConfig?: unknown }[] })
      .Targets;
    expect(targets).toHaveLength(1);
    expect(targets[0]?.DeadLetterConfig).toBeDefined();
    main.apiTemplate.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
    });
  });
});

describe('invite mailer', () => {
  // functions/mailer does not exist yet: any existing entry stands in for it; bundling is skipped.
  let mailer: Synthesized;
  beforeAll(() => {
    mailer = synthesize({ bundle: false, mailerEntry: 'functions/me/handler.ts' });
  });

  it('consumes only invite items from the table stream, with retries and partial batch failures', () => {
    const mapping = onlyResource(mailer.apiTemplate, 'AWS::Lambda::EventSourceMapping');
    expect(mapping.Properties).toMatchObject({
      BatchSize: 10,
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 5,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      StartingPosition: 'TRIM_HORIZON',
      DestinationConfig: {
        OnFailure: {
          Destination: { 'Fn::GetAtt': [expect.stringMatching(/^MailerDeadLetters/), 'Arn'] },
        },
      },
    });
    const criteria = mapping.Properties?.FilterCriteria as { Filters: { Pattern: string }[] };
    const filters = criteria.Filters;
    expect(filters.map((f) => JSON.parse(f.Pattern))).toEqual([
      {
        dynamodb: {
          NewImage: {
            type: { S: ['invite-mail', 'account-mail'] },
            leaseUntil: { S: [{ exists: false }] },
            attempts: { N: [{ exists: false }] },
          },
        },
      },
    ]);
  });

  it('re-drives the outbox every minute with least-privilege table and mail grants', () => {
    const fn = functionByDescription(mailer.apiTemplate, 'Gatehouse outbox re-drive (scheduled)');
    expect(fn.Properties).toMatchObject({ Timeout: 60, Runtime: 'nodejs22.x' });
    expect(Object.keys(envOf(fn))).toEqual(
      expect.arrayContaining(['TABLE_NAME', 'MAIL_FROM', 'ACCEPT_URL']),
    );
    const rule = resourcesOf(mailer.apiTemplate, 'AWS::Events::Rule').find(
      (r) => r.Properties?.ScheduleExpression !== undefined,
    );
    expect(rule?.Properties).toMatchObject({
      ScheduleExpression: 'rate(1 minute)',
      State: 'ENABLED',
      Targets: [expect.objectContaining({ RetryPolicy: { MaximumRetryAttempts: 0 } })],
    });
    const fnId = Object.entries(mailer.apiTemplate.findResources('AWS::Lambda::Function')).find(
      ([, r]) =>
        (r as Resource).Properties?.Description === 'Gatehouse outbox re-drive (scheduled)',
    )?.[0];
    mailer.apiTemplate.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'events.amazonaws.com',
      FunctionName: { 'Fn::GetAtt': [fnId, 'Arn'] },
    });
    const roleId = (fn.Properties?.Role as { 'Fn::GetAtt': string[] } | undefined)?.[
      'Fn::GetAtt'
    ][0];
    const policies = resourcesOf(mailer.apiTemplate, 'AWS::IAM::Policy').filter((p) =>
      JSON.stringify(p.Properties?.Roles).includes(String(roleId)),
    );
    const actions = policies
      .flatMap(
        (p) =>
          (p.Properties?.PolicyDocument as { Statement: Statement[] } | undefined)?.Statement ?? [],
      )
      .flatMap(actionsOf)
      .filter((a) => !a.startsWith('logs:') && !a.startsWith('xray:'));
    expect(actions.sort()).toEqual(
      [
        'dynamodb:DeleteItem',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:Query',
        'dynamodb:UpdateItem',
        // On the SES identity and the configuration set (test/infra/mail-events.test.ts).
        'ses:SendEmail',
      ].sort(),
    );
  });

  it('gives the mailer 30 s and the mail and table settings', () => {
    const fn = functionByDescription(
      mailer.apiTemplate,
      'Gatehouse invite mailer (table stream consumer)',
    );
    expect(fn.Properties).toMatchObject({ Timeout: 30, Runtime: 'nodejs22.x' });
    expect(Object.keys(envOf(fn))).toEqual(
      expect.arrayContaining(['TABLE_NAME', 'MAIL_FROM', 'ACCEPT_URL']),
    );
  });

  it('dead-letters failed batches to an encrypted queue that refuses plain HTTP', () => {
    mailer.apiTemplate.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
    mailer.apiTemplate.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  it('still grants no wildcard action with the stream and queue permissions added', () => {
    const wildcards = statementsOf(mailer.apiTemplate)
      .flatMap(actionsOf)
      .filter((a) => a.includes('*'));
    expect(wildcards).toEqual([]);
  });

  it('passes cdk-nag with the mailer in place', () => {
    expect(nagErrors(mailer.app)).toEqual([]);
  });
});

describe('cdk-nag AwsSolutions', () => {
  it('reports no unacknowledged errors for the deployable app', () => {
    expect(nagErrors(main.app)).toEqual([]);
  });

  it('leaves no CDK error annotations on either stack', () => {
    for (const stack of [main.data, main.api]) {
      expect(Annotations.fromStack(stack).findError('*', Match.anyValue())).toEqual([]);
    }
  });
});
