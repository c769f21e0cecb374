/** The console on AWS (infra/constructs/console-site.ts): private bucket, behaviours, headers, config.json, cdk-nag. */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REWRITE_CODE } from '#infra/constructs/console-site.js';
import { GatehouseConsoleStack } from '#infra/stacks/console-stack.js';
import { STAGES, type StageSettings, stageSettings } from '#shared/config/stages.js';
import { PASSWORD_POLICY } from '#shared/identity/password-policy.js';
import { buildConsole } from '../../console/build.js';
import { type Built, build, type Json, nagErrors, onlyResource } from './synth-kit.js';

/** CloudFront's managed policies, by their fixed ids. */
const CACHING_DISABLED = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';
const CACHING_OPTIMIZED = '658327ea-f89d-4fab-a63d-7e88639e58f6';
const ALL_VIEWER_EXCEPT_HOST_HEADER = 'b689b0a8-53d0-40ab-baf2-68738e2966ac';

const distDir = mkdtempSync(join(tmpdir(), 'gatehouse-console-dist-'));

interface WithConsole extends Built {
  console: GatehouseConsoleStack;
  template: Template;
}

function withConsole(settings: StageSettings = stageSettings('prod')): WithConsole {
  const built = build({ bundle: false, mailerEntry: null, settings });
  const console = new GatehouseConsoleStack(built.app, `Gatehouse-${settings.stage}-Console`, {
    settings,
    distDir,
    httpApi: built.api.api,
    userPool: built.data.userPool,
    userPoolClient: built.data.userPoolClient,
    userPoolDomain: built.data.userPoolDomain,
  });
  return { ...built, console, template: Template.fromStack(console) };
}

let main: WithConsole;

beforeAll(async () => {
  await buildConsole({ outDir: distDir });
  main = withConsole();
});

afterAll(() => rmSync(distDir, { recursive: true, force: true }));

interface Behavior {
  PathPattern?: string;
  TargetOriginId: string;
  AllowedMethods?: string[];
  CachePolicyId: unknown;
  OriginRequestPolicyId?: unknown;
  ResponseHeadersPolicyId?: unknown;
  ViewerProtocolPolicy: string;
  FunctionAssociations?: { EventType: string }[];
}

function distributionConfig(template: Template) {
  const distribution = onlyResource(template, 'AWS::CloudFront::Distribution');
  return distribution.Properties?.DistributionConfig as {
    Origins: {
      Id: string;
      DomainName: unknown;
      S3OriginConfig?: Json;
      OriginAccessControlId?: unknown;
    }[];
    DefaultCacheBehavior: Behavior;
    CacheBehaviors: Behavior[];
    CustomErrorResponses?: unknown;
    Aliases?: string[];
    ViewerCertificate?: Json;
  };
}

describe('console site', () => {
  it('keeps the pages bucket private: no public access, TLS only, read by CloudFront through OAC', () => {
    const t = main.template;
    t.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
    });
    t.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: {
        OriginAccessControlOriginType: 's3',
        SigningBehavior: 'always',
        SigningProtocol: 'sigv4',
      },
    });
    const policies = JSON.stringify(t.findResources('AWS::S3::BucketPolicy'));
    expect(policies).toContain('"aws:SecureTransport":"false"');
    expect(policies).toContain('"Service":"cloudfront.amazonaws.com"');
    expect(policies).toContain('AWS:SourceArn');
    const config = distributionConfig(t);
    const s3 = config.Origins.find((o) => o.S3OriginConfig);
    expect(s3?.OriginAccessControlId).toBeDefined();
    expect(config.DefaultCacheBehavior.TargetOriginId).toBe(s3?.Id);
  });

  it('routes /v1/* to the HTTP API: every method, nothing cached, viewer headers but Host forwarded', () => {
    const config = distributionConfig(main.template);
    expect(config.CacheBehaviors).toHaveLength(1);
    const api = config.CacheBehaviors[0] as Behavior;
    expect(api).toMatchObject({
      PathPattern: '/v1/*',
      AllowedMethods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE'],
      CachePolicyId: CACHING_DISABLED,
      // All viewer headers (Authorization among them) and query strings, except Host.
      OriginRequestPolicyId: ALL_VIEWER_EXCEPT_HOST_HEADER,
      ViewerProtocolPolicy: 'https-only',
    });
    const origin = config.Origins.find((o) => o.Id === api.TargetOriginId);
    const domain = JSON.stringify(origin?.DomainName);
    expect(domain).toContain('.execute-api.');
    expect(domain).toContain('HttpApi');
    expect(config.DefaultCacheBehavior).toMatchObject({
      CachePolicyId: CACHING_OPTIMIZED,
      ViewerProtocolPolicy: 'redirect-to-https',
      FunctionAssociations: [{ EventType: 'viewer-request' }],
    });
  });

  it('falls back to the console page for console paths only; API errors pass through unchanged', () => {
    expect(distributionConfig(main.template).CustomErrorResponses).toBeUndefined();
    const handler = new Function(`${REWRITE_CODE}; return handler;`)() as (e: {
      request: { uri: string };
    }) => { uri?: string; statusCode?: number; headers?: Json };
    const to = (uri: string) => handler({ request: { uri } });
    expect(to('/console/').uri).toBe('/console.html');
    expect(to('/console').uri).toBe('/console.html');
    expect(to('/console/members').uri).toBe('/console.html');
    expect(to('/console/assets/console-AB12.js').uri).toBe('/assets/console-AB12.js');
    expect(to('/console/config.json').uri).toBe('/config.json');
    expect(to('/accept').uri).toBe('/accept.html');
    expect(to('/nothing-here').uri).toBe('/nothing-here');
    expect(to('/').statusCode).toBe(302);
  });

  it('sends CSP (self and the managed-login domain only), HSTS and no framing with the pages', () => {
    const policy = onlyResource(main.template, 'AWS::CloudFront::ResponseHeadersPolicy');
    const headers = policy.Properties?.ResponseHeadersPolicyConfig as Json;
    const security = headers.SecurityHeadersConfig as Json;
    const csp = JSON.stringify(security.ContentSecurityPolicy);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("connect-src 'self' https://");
    expect(csp).toContain('.auth.');
    expect(csp).not.toContain('*');
    expect(security).toMatchObject({
      StrictTransportSecurity: { AccessControlMaxAgeSec: 730 * 86400, IncludeSubdomains: true },
      FrameOptions: { FrameOption: 'DENY' },
      ReferrerPolicy: { ReferrerPolicy: 'no-referrer' },
    });
  });

  it('writes config.json with the managed-login endpoints, the app client and the password policy', () => {
    const assembly = main.app.synth();
    const deployments = Object.values(main.template.findResources('Custom::CDKBucketDeployment'));
    const withMarkers = deployments.find((d) =>
      JSON.stringify(d.Properties?.SourceMarkers ?? []).includes('marker'),
    );
    expect(withMarkers).toBeDefined();
    // Each source is an asset zip named by its hash; the config's is staged as asset.<hash>/.
    const hashes = JSON.stringify(withMarkers?.Properties?.SourceObjectKeys).match(/[0-9a-f]{64}/g);
    const configFile = (hashes ?? [])
      .map((hash) => join(assembly.directory, `asset.${hash}`, 'config.json'))
      .find((path) => existsSync(path));
    expect(configFile).toBeDefined();
    const config = JSON.parse(readFileSync(configFile as string, 'utf8')) as Json;
    const markers = JSON.stringify(withMarkers?.Properties?.SourceMarkers);
    expect(config.passwordPolicy).toEqual(PASSWORD_POLICY);
    expect(String(config.authorizationEndpoint)).toMatch(/\/oauth2\/authorize$/);
    expect(String(config.tokenEndpoint)).toMatch(/\/oauth2\/token$/);
    expect(String(config.logoutEndpoint)).toMatch(/\/logout$/);
    expect(String(config.issuer)).toMatch(/^https:\/\/cognito-idp\./);
    // The deploy-time values come from the data stack: the app client and the pool's domain.
    expect(markers).toContain('UserPoolAppClient');
    expect(markers).toContain('UserPoolDomain');
  });

  it('passes cdk-nag, with every finding acknowledged with a reason', () => {
    const errors = nagErrors(main.app).filter((e) => e.includes('-Console/'));
    expect(errors).toEqual([]);
  });

  it('serves a custom domain with TLS 1.2 when the stage names one, and refuses oauth URLs that miss it', () => {
    const prod = STAGES.prod as StageSettings;
    const domain = {
      name: 'app.example.com',
      certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/abc',
    };
    const custom = withConsole(
      stageSettings('custom', { custom: { ...prod, stage: 'custom', console: { domain } } }),
    );
    const config = distributionConfig(custom.template);
    expect(config.Aliases).toEqual(['app.example.com']);
    expect(config.ViewerCertificate).toMatchObject({
      AcmCertificateArn: domain.certificateArn,
      MinimumProtocolVersion: 'TLSv1.2_2021',
    });
    const other = { ...domain, name: 'console.example.net' };
    const wrong = stageSettings('wrong', {
      wrong: { ...prod, stage: 'wrong', console: { domain: other } },
    });
    expect(() => withConsole(wrong)).toThrow(
      /oauth.callbackUrls must include https:\/\/console.example.net\/console\//,
    );
  });
});

describe('stage settings', () => {
  it('refuses a console certificate outside us-east-1 (CloudFront reads only those)', () => {
    const prod = STAGES.prod as StageSettings;
    const bad = {
      ...prod,
      console: {
        domain: {
          name: 'app.example.com',
          certificateArn: 'arn:aws:acm:eu-west-1:1:certificate/x',
        },
      },
    };
    expect(() => stageSettings('bad', { bad })).toThrow(/us-east-1/);
  });
});
