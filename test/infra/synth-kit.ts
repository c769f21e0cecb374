/** Test kit for the CDK stacks: build both stacks for a stage, and read their templates. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, type CfnElement, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { expect } from 'vitest';
import { type ApiFunction, PROJECT_ROOT } from '#infra/constructs/api-function.js';
import { GatehouseApiStack } from '#infra/stacks/api-stack.js';
import { GatehouseDataStack } from '#infra/stacks/data-stack.js';
import { type StageSettings, stageSettings } from '#shared/config/stages.js';

export type Json = Record<string, unknown>;
export type Resource = { Type: string; Properties?: Json; DeletionPolicy?: string };

/** The feature flags `cdk synth` uses, so tests see the same templates. */
const cdkContext = JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')).context as Json;

export interface Built {
  app: App;
  data: GatehouseDataStack;
  api: GatehouseApiStack;
}

export interface BuildOptions {
  bundle: boolean;
  mailerEntry?: string | null;
  /** @default the prod stage */
  settings?: StageSettings;
}

/** Both stacks in one app; `bundle: false` sets CDK's bundling-stacks context to [] (no esbuild). */
export function build(options: BuildOptions): Built {
  const app = new App({
    context: { ...cdkContext, ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }) },
  });
  const settings = options.settings ?? stageSettings('prod');
  const data = new GatehouseDataStack(app, `Gatehouse-${settings.stage}-Data`, { settings });
  const api = new GatehouseApiStack(app, `Gatehouse-${settings.stage}-Api`, {
    settings,
    table: data.table,
    userPool: data.userPool,
    userPoolClient: data.userPoolClient,
    ...(options.mailerEntry === undefined ? {} : { mailerEntry: options.mailerEntry }),
  });
  return { app, data, api };
}

export interface Synthesized extends Built {
  dataTemplate: Template;
  apiTemplate: Template;
}

export function synthesize(options: BuildOptions): Synthesized {
  const built = build(options);
  return {
    ...built,
    dataTemplate: Template.fromStack(built.data),
    apiTemplate: Template.fromStack(built.api),
  };
}

export function resourcesOf(template: Template, type: string): Resource[] {
  return Object.values(template.findResources(type)) as Resource[];
}

export function onlyResource(template: Template, type: string): Resource {
  const [resource, ...rest] = resourcesOf(template, type);
  expect(rest).toHaveLength(0);
  if (!resource) throw new Error(`no ${type} in template`);
  return resource;
}

export interface Statement {
  Action: string | string[];
  Resource: unknown;
}

export function statementsOf(template: Template): Statement[] {
  const policies = resourcesOf(template, 'AWS::IAM::Policy').map(
    (p) => p.Properties?.PolicyDocument as { Statement: Statement[] },
  );
  const inline = resourcesOf(template, 'AWS::IAM::Role').flatMap(
    (r) => (r.Properties?.Policies ?? []) as { PolicyDocument: { Statement: Statement[] } }[],
  );
  return [...policies, ...inline.map((p) => p.PolicyDocument)].flatMap((d) => d.Statement);
}

export const actionsOf = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);

export function envOf(fn: Resource): Json {
  return ((fn.Properties?.Environment as { Variables?: Json } | undefined)?.Variables ??
    {}) as Json;
}

export function functionByDescription(template: Template, description: string): Resource {
  const match = resourcesOf(template, 'AWS::Lambda::Function').find(
    (fn) => fn.Properties?.Description === description,
  );
  if (!match) throw new Error(`no function described as "${description}"`);
  return match;
}

/** Unacknowledged AwsSolutions findings of error severity, as "rule at path". */
export function nagErrors(app: App): string[] {
  return new AwsSolutionsChecks()
    .validateScope(app)
    .violations.filter((v) => v.severity === 'error')
    .flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`));
}

/** The statements of `fn`'s own role (its policies in `stack`'s template). */
export function roleStatements(stack: Stack, template: Template, fn: ApiFunction): Statement[] {
  const roleId = stack.getLogicalId(fn.role.node.defaultChild as CfnElement);
  return resourcesOf(template, 'AWS::IAM::Policy')
    .filter((p) => JSON.stringify(p.Properties?.Roles).includes(`"${roleId}"`))
    .flatMap(
      (p) =>
        (p.Properties?.PolicyDocument as { Statement?: Statement[] } | undefined)?.Statement ?? [],
    );
}
