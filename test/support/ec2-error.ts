import { EC2ServiceException } from '@aws-sdk/client-ec2';

/** A refusal from EC2 as the SDK throws it: the error code as `name`, a client fault with status 400. */
export function ec2Error(name: string, message: string): EC2ServiceException {
  return new EC2ServiceException({ name, message, $fault: 'client', $metadata: { httpStatusCode: 400 } });
}
