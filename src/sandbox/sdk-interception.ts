/** What a client is asked, as the sandbox receives it: the command's name (`DescribeInstancesCommand`) and input. */
export type SandboxAnswer = (commandName: string, input: unknown) => Promise<unknown>;

type InitializeMiddleware = (
  next: unknown,
  context: { readonly commandName?: string },
) => (args: { readonly input: unknown }) => Promise<{ output: unknown; response: unknown }>;

/** Any SDK v3 client: they all take middleware at the `initialize` step. */
export interface InterceptableClient {
  readonly middlewareStack: {
    add(
      middleware: InitializeMiddleware,
      options: { step: 'initialize'; name: string; priority: 'high'; override: boolean },
    ): void;
  };
}

const METADATA = { httpStatusCode: 200, requestId: 'sandbox', attempts: 1, totalRetryDelay: 0 };

/**
 * Makes `client` answer every command from `answer` instead of AWS. The middleware sits first in the `initialize`
 * step and never calls `next`, so nothing is serialized, signed (no credentials are looked up) or sent: the
 * adapters see the same output objects and the same typed exceptions they would get from the real service.
 */
export function answerFromSandbox(client: InterceptableClient, answer: SandboxAnswer): void {
  client.middlewareStack.add(
    (_next, context) => async (args) => {
      const output = (await answer(
        (context.commandName ?? '').replace(/Command$/, ''),
        args.input,
      )) as object;
      return { output: { ...output, $metadata: METADATA }, response: undefined };
    },
    { step: 'initialize', name: 'cspmSandboxAccount', priority: 'high', override: true },
  );
}
