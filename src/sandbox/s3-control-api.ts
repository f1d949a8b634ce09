import type {
  GetPublicAccessBlockOutput,
  GetPublicAccessBlockRequest,
  PutPublicAccessBlockRequest,
} from '@aws-sdk/client-s3-control';
import type { Estate } from './estate.js';
import { s3ControlRefusal } from './service-errors.js';

/** S3 Control's account-level Block Public Access, over the sandbox estate's accounts. */
export class SandboxS3Control {
  constructor(
    private readonly accountId: string,
    private readonly estate: Estate,
  ) {}

  GetPublicAccessBlock(input: GetPublicAccessBlockRequest): GetPublicAccessBlockOutput {
    this.#ownAccount(input.AccountId);
    const found = (this.estate.AccountPublicAccessBlocks ?? []).find(
      (entry) => entry.AccountId === this.accountId,
    );
    if (!found)
      throw s3ControlRefusal(
        'NoSuchPublicAccessBlockConfiguration',
        'The public access block configuration was not found',
        404,
      );
    return { PublicAccessBlockConfiguration: { ...found.PublicAccessBlockConfiguration } };
  }

  /** Replaces the account's whole configuration (a setting left out is off). */
  PutPublicAccessBlock(input: PutPublicAccessBlockRequest): Record<string, never> {
    this.#ownAccount(input.AccountId);
    const settings = input.PublicAccessBlockConfiguration ?? {};
    const configuration = {
      BlockPublicAcls: settings.BlockPublicAcls === true,
      IgnorePublicAcls: settings.IgnorePublicAcls === true,
      BlockPublicPolicy: settings.BlockPublicPolicy === true,
      RestrictPublicBuckets: settings.RestrictPublicBuckets === true,
    };
    const entries = (this.estate.AccountPublicAccessBlocks ??= []);
    const found = entries.find((entry) => entry.AccountId === this.accountId);
    if (found) found.PublicAccessBlockConfiguration = configuration;
    else entries.push({ AccountId: this.accountId, PublicAccessBlockConfiguration: configuration });
    return {};
  }

  /** A caller can only name the account its credentials are in. */
  #ownAccount(accountId: string | undefined): void {
    if (accountId !== this.accountId) throw s3ControlRefusal('AccessDenied', 'Access Denied', 403);
  }
}
