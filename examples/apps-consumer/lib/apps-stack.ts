/**
 * The apps service's stack: one backend Lambda behind an HTTP API and a REST API, both
 * protected by the Gatehouse authorizer with the same route map, the Gatehouse stage found by
 * name through its SSM parameters.
 */

import { GatehouseAuthorizer, GatehouseStage } from '@gatehouse/authorizer';
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { LambdaIntegration, RestApi } from 'aws-cdk-lib/aws-apigateway';
import { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { Construct } from 'constructs';
import { APPS_TENANT_PARAM, appsRoutes } from '../src/routes.js';

export interface AppsServiceStackProps extends StackProps {
  /** The Gatehouse stage whose members and permissions decide. */
  readonly gatehouseStage: string;
}

export class AppsServiceStack extends Stack {
  constructor(scope: Construct, id: string, props: AppsServiceStackProps) {
    super(scope, id, props);
    const gatehouse = new GatehouseAuthorizer(this, 'Gatehouse', {
      gatehouse: GatehouseStage.fromStage(this, props.gatehouseStage),
      routes: appsRoutes,
      tenantParam: APPS_TENANT_PARAM,
    });

    const backend = new NodejsFunction(this, 'Backend', {
      entry: new URL('../src/handler.ts', import.meta.url).pathname,
      handler: 'handler',
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      bundling: { format: OutputFormat.ESM, minify: true },
    });

    const http = new HttpApi(this, 'HttpApi', { description: 'Apps service (HTTP API)' });
    const httpBackend = new HttpLambdaIntegration('HttpBackend', backend);
    const rest = new RestApi(this, 'RestApi', { description: 'Apps service (REST API)' });
    const restBackend = new LambdaIntegration(backend);
    for (const routeKey of Object.keys(appsRoutes)) {
      gatehouse.protect(http, routeKey, httpBackend);
      gatehouse.protectRest(rest, routeKey, restBackend);
    }

    new CfnOutput(this, 'HttpApiUrl', { value: http.apiEndpoint });
    new CfnOutput(this, 'RestApiUrl', { value: rest.url });
  }
}
