import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  AUTOMATION_ASSUME_ROLE_PARAMETER,
  SSM_DOCUMENTS,
  apiCallsOfIamAction,
  iamActionOfApi,
} from '../../../infra/ssm-documents.js';
import type {
  ControlResourceType,
  ControlSpec,
  RemediationKind,
} from '../../../src/domain/control-catalog.js';
import {
  CONTROL_CATALOG,
  REMEDIATION_CATALOG,
  remediationsOffered,
} from '../../../src/domain/control-catalog.js';
import { legacyControlId } from '../../../src/domain/legacy-control-id.js';
import { SandboxAutoScaling } from '../../../src/sandbox/auto-scaling-api.js';
import { SandboxEc2 } from '../../../src/sandbox/ec2-api.js';
import { SandboxS3Control } from '../../../src/sandbox/s3-control-api.js';
import { SandboxS3 } from '../../../src/sandbox/s3-api.js';
import type { AsffFinding, RegionEstate } from '../../../src/sandbox/estate.js';
import { regionOf, sampleEstate, sampleFindings } from '../../../src/sandbox/estate.js';

// Adding a control is one entry in src/domain/control-catalog.ts; this file fails, naming the control and what it
// lacks, until everything the entry promises exists: its runbook, its IAM, its plan tests and its sandbox state.

const CONTROLS: readonly ControlSpec[] = Object.values(CONTROL_CATALOG);
// Every remediation a control offers is checked like its own: its remediation, then its account-wide fix (if any),
// labelled "EC2.8 (account fix)". Each row carries the kind it checks.
type OfferedRemediation = ControlSpec & { readonly kind: RemediationKind };
const BY_ID = CONTROLS.flatMap((control) =>
  remediationsOffered(control).map(
    (kind) =>
      [
        kind === control.remediation ? control.id : `${control.id} (account fix)`,
        { ...control, kind } as OfferedRemediation,
      ] as const,
  ),
);
const remediationOf = (offered: OfferedRemediation) => REMEDIATION_CATALOG[offered.kind];

const REPOSITORY = new URL('../../../', import.meta.url);
const inRepository = (path: string) => fileURLToPath(new URL(path, REPOSITORY));

/** Every `.ts` file under `directory` (relative to the repository), with its text. */
function sourcesUnder(directory: string): { readonly path: string; readonly text: string }[] {
  return readdirSync(inRepository(directory), { recursive: true, encoding: 'utf8' })
    .filter((path) => path.endsWith('.ts'))
    .map((path) => ({
      path: `${directory}/${path}`,
      text: readFileSync(inRepository(`${directory}/${path}`), 'utf8'),
    }));
}

describe('every remediation kind in the catalog', () => {
  it.each(Object.entries(REMEDIATION_CATALOG))(
    '%s is used by a control and filed under its own kind',
    (kind, spec) => {
      expect(spec.kind).toBe(kind);
      expect(
        CONTROLS.filter((control) => remediationsOffered(control).includes(kind as RemediationKind)).map(
          (control) => control.id,
        ),
        `no control in CONTROL_CATALOG uses remediation ${kind}: remove it or give a control its kind`,
      ).not.toEqual([]);
    },
  );

  it('makes a plan kind of its own, so each plan finds its runbook', () => {
    const planKinds = Object.values(REMEDIATION_CATALOG).map((spec) => spec.planKind);
    expect(new Set(planKinds).size).toBe(planKinds.length);
  });
});

interface AutomationDocument {
  readonly parameters: Readonly<Record<string, unknown>>;
  readonly mainSteps: readonly { readonly inputs: Readonly<Record<string, unknown>> }[];
}

describe('the runbook of every control', () => {
  it.each(BY_ID)(
    '%s: its remediation has an infra/ssm document taking the parameters the ssm executor passes',
    (id, control) => {
      const { kind, planKind, runbook } = remediationOf(control);
      const path = `infra/ssm/${runbook}.yaml`;
      expect(existsSync(inRepository(path)), `${id} (${kind}): ${path} does not exist`).toBe(true);
      const spec = SSM_DOCUMENTS[planKind];
      expect(
        spec?.name,
        `${id} (${kind}): infra/ssm-documents.ts has no document for ${planKind} plans`,
      ).toBe(runbook);

      const document = parse(readFileSync(inRepository(path), 'utf8')) as AutomationDocument;
      // ssm-documents.test.ts proves ssmParametersFor passes exactly `spec.parameters` for a plan of each kind.
      expect(
        Object.keys(document.parameters).sort(),
        `${id} (${kind}): ${path} must declare ${AUTOMATION_ASSUME_ROLE_PARAMETER} and what the executor passes`,
      ).toEqual([AUTOMATION_ASSUME_ROLE_PARAMETER, ...spec.parameters].sort());
    },
  );
});

const IAM_ACTION = /^(ec2|autoscaling|s3):([A-Z][A-Za-z]+)$/;
const API_CALL = /^([a-z0-9]+):([A-Z][A-Za-z]+)$/;
const AWS_ADAPTERS = sourcesUnder('src/aws');

describe('the IAM actions of every control', () => {
  it.each(BY_ID)('%s: reads, direct writes and automation actions are all listed', (id, control) => {
    const { kind, permissions } = remediationOf(control);
    for (const list of ['read', 'directWrite', 'automation'] as const) {
      const actions = permissions[list];
      expect(actions, `${id} (${kind}): permissions.${list} is empty`).not.toEqual([]);
      for (const action of actions)
        expect(action, `${id} (${kind}): permissions.${list}`).toMatch(IAM_ACTION);
    }
  });

  it.each(BY_ID)(
    '%s: what AWS checks on its behalf is granted only beside the call that makes it check',
    (id, control) => {
      const { kind, permissions } = remediationOf(control);
      // Auto Scaling checks launching from the template a group is moved to (UpdateAutoScalingGroup, StartInstanceRefresh).
      const movesGroups = (actions: readonly string[]) =>
        actions.some((action) => /^autoscaling:(UpdateAutoScalingGroup|StartInstanceRefresh)$/.test(action));
      for (const list of ['directWrite', 'automation'] as const) {
        const checked = permissions.checkedOnCall?.[list] ?? [];
        if (checked.length === 0) continue;
        expect(
          movesGroups(permissions[list]),
          `${id} (${kind}): checkedOnCall.${list} without a group move`,
        ).toBe(true);
        for (const action of checked)
          expect(action).toMatch(/^(ec2:RunInstances|ec2:CreateTags|iam:PassRole)$/);
      }
      if (movesGroups(permissions.directWrite))
        expect(
          permissions.checkedOnCall?.directWrite,
          `${id} (${kind}): moves groups without the launch check`,
        ).toEqual(expect.arrayContaining(['ec2:RunInstances', 'iam:PassRole']));
    },
  );

  it.each(BY_ID)('%s: the automation role may call exactly what its runbook calls', (id, control) => {
    const { kind, runbook, permissions } = remediationOf(control);
    const document = parse(
      readFileSync(inRepository(`infra/ssm/${runbook}.yaml`), 'utf8'),
    ) as AutomationDocument;
    const called = document.mainSteps
      .filter((step) => typeof step.inputs['Api'] === 'string')
      .map((step) => iamActionOfApi(String(step.inputs['Service']), String(step.inputs['Api'])));

    expect([...new Set(called)].sort(), `${id} (${kind}): permissions.automation vs ${runbook}`).toEqual(
      [...permissions.automation].sort(),
    );
  });

  it.each(BY_ID)('%s: every read and direct write it is granted is a call the bot makes', (id, control) => {
    const { kind, permissions } = remediationOf(control);
    // S3's actions are not named after their APIs (s3:PutBucketPublicAccessBlock is PutPublicAccessBlock).
    const uncalled = [...permissions.read, ...permissions.directWrite].filter((action) =>
      apiCallsOfIamAction(action).every((call) => {
        const api = API_CALL.exec(call)?.[2] ?? call;
        return !AWS_ADAPTERS.some(
          ({ text }) => text.includes(`${api}Command`) || text.includes(`paginate${api}`),
        );
      }),
    );

    expect(uncalled, `${id} (${kind}): granted but never called from src/aws`).toEqual([]);
  });
});

// The convention: a remediation kind's plan tests sit under a describe whose title ends the kind in parentheses,
// e.g. describe('planRemediation for launch templates (require-imdsv2-launch-template)', …).
const DOMAIN_TESTS = sourcesUnder('test/unit/domain').filter(({ path }) => path.endsWith('.test.ts'));

describe('the plan tests of every control', () => {
  it.each(BY_ID)('%s: its remediation kind has a describe block of plan tests', (id, control) => {
    const { kind } = control;
    const title = new RegExp(String.raw`\bdescribe\(\s*(['"\x60])[^'"\x60]*\(${kind}\)\1`);
    const files = DOMAIN_TESTS.filter(({ text }) => title.test(text)).map(({ path }) => path);

    expect(
      files,
      `${id}: no test/unit/domain test has a describe('… (${kind})', …) with the plan tests of ${kind}`,
    ).not.toEqual([]);
  });
});

const estate = await sampleEstate();
const findings = await sampleFindings();

/** The ids of each resource type in one region of the sandbox estate, as the last segment of the finding's ARN. */
const ESTATE_IDS: Readonly<Record<ControlResourceType, (region: RegionEstate) => (string | undefined)[]>> = {
  AwsEc2SecurityGroup: (region) => region.SecurityGroups.map((group) => group.GroupId),
  AwsEc2Instance: (region) =>
    region.Reservations.flatMap((reservation) => reservation.Instances ?? []).map(
      (instance) => instance.InstanceId,
    ),
  AwsAutoScalingAutoScalingGroup: (region) =>
    region.AutoScalingGroups.map((group) => group.AutoScalingGroupName),
  AwsAutoScalingLaunchConfiguration: (region) =>
    region.LaunchConfigurations.map((configuration) => configuration.LaunchConfigurationName),
  AwsEc2LaunchTemplate: (region) => region.LaunchTemplates.map((template) => template.LaunchTemplateId),
  AwsEc2NetworkAcl: (region) => region.NetworkAcls.map((acl) => acl.NetworkAclId),
  // An S3 bucket's finding names it by ARN (`arn:aws:s3:::name`), an account's as `AWS::::Account:<id>`.
  AwsS3Bucket: (region) => (region.Buckets ?? []).map((bucket) => `arn:aws:s3:::${bucket.Name}`),
  AwsAccount: (region) => [`AWS::::Account:${region.accountId}`],
};

const SANDBOX_APIS: Readonly<Record<string, object>> = {
  ec2: SandboxEc2.prototype,
  autoscaling: SandboxAutoScaling.prototype,
  s3: SandboxS3.prototype,
  s3control: SandboxS3Control.prototype,
};

interface SampleResource {
  readonly Type: string;
  readonly Id: string;
  readonly Region: string;
}

function resourceOf(finding: AsffFinding): SampleResource {
  return (finding['Resources'] as SampleResource[])[0]!;
}

function controlIdOf(finding: AsffFinding): string | undefined {
  return (finding['Compliance'] as { SecurityControlId?: string } | undefined)?.SecurityControlId;
}

describe('the sandbox state of every control', () => {
  it.each(BY_ID)('%s: the sandbox plays it, or its remediation says why not', (id, control) => {
    const { kind, sandbox } = remediationOf(control);
    if (sandbox !== true) {
      expect(
        sandbox.trim(),
        `${id} (${kind}): sandbox must be true or say why the sandbox cannot play it`,
      ).not.toBe('');
      return;
    }
    const samples = findings.filter(
      (finding) => controlIdOf(finding) === control.id && resourceOf(finding).Type === control.resourceType,
    );
    expect(
      samples.length,
      `${id}: no finding in samples/findings for a ${control.resourceType}`,
    ).toBeGreaterThan(0);

    for (const sample of samples) {
      const resource = resourceOf(sample);
      const region = regionOf(estate, String(sample['AwsAccountId']), resource.Region);
      const resourceId = resource.Id.split('/').at(-1);
      expect(
        region ? ESTATE_IDS[control.resourceType](region) : [],
        `${id}: samples/estate.json has no ${control.resourceType} ${resourceId} in ${String(sample['AwsAccountId'])}/${resource.Region}`,
      ).toContain(resourceId);
    }
  });

  it.each(BY_ID)('%s: the sandbox answers every call its direct remediation makes', (id, control) => {
    const { kind, sandbox, permissions } = remediationOf(control);
    if (sandbox !== true) return;
    const unanswered = [...permissions.read, ...permissions.directWrite].filter((action) =>
      apiCallsOfIamAction(action).every((call) => {
        const [, service = '', api = ''] = API_CALL.exec(call) ?? [];
        const sandboxApi = SANDBOX_APIS[service];
        return typeof (sandboxApi as Record<string, unknown> | undefined)?.[api] !== 'function';
      }),
    );

    expect(unanswered, `${id} (${kind}): src/sandbox does not answer these calls`).toEqual([]);
  });
});

/** The generator id a control finding carries for an alias, as in the Security Hub user guide. */
function generatorOf(alias: string): string {
  const cis = /^CIS (\S+) (\S+)$/.exec(alias);
  if (!cis) return `pci-dss/v/3.2.1/${alias}`;
  return cis[1] === '1.2.0'
    ? `arn:aws:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0/rule/${cis[2]}`
    : `cis-aws-foundations-benchmark/v/${cis[1]}/${cis[2]}`;
}

describe('the aliases of every control', () => {
  it.each(CONTROLS.flatMap((control) => control.aliases.map((alias) => [alias, control.id] as const)))(
    'reads a finding generated as %s as %s',
    (alias, id) => {
      expect(legacyControlId(generatorOf(alias))).toBe(id);
    },
  );

  it('gives each alias to one control only', () => {
    const aliases = CONTROLS.flatMap((control) => control.aliases);
    expect(aliases.filter((alias, index) => aliases.indexOf(alias) !== index)).toEqual([]);
  });
});
