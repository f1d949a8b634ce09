import {
  AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import type {
  AutoScalingGroup,
  AutoScalingGroupNamesType,
  UpdateAutoScalingGroupType,
} from '@aws-sdk/client-auto-scaling';
import {
  CreateLaunchTemplateVersionCommand,
  DescribeLaunchTemplateVersionsCommand,
  DescribeLaunchTemplatesCommand,
  EC2Client,
  ModifyLaunchTemplateCommand,
} from '@aws-sdk/client-ec2';
import type {
  CreateLaunchTemplateVersionRequest,
  DescribeLaunchTemplateVersionsRequest,
  LaunchTemplateVersion,
  ModifyLaunchTemplateRequest,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DirectRemediator } from '../../../src/aws/direct-remediator.js';
import { AwsResourceStateReader } from '../../../src/aws/resource-state-reader.js';
import { findingKeyOf } from '../../../src/domain/finding-key.js';
import { createCspmTable } from '../../../src/store/cspm-table.js';
import { ensureTable, startEmbeddedDynamoDb } from '../../../src/store/embedded-dynamodb.js';
import type { EmbeddedDynamoDb } from '../../../src/store/embedded-dynamodb.js';
import { executeRemediation } from '../../../src/usecases/execute-remediation.js';
import { ingestFindings } from '../../../src/usecases/ingest-findings.js';
import { planDigest } from '../../../src/usecases/plan-digest.js';
import { prepareRemediation } from '../../../src/usecases/prepare-remediation.js';
import {
  LAUNCH_TEMPLATE_ID,
  makeLaunchTemplateFinding,
  makeSdkAutoScalingGroup,
  makeSdkLaunchTemplate,
  makeSdkLaunchTemplateVersion,
  templateSpec,
} from '../../fixtures/autoscaling.js';
import { RecordingResourceClients } from '../../support/account-clients.js';
import { FakeSlackApi } from '../../support/fake-slack-api.js';
import { riskDeps } from '../../support/risk-deps.js';

const ALICE = { kind: 'user' as const, userId: 'U0ALICE01', name: 'alice' };

const slack = new FakeSlackApi();
const ec2 = mockClient(EC2Client);
const autoScaling = mockClient(AutoScalingClient);
let dynamo: EmbeddedDynamoDb;
let tables = 0;

beforeAll(async () => {
  await slack.start();
  dynamo = await startEmbeddedDynamoDb();
});
afterAll(async () => {
  await slack.stop();
  await dynamo.close();
  ec2.restore();
  autoScaling.restore();
});
beforeEach(() => {
  slack.reset();
  ec2.reset();
  autoScaling.reset();
});

/**
 * EC2 and Auto Scaling as the adapters see them: the template (default 3, latest 5), its versions, and three groups
 * (following `$Default`, following `$Latest`, pinned to 3); every write changes what the next read answers.
 */
function fakeAccount() {
  const template = makeSdkLaunchTemplate();
  const versions: LaunchTemplateVersion[] = [
    makeSdkLaunchTemplateVersion(3, {
      HttpTokens: 'optional',
      HttpPutResponseHopLimit: 2,
      HttpEndpoint: 'enabled',
      InstanceMetadataTags: 'enabled',
    }),
    makeSdkLaunchTemplateVersion(4),
    makeSdkLaunchTemplateVersion(5),
  ];
  const groups: AutoScalingGroup[] = [
    makeSdkAutoScalingGroup({ AutoScalingGroupName: 'web-asg', LaunchTemplate: templateSpec('$Default') }),
    makeSdkAutoScalingGroup({ AutoScalingGroupName: 'canary-asg', LaunchTemplate: templateSpec('$Latest') }),
    makeSdkAutoScalingGroup({ AutoScalingGroupName: 'batch-asg', LaunchTemplate: templateSpec('3') }),
  ];
  ec2.on(DescribeLaunchTemplatesCommand).callsFake(() => ({ LaunchTemplates: [structuredClone(template)] }));
  ec2.on(DescribeLaunchTemplateVersionsCommand).callsFake((input: DescribeLaunchTemplateVersionsRequest) => ({
    LaunchTemplateVersions: versions.filter((version) =>
      input.Versions?.includes(String(version.VersionNumber)),
    ),
  }));
  ec2.on(CreateLaunchTemplateVersionCommand).callsFake((input: CreateLaunchTemplateVersionRequest) => {
    const source = versions.find((version) => String(version.VersionNumber) === input.SourceVersion)!;
    const number = (template.LatestVersionNumber ?? 0) + 1;
    const created: LaunchTemplateVersion = {
      ...structuredClone(source),
      VersionNumber: number,
      DefaultVersion: false,
      LaunchTemplateData: {
        ...structuredClone(source.LaunchTemplateData),
        MetadataOptions: { ...input.LaunchTemplateData?.MetadataOptions },
      },
    };
    versions.push(created);
    template.LatestVersionNumber = number;
    return { LaunchTemplateVersion: created };
  });
  ec2.on(ModifyLaunchTemplateCommand).callsFake((input: ModifyLaunchTemplateRequest) => {
    template.DefaultVersionNumber = Number(input.DefaultVersion);
    return { LaunchTemplate: structuredClone(template) };
  });
  autoScaling.on(DescribeAutoScalingGroupsCommand).callsFake((input: AutoScalingGroupNamesType) => ({
    AutoScalingGroups: structuredClone(
      groups.filter(
        (group) =>
          !input.AutoScalingGroupNames || input.AutoScalingGroupNames.includes(group.AutoScalingGroupName!),
      ),
    ),
  }));
  autoScaling.on(UpdateAutoScalingGroupCommand).callsFake((input: UpdateAutoScalingGroupType) => {
    const group = groups.find((candidate) => candidate.AutoScalingGroupName === input.AutoScalingGroupName)!;
    group.LaunchTemplate = { ...group.LaunchTemplate, ...input.LaunchTemplate };
    return {};
  });
  return { template, versions, groups };
}

async function postedFinding() {
  tables += 1;
  const tableName = `cspm-lt-default-${tables}`;
  await ensureTable(dynamo.client, tableName);
  const { deps: base } = riskDeps(createCspmTable(dynamo.client, tableName), slack);
  const clients = new RecordingResourceClients();
  const deps = {
    ...base,
    stateReader: new AwsResourceStateReader(clients),
    remediator: new DirectRemediator(clients),
  };
  const finding = makeLaunchTemplateFinding();
  await ingestFindings(
    { ...deps, routing: { rules: [], defaultChannel: 'C0FINDINGS' }, severityThreshold: 'LOW' },
    [{ ok: true, finding }],
  );
  slack.reset();
  return { deps, findingId: findingKeyOf(finding) };
}

describe('remediating an EC2.170 finding through the use cases', () => {
  it('copies the default version with IMDSv2 required, makes it the default, pins the $Latest group, leaves the pinned group, and resolves once read back', async () => {
    const account = fakeAccount();
    const { deps, findingId } = await postedFinding();

    const prepared = await prepareRemediation(deps, { findingId, userId: 'U0ALICE01' });
    if (prepared.kind !== 'plan' || prepared.plan.kind !== 'require-imdsv2-launch-template')
      throw new Error(`expected a launch template plan, got ${prepared.kind}`);
    expect(prepared.plan.sourceVersion).toBe(3);
    expect(prepared.notes.join('\n')).toContain('web-asg get IMDSv2 at their next instance launch');
    expect(prepared.notes.join('\n')).toContain('batch-asg keep launching the version they run today');

    const outcome = await executeRemediation(deps, {
      findingId,
      actor: ALICE,
      confirmedPlanDigest: planDigest(prepared.plan),
    });

    expect(outcome.kind).toBe('succeeded');
    expect(autoScaling.commandCalls(UpdateAutoScalingGroupCommand).map((call) => call.args[0].input)).toEqual(
      [
        {
          AutoScalingGroupName: 'canary-asg',
          LaunchTemplate: { LaunchTemplateId: LAUNCH_TEMPLATE_ID, Version: '5' },
        },
      ],
    );
    expect(ec2.commandCalls(CreateLaunchTemplateVersionCommand).map((call) => call.args[0].input)).toEqual([
      expect.objectContaining({
        LaunchTemplateId: LAUNCH_TEMPLATE_ID,
        SourceVersion: '3',
        LaunchTemplateData: {
          MetadataOptions: {
            HttpTokens: 'required',
            HttpPutResponseHopLimit: 2,
            HttpEndpoint: 'enabled',
            InstanceMetadataTags: 'enabled',
          },
        },
      }),
    ]);
    expect(ec2.commandCalls(ModifyLaunchTemplateCommand).map((call) => call.args[0].input)).toEqual([
      { LaunchTemplateId: LAUNCH_TEMPLATE_ID, DefaultVersion: '6' },
    ]);
    expect(account.template.DefaultVersionNumber).toBe(6);
    expect(
      account.groups.map((group) => [group.AutoScalingGroupName, group.LaunchTemplate?.Version]),
    ).toEqual([
      ['web-asg', '$Default'],
      ['canary-asg', '5'],
      ['batch-asg', '3'],
    ]);
    expect(await deps.decisions.ofFinding(findingId)).toEqual([
      expect.objectContaining({ status: 'SUCCEEDED', workflowAfter: 'RESOLVED' }),
    ]);
  });

  it('changes nothing when the default version already requires IMDSv2', async () => {
    const account = fakeAccount();
    account.versions[0]!.LaunchTemplateData!.MetadataOptions!.HttpTokens = 'required';
    const { deps, findingId } = await postedFinding();

    const prepared = await prepareRemediation(deps, { findingId, userId: 'U0ALICE01' });

    expect(prepared.kind).toBe('already-fixed');
    expect(ec2.commandCalls(CreateLaunchTemplateVersionCommand)).toEqual([]);
    expect(autoScaling.commandCalls(UpdateAutoScalingGroupCommand)).toEqual([]);
  });
});
