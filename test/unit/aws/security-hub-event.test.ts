import { describe, expect, it } from 'vitest';
import { findingsOfSecurityHubEvent } from '../../../src/aws/security-hub-event.js';
import type { FindingsFormat } from '../../../src/domain/findings-format.js';
import { makeAsffFinding, makeImportedEvent } from '../../fixtures/asff.js';
import { makeImportedV2Event, makeOcsfExposure, makeOcsfFinding } from '../../fixtures/ocsf.js';

const asffEvent = makeImportedEvent([makeAsffFinding()]);
const ocsfEvent = makeImportedV2Event([makeOcsfFinding()]);
const exposureEvent = makeImportedV2Event([makeOcsfExposure()]);

const outcome = (event: unknown, format: FindingsFormat) =>
  findingsOfSecurityHubEvent(event, format).findings.map((result) =>
    !result.ok
      ? result.reason
      : 'finding' in result
        ? `${result.finding.controlId} from ${result.finding.productArn.split('::')[1]}`
        : `exposure of ${result.exposure.resources.map((resource) => resource.shortId).join(', ')}`,
  );

describe('findingsOfSecurityHubEvent', () => {
  it.each<[FindingsFormat, string[], string[]]>([
    [
      'asff',
      ['EC2.13 from product/aws/securityhub'],
      ['a "Findings Imported V2" event is not read with CSPM_FINDINGS_FORMAT=asff'],
    ],
    [
      'ocsf',
      ['a "Security Hub Findings - Imported" event is not read with CSPM_FINDINGS_FORMAT=ocsf'],
      ['EC2.13 from productv2/aws/securityhub'],
    ],
    ['both', ['EC2.13 from product/aws/securityhub'], ['EC2.13 from productv2/aws/securityhub']],
  ])(
    'with CSPM_FINDINGS_FORMAT=%s reads the events of the Security Hubs it names',
    (format, fromAsff, fromOcsf) => {
      expect(outcome(asffEvent, format)).toEqual(fromAsff);
      expect(outcome(ocsfEvent, format)).toEqual(fromOcsf);
    },
  );

  it.each<[FindingsFormat, string[]]>([
    ['asff', ['a "Findings Imported V2" event is not read with CSPM_FINDINGS_FORMAT=asff']],
    ['ocsf', ['exposure of i-0abc1234def567891']],
    ['both', ['exposure of i-0abc1234def567891']],
  ])(
    "with CSPM_FINDINGS_FORMAT=%s reads the newer Security Hub's exposure findings as exposures",
    (format, read) => {
      expect(outcome(exposureEvent, format)).toEqual(read);
    },
  );

  it('refuses a Detection Finding that is not an exposure in words, keeping its id', () => {
    const threat = makeOcsfExposure({ finding_info: { analytic: { name: 'Backdoor:EC2/C&CActivity.B' } } });
    expect(findingsOfSecurityHubEvent(makeImportedV2Event([threat]), 'both').findings).toEqual([
      {
        ok: false,
        reason:
          'a Detection Finding of analytic "Backdoor:EC2/C&CActivity.B" is not an exposure finding: only those of the Exposure analytic are',
        findingId:
          'arn:aws:securityhub:ap-northeast-1:111122223333:exposure/0b7d4e2a-91c3-4f58-a6e0-d2c8b5f13a97',
      },
    ]);
  });

  it('answers any other event with what it expected', () => {
    expect(outcome({ 'detail-type': 'EC2 Instance State-change Notification' }, 'both')).toEqual([
      'Event detail-type is "EC2 Instance State-change Notification", not "Security Hub Findings - Imported"',
    ]);
  });
});
