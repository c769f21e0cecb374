/**
 * The example consumer (examples/apps-consumer) as another team would use it, in a temporary
 * copy: pack the authorizer into its vendor/ directory (what `npm run pack-authorizer` does),
 * `npm ci` from its own lock file, `npx cdk synth` with no AWS account. The synthesized stack
 * must protect an HTTP API and a REST API with the prebuilt bundle and the example's routes.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appsRoutes } from '../../examples/apps-consumer/src/routes.js';
import { packAuthorizer } from '../../packages/authorizer/scripts/pack-into.js';

const EXAMPLE = join(import.meta.dirname, '../../examples/apps-consumer');
const COPIED = [
  'package.json',
  'package-lock.json',
  'cdk.json',
  'tsconfig.json',
  'bin',
  'lib',
  'src',
];

type Template = {
  Resources: Record<
    string,
    { Type: string; Properties?: Record<string, unknown>; Metadata?: Record<string, string> }
  >;
};

let dir: string;
let template: Template;

const resources = (type: string) =>
  Object.values(template.Resources).filter((resource) => resource.Type === type);

/** Runs a command in the copy, without AWS credentials or a region, so nothing can be looked up. */
function run(command: string, args: string[]): void {
  const env = { ...process.env };
  for (const name of Object.keys(env))
    if (name.startsWith('AWS_') || name.startsWith('CDK_')) delete env[name];
  execFileSync(command, args, { cwd: dir, env, stdio: 'pipe', timeout: 480_000 });
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'gatehouse-consumer-'));
  for (const entry of COPIED) cpSync(join(EXAMPLE, entry), join(dir, entry), { recursive: true });
  packAuthorizer(join(dir, 'vendor'));
  run('npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund']);
  run('npx', ['cdk', 'synth', '--quiet', '--no-notices']);
  template = JSON.parse(readFileSync(join(dir, 'cdk.out/AppsService.template.json'), 'utf8'));
}, 600_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the example consumer, from its own package.json', () => {
  it('depends on the packed tarball, with no integrity pinned in its lock file', () => {
    const lock = JSON.parse(readFileSync(join(EXAMPLE, 'package-lock.json'), 'utf8'));
    const entry = lock.packages['node_modules/@gatehouse/authorizer'];
    expect(entry.resolved).toBe('file:vendor/gatehouse-authorizer.tgz');
    expect(entry).not.toHaveProperty('integrity');
    expect(existsSync(join(dir, 'node_modules/@gatehouse/authorizer/dist/bundle/index.mjs'))).toBe(
      true,
    );
  });

  it('synthesizes an HTTP API and a REST API behind uncached Gatehouse authorizers', () => {
    const [http] = resources('AWS::ApiGatewayV2::Authorizer');
    expect(http?.Properties).toMatchObject({
      AuthorizerType: 'REQUEST',
      AuthorizerResultTtlInSeconds: 0,
      EnableSimpleResponses: true,
    });
    const [rest] = resources('AWS::ApiGateway::Authorizer');
    expect(rest?.Properties).toMatchObject({ Type: 'REQUEST', AuthorizerResultTtlInSeconds: 0 });

    const keys = Object.keys(appsRoutes).sort();
    const routes = resources('AWS::ApiGatewayV2::Route').map((r) => r.Properties?.RouteKey);
    expect(routes.sort()).toEqual(keys);
    const methods = resources('AWS::ApiGateway::Method').filter(
      (m) => m.Properties?.AuthorizationType === 'CUSTOM',
    );
    expect(methods).toHaveLength(keys.length);
  });

  it('deploys the prebuilt bundle with the routes beside it', () => {
    const authorizer = resources('AWS::Lambda::Function').find(
      (fn) =>
        fn.Properties?.Handler === 'index.handler' &&
        JSON.stringify(fn.Properties?.Environment).includes('AUTHORIZER_ROUTES_FILE'),
    );
    const assetPath = authorizer?.Metadata?.['aws:asset:path'];
    if (!assetPath) throw new Error('no authorizer function with an asset in the template');
    const asset = join(dir, 'cdk.out', assetPath);
    const packaged = join(dir, 'node_modules/@gatehouse/authorizer/dist/bundle/index.mjs');
    expect(readFileSync(join(asset, 'index.mjs'))).toEqual(readFileSync(packaged));
    const routes = JSON.parse(readFileSync(join(asset, 'routes.json'), 'utf8'));
    expect(routes).toEqual({ format: 1, tenantParam: 'tenantId', routes: appsRoutes });
  });
});
