/**
 * The console stack: the console and accept page behind CloudFront with `/v1/*` routed to the
 * API stack's HTTP API (infra/constructs/console-site.ts). It depends on the data and API stacks
 * and nothing depends on it, so adding it creates no cycle.
 */
import { type CfnElement, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import type { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import type { IUserPool, IUserPoolClient, UserPoolDomain } from 'aws-cdk-lib/aws-cognito';
import type { Construct } from 'constructs';
import { ConsoleSite } from '#infra/constructs/console-site.js';
import type { StageSettings } from '#shared/config/stages.js';

export interface GatehouseConsoleStackProps extends StackProps {
  readonly settings: StageSettings;
  /** A built console (`buildConsole()`'s output directory). */
  readonly distDir: string;
  readonly httpApi: IHttpApi;
  readonly userPool: IUserPool;
  readonly userPoolClient: IUserPoolClient;
  readonly userPoolDomain: UserPoolDomain;
}

export class GatehouseConsoleStack extends Stack {
  readonly site: ConsoleSite;

  constructor(scope: Construct, id: string, props: GatehouseConsoleStackProps) {
    super(scope, id, props);
    const { settings, distDir, httpApi, userPool, userPoolClient, userPoolDomain } = props;
    this.site = new ConsoleSite(this, 'Site', {
      settings,
      distDir,
      httpApi,
      userPool,
      userPoolClient,
      userPoolDomain,
    });
    // BucketDeployment's copying function is CDK's own singleton, created at stack level: it
    // reads the asset objects and copies a whole tree into the pages bucket.
    const copyReason =
      "CDK's BucketDeployment function copies the built console from the CDK asset bucket into the pages bucket, under every key, and logs with the basic execution role.";
    Validations.of(this).acknowledge(
      ...[
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        'AwsSolutions-IAM5[Action::s3:GetObject*]',
        'AwsSolutions-IAM5[Action::s3:GetBucket*]',
        'AwsSolutions-IAM5[Action::s3:List*]',
        'AwsSolutions-IAM5[Action::s3:DeleteObject*]',
        'AwsSolutions-IAM5[Action::s3:Abort*]',
        'AwsSolutions-IAM5[Resource::*]',
        `AwsSolutions-IAM5[Resource::<${this.getLogicalId(this.site.bucket.node.defaultChild as CfnElement)}.Arn>/*]`,
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*]',
        'AwsSolutions-L1',
      ].map((id) => ({ id, reason: copyReason })),
    );
  }
}
