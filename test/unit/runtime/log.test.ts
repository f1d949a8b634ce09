import type { Context } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLog } from '../../../src/runtime/log.js';

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

describe('the log', () => {
  it('shows invisible and bidi characters of finding text as markers, in fields and in error messages', () => {
    const written: string[] = [];
    // Powertools writes warnings and errors to stderr, the rest to stdout.
    for (const stream of [process.stdout, process.stderr]) {
      vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
        written.push(String(chunk));
        return true;
      });
    }
    // The test configuration silences the runtimes' loggers; this test reads one.
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'INFO');
    const log = createLog();

    log.warn('message not delivered', {
      title: 'Security group sg-prod\u202elanretni',
      error: new Error('channel_not_found for web\u200bprod'),
    });

    const line = written.join('');
    expect(line).toContain('sg-prod⟨U+202E⟩lanretni');
    expect(line).toContain('web⟨U+200B⟩prod');
    expect(line).not.toMatch(/[\u202e\u200b]/u);
  });

  it("puts the Lambda request id on every line, and a job's keys only on that job's lines", () => {
    const written: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'INFO');
    const log = createLog();
    const context = {
      functionName: 'CspmBot-WorkerHandler1A2B3C4D-x9Y8z7W6v5U4',
      functionVersion: '$LATEST',
      invokedFunctionArn:
        'arn:aws:lambda:ap-northeast-1:111122223333:function:CspmBot-WorkerHandler1A2B3C4D-x9Y8z7W6v5U4',
      memoryLimitInMB: '512',
      awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
    } as Context;

    log.addContext(context);
    log.withKeys({ findingId: 'finding-ec2-13', slackUserId: 'U0ALICE01' }).info('remediation started');
    log.info('job done');

    const [jobLine, processLine] = written.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(jobLine).toMatchObject({
      message: 'remediation started',
      function_request_id: context.awsRequestId,
      findingId: 'finding-ec2-13',
      slackUserId: 'U0ALICE01',
    });
    expect(processLine).toMatchObject({ message: 'job done', function_request_id: context.awsRequestId });
    expect(processLine).not.toHaveProperty('findingId');
  });
});
