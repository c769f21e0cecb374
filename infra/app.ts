/**
 * The Gatehouse CDK app for one stage (`-c stage=<name>`, default `prod`): the stateful data
 * stack, the API stack on top of it, the console stack (CloudFront over the built console and
 * the API), and cdk-nag's AwsSolutions checks. The console is built first (console/build.ts), so
 * `cdk synth` works on a fresh clone. Stack ids carry the
 * stage, so several stages deploy side by side in one account.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { GatehouseApiStack } from '#infra/stacks/api-stack.js';
import { GatehouseConsoleStack } from '#infra/stacks/console-stack.js';
import { GatehouseDataStack } from '#infra/stacks/data-stack.js';
import { stageSettings } from '#shared/config/stages.js';
import { buildConsole } from '../console/build.js';

/** The stage `cdk synth` and `cdk deploy` build when no `-c stage=` is given. */
export const DEFAULT_STAGE = 'prod';

const app = new App();
const settings = stageSettings(String(app.node.tryGetContext('stage') ?? DEFAULT_STAGE));

// Environment-agnostic unless the CLI knows an account (synth works without credentials).
const account = process.env.CDK_DEFAULT_ACCOUNT;
const region = process.env.CDK_DEFAULT_REGION;
const env = account && region ? { account, region } : undefined;

const data = new GatehouseDataStack(app, `Gatehouse-${settings.stage}-Data`, {
  ...(env ? { env } : {}),
  description: `Gatehouse ${settings.stage}: the single table and the Cognito user pool`,
  settings,
  threatProtection: app.node.tryGetContext('gatehouse:threatProtection') === true,
});

const api = new GatehouseApiStack(app, `Gatehouse-${settings.stage}-Api`, {
  ...(env ? { env } : {}),
  description: `Gatehouse ${settings.stage}: HTTP API, its Lambda functions and authorizer`,
  settings,
  table: data.table,
  userPool: data.userPool,
  userPoolClient: data.userPoolClient,
});

const built = await buildConsole();
new GatehouseConsoleStack(app, `Gatehouse-${settings.stage}-Console`, {
  ...(env ? { env } : {}),
  description: `Gatehouse ${settings.stage}: the console and accept page on CloudFront, /v1 to the API`,
  settings,
  distDir: built.dir,
  httpApi: api.api,
  userPool: data.userPool,
  userPoolClient: data.userPoolClient,
  userPoolDomain: data.userPoolDomain,
});

// cdk-nag 3 runs as a policy-validation plugin: any unacknowledged finding fails synthesis.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));

app.synth();
