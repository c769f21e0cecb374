/** The example consumer's CDK app: `npx cdk synth` (offline) or `npx cdk deploy -c gatehouseStage=prod`. */
import { App } from 'aws-cdk-lib';
import { AppsServiceStack } from '../lib/apps-stack.js';

const app = new App();
new AppsServiceStack(app, 'AppsService', {
  gatehouseStage: String(app.node.tryGetContext('gatehouseStage') ?? 'prod'),
  description: 'Example apps service protected by the Gatehouse authorizer',
});
app.synth();
