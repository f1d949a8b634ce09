import { createHash } from 'node:crypto';
import type { FindingsFormat } from '../domain/findings-format.js';
import { readsAsff, readsOcsf } from '../domain/findings-format.js';
import { ocsfOf } from './ocsf-rendering.js';
import type { OcsfFinding } from './exposure-rendering.js';
import { instanceExposures, nextExposureFindings } from './exposure-rendering.js';
import type { ControlId } from '../domain/control-catalog.js';
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { EC2Client } from '@aws-sdk/client-ec2';
import { S3Client } from '@aws-sdk/client-s3';
import { S3ControlClient } from '@aws-sdk/client-s3-control';
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import { AccountClients } from '../aws/aws-clients.js';
import type { ServiceClient } from '../aws/aws-clients.js';
import type { Clock } from '../usecases/ports.js';
import { SandboxAutoScaling } from './auto-scaling-api.js';
import { SandboxEc2 } from './ec2-api.js';
import { SandboxS3Control } from './s3-control-api.js';
import { SandboxS3 } from './s3-api.js';
import type { AsffFinding, Estate } from './estate.js';
import { parseWithDates, regionOf, sampleEstate, sampleFindings } from './estate.js';
import type { InterceptableClient } from './sdk-interception.js';
import { answerFromSandbox } from './sdk-interception.js';
import type { HubFinding } from './security-hub-api.js';
import { SandboxSecurityHub } from './security-hub-api.js';
import { SandboxUnsupportedCallError } from './service-errors.js';
import {
  SandboxFindingNotFoundError,
  burstControls,
  simulatedControls,
  controlOf,
  failAgain,
  passControl,
  raiseFinding,
  templateFor,
} from './simulation.js';
import { SandboxSts } from './sts-api.js';

/** The file under the data directory that holds the sandbox account between runs. */
export const SANDBOX_STATE_FILE = 'sandbox-account.json';
/** The role the bot assumes in member accounts, as the sandbox's STS knows it. */
export const SANDBOX_MEMBER_ROLE = 'cspm-bot-member';

const STATE_VERSION = 1;

interface SandboxState {
  readonly version: number;
  readonly estate: Estate;
  readonly findings: HubFinding[];
  /**
   * The newer Security Hub's exposure findings as last published (resolved ones too), so a restart announces only
   * what changed meanwhile. Absent in files written before the sandbox published any: nothing published yet.
   */
  exposures?: OcsfFinding[];
  /** How far the sandbox's clock runs ahead of the real one (Simulate → advance the clock). */
  clockOffsetMs: number;
  /** Numbers new resources, rules and findings, so each is new and a rebuilt sandbox names them the same. */
  sequence: number;
}

/** An EventBridge "Security Hub Findings - Imported" event, as Security Hub sends one when a finding changes. */
export interface FindingsImportedEvent {
  readonly version: '0';
  readonly id: string;
  /** Security Hub CSPM's ASFF event, or the newer Security Hub's OCSF one. */
  readonly 'detail-type': 'Security Hub Findings - Imported' | 'Findings Imported V2';
  readonly source: 'aws.securityhub';
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: string[];
  readonly detail: { readonly findings: Record<string, unknown>[] };
}

/** One finding as the Security Hub panel shows it. */
export interface SecurityHubFindingView {
  readonly id: string;
  readonly productArn: string;
  readonly title: string;
  readonly controlId?: string;
  readonly severity: string;
  readonly accountId: string;
  readonly region: string;
  readonly resourceId: string;
  readonly workflowStatus: string;
  readonly complianceStatus?: string;
  readonly recordState: string;
  readonly updatedAt: string;
  /** Every note set on the finding, oldest first (Security Hub itself keeps only the last). */
  readonly notes: readonly { text: string; updatedBy: string; updatedAt: string; workflowStatus?: string }[];
}

export interface SandboxAccountOptions {
  /** The data directory (`data/`); the account is kept in `sandbox-account.json` there. */
  readonly dataDir: string;
  readonly clock: Clock;
  /** Start from the bundled samples, dropping whatever was kept. */
  readonly reset?: boolean;
  /**
   * Which Security Hub's events it sends when a finding changes (CSPM_FINDINGS_FORMAT): ASFF "Findings - Imported",
   * OCSF "Findings Imported V2", or both (as an organisation running both Security Hubs sees). Default `asff`.
   */
  readonly findingsFormat?: FindingsFormat;
}

const MUTATING = new Set([
  'RevokeSecurityGroupIngress',
  'RevokeSecurityGroupEgress',
  'ModifyInstanceMetadataOptions',
  'ModifyInstanceMetadataDefaults',
  'CreateLaunchTemplateVersion',
  'ModifyLaunchTemplate',
  'CreateNetworkAclEntry',
  'UpdateAutoScalingGroup',
  'PutPublicAccessBlock',
  'PutBucketPolicy',
  'CreateLaunchTemplate',
  'StartInstanceRefresh',
  'BatchUpdateFindings',
  'BatchUpdateFindingsV2',
]);

/**
 * A stand-in for AWS when the bot has no credentials: the bundled sample estate (two accounts, three regions) and a
 * Security Hub holding the sample findings. It answers at the SDK level, so the bot's own adapters run unchanged;
 * what the bot changes really changes here and is kept on disk after each change. SSM Automation is not emulated:
 * run the bot with the direct executor against it.
 */
export class SandboxAccount {
  /**
   * A "Findings - Imported" event each time a finding changes (a workflow update, a Simulate action), as
   * EventBridge delivers them. Listeners run inside the call that made the change: hand the work off, never throw.
   */
  readonly events = new EventEmitter<{ 'findings-imported': [FindingsImportedEvent] }>();
  /** The sandbox's time: the real clock, moved ahead by Simulate → advance the clock. */
  readonly clock: Clock;
  readonly stateFile: string;
  readonly #state: SandboxState;
  readonly #samples: readonly AsffFinding[];
  #saving: Promise<void> = Promise.resolve();

  private constructor(
    state: SandboxState,
    samples: readonly AsffFinding[],
    stateFile: string,
    realClock: Clock,
    private readonly findingsFormat: FindingsFormat,
  ) {
    this.#state = state;
    this.#samples = samples;
    this.stateFile = stateFile;
    this.clock = { now: () => realClock.now().plus({ milliseconds: this.#state.clockOffsetMs }) };
  }

  static async open(options: SandboxAccountOptions): Promise<SandboxAccount> {
    const stateFile = join(options.dataDir, SANDBOX_STATE_FILE);
    const samples = await sampleFindings();
    const kept = options.reset ? undefined : await readState(stateFile);
    const state = kept ?? {
      version: STATE_VERSION,
      estate: await sampleEstate(),
      findings: samples.map((asff) => ({ asff: structuredClone(asff), notes: [] })),
      clockOffsetMs: 0,
      sequence: 0,
    };
    await mkdir(options.dataDir, { recursive: true });
    const account = new SandboxAccount(
      state,
      samples,
      stateFile,
      options.clock,
      options.findingsFormat ?? 'asff',
    );
    if (!kept) await account.#save();
    return account;
  }

  get homeAccountId(): string {
    return this.#state.estate.homeAccountId;
  }

  /** Every account of the estate, the bot's own first. */
  get accountIds(): string[] {
    return [
      ...new Set([this.homeAccountId, ...this.#state.estate.regions.map((region) => region.accountId)]),
    ];
  }

  /** The line `npm start` prints (and logs) so nobody mistakes the sandbox for AWS. */
  describe(): string {
    const { regions } = this.#state.estate;
    return (
      `sandbox account (no AWS credentials): ${this.accountIds.length} accounts, ` +
      `${new Set(regions.map((region) => region.region)).size} regions, ${this.#state.findings.length} findings, ` +
      `kept in ${this.stateFile}; remediation runs with the direct executor (SSM Automation is not emulated)`
    );
  }

  /** AWS clients for the bot (resource reader, direct remediator, Security Hub workflow), all answered here. */
  accountClients(): AccountClients {
    return new AccountClients({
      homeAccountId: this.homeAccountId,
      memberRoleName: SANDBOX_MEMBER_ROLE,
      sts: this.stsClient('us-east-1'),
      configureClient: (client, where) =>
        this.attach(client, {
          ...where,
          signsAsMember: where.accountId !== undefined && where.accountId !== this.homeAccountId,
        }),
    });
  }

  stsClient(region: string): STSClient {
    const client = new STSClient({ region });
    this.attach(client, { region });
    return client;
  }

  /** Security Hub in the bot's own account (the aggregator: it sees the findings of every account and region). */
  securityHubClient(region: string): SecurityHubClient {
    const client = new SecurityHubClient({ region });
    this.attach(client, { region });
    return client;
  }

  /** Makes an SDK client answer from this account; EC2 and Auto Scaling need the account they are in. */
  attach(
    client: ServiceClient | STSClient,
    where: { readonly accountId?: string; readonly region: string; readonly signsAsMember?: boolean },
  ): void {
    const accountId = where.accountId ?? this.homeAccountId;
    const service = serviceOf(client);
    // A member account's client from accountClients() signs with its member-role session: resolving it asks STS
    // (the sandbox's) to AssumeRole, as a real call would before it is sent, so a refused role is refused here too.
    // Any other client's credentials are never looked up (that could reach for the instance metadata service).
    const memberCredentials = where.signsAsMember
      ? (client.config as { credentials?: () => Promise<unknown> }).credentials
      : undefined;
    answerFromSandbox(client as unknown as InterceptableClient, async (commandName, input) => {
      await memberCredentials?.();
      return this.#answer(service, commandName, input, accountId, where.region);
    });
  }

  /** The findings as the Security Hub panel shows them, most recently updated first. */
  securityHubFindings(): SecurityHubFindingView[] {
    return this.#state.findings
      .map(({ asff, notes }) => toView(asff, notes))
      .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt) || a.id.localeCompare(b.id));
  }

  /** The finding as Security Hub's GetFindings would return it now (ASFF), or undefined. */
  finding(findingId: string): AsffFinding | undefined {
    const found = this.#state.findings.find((finding) => finding.asff['Id'] === findingId);
    return found && structuredClone(found.asff);
  }

  /** The controls Simulate can raise a new finding of (read from the catalog and the bundled samples). */
  simulatedControls(): ControlId[] {
    return simulatedControls(this.#samples);
  }

  /** What a person can make "AWS" do from the Simulate menu. Each change is saved and announced as an event. */
  readonly simulate = {
    /** A new failing finding of `control` (default EC2.13) on a new resource. */
    newFinding: async (control: string = 'EC2.13'): Promise<AsffFinding> => {
      const [finding] = await this.#raise([control]);
      return finding!;
    },
    /** `count` new failing findings across the security-group controls, each on its own new group. */
    burst: async (count: number): Promise<AsffFinding[]> => {
      const controls = burstControls(this.#samples);
      return this.#raise(
        Array.from(
          { length: count },
          (_, index) => controls[(this.#state.sequence + index) % controls.length]!,
        ),
      );
    },
    /** The control fails again (after the finding was resolved): its resource is re-opened and the finding too. */
    failAgain: async (findingId: string): Promise<AsffFinding> =>
      this.#changeFinding(findingId, (finding, now) =>
        failAgain(this.#state.estate, finding, ++this.#state.sequence, now),
      ),
    /** Security Hub's next check passes: compliance PASSED and the finding RESOLVED. */
    passControl: async (findingId: string): Promise<AsffFinding> =>
      this.#changeFinding(findingId, (finding, now) => passControl(finding, now)),
    /** Moves the sandbox's clock ahead, e.g. to bring a risk acceptance to its expiry. */
    advanceClock: async (duration: { days?: number; hours?: number; minutes?: number }): Promise<void> => {
      this.#state.clockOffsetMs +=
        ((duration.days ?? 0) * 24 * 60 + (duration.hours ?? 0) * 60 + (duration.minutes ?? 0)) * 60_000;
      await this.#save();
    },
  };

  /**
   * Security Hub's exposure analysis of the account as it is now (CSPM_FINDINGS_FORMAT ocsf or both): each exposure
   * finding that is new, changed or no longer holds since last published is announced as a "Findings Imported V2"
   * event; unchanged ones are not. `npm start` calls it once it listens to `events`; every later change of the
   * account (a Simulate action, a call that changes EC2 or a finding) runs it too.
   */
  async publishExposures(): Promise<void> {
    if (!readsOcsf(this.findingsFormat)) return;
    const { findings, changed } = nextExposureFindings(
      this.#state.exposures ?? [],
      instanceExposures(
        this.#state.estate,
        this.#state.findings.map((finding) => finding.asff),
      ),
      this.#now(),
    );
    if (changed.length === 0) return;
    this.#state.exposures = findings;
    await this.#save();
    for (const exposure of changed) this.#announceImportedV2(exposure);
  }

  /** Resolves once everything changed so far is on disk. */
  async saved(): Promise<void> {
    await this.#saving;
  }

  async #raise(controls: readonly string[]): Promise<AsffFinding[]> {
    const now = this.#now();
    const raised = controls.map((control) => {
      const template = templateFor(control, this.#samples);
      const finding = raiseFinding(this.#state.estate, template, ++this.#state.sequence, now);
      this.#state.findings.push({ asff: finding, notes: [] });
      return finding;
    });
    await this.#save();
    for (const finding of raised) this.#announce(finding);
    await this.publishExposures();
    return raised.map((finding) => structuredClone(finding));
  }

  async #changeFinding(
    findingId: string,
    change: (finding: HubFinding, now: Date) => void,
  ): Promise<AsffFinding> {
    const finding = this.#state.findings.find((candidate) => candidate.asff['Id'] === findingId);
    if (!finding) throw new SandboxFindingNotFoundError(findingId);
    change(finding, this.#now());
    await this.#save();
    this.#announce(finding.asff);
    await this.publishExposures();
    return structuredClone(finding.asff);
  }

  async #answer(
    service: string,
    commandName: string,
    input: unknown,
    accountId: string,
    region: string,
  ): Promise<unknown> {
    const now = () => this.#now();
    // Security Hub's exposure findings are never older than the account: brought up to date before they are read.
    if (service === 'Security Hub' && commandName === 'GetFindingsV2') await this.publishExposures();
    const regionEstate = regionOf(this.#state.estate, accountId, region);
    const api: object =
      service === 'EC2'
        ? new SandboxEc2(regionEstate, now)
        : service === 'Auto Scaling'
          ? new SandboxAutoScaling(regionEstate)
          : service === 'Security Hub'
            ? new SandboxSecurityHub(
                this.#state.findings,
                now,
                readsOcsf(this.findingsFormat) ? (this.#state.exposures ?? []) : [],
              )
            : service === 'STS'
              ? new SandboxSts(this.homeAccountId, () => this.accountIds, now)
              : service === 'S3'
                ? new SandboxS3(
                    accountId,
                    this.#state.estate.regions.filter((candidate) => candidate.accountId === accountId),
                  )
                : service === 'S3 Control'
                  ? new SandboxS3Control(accountId, this.#state.estate)
                  : {};
    const operation = (api as Record<string, unknown>)[commandName];
    if (typeof operation !== 'function') throw new SandboxUnsupportedCallError(service, commandName);
    const output = (operation as (input: unknown) => unknown).call(api, input ?? {});
    if (MUTATING.has(commandName)) {
      await this.#save();
      if (commandName === 'BatchUpdateFindings' || commandName === 'BatchUpdateFindingsV2')
        this.#announceUpdated(output);
      // A revoked rule, a resolved finding: an exposure may have ended (or begun) with the change.
      await this.publishExposures();
    }
    return output;
  }

  #announceUpdated(output: unknown): void {
    const processed =
      (output as { ProcessedFindings?: { Id?: string; FindingIdentifier?: { FindingInfoUid?: string } }[] })
        .ProcessedFindings ?? [];
    for (const item of processed) {
      const id = item.Id ?? item.FindingIdentifier?.FindingInfoUid;
      const finding = this.#state.findings.find((candidate) => candidate.asff['Id'] === id);
      if (finding) this.#announce(finding.asff);
    }
  }

  #announce(finding: AsffFinding): void {
    if (readsAsff(this.findingsFormat)) this.#announceAsff(finding);
    if (readsOcsf(this.findingsFormat)) this.#announceOcsf(finding);
  }

  #announceOcsf(finding: AsffFinding): void {
    this.#announceImportedV2(ocsfOf(finding));
  }

  /** As the newer Security Hub sends it: one OCSF finding (compliance or exposure) per "Findings Imported V2" event. */
  #announceImportedV2(finding: OcsfFinding): void {
    const time = this.#now().toISOString();
    const cloud = finding['cloud'] as { account: { uid: unknown }; region: unknown };
    const uid = (finding['finding_info'] as { uid: unknown }).uid;
    this.events.emit('findings-imported', {
      version: '0',
      id: randomUUID(),
      'detail-type': 'Findings Imported V2',
      source: 'aws.securityhub',
      account: String(cloud.account.uid),
      time: time.replace(/\.\d{3}Z$/, 'Z'),
      region: String(cloud.region),
      resources: [createHash('sha256').update(String(uid)).digest('hex')],
      detail: { findings: [structuredClone(finding)] },
    });
  }

  #announceAsff(finding: AsffFinding): void {
    const time = this.#now().toISOString();
    this.events.emit('findings-imported', {
      version: '0',
      id: randomUUID(),
      'detail-type': 'Security Hub Findings - Imported',
      source: 'aws.securityhub',
      account: String(finding['AwsAccountId']),
      time: time.replace(/\.\d{3}Z$/, 'Z'),
      region: String(finding['Region']),
      resources: [
        String(
          (finding['ProductFields'] &&
            (finding['ProductFields'] as Record<string, unknown>)['aws/securityhub/FindingId']) ||
            finding['Id'],
        ),
      ],
      detail: { findings: [structuredClone(finding)] },
    });
  }

  #now(): Date {
    return this.clock.now().toJSDate();
  }

  /** Written to a temporary file and renamed over the old one, so a crash never leaves half a file. */
  #save(): Promise<void> {
    const text = `${JSON.stringify(this.#state)}\n`;
    const temporary = `${this.stateFile}.${process.pid}.tmp`;
    // Writes go one after another; one that failed (reported to its caller) does not stop the next.
    this.#saving = this.#saving
      .catch(() => undefined)
      .then(async () => {
        await writeFile(temporary, text);
        await rename(temporary, this.stateFile);
      });
    return this.#saving;
  }
}

/** Opens the sandbox account kept under `dataDir`, or builds it from the bundled samples (first run, or `reset`). */
export function createSandboxAccount(options: SandboxAccountOptions): Promise<SandboxAccount> {
  return SandboxAccount.open(options);
}

async function readState(file: string): Promise<SandboxState | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const state = parseWithDates(text) as SandboxState;
  // A file from another version of the sandbox is rebuilt from the samples rather than misread.
  return state.version === STATE_VERSION ? state : undefined;
}

function serviceOf(client: ServiceClient | STSClient): string {
  if (client instanceof EC2Client) return 'EC2';
  if (client instanceof AutoScalingClient) return 'Auto Scaling';
  if (client instanceof SecurityHubClient) return 'Security Hub';
  if (client instanceof STSClient) return 'STS';
  if (client instanceof SSMClient) return 'SSM';
  if (client instanceof S3Client) return 'S3';
  if (client instanceof S3ControlClient) return 'S3 Control';
  return 'unknown';
}

function toView(asff: AsffFinding, notes: HubFinding['notes']): SecurityHubFindingView {
  const resource = (asff['Resources'] as Record<string, unknown>[] | undefined)?.[0];
  const nested = (key: string, inner: string) => (asff[key] as Record<string, unknown> | undefined)?.[inner];
  const controlId = controlOf(asff);
  const compliance = nested('Compliance', 'Status');
  return {
    id: String(asff['Id']),
    productArn: String(asff['ProductArn']),
    title: String(asff['Title']),
    ...(controlId !== undefined && { controlId }),
    severity: String(nested('Severity', 'Label')),
    accountId: String(asff['AwsAccountId']),
    region: String(asff['Region']),
    resourceId: String(resource?.['Id'] ?? ''),
    workflowStatus: String(nested('Workflow', 'Status')),
    ...(typeof compliance === 'string' && { complianceStatus: compliance }),
    recordState: String(asff['RecordState']),
    updatedAt: String(asff['UpdatedAt']),
    notes: structuredClone(notes),
  };
}
