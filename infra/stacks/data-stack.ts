/** The stateful stack: the single DynamoDB table and the Cognito user pool, both retained on delete. */
import {
  CfnOutput,
  Duration,
  RemovalPolicy,
  Stack,
  type StackProps,
  Validations,
} from 'aws-cdk-lib';
import {
  AccountRecovery,
  CfnManagedLoginBranding,
  type CfnUserPoolClient,
  FeaturePlan,
  ManagedLoginVersion,
  Mfa,
  OAuthScope,
  StandardThreatProtectionMode,
  UserPool,
  type UserPoolClient,
  type UserPoolDomain,
  UserPoolEmail,
} from 'aws-cdk-lib/aws-cognito';
import {
  AttributeType,
  BillingMode,
  ProjectionType,
  StreamViewType,
  Table,
} from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import { GatehouseStageParameters } from '#authorizer/gatehouse-stage.js';
import type { StageSettings } from '#shared/config/stages.js';
import { PASSWORD_POLICY } from '#shared/identity/password-policy.js';
import { TABLE_INDEXES, TABLE_KEYS, TTL_ATTRIBUTE } from '#shared/store/table-definition.js';

export interface GatehouseDataStackProps extends StackProps {
  /** The stage's settings (shared/config/stages.ts): Cognito's mail sender and sign-in flows. */
  readonly settings: StageSettings;
  /**
   * Cognito threat protection (compromised credentials, adaptive authentication). It needs the
   * paid Plus feature plan, so it is opt-in.
   * @default false
   */
  readonly threatProtection?: boolean;
}

export class GatehouseDataStack extends Stack {
  readonly table: Table;
  readonly userPool: UserPool;
  readonly userPoolClient: UserPoolClient;
  /** The managed-login domain the console and the CLI sign in through (OAuth code flow + PKCE). */
  readonly userPoolDomain: UserPoolDomain;

  constructor(scope: Construct, id: string, props: GatehouseDataStackProps) {
    super(scope, id, props);

    this.table = new Table(this, 'Table', {
      partitionKey: { name: TABLE_KEYS.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE_KEYS.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: TTL_ATTRIBUTE,
      stream: StreamViewType.NEW_IMAGE,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const index of TABLE_INDEXES) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        sortKey: { name: index.sortKey, type: AttributeType.STRING },
        projectionType: ProjectionType.ALL,
      });
    }

    const { settings } = props;
    const threatProtection = props.threatProtection ?? false;
    this.userPool = new UserPool(this, 'UserPool', {
      signInAliases: { email: true },
      signInCaseSensitive: false,
      selfSignUpEnabled: false,
      autoVerify: { email: true },
      // A changed email stays unconfirmed until verified, so the invite identity cannot be hijacked.
      keepOriginal: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      passwordPolicy: { ...PASSWORD_POLICY, tempPasswordValidity: Duration.days(3) },
      mfa: Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      email: cognitoEmail(settings.mail, this.region),
      featurePlan: threatProtection ? FeaturePlan.PLUS : FeaturePlan.ESSENTIALS,
      ...(threatProtection
        ? { standardThreatProtectionMode: StandardThreatProtectionMode.FULL_FUNCTION }
        : {}),
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // People sign in through managed login: the authorization-code grant with PKCE (public
    // client, no secret), for the console and the accept page by redirect and for the CLI by a
    // loopback redirect. Password sign-in only where the stage allows it; nothing uses SRP.
    this.userPoolClient = this.userPool.addClient('AppClient', {
      authFlows: { userPassword: settings.cognito.allowPasswordAuth },
      generateSecret: false,
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [OAuthScope.OPENID, OAuthScope.EMAIL, OAuthScope.PROFILE],
        callbackUrls: settings.oauth.callbackUrls,
        logoutUrls: settings.oauth.logoutUrls,
      },
      accessTokenValidity: Duration.minutes(15),
      idTokenValidity: Duration.minutes(15),
      refreshTokenValidity: Duration.days(30),
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
    });
    this.userPoolDomain = this.userPool.addDomain('Domain', {
      cognitoDomain: { domainPrefix: settings.oauth.domainPrefix },
      managedLoginVersion: ManagedLoginVersion.NEWER_MANAGED_LOGIN,
    });
    // Managed login serves its pages only for a client with a style: Cognito's own defaults.
    new CfnManagedLoginBranding(this, 'ManagedLoginBranding', {
      userPoolId: this.userPool.userPoolId,
      clientId: this.userPoolClient.userPoolClientId,
      useCognitoProvidedValues: true,
    });
    new CfnOutput(this, 'ManagedLoginUrl', { value: this.userPoolDomain.baseUrl() });

    // With no flow selected CDK leaves ExplicitAuthFlows out, and Cognito's default then allows
    // SRP and custom auth: name the one flow every client keeps instead.
    const client = this.userPoolClient.node.defaultChild as CfnUserPoolClient;
    client.explicitAuthFlows = [
      ...(settings.cognito.allowPasswordAuth ? ['ALLOW_USER_PASSWORD_AUTH'] : []),
      'ALLOW_REFRESH_TOKEN_AUTH',
    ];

    // What another team's authorizer needs, under stable names (packages/authorizer fromStage).
    new GatehouseStageParameters(this, 'StageParameters', settings.stage, {
      tableName: this.table.tableName,
      tableArn: this.table.tableArn,
      userPoolId: this.userPool.userPoolId,
      userPoolArn: this.userPool.userPoolArn,
      appClientIds: [this.userPoolClient.userPoolClientId],
    });

    const pool = Validations.of(this.userPool);
    pool.acknowledge({
      id: 'AwsSolutions-COG2',
      reason:
        'MFA is optional (TOTP): members are invited by email and sign in with a password; requiring MFA is a tenant policy Gatehouse does not impose.',
    });
    if (!threatProtection) {
      pool.acknowledge(
        {
          id: 'AwsSolutions-COG3',
          reason:
            'Threat protection (advanced security) requires the paid Plus feature plan; turn it on with the gatehouse:threatProtection context flag.',
        },
        {
          id: 'AwsSolutions-COG8',
          reason:
            'The Plus feature plan costs extra per monthly active user; turn it on with the gatehouse:threatProtection context flag.',
        },
      );
    }
  }
}

/**
 * Cognito's own mail (forgotten password, email verification) through the stage's SES
 * identity instead of Cognito's default sender, which allows 50 messages a day.
 */
function cognitoEmail(mail: StageSettings['mail'], region: string): UserPoolEmail {
  const domainIdentity = !mail.sesIdentity.includes('@');
  return UserPoolEmail.withSES({
    fromEmail: mail.from,
    fromName: 'Gatehouse',
    // Unresolved in an environment-agnostic synth: the pool's own region at deploy time.
    sesRegion: region,
    ...(domainIdentity ? { sesVerifiedDomain: mail.sesIdentity } : {}),
  });
}
