import type { ActorPolicy } from '../domain/authorization.js';
import type { PlanOptions } from '../domain/remediation-plan.js';
import type { DecisionRepository } from '../store/decision-repository.js';
import type { DeliverDeps } from './deliver-finding-message.js';
import type {
  AccountImdsDefaultsReader,
  FindingWorkflow,
  IdGenerator,
  Remediator,
  ResourceStateReader,
  UserDirectory,
} from './ports.js';

/** Everything the remediation use cases need, as ports. */
export interface RemediationDeps extends DeliverDeps {
  readonly decisions: DecisionRepository;
  readonly stateReader: ResourceStateReader;
  readonly remediator: Remediator;
  readonly workflow: FindingWorkflow;
  readonly users: UserDirectory;
  readonly ids: IdGenerator;
  readonly policy: ActorPolicy;
  readonly planOptions: PlanOptions;
  /** The account-wide IMDS fix of EC2.8/EC2.170 reads the defaults with it; absent, that fix is refused in words. */
  readonly accountDefaults?: AccountImdsDefaultsReader;
}
