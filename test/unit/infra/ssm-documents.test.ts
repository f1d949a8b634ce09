import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  AUTOMATION_ASSUME_ROLE_PARAMETER,
  MAX_VALUES_PER_PARAMETER,
  NETWORK_ACL_DENY_SLOTS,
  REMAINING_RULE_IDS_OUTPUT,
  SSM_DOCUMENTS,
  SsmParametersError,
  iamActionOfApi,
  ssmParametersFor,
} from '../../../infra/ssm-documents.js';
import type { SsmDocumentKey, SsmDocumentSpec } from '../../../infra/ssm-documents.js';
import { denyEntryRequest } from '../../../src/aws/network-acl-entries.js';
import type { RemediationPlan } from '../../../src/domain/remediation-plan-types.js';
import { TLS_ONLY_SID, tlsOnlyStatementText } from '../../../src/domain/tls-only-bucket-policy.js';
import { ANALYTICS_READ, CLOUDFRONT_READ, POLICY_BUCKET, policyOf } from '../../fixtures/bucket-policy.js';
import { ACCOUNT, REGION } from '../../fixtures/finding.js';

// The shape of an Automation document, as far as these tests read it.
interface DocumentParameter {
  readonly type: string;
  readonly description?: string;
  readonly allowedPattern?: string;
  readonly default?: unknown;
  readonly minItems?: number;
  readonly maxItems?: number;
}

interface StepOutput {
  readonly Name: string;
  readonly Selector: string;
  readonly Type: string;
}

interface DocumentStep {
  readonly name: string;
  readonly action: string;
  readonly timeoutSeconds?: number;
  readonly nextStep?: string;
  readonly inputs: Readonly<Record<string, unknown>>;
  readonly outputs?: readonly StepOutput[];
}

interface AutomationDocument {
  readonly schemaVersion: unknown;
  readonly description: unknown;
  readonly assumeRole: unknown;
  readonly parameters: Readonly<Record<string, DocumentParameter>>;
  readonly outputs: readonly string[];
  readonly mainSteps: readonly DocumentStep[];
}

const parsedDocuments = new Map<SsmDocumentKey, AutomationDocument>();

function documentOf(spec: SsmDocumentSpec): AutomationDocument {
  const parsed =
    parsedDocuments.get(spec.key) ?? (parse(readFileSync(spec.file, 'utf8')) as AutomationDocument);
  parsedDocuments.set(spec.key, parsed);
  return parsed;
}

function apiCallsOf(document: AutomationDocument): DocumentStep[] {
  return document.mainSteps.filter((step) => typeof step.inputs.Api === 'string');
}

function iamActionOf(step: DocumentStep): string {
  return iamActionOfApi(String(step.inputs.Service), String(step.inputs.Api));
}

function stepNamed(document: AutomationDocument, name: string): DocumentStep {
  const step = document.mainSteps.find((candidate) => candidate.name === name);
  if (!step) throw new Error(`no step ${name}`);
  return step;
}

/** Every string anywhere under `value`, with the key path that leads to it. */
function stringsIn(value: unknown, path = ''): { path: string; text: string }[] {
  if (typeof value === 'string') return [{ path, text: value }];
  if (Array.isArray(value)) return value.flatMap((item, index) => stringsIn(item, `${path}[${index}]`));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) => stringsIn(item, path ? `${path}.${key}` : key));
  }
  return [];
}

function referencesIn(text: string): string[] {
  return [...text.matchAll(/\{\{\s*([^}]*?)\s*\}\}/g)].map((match) => match[1] ?? '');
}

/** References that name neither a declared parameter nor an output of an earlier step, as `step: reference`. */
function unresolvedReferences(document: AutomationDocument): string[] {
  const parameters = new Set(Object.keys(document.parameters));
  const earlierOutputs = new Set<string>();
  const unresolved = referencesIn(String(document.assumeRole))
    .filter((reference) => !parameters.has(reference))
    .map((reference) => `assumeRole: ${reference}`);
  for (const step of document.mainSteps) {
    for (const { text } of stringsIn(step.inputs)) {
      for (const reference of referencesIn(text)) {
        if (!parameters.has(reference) && !earlierOutputs.has(reference))
          unresolved.push(`${step.name}: ${reference}`);
      }
    }
    for (const output of step.outputs ?? []) earlierOutputs.add(`${step.name}.${output.Name}`);
  }
  return unresolved;
}

interface BranchChoice {
  readonly NextStep?: string;
}

/** Branch targets that are not after their branch step, as `branch → target`. */
function backwardJumps(document: AutomationDocument): string[] {
  const names = document.mainSteps.map((step) => step.name);
  return document.mainSteps.flatMap((step, index) => {
    if (step.action !== 'aws:branch') return [];
    const choices = (step.inputs.Choices ?? []) as readonly BranchChoice[];
    const targets = [...choices.map((choice) => choice.NextStep), step.inputs.Default].filter(
      (target): target is string => typeof target === 'string',
    );
    return targets
      .filter((target) => names.indexOf(target) <= index)
      .map((target) => `${step.name} → ${target}`);
  });
}

const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/cspm-bot/CspmBotRemediation`;

const SAMPLE_PLANS: Readonly<Record<SsmDocumentKey, RemediationPlan>> = {
  'revoke-ingress': {
    kind: 'revoke-ingress',
    accountId: ACCOUNT,
    region: REGION,
    groupId: 'sg-0123456789abcdef0',
    groupName: 'web',
    revocations: [
      { ruleId: 'sgr-0a1b2c3d4e5f60001', words: 'tcp/22 from 0.0.0.0/0' },
      { ruleId: 'sgr-0a1b2c3d4e5f60002', words: 'tcp/3389 from ::/0' },
    ],
  },
  'empty-default-group': {
    kind: 'empty-default-group',
    accountId: ACCOUNT,
    region: REGION,
    groupId: 'sg-0123456789abcdef1',
    groupName: 'default',
    ingress: [{ ruleId: 'sgr-0a1b2c3d4e5f60011', words: 'inbound all traffic from sg-0123456789abcdef1' }],
    egress: [
      { ruleId: 'sgr-0a1b2c3d4e5f60012', words: 'outbound all traffic to 0.0.0.0/0' },
      { ruleId: 'sgr-0a1b2c3d4e5f60013', words: 'outbound all traffic to ::/0' },
    ],
    interfacesInUse: ['eni-0a1b2c3d4e5f60001'],
  },
  'require-imdsv2-instance': {
    kind: 'require-imdsv2-instance',
    accountId: ACCOUNT,
    region: REGION,
    instanceId: 'i-0123456789abcdef0',
    httpPutResponseHopLimit: 2,
    hopLimitBefore: 2,
  },
  'require-imdsv2-launch-template': {
    kind: 'require-imdsv2-launch-template',
    accountId: ACCOUNT,
    region: REGION,
    launchTemplateId: 'lt-0123456789abcdef0',
    launchTemplateName: 'web-asg',
    sourceVersion: 7,
    httpPutResponseHopLimit: 2,
    hopLimitBefore: 2,
    keptMetadataOptions: { httpEndpoint: 'disabled', httpProtocolIpv6: 'enabled' },
    makeDefault: true,
    groups: [
      {
        groupName: 'web-asg',
        versionBefore: '$Default',
        runs: 7,
        change: 'follows-new',
        mixedInstancesPolicy: false,
      },
    ],
  },
  'deny-network-acl-ingress': {
    kind: 'deny-network-acl-ingress',
    accountId: ACCOUNT,
    region: REGION,
    networkAclId: 'acl-0a1b2c3d4e5f6a001',
    subnetIds: ['subnet-0a1b2c3d4e5f6a001'],
    denies: [
      {
        ruleNumber: 99,
        cidr: '0.0.0.0/0',
        family: 'ipv4',
        port: 22,
        aheadOfRuleNumber: 100,
        words: 'rule 99: deny tcp/22 from 0.0.0.0/0, ahead of rule 100 (allow all traffic from 0.0.0.0/0)',
      },
      {
        ruleNumber: 98,
        cidr: '0.0.0.0/0',
        family: 'ipv4',
        port: 3389,
        aheadOfRuleNumber: 100,
        words: 'rule 98: deny tcp/3389 from 0.0.0.0/0, ahead of rule 100 (allow all traffic from 0.0.0.0/0)',
      },
      {
        ruleNumber: 97,
        cidr: '::/0',
        family: 'ipv6',
        port: 3389,
        aheadOfRuleNumber: 101,
        words: 'rule 97: deny tcp/3389 from ::/0, ahead of rule 101 (allow all traffic from ::/0)',
      },
    ],
  },
  'require-imdsv2-account-defaults': {
    kind: 'require-imdsv2-account-defaults',
    accountId: ACCOUNT,
    region: REGION,
    httpPutResponseHopLimit: 2,
    keptDefaults: { httpEndpoint: 'enabled' },
  },
  'require-tls-only-bucket-policy': {
    kind: 'require-tls-only-bucket-policy',
    accountId: ACCOUNT,
    region: REGION,
    bucketName: POLICY_BUCKET,
    // Longer than one parameter value takes: the document gets it in parts.
    policy: policyOf(
      CLOUDFRONT_READ,
      ANALYTICS_READ,
      tlsOnlyStatementText(TLS_ONLY_SID, { bucketName: POLICY_BUCKET, partition: 'aws' }),
    ),
    statementSid: TLS_ONLY_SID,
    hadPolicy: true,
  },
  'block-bucket-public-access': {
    kind: 'block-bucket-public-access',
    accountId: ACCOUNT,
    region: 'us-east-1',
    bucketName: 'cspm-demo-public-assets',
    settingsBefore: {
      blockPublicAcls: false,
      ignorePublicAcls: false,
      blockPublicPolicy: true,
      restrictPublicBuckets: true,
    },
    stopsWorking: ['ACL grant READ to everyone (AllUsers)'],
  },
  'block-account-public-access': {
    kind: 'block-account-public-access',
    accountId: ACCOUNT,
    region: 'us-east-1',
    exposedBuckets: ['cspm-demo-public-assets'],
  },
  'migrate-launch-configuration': {
    kind: 'migrate-launch-configuration',
    accountId: ACCOUNT,
    region: REGION,
    launchConfigurationName: 'legacy-batch-lc-2021',
    launchTemplateName: 'cspm-bot-legacy-batch-lc-2021-1a2b3c4d',
    launchTemplateData: {
      ImageId: 'ami-0528a5175983e7f28',
      InstanceType: 'm5.large',
      SecurityGroupIds: ['sg-05eaec502fcdadc2e'],
      MetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 1, HttpEndpoint: 'enabled' },
    },
    httpPutResponseHopLimit: 1,
    hopLimitBefore: 1,
    groups: ['legacy-batch-asg'],
    startInstanceRefresh: false,
  },
};

const SPECS = Object.values(SSM_DOCUMENTS);
const NAMED_SPECS = SPECS.map((spec) => [spec.name, spec] as const);

describe('SSM_DOCUMENTS', () => {
  it.each(Object.entries(SSM_DOCUMENTS))('files %s under its own key and name', (key, spec) => {
    expect(spec.key).toBe(key);
    expect(basename(fileURLToPath(spec.file))).toBe(`${spec.name}.yaml`);
  });

  it.each(NAMED_SPECS)(
    '%s is an Automation document that runs as AutomationAssumeRole and says what it never touches',
    (_name, spec) => {
      const document = documentOf(spec);

      expect(document.schemaVersion).toBe('0.3');
      expect(document.assumeRole).toBe('{{ AutomationAssumeRole }}');
      expect(document.description).toEqual(expect.stringContaining('## What it changes'));
      expect(document.description).toEqual(expect.stringContaining('## What it never touches'));
      expect(document.mainSteps.length).toBeGreaterThan(0);
      expect(document.outputs.length).toBeGreaterThan(0);
    },
  );

  it.each(NAMED_SPECS)(
    '%s declares AutomationAssumeRole and exactly the parameters the executor passes',
    (_name, spec) => {
      const declared = Object.keys(documentOf(spec).parameters).sort();

      expect(declared).toEqual([AUTOMATION_ASSUME_ROLE_PARAMETER, ...spec.parameters].sort());
    },
  );

  it.each(NAMED_SPECS)(
    '%s constrains every parameter with a described, anchored allowedPattern',
    (_name, spec) => {
      for (const [parameterName, parameter] of Object.entries(documentOf(spec).parameters)) {
        expect(parameter.description, parameterName).toBeTruthy();
        expect(parameter.allowedPattern, parameterName).toMatch(/^\^.*\$$/);
      }
    },
  );

  it.each(NAMED_SPECS)('%s publishes the outputs the spec lists, each one a step output', (_name, spec) => {
    const document = documentOf(spec);
    const stepOutputs = document.mainSteps.flatMap((step) =>
      (step.outputs ?? []).map((output) => `${step.name}.${output.Name}`),
    );

    expect(document.outputs).toEqual(spec.outputs);
    for (const output of document.outputs) expect(stepOutputs).toContain(output);
  });

  it.each(NAMED_SPECS)(
    '%s only references declared parameters and outputs of earlier steps',
    (_name, spec) => {
      const document = documentOf(spec);

      expect(unresolvedReferences(document)).toEqual([]);
      // Steps run in file order: a branch may only skip ahead, so no jump makes an "earlier" step run later.
      expect(document.mainSteps.filter((step) => step.nextStep !== undefined)).toEqual([]);
      expect(backwardJumps(document)).toEqual([]);
    },
  );

  it('flags a reference to an undeclared parameter or a later step', () => {
    const document: AutomationDocument = {
      schemaVersion: '0.3',
      description: '',
      assumeRole: '{{ AutomationAssumeRole }}',
      parameters: { AutomationAssumeRole: { type: 'String' }, GroupId: { type: 'String' } },
      outputs: [],
      mainSteps: [
        {
          name: 'First',
          action: 'aws:executeAwsApi',
          inputs: { GroupId: '{{ GroupID }}', Rules: '{{ Second.Ids }}' },
        },
        {
          name: 'Second',
          action: 'aws:executeAwsApi',
          inputs: {},
          outputs: [{ Name: 'Ids', Selector: '$.Ids', Type: 'StringList' }],
        },
      ],
    };

    expect(unresolvedReferences(document)).toEqual(['First: GroupID', 'First: Second.Ids']);
  });

  it.each(NAMED_SPECS)('%s calls AWS only one API per step, never through a script', (_name, spec) => {
    const document = documentOf(spec);

    // A branch calls nothing: it only picks the next step.
    for (const step of document.mainSteps.filter((candidate) => candidate.action !== 'aws:branch')) {
      expect([
        'aws:executeAwsApi',
        'aws:assertAwsResourceProperty',
        'aws:waitForAwsResourceProperty',
      ]).toContain(step.action);
      expect(['ec2', 'autoscaling', 's3', 's3control']).toContain(step.inputs.Service);
      expect(typeof step.inputs.Api).toBe('string');
    }
  });

  it.each(NAMED_SPECS)(
    '%s gets exactly the IAM actions its steps call, and what Auto Scaling checks inside them',
    (_name, spec) => {
      const called = new Set(apiCallsOf(documentOf(spec)).map(iamActionOf));
      // Moving a group onto a launch template makes Auto Scaling check that the caller may launch from it.
      const movesGroups = ['autoscaling:UpdateAutoScalingGroup', 'autoscaling:StartInstanceRefresh'].some(
        (action) => called.has(action),
      );
      const checked = movesGroups ? ['ec2:RunInstances', 'iam:PassRole', 'ec2:CreateTags'] : [];

      expect([...called, ...checked].sort()).toEqual([...spec.iamActions].sort());
    },
  );

  it.each(NAMED_SPECS)('%s bounds every wait', (_name, spec) => {
    const waits = documentOf(spec).mainSteps.filter(
      (step) => step.action === 'aws:waitForAwsResourceProperty',
    );

    for (const wait of waits) expect(wait.timeoutSeconds, wait.name).toBeLessThanOrEqual(600);
  });
});

describe('ssmParametersFor', () => {
  it.each(Object.values(SAMPLE_PLANS).map((plan) => [plan.kind, plan] as const))(
    'starts the %s document with exactly the parameters it declares',
    (kind, plan) => {
      const spec = SSM_DOCUMENTS[kind];

      const request = ssmParametersFor(plan, ROLE_ARN);

      expect(request.documentName).toBe(spec.name);
      // Every parameter without a default is passed; one with a default may be left to it.
      const declared = documentOf(spec).parameters;
      const required = Object.keys(declared).filter((name) => declared[name]?.default === undefined);
      expect(Object.keys(request.parameters).filter((name) => !(name in declared))).toEqual([]);
      expect(Object.keys(request.parameters)).toEqual(expect.arrayContaining(required));
      expect(request.parameters[AUTOMATION_ASSUME_ROLE_PARAMETER]).toEqual([ROLE_ARN]);
    },
  );

  it.each(Object.values(SAMPLE_PLANS).map((plan) => [plan.kind, plan] as const))(
    'passes the %s document values its parameters accept',
    (kind, plan) => {
      const declared = documentOf(SSM_DOCUMENTS[kind]).parameters;

      const { parameters } = ssmParametersFor(plan, ROLE_ARN);

      for (const [name, values] of Object.entries(parameters)) {
        const parameter = declared[name];
        if (!parameter?.allowedPattern) throw new Error(`${name} is not declared with an allowedPattern`);
        const pattern = new RegExp(parameter.allowedPattern);
        for (const value of values) expect(value, name).toMatch(pattern);
        if (parameter.type === 'StringList') {
          expect(values.length, name).toBeGreaterThanOrEqual(parameter.minItems ?? 0);
          expect(values.length, name).toBeLessThanOrEqual(parameter.maxItems ?? Number.POSITIVE_INFINITY);
        } else {
          expect(values, name).toHaveLength(1);
        }
      }
    },
  );

  it('revokes exactly the planned rule ids from the planned group, each once', () => {
    const plan = SAMPLE_PLANS['revoke-ingress'];
    if (plan.kind !== 'revoke-ingress') throw new Error('sample plan mismatch');
    const duplicated = { ...plan, revocations: [...plan.revocations, ...plan.revocations] };

    const { parameters } = ssmParametersFor(duplicated, ROLE_ARN);

    expect(parameters.GroupId).toEqual([plan.groupId]);
    expect(parameters.SecurityGroupRuleIds).toEqual(plan.revocations.map((revocation) => revocation.ruleId));
  });

  it.each([
    [
      'the account IMDS defaults (only the hop limit: the other defaults are never sent)',
      SAMPLE_PLANS['require-imdsv2-account-defaults'],
      { HttpPutResponseHopLimit: ['2'] },
    ],
    [
      'an instance',
      SAMPLE_PLANS['require-imdsv2-instance'],
      { InstanceId: ['i-0123456789abcdef0'], HttpPutResponseHopLimit: ['2'] },
    ],
    [
      'a launch template (options the source sets kept, the others at EC2’s defaults)',
      SAMPLE_PLANS['require-imdsv2-launch-template'],
      {
        LaunchTemplateId: ['lt-0123456789abcdef0'],
        SourceVersion: ['7'],
        HttpPutResponseHopLimit: ['2'],
        HttpEndpoint: ['disabled'],
        HttpProtocolIpv6: ['enabled'],
        InstanceMetadataTags: ['disabled'],
      },
    ],
    [
      'a default security group',
      SAMPLE_PLANS['empty-default-group'],
      {
        GroupId: ['sg-0123456789abcdef1'],
        IngressRuleIds: ['sgr-0a1b2c3d4e5f60011'],
        EgressRuleIds: ['sgr-0a1b2c3d4e5f60012', 'sgr-0a1b2c3d4e5f60013'],
      },
    ],
    [
      'a bucket (owned by the plan’s account)',
      SAMPLE_PLANS['block-bucket-public-access'],
      { BucketName: ['cspm-demo-public-assets'], AccountId: [ACCOUNT] },
    ],
    ['an account', SAMPLE_PLANS['block-account-public-access'], { AccountId: [ACCOUNT] }],
    [
      'a network ACL (slots the plan leaves empty are 0)',
      SAMPLE_PLANS['deny-network-acl-ingress'],
      {
        NetworkAclId: ['acl-0a1b2c3d4e5f6a001'],
        Ipv4SshRuleNumber: ['99'],
        Ipv4RdpRuleNumber: ['98'],
        Ipv6SshRuleNumber: ['0'],
        Ipv6RdpRuleNumber: ['97'],
      },
    ],
  ])(
    'passes the values of %s plan as lists of strings, as the SSM API takes them',
    (_case, plan, expected) => {
      expect(ssmParametersFor(plan, ROLE_ARN).parameters).toEqual({
        AutomationAssumeRole: [ROLE_ARN],
        ...expected,
      });
    },
  );

  it.each([
    ['no rule', 0, 'revokes no rule'],
    [
      'more rules than one execution takes',
      MAX_VALUES_PER_PARAMETER + 1,
      `at most ${MAX_VALUES_PER_PARAMETER}`,
    ],
  ])('refuses a revoke plan with %s', (_case, count, message) => {
    const revocations = Array.from({ length: count }, (_unused, index) => ({
      ruleId: `sgr-${index.toString(16).padStart(17, '0')}`,
      words: 'tcp/22 from 0.0.0.0/0',
    }));
    const plan: RemediationPlan = {
      ...SAMPLE_PLANS['revoke-ingress'],
      kind: 'revoke-ingress',
      groupId: 'sg-0123456789abcdef0',
      revocations,
    };

    expect(() => ssmParametersFor(plan, ROLE_ARN)).toThrow(SsmParametersError);
    expect(() => ssmParametersFor(plan, ROLE_ARN)).toThrow(message);
  });

  it.each([
    ['inbound', { ingress: [] }],
    ['outbound', { egress: [] }],
  ])(
    'refuses a default group plan without %s rules, which the document cannot revoke',
    (direction, emptied) => {
      const plan: RemediationPlan = {
        ...(SAMPLE_PLANS['empty-default-group'] as Extract<RemediationPlan, { kind: 'empty-default-group' }>),
        ...emptied,
      };

      expect(() => ssmParametersFor(plan, ROLE_ARN)).toThrow(SsmParametersError);
      expect(() => ssmParametersFor(plan, ROLE_ARN)).toThrow(`has no ${direction} rules to revoke`);
    },
  );

  it('accepts as many rules as one execution takes', () => {
    const revocations = Array.from({ length: MAX_VALUES_PER_PARAMETER }, (_unused, index) => ({
      ruleId: `sgr-${index.toString(16).padStart(17, '0')}`,
      words: 'tcp/22 from 0.0.0.0/0',
    }));
    const plan: RemediationPlan = {
      ...SAMPLE_PLANS['revoke-ingress'],
      kind: 'revoke-ingress',
      groupId: 'sg-0123456789abcdef0',
      revocations,
    };

    expect(ssmParametersFor(plan, ROLE_ARN).parameters.SecurityGroupRuleIds).toHaveLength(
      MAX_VALUES_PER_PARAMETER,
    );
  });
});

describe('CspmBot-RevokeSecurityGroupRules', () => {
  const document = documentOf(SSM_DOCUMENTS['revoke-ingress']);

  it('takes no port, protocol or CIDR, only the group and its rule ids', () => {
    expect(
      Object.keys(document.parameters).filter((name) => /port|protocol|cidr|prefix|ipv/i.test(name)),
    ).toEqual([]);
    expect(document.parameters.SecurityGroupRuleIds?.type).toBe('StringList');
  });

  it('changes the group only by revoking the given rule ids', () => {
    const changes = apiCallsOf(document).filter((step) => !/^Describe/.test(String(step.inputs.Api)));

    expect(changes.map((step) => [step.inputs.Api, step.inputs])).toEqual([
      [
        'RevokeSecurityGroupIngress',
        {
          Service: 'ec2',
          Api: 'RevokeSecurityGroupIngress',
          GroupId: '{{ GroupId }}',
          SecurityGroupRuleIds: '{{ SecurityGroupRuleIds }}',
        },
      ],
    ]);
  });

  it('reads back the same rule ids of the same group and publishes those still there', () => {
    const readBack = stepNamed(document, REMAINING_RULE_IDS_OUTPUT.split('.')[0] ?? '');

    expect(readBack.inputs).toEqual({
      Service: 'ec2',
      Api: 'DescribeSecurityGroupRules',
      Filters: [
        { Name: 'group-id', Values: ['{{ GroupId }}'] },
        { Name: 'security-group-rule-id', Values: '{{ SecurityGroupRuleIds }}' },
      ],
    });
    // A deep scan always yields a list, so "none left" is an empty list rather than a missing output.
    expect(readBack.outputs).toContainEqual({
      Name: REMAINING_RULE_IDS_OUTPUT.split('.')[1],
      Selector: '$.SecurityGroupRules..SecurityGroupRuleId',
      Type: 'StringList',
    });
    expect(document.outputs).toContain(REMAINING_RULE_IDS_OUTPUT);
  });
});

describe('CspmBot-EmptyDefaultSecurityGroup', () => {
  const document = documentOf(SSM_DOCUMENTS['empty-default-group']);

  it('changes the group only by revoking the given inbound and outbound rule ids', () => {
    const changes = apiCallsOf(document).filter((step) => !/^Describe/.test(String(step.inputs.Api)));

    expect(changes.map((step) => step.inputs)).toEqual([
      {
        Service: 'ec2',
        Api: 'RevokeSecurityGroupIngress',
        GroupId: '{{ GroupId }}',
        SecurityGroupRuleIds: '{{ IngressRuleIds }}',
      },
      {
        Service: 'ec2',
        Api: 'RevokeSecurityGroupEgress',
        GroupId: '{{ GroupId }}',
        SecurityGroupRuleIds: '{{ EgressRuleIds }}',
      },
    ]);
  });

  it('reads back every rule still on the group, listed or not', () => {
    const readBack = stepNamed(document, REMAINING_RULE_IDS_OUTPUT.split('.')[0] ?? '');

    expect(readBack.inputs).toEqual({
      Service: 'ec2',
      Api: 'DescribeSecurityGroupRules',
      Filters: [{ Name: 'group-id', Values: ['{{ GroupId }}'] }],
    });
    expect(document.outputs).toContain(REMAINING_RULE_IDS_OUTPUT);
  });
});

describe('CspmBot-RequireImdsV2Instance and CspmBot-RequireImdsV2LaunchTemplate', () => {
  it('CspmBot-RequireImdsV2Instance requires tokens and sends no other metadata option than the hop limit', () => {
    const sent = stringsIn(
      documentOf(SSM_DOCUMENTS['require-imdsv2-instance']).mainSteps.map((step) => step.inputs),
    );

    expect(
      sent.filter(({ path }) => /HttpEndpoint|HttpProtocolIpv6|InstanceMetadataTags/.test(path)),
    ).toEqual([]);
    expect(sent.filter(({ path }) => path.endsWith('.HttpTokens')).map(({ text }) => text)).toEqual([
      'required',
    ]);
  });

  it('CspmBot-RequireImdsV2LaunchTemplate requires tokens and sends every other metadata option as the source had it', () => {
    const created = stepNamed(documentOf(SSM_DOCUMENTS['require-imdsv2-launch-template']), 'CreateVersion');

    expect(created.inputs.LaunchTemplateData).toEqual({
      MetadataOptions: {
        HttpTokens: 'required',
        HttpPutResponseHopLimit: '{{ HttpPutResponseHopLimit }}',
        HttpEndpoint: '{{ HttpEndpoint }}',
        HttpProtocolIpv6: '{{ HttpProtocolIpv6 }}',
        InstanceMetadataTags: '{{ InstanceMetadataTags }}',
      },
    });
  });

  it('waits until the instance reports HttpTokens required', () => {
    const document = documentOf(SSM_DOCUMENTS['require-imdsv2-instance']);
    const wait = document.mainSteps.find((step) => step.action === 'aws:waitForAwsResourceProperty');

    expect(wait?.inputs).toMatchObject({
      Api: 'DescribeInstances',
      InstanceIds: ['{{ InstanceId }}'],
      PropertySelector: '$.Reservations[0].Instances[0].MetadataOptions.HttpTokens',
      DesiredValues: ['required'],
    });
  });

  it('makes the launch template version it created the default, passing its number as a string', () => {
    const document = documentOf(SSM_DOCUMENTS['require-imdsv2-launch-template']);
    const created = stepNamed(document, 'CreateVersion');
    const madeDefault = stepNamed(document, 'MakeNewVersionDefault');

    expect(created.inputs).toMatchObject({
      SourceVersion: '{{ SourceVersion }}',
      VersionDescription: 'cspm-bot: require IMDSv2',
    });
    expect(created.outputs).toContainEqual({
      Name: 'NewVersion',
      Selector: '$.LaunchTemplateVersion.VersionNumber',
      Type: 'String',
    });
    expect(madeDefault.inputs).toMatchObject({
      Api: 'ModifyLaunchTemplate',
      DefaultVersion: '{{ CreateVersion.NewVersion }}',
    });
  });

  it('checks both the new version and the default version of the launch template', () => {
    const document = documentOf(SSM_DOCUMENTS['require-imdsv2-launch-template']);
    const asserts = document.mainSteps.filter((step) => step.action === 'aws:assertAwsResourceProperty');

    expect(asserts.map((step) => step.inputs.Versions)).toEqual([
      ['{{ CreateVersion.NewVersion }}'],
      ['$Default'],
    ]);
    for (const step of asserts) {
      expect(step.inputs).toMatchObject({
        Api: 'DescribeLaunchTemplateVersions',
        PropertySelector: '$.LaunchTemplateVersions[0].LaunchTemplateData.MetadataOptions.HttpTokens',
        DesiredValues: ['required'],
      });
    }
  });
});

describe('the network ACL document', () => {
  const spec = SSM_DOCUMENTS['deny-network-acl-ingress'];
  const plan = SAMPLE_PLANS['deny-network-acl-ingress'] as Extract<
    RemediationPlan,
    { kind: 'deny-network-acl-ingress' }
  >;

  it.each(NETWORK_ACL_DENY_SLOTS.map((slot) => [slot.parameter, slot] as const))(
    'creates, for %s, exactly the inbound tcp deny the executor plans for that family and port, after a branch that skips it at 0',
    (parameter, slot) => {
      const document = documentOf(spec);
      const creates = document.mainSteps.filter(
        (step) =>
          step.inputs.Api === 'CreateNetworkAclEntry' && step.inputs.RuleNumber === `{{ ${parameter} }}`,
      );
      expect(creates).toHaveLength(1);
      const create = creates[0]!;
      const index = document.mainSteps.indexOf(create);
      const branch = document.mainSteps[index - 1];
      const denyOfSlot = plan.denies.find((deny) => deny.family === slot.family && deny.port === slot.port);

      // The same request the direct executor sends, with the rule number taken from the parameter.
      const directRequest = denyEntryRequest('{{ NetworkAclId }}', {
        ruleNumber: 0,
        family: slot.family,
        cidr: slot.family === 'ipv4' ? '0.0.0.0/0' : '::/0',
        port: slot.port,
        aheadOfRuleNumber: 1,
        words: '',
      });
      expect(create.inputs).toEqual({
        Service: 'ec2',
        Api: 'CreateNetworkAclEntry',
        ...directRequest,
        RuleNumber: `{{ ${parameter} }}`,
      });
      expect(branch?.action).toBe('aws:branch');
      expect(branch?.inputs.Choices).toEqual([
        { NextStep: document.mainSteps[index + 1]?.name, Variable: `{{ ${parameter} }}`, NumericEquals: 0 },
      ]);
      expect(ssmParametersFor(plan, ROLE_ARN).parameters[parameter]).toEqual([
        String(denyOfSlot?.ruleNumber ?? 0),
      ]);
    },
  );

  it('refuses a plan that adds nothing, or a deny no slot of the document holds', () => {
    expect(() => ssmParametersFor({ ...plan, denies: [] }, ROLE_ARN)).toThrow(SsmParametersError);
    const onOtherPort = { ...plan.denies[0]!, port: 23, words: 'rule 99: deny tcp/23 from 0.0.0.0/0' };
    expect(() => ssmParametersFor({ ...plan, denies: [onOtherPort] }, ROLE_ARN)).toThrow('tcp/23');
  });
});

describe('CspmBot-MigrateLaunchConfiguration', () => {
  const plan = SAMPLE_PLANS['migrate-launch-configuration'] as Extract<
    RemediationPlan,
    { kind: 'migrate-launch-configuration' }
  >;

  it('passes the planned template data whole, one group, and the instance refresh as the person chose', () => {
    const { parameters } = ssmParametersFor({ ...plan, startInstanceRefresh: true }, ROLE_ARN);

    expect(JSON.parse(parameters['LaunchTemplateData']?.[0] ?? '')).toEqual(plan.launchTemplateData);
    expect(parameters['AutoScalingGroupName']).toEqual(['legacy-batch-asg']);
    expect(parameters['StartInstanceRefresh']).toEqual(['true']);
    expect(parameters['ClientToken']?.[0]).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each([
    ['several groups', { groups: ['legacy-batch-asg', 'legacy-batch-b'] }, 'moves one Auto Scaling group'],
    ['a template to reuse', { existingLaunchTemplateId: 'lt-0f1e2d3c4b5a69788' }, 'always creates one'],
    [
      'data longer than one parameter value',
      { launchTemplateData: { ...plan.launchTemplateData, UserData: 'A'.repeat(600) } },
      'SSM takes at most 512 per parameter',
    ],
  ])('refuses a plan with %s, naming the direct executor', (_label, change, words) => {
    expect(() => ssmParametersFor({ ...plan, ...change }, ROLE_ARN)).toThrow(words);
  });

  it('moves the group to the template it created, $Default, and refreshes only through the branch', () => {
    const document = documentOf(SSM_DOCUMENTS['migrate-launch-configuration']);

    expect(stepNamed(document, 'MoveGroup').inputs).toMatchObject({
      Api: 'UpdateAutoScalingGroup',
      LaunchTemplate: {
        LaunchTemplateId: '{{ CreateLaunchTemplate.LaunchTemplateId }}',
        Version: '$Default',
      },
    });
    expect(stepNamed(document, 'ChooseInstanceRefresh').inputs).toEqual({
      Choices: [
        { NextStep: 'StartInstanceRefresh', Variable: '{{ StartInstanceRefresh }}', BooleanEquals: true },
      ],
    });
  });
});
