import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Stack } from 'aws-cdk-lib';
import { App, Validations } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import type { Template } from 'aws-cdk-lib/assertions';
import type { CfnRole, Role } from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../../infra/bot-function.js';

// Synthesizing stacks in the infra tests and reading the CloudFormation: policies of a role, ARNs as text,
// cdk-nag results.

export interface ValidationReport {
  pluginReports: {
    pluginName: string;
    violations: { ruleName: string; severity: string; violatingConstructs: { constructPath: string }[] }[];
  }[];
}

export interface PolicyStatementJson {
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}

/** The same feature flags `npx cdk synth` applies, so a test synthesizes what a deploy would. */
export function cdkJsonContext(): Record<string, unknown> {
  return (
    JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }
  ).context;
}

/**
 * An app that synthesizes what `npx cdk synth` would, into a fresh temporary folder (remove it with
 * `removeSynthesis`). cdk-nag violations go to the validation report instead of throwing, so one test can list them.
 */
export function appForSynthesis(outdirPrefix: string): App {
  return new App({
    outdir: mkdtempSync(join(tmpdir(), outdirPrefix)),
    context: { ...cdkJsonContext(), '@aws-cdk/core:failSynthOnValidationErrors': false },
    // CDK's built-in CloudFormation schema validation costs ~7 s on top of bundling; `npx cdk synth` runs it.
    builtinCloudFormationValidation: false,
  });
}

/** Synthesizes `app` once, checked by cdk-nag's AwsSolutions rules; `Template.fromStack` then reuses it. */
export function synthesizeWithAwsSolutions(app: App): ValidationReport {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  app.synth();
  return readValidationReport(app.outdir);
}

export function removeSynthesis(app: App): void {
  rmSync(app.outdir, { recursive: true, force: true });
}

/** Every statement of every policy attached to `role`. */
export function statementsOf(template: Template, stack: Stack, role: Role): PolicyStatementJson[] {
  const roleId = stack.getLogicalId(role.node.defaultChild as CfnRole);
  const ofRole = { Properties: { Roles: Match.arrayWith([{ Ref: roleId }]) } };
  // CDK moves what does not fit the role's inline policy (10,240 characters) into managed "overflow" policies.
  const policies = {
    ...template.findResources('AWS::IAM::Policy', ofRole),
    ...template.findResources('AWS::IAM::ManagedPolicy', ofRole),
  };
  return Object.values(policies).flatMap((policy) => policy.Properties.PolicyDocument.Statement);
}

export function actionsIn(statements: readonly PolicyStatementJson[]): string[] {
  return statements.flatMap((statement) => [statement.Action].flat());
}

/** The statements that grant `action`. */
export function grantsOf(statements: readonly PolicyStatementJson[], action: string): PolicyStatementJson[] {
  return statements.filter((statement) => [statement.Action].flat().includes(action));
}

/**
 * A resource as text, pseudo parameters and references in cdk-nag's `<…>` form:
 * `arn:<AWS::Partition>:ec2:*:<AWS::AccountId>:security-group/*`.
 */
export function arnText(resource: unknown): string {
  if (typeof resource === 'string') return resource;
  const value = resource as Record<string, unknown>;
  if ('Ref' in value) return `<${String(value.Ref)}>`;
  if ('Fn::GetAtt' in value) return `<${(value['Fn::GetAtt'] as string[]).join('.')}>`;
  if ('Fn::Join' in value) {
    const [separator, parts] = value['Fn::Join'] as [string, unknown[]];
    return parts.map(arnText).join(separator);
  }
  throw new Error(`Cannot read ${JSON.stringify(resource)} as text`);
}

/** Every resource the statements name, as text. */
export function resourcesIn(statements: readonly PolicyStatementJson[]): string[] {
  return statements.flatMap((statement) => [statement.Resource].flat().map(arnText));
}

export function readValidationReport(outdir: string): ValidationReport {
  return JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as ValidationReport;
}

/** Unacknowledged AwsSolutions findings, one line each. */
export function awsSolutionsFindings(report: ValidationReport): string[] {
  return report.pluginReports
    .filter((plugin) => plugin.pluginName === 'AwsSolutions')
    .flatMap((plugin) => plugin.violations)
    .map(
      (v) => `${v.severity} ${v.ruleName} at ${v.violatingConstructs.map((c) => c.constructPath).join(', ')}`,
    );
}

/** Every `[rule id, reason]` acknowledged anywhere in the stack. */
export function acknowledgementsIn(stack: Stack): [string, string][] {
  return stack.node
    .findAll()
    .flatMap((construct) => construct.node.metadata)
    .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
    .flatMap((entry) => Object.entries(entry.data as Record<string, string>));
}

/** The cdk-nag checks every stack of ours passes, as tests of the `describe` that calls this. */
export function itPassesAwsSolutionsChecks(
  synthesized: () => { stack: Stack; report: ValidationReport },
): void {
  it('leaves no unacknowledged cdk-nag AwsSolutions finding', () => {
    expect(awsSolutionsFindings(synthesized().report)).toEqual([]);
  });

  it('gives every cdk-nag acknowledgement a reason', () => {
    const acknowledgements = acknowledgementsIn(synthesized().stack);

    expect(acknowledgements.length).toBeGreaterThan(0);
    for (const [rule, reason] of acknowledgements) expect(reason.length, rule).toBeGreaterThan(40);
  });
}
