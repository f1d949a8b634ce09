import { fileURLToPath } from 'node:url';
import { Validations } from 'aws-cdk-lib';
import type { Duration } from 'aws-cdk-lib';
import { Effect, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import type { IDestination } from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat, SourceMapMode } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { LAMBDA_BUNDLE, SOURCE_MAP_ENVIRONMENT } from './lambda-bundling.js';

/** The repository root: entries, package-lock.json and tsconfig.json are resolved from here, whatever the cwd. */
export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface BotFunctionProps {
  /** Entry file, relative to the repository root, e.g. `src/runtime/lambda-slack.ts`; it exports `handler`. */
  readonly entry: string;
  readonly description: string;
  readonly timeout: Duration;
  readonly memorySize: number;
  readonly environment: Readonly<Record<string, string>>;
  /** Retries of an asynchronous invocation that failed (Lambda's default is 2). */
  readonly retryAttempts?: number;
  /** Where a failed asynchronous invocation goes once its retries are spent. */
  readonly onFailure?: IDestination;
  /** A fixed role name, for roles another account's trust policy names (IAM role names are per account). */
  readonly roleName?: string;
  /** Most concurrent instances; also reserved out of the account's pool. */
  readonly reservedConcurrentExecutions?: number;
}

/**
 * One bot Lambda: an ESM bundle on Node.js 22/arm64 with its own role and a one-year log group.
 * The role starts empty (no AWS managed policy): it may write to its own log group, and the
 * stack adds exactly what each function needs, so a grant given to one handler never leaks to another.
 */
export class BotFunction extends Construct {
  readonly handler: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: BotFunctionProps) {
    super(scope, id);

    this.logGroup = new LogGroup(this, 'Logs', { retention: RetentionDays.ONE_YEAR });
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs ${props.entry}`,
      ...(props.roleName !== undefined && { roleName: props.roleName }),
    });
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );

    this.handler = new NodejsFunction(this, 'Handler', {
      entry: `${PROJECT_ROOT}${props.entry}`,
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: `${PROJECT_ROOT}package-lock.json`,
      description: props.description,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      timeout: props.timeout,
      memorySize: props.memorySize,
      role: this.role,
      logGroup: this.logGroup,
      // No X-Ray: EMF metrics, alarms and request-scoped JSON logs answer what operators ask; Powertools Tracer
      // would bring the X-Ray SDK into every bundle and bill per trace for call graphs of a handful of AWS calls.
      tracing: Tracing.DISABLED,
      environment: { ...SOURCE_MAP_ENVIRONMENT, ...props.environment },
      ...(props.retryAttempts !== undefined && { retryAttempts: props.retryAttempts }),
      ...(props.onFailure && { onFailure: props.onFailure }),
      ...(props.reservedConcurrentExecutions !== undefined && {
        reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      }),
      bundling: {
        format: OutputFormat.ESM,
        target: LAMBDA_BUNDLE.target,
        mainFields: [...LAMBDA_BUNDLE.mainFields],
        banner: LAMBDA_BUNDLE.banner,
        minify: LAMBDA_BUNDLE.minify,
        sourceMap: true,
        sourceMapMode: SourceMapMode.DEFAULT,
        sourcesContent: LAMBDA_BUNDLE.sourcesContent,
        externalModules: [...LAMBDA_BUNDLE.externalModules],
        logLevel: LogLevel.WARNING,
      },
    });
    Validations.of(this.handler).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Node.js 22 on purpose: the code is typechecked and tested on Node 20/22 (package.json engines, ' +
        '@types/node 20) and bundled for node22; nodejs24.x follows when the test runtime moves to Node 24.',
    });
  }
}
