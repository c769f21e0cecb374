/**
 * Finding a Gatehouse stage: the SSM parameters a Gatehouse deployment publishes under stable
 * names, the construct that publishes them (Gatehouse's data stack uses it) and the lookups a
 * consumer's stack makes (deploy-time tokens: synth works offline, without credentials).
 */
import { Fn } from 'aws-cdk-lib';
import { StringListParameter, StringParameter } from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';

/** What an authorizer needs to know about a Gatehouse stage. */
export interface GatehouseStageAttributes {
  readonly tableName: string;
  readonly tableArn: string;
  readonly userPoolId: string;
  /** Published for other tools; the authorizer does not need it. */
  readonly userPoolArn?: string;
  /** App client ids whose access tokens the authorizer accepts (one or more). */
  readonly appClientIds: readonly string[];
}

/** The SSM parameter names of a stage (`/gatehouse/<stage>/...`), the published contract. */
export function gatehouseParameterNames(stage: string) {
  if (!/^[A-Za-z0-9_.-]{1,40}$/.test(stage)) {
    throw new Error(`Gatehouse stage "${stage}" is not a stage name (letters, digits, _ . -)`);
  }
  const base = `/gatehouse/${stage}`;
  return {
    tableName: `${base}/table-name`,
    tableArn: `${base}/table-arn`,
    userPoolId: `${base}/user-pool-id`,
    userPoolArn: `${base}/user-pool-arn`,
    /** A StringList. */
    appClientIds: `${base}/app-client-ids`,
  } as const;
}

/** A Gatehouse stage an authorizer reads: explicit values, or the published parameters. */
export class GatehouseStage {
  /**
   * The stage's published parameters, resolved by CloudFormation at deploy time in the
   * consumer stack's account and region (the Gatehouse stage must live there too).
   */
  static fromStage(scope: Construct, stage: string): GatehouseStage {
    const names = gatehouseParameterNames(stage);
    const value = (name: string) => StringParameter.valueForStringParameter(scope, name);
    return new GatehouseStage({
      tableName: value(names.tableName),
      tableArn: value(names.tableArn),
      userPoolId: value(names.userPoolId),
      appClientIds: StringListParameter.valueForTypedListParameter(scope, names.appClientIds),
    });
  }

  /** Explicit values (another lookup, or Gatehouse's own stacks). */
  static fromAttributes(attributes: GatehouseStageAttributes): GatehouseStage {
    if (attributes.appClientIds.length === 0) {
      throw new Error('GatehouseStage: at least one app client id is needed');
    }
    return new GatehouseStage(attributes);
  }

  private constructor(readonly attributes: GatehouseStageAttributes) {}

  /** The app client ids as one comma-separated value (an environment variable). */
  get appClientIdList(): string {
    return Fn.join(',', [...this.attributes.appClientIds]);
  }
}

/**
 * Publishes a stage's parameters (Gatehouse's data stack does this), so consumers find the
 * stage by name with `GatehouseStage.fromStage`.
 */
export class GatehouseStageParameters extends Construct {
  constructor(scope: Construct, id: string, stage: string, attributes: GatehouseStageAttributes) {
    super(scope, id);
    const names = gatehouseParameterNames(stage);
    const text = (key: Exclude<keyof typeof names, 'appClientIds'>, description: string) => {
      const value = attributes[key];
      if (value === undefined) return;
      new StringParameter(this, key, {
        parameterName: names[key],
        stringValue: value,
        description: `Gatehouse ${stage}: ${description}`,
      });
    };
    text('tableName', 'the table name');
    text('tableArn', 'the table ARN');
    text('userPoolId', 'the Cognito user pool id');
    text('userPoolArn', 'the Cognito user pool ARN');
    new StringListParameter(this, 'appClientIds', {
      parameterName: names.appClientIds,
      stringListValue: [...attributes.appClientIds],
      description: `Gatehouse ${stage}: app client ids whose access tokens authorizers accept`,
    });
  }
}
