import { AutoScalingServiceException } from '@aws-sdk/client-auto-scaling';
import { EC2ServiceException } from '@aws-sdk/client-ec2';
import { S3ServiceException } from '@aws-sdk/client-s3';
import { S3ControlServiceException } from '@aws-sdk/client-s3-control';
import { SecurityHubServiceException } from '@aws-sdk/client-securityhub';
import { STSServiceException } from '@aws-sdk/client-sts';

const metadata = (httpStatusCode: number) => ({
  httpStatusCode,
  requestId: 'sandbox',
  attempts: 1,
  totalRetryDelay: 0,
});

/** A refusal as the SDK throws it from EC2: the error code as `name`, a client fault with status 400. */
export function ec2Refusal(code: string, message: string): EC2ServiceException {
  return new EC2ServiceException({ name: code, message, $fault: 'client', $metadata: metadata(400) });
}

/** Auto Scaling's refusals (`ValidationError`, …), status 400. */
export function autoScalingRefusal(code: string, message: string): AutoScalingServiceException {
  return new AutoScalingServiceException({ name: code, message, $fault: 'client', $metadata: metadata(400) });
}

/** Security Hub's refusals (`InvalidInputException`, …), status 400. */
export function securityHubRefusal(code: string, message: string): SecurityHubServiceException {
  return new SecurityHubServiceException({ name: code, message, $fault: 'client', $metadata: metadata(400) });
}

/** S3's refusals by code (`NoSuchBucket` 404, `NoSuchBucketPolicy` 404, `AccessDenied` 403, …). */
export function s3Refusal(code: string, message: string, httpStatusCode: number): S3ServiceException {
  return new S3ServiceException({
    name: code,
    message,
    $fault: 'client',
    $metadata: metadata(httpStatusCode),
  });
}

/** S3 Control's refusals (`NoSuchPublicAccessBlockConfiguration` 404, …). */
export function s3ControlRefusal(
  code: string,
  message: string,
  httpStatusCode: number,
): S3ControlServiceException {
  return new S3ControlServiceException({
    name: code,
    message,
    $fault: 'client',
    $metadata: metadata(httpStatusCode),
  });
}

export function stsRefusal(code: string, message: string): STSServiceException {
  return new STSServiceException({ name: code, message, $fault: 'client', $metadata: metadata(403) });
}

/** A call the sandbox account does not answer: a fault in how it is wired, not something AWS would say. */
export class SandboxUnsupportedCallError extends Error {
  constructor(
    readonly service: string,
    readonly commandName: string,
  ) {
    super(
      `The sandbox account does not emulate ${service} ${commandName}` +
        (service === 'SSM' ? '; run the bot with CSPM_EXECUTOR=direct against the sandbox' : ''),
    );
    this.name = 'SandboxUnsupportedCallError';
  }
}
