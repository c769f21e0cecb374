/**
 * The API Gateway settings of every Gatehouse authorizer, Gatehouse's own and consumers': no
 * result caching and no identity source. Gatehouse's stack imports these from here.
 */
import { Duration } from 'aws-cdk-lib';
import { RequestAuthorizer } from 'aws-cdk-lib/aws-apigateway';
import {
  HttpLambdaAuthorizer,
  HttpLambdaResponseType,
} from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';

/**
 * An HTTP API authorizer: REQUEST, payload 2.0, simple responses and no result caching, so a
 * forced logout or a revoked permission is never served from a cached decision and every route
 * gets its own decision.
 *
 * The identity source is empty: with caching off API Gateway then invokes the authorizer even
 * when the Authorization header is missing, and the authorizer answers that case itself.
 */
export function gatehouseHttpAuthorizer(id: string, handler: IFunction): HttpLambdaAuthorizer {
  return new HttpLambdaAuthorizer(id, handler, {
    responseTypes: [HttpLambdaResponseType.SIMPLE],
    resultsCacheTtl: Duration.seconds(0),
    identitySource: [],
  });
}

/**
 * A REST API REQUEST authorizer with caching off (`resultsCacheTtl` 0). API Gateway would key a
 * cached policy on the identity sources only (the token), so a forced logout, a disabled member
 * or a revoked permission would keep working until the TTL ran out, and one cached policy would
 * answer for every route the token reached first. Identity sources are required only with
 * caching on; none are given, so a request without a token still reaches the authorizer.
 * One RequestAuthorizer serves one REST API.
 */
export function gatehouseRestAuthorizer(
  scope: Construct,
  id: string,
  handler: IFunction,
): RequestAuthorizer {
  return new RequestAuthorizer(scope, id, {
    handler,
    identitySources: [],
    resultsCacheTtl: Duration.seconds(0),
  });
}
