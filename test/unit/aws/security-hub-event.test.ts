import { describe, expect, it } from 'vitest';
import { findingsOfSecurityHubEvent } from '../../../src/aws/security-hub-event.js';
import type { FindingsFormat } from '../../../src/domain/findings-format.js';
import { makeAsffFinding, makeImportedEvent } from '../../fixtures/asff.js';
import { makeImportedV2Event, makeOcsfFinding } from '../../fixtures/ocsf.js';

const asffEvent = makeImportedEvent([makeAsffFinding()]);
const ocsfEvent = makeImportedV2Event([makeOcsfFinding()]);

const outcome = (event: unknown, format: FindingsFormat) =>
  findingsOfSecurityHubEvent(event, format).findings.map((result) =>
    result.ok
      ? `${result.finding.controlId} from ${result.finding.productArn.split('::')[1]}`
      : result.reason,
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

  it('answers any other event with what it expected', () => {
    expect(outcome({ 'detail-type': 'EC2 Instance State-change Notification' }, 'both')).toEqual([
      'Event detail-type is "EC2 Instance State-change Notification", not "Security Hub Findings - Imported"',
    ]);
  });
});
