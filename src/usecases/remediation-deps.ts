import type { ActorPolicy } from '../domain/authorization.js';
import type { PlanOptions } from '../domain/remediation-plan.js';
import type { DecisionRepository } from '../store/decision-repository.js';
import type { DeliverDeps } from './deliver-finding-message.js';
import type {
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
}
