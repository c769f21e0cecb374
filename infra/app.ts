/** The Gatehouse CDK app: the stateful data stack, the API stack on top of it, and cdk-nag's AwsSolutions checks. */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { GatehouseApiStack } from '#infra/stacks/api-stack.js';
import { GatehouseDataStack } from '#infra/stacks/data-stack.js';

const app = new App();

// Environment-agnostic unless the CLI knows an account (synth works without credentials).
const account = process.env.CDK_DEFAULT_ACCOUNT;
const region = process.env.CDK_DEFAULT_REGION;
const env = account && region ? { account, region } : undefined;

const data = new GatehouseDataStack(app, 'GatehouseData', {
  ...(env ? { env } : {}),
  description: 'Gatehouse stateful resources: the single table and the Cognito user pool',
  threatProtection: app.node.tryGetContext('gatehouse:threatProtection') === true,
});

new GatehouseApiStack(app, 'GatehouseApi', {
  ...(env ? { env } : {}),
  description: 'Gatehouse HTTP API, its Lambda functions and authorizer',
  table: data.table,
  userPool: data.userPool,
  userPoolClient: data.userPoolClient,
});

// cdk-nag 3 runs as a policy-validation plugin: any unacknowledged finding fails synthesis.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));

app.synth();
