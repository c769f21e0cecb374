/**
 * The console and the hosted accept page on AWS: the built pages (console/dist) in a private S3
 * bucket read through CloudFront's origin access control, and `/v1/*` on the same distribution
 * routed to the HTTP API uncached (so the pages call the API on their own origin, without CORS).
 * A viewer-request function maps the local server's paths onto the bucket's keys, with a
 * fallback to the console page for console paths only; `console/config.json` tells the pages
 * where managed login is.
 */
import { Aws, CfnOutput, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  Function as EdgeFunction,
  FunctionCode,
  FunctionEventType,
  FunctionRuntime,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  OriginProtocolPolicy,
  OriginRequestPolicy,
  PriceClass,
  ResponseHeadersPolicy,
  SecurityPolicyProtocol,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin, S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import type { IUserPool, IUserPoolClient, UserPoolDomain } from 'aws-cdk-lib/aws-cognito';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, CacheControl, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import type { StageSettings } from '#shared/config/stages.js';
import { PASSWORD_POLICY } from '#shared/identity/password-policy.js';
import { consolePageCsp } from '../../console/page-security.js';
import type { ConsoleConfig } from '../../console/src/config.js';

export interface ConsoleSiteProps {
  /** A built console (`buildConsole()`'s `dir`: `console.html`, `accept.html`, `assets/`). */
  readonly distDir: string;
  readonly httpApi: IHttpApi;
  readonly userPool: IUserPool;
  readonly userPoolClient: IUserPoolClient;
  /** The managed-login domain the pages sign in through. */
  readonly userPoolDomain: UserPoolDomain;
  readonly settings: StageSettings;
}

/**
 * Viewer-request rewrite: the paths the local server serves, onto the bucket's keys. Only
 * `/console` and `/console/...` fall back to the console page; other misses stay misses.
 */
export const REWRITE_CODE = `function handler(event) {
  var request = event.request;
  var uri = request.uri;
  if (uri === '/') {
    return { statusCode: 302, statusDescription: 'Found', headers: { location: { value: '/console/' } } };
  }
  if (uri === '/accept') request.uri = '/accept.html';
  else if (uri.indexOf('/console/assets/') === 0) request.uri = uri.substring(8);
  else if (uri === '/console/config.json') request.uri = '/config.json';
  else if (uri === '/console' || uri.indexOf('/console/') === 0) request.uri = '/console.html';
  return request;
}`;

/** With a custom domain, the stage's redirect URLs and accept link must already name it. */
function checkDomainUrls(settings: StageSettings): void {
  const name = settings.console?.domain?.name;
  if (!name) return;
  const origin = `https://${name}`;
  const missing = [
    [`${origin}/console/`, settings.oauth.callbackUrls, 'oauth.callbackUrls'],
    [`${origin}/accept`, settings.oauth.callbackUrls, 'oauth.callbackUrls'],
    [`${origin}/console/`, settings.oauth.logoutUrls, 'oauth.logoutUrls'],
    [`${origin}/accept`, [settings.mail.acceptUrl], 'mail.acceptUrl'],
  ].find(([url, list]) => !(list as string[]).includes(url as string));
  if (missing) {
    throw new Error(
      `Stage "${settings.stage}": console.domain is ${name}, so ${missing[2]} must include ${missing[0]}`,
    );
  }
}

export class ConsoleSite extends Construct {
  readonly bucket: Bucket;
  readonly distribution: Distribution;
  /** `https://<domain or distribution>/console/`. */
  readonly consoleUrl: string;

  constructor(scope: Construct, id: string, props: ConsoleSiteProps) {
    super(scope, id);
    const { settings } = props;
    checkDomainUrls(settings);

    const logs = new Bucket(this, 'Logs', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      // CloudFront's standard logs are written with ACLs.
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(90) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(logs).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This is the access-log bucket of the console bucket and distribution itself.',
    });

    this.bucket = new Bucket(this, 'Pages', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: logs,
      serverAccessLogsPrefix: 'pages/',
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const signIn = props.userPoolDomain.baseUrl();
    const pageHeaders = new ResponseHeadersPolicy(this, 'PageHeaders', {
      comment: `Gatehouse ${settings.stage} console: CSP, HSTS, no framing`,
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: consolePageCsp(signIn), override: true },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(730),
          includeSubdomains: true,
          override: true,
        },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        contentTypeOptions: { override: true },
        // The invite token is in the accept page's address: never send it on as a referrer.
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override: true },
      },
    });
    const rewrite = new EdgeFunction(this, 'Rewrite', {
      comment: 'Console paths onto the bucket; SPA fallback for /console only',
      runtime: FunctionRuntime.JS_2_0,
      code: FunctionCode.fromInline(REWRITE_CODE),
    });

    const domain = settings.console?.domain;
    const apiOrigin = new HttpOrigin(
      `${props.httpApi.apiId}.execute-api.${Stack.of(this).region}.${Aws.URL_SUFFIX}`,
      { protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY },
    );
    this.distribution = new Distribution(this, 'Distribution', {
      comment: `Gatehouse ${settings.stage} console and /v1 API`,
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: PriceClass.PRICE_CLASS_100,
      enableLogging: true,
      logBucket: logs,
      logFilePrefix: 'cloudfront/',
      ...(domain
        ? {
            domainNames: [domain.name],
            minimumProtocolVersion: SecurityPolicyProtocol.TLS_V1_2_2021,
            certificate: Certificate.fromCertificateArn(this, 'Certificate', domain.certificateArn),
          }
        : {}),
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: pageHeaders,
        compress: true,
        functionAssociations: [{ function: rewrite, eventType: FunctionEventType.VIEWER_REQUEST }],
      },
      additionalBehaviors: {
        // The API: every method, nothing cached; the viewer's headers (Authorization among them)
        // and query strings go through, except Host, which API Gateway needs to be its own.
        '/v1/*': {
          origin: apiOrigin,
          viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
          allowedMethods: AllowedMethods.ALLOW_ALL,
          cachePolicy: CachePolicy.CACHING_DISABLED,
          originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
          responseHeadersPolicy: ResponseHeadersPolicy.SECURITY_HEADERS,
        },
      },
    });
    const host = domain?.name ?? this.distribution.distributionDomainName;
    this.consoleUrl = `https://${host}/console/`;

    const config: ConsoleConfig = {
      issuer: `https://cognito-idp.${Stack.of(this).region}.${Aws.URL_SUFFIX}/${props.userPool.userPoolId}`,
      clientId: props.userPoolClient.userPoolClientId,
      authorizationEndpoint: `${signIn}/oauth2/authorize`,
      tokenEndpoint: `${signIn}/oauth2/token`,
      logoutEndpoint: `${signIn}/logout`,
      passwordPolicy: { ...PASSWORD_POLICY },
    };
    // Content-hashed assets never change under a name; pages and settings are revalidated.
    new BucketDeployment(this, 'DeployAssets', {
      destinationBucket: this.bucket,
      destinationKeyPrefix: 'assets/',
      sources: [Source.asset(`${props.distDir}/assets`)],
      cacheControl: [CacheControl.fromString('public, max-age=31536000, immutable')],
      // Tabs opened before a deploy still load their old chunks.
      prune: false,
    });
    new BucketDeployment(this, 'DeployPages', {
      destinationBucket: this.bucket,
      sources: [
        Source.asset(props.distDir, { exclude: ['assets', 'assets/*'] }),
        Source.jsonData('config.json', config),
      ],
      cacheControl: [CacheControl.fromString('no-cache')],
      prune: false,
      distribution: this.distribution,
      distributionPaths: ['/console', '/console/*', '/accept'],
    });

    new CfnOutput(this, 'ConsoleUrl', { value: this.consoleUrl });
    new CfnOutput(this, 'ConsoleOrigin', {
      value: `https://${host}`,
      description: 'The origin whose /console/ and /accept the stage oauth URLs must list',
    });

    Validations.of(this.distribution).acknowledge(
      {
        id: 'AwsSolutions-CFR1',
        reason: 'Tenant admins sign in from anywhere; no country is refused.',
      },
      {
        id: 'AwsSolutions-CFR2',
        reason:
          'No WAF by default: the API behind /v1 has its own stage throttles and authorizer; attach a web ACL per deployment if wanted.',
      },
      ...(domain
        ? []
        : [
            {
              id: 'AwsSolutions-CFR4',
              reason:
                'Without a custom domain the distribution uses the cloudfront.net certificate, whose TLS floor CloudFront sets; with console.domain the floor is TLS 1.2.',
            },
          ]),
    );
  }
}
