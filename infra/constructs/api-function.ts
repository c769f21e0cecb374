/** The house Lambda: one NodejsFunction with Gatehouse's runtime, bundling, logging and table binding defaults. */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import {
  type IGrantable,
  type IPrincipal,
  type PolicyStatement,
  Role,
  ServicePrincipal,
} from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { type BundlingOptions, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import {
  BUNDLE_ALIASES,
  lambdaBuildOptions,
  sdkSource,
  sourceMapsAtRuntime,
} from '#infra/constructs/bundling.js';
import { tableStatement } from '#infra/constructs/function-grants.js';
import { FUNCTION_TIMEOUT_SECONDS } from '#shared/platform/deadline.js';
import { TABLE_READ, TABLE_WRITE } from '#shared/routes/function-needs.js';

/** The repository root: every entry path, the lock file and the `#shared/*` imports resolve from here. */
export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export type TableAccess = 'read' | 'readWrite';

export interface ApiFunctionProps {
  /** Entry file relative to the repository root, e.g. `functions/me/handler.ts`. */
  readonly entry: string;
  readonly description?: string;
  readonly environment?: Record<string, string>;
  /** @default 512 */
  readonly memorySize?: number;
  /** @default 10 seconds */
  readonly timeout?: Duration;
}

/**
 * A NodejsFunction on nodejs22.x/arm64 with a minified ESM bundle, source maps, X-Ray tracing,
 * its own one-month log group and its own role (no AWS managed policies: the role may write
 * to its log group only, and gains everything else through explicit grants).
 */
export class ApiFunction extends Construct implements IGrantable {
  readonly fn: NodejsFunction;
  readonly grantPrincipal: IPrincipal;
  readonly role: Role;
  readonly logGroup: LogGroup;
  /** Entry file relative to the repository root. */
  readonly entry: string;

  constructor(scope: Construct, id: string, props: ApiFunctionProps) {
    super(scope, id);
    this.entry = props.entry;
    /** The function's folder under functions/: what bundling.ts decides by. */
    const name = props.entry.split('/')[1] ?? props.entry;
    this.logGroup = new LogGroup(this, 'Logs', { retention: RetentionDays.ONE_MONTH });
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${this.node.path}`,
    });
    this.logGroup.grantWrite(this.role);

    this.fn = new NodejsFunction(this, 'Function', {
      entry: join(PROJECT_ROOT, props.entry),
      handler: 'handler',
      ...(props.description === undefined ? {} : { description: props.description }),
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      // The local server applies the same default, and handlers derive their deadlines from it.
      timeout: props.timeout ?? Duration.seconds(FUNCTION_TIMEOUT_SECONDS),
      tracing: Tracing.ACTIVE,
      role: this.role,
      logGroup: this.logGroup,
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
      environment: {
        ...(sourceMapsAtRuntime(name) ? { NODE_OPTIONS: '--enable-source-maps' } : {}),
        ...props.environment,
      },
      bundling: cdkBundling(sdkSource(name)),
    });
    this.grantPrincipal = this.fn.grantPrincipal;

    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray PutTraceSegments/PutTelemetryRecords (active tracing) support no resource-level permissions, so their resource is "*".',
    });
    Validations.of(this.fn).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'nodejs22.x is the runtime the toolchain verifies and the local stack runs; a newer runtime is a deliberate, tested upgrade.',
    });
  }

  /**
   * Binds the Gatehouse table in one call: sets TABLE_NAME and grants exactly the data-plane
   * actions of `access` on the table and its named indexes (no wildcard actions or index ARNs).
   * Functions of this app get theirs from their declared needs (function-grants.ts) instead.
   */
  bindTable(table: ITable, access: TableAccess): void {
    this.fn.addEnvironment('TABLE_NAME', table.tableName);
    this.fn.addToRolePolicy(tableStatement(table, access === 'read' ? TABLE_READ : TABLE_WRITE));
  }

  /** Adds an explicit statement to the execution role. */
  addToRolePolicy(statement: PolicyStatement): void {
    this.fn.addToRolePolicy(statement);
  }
}

/** infra/constructs/bundling.ts's options as NodejsFunction takes them. */
function cdkBundling(sdk: 'bundled' | 'runtime'): BundlingOptions {
  const o = lambdaBuildOptions(sdk);
  return {
    format: OutputFormat.ESM,
    mainFields: o.mainFields,
    banner: o.banner.js,
    target: o.target,
    minify: o.minify,
    sourceMap: o.sourcemap,
    sourcesContent: o.sourcesContent,
    // With the SDK bundled, CDK leaves nothing out; otherwise exactly what the runtime ships.
    bundleAwsSDK: sdk === 'bundled',
    externalModules: o.external,
    // `--alias:<module>=<replacement>`, resolved from the project root (esbuild's working directory).
    esbuildArgs: {
      '--alias': Object.entries(BUNDLE_ALIASES).map(([from, to]) => `${from}=${to}`),
    },
  };
}
