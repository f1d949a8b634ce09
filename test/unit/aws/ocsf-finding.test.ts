import { describe, expect, it } from 'vitest';
import { normalizeAsffFinding } from '../../../src/aws/asff-finding.js';
import { findingsFromImportedV2Event, normalizeOcsfFinding } from '../../../src/aws/ocsf-finding.js';
import type { Finding } from '../../../src/domain/finding.js';
import { loadAsffFixture } from '../../fixtures/asff.js';
import { loadOcsfFixture, makeImportedV2Event, makeOcsfFinding } from '../../fixtures/ocsf.js';

function normalized(raw: unknown): Finding {
  const result = normalizeOcsfFinding(raw);
  if (!result.ok) throw new Error(`expected a finding, got: ${result.reason}`);
  return result.finding;
}

function asffNormalized(name: string): Finding {
  const result = normalizeAsffFinding(loadAsffFixture(name));
  if (!result.ok) throw new Error(result.reason);
  return result.finding;
}

describe('normalizeOcsfFinding: a compliance finding of the newer Security Hub', () => {
  it.each(['ec2.13-ssh-ipv4', 'ec2.8-imdsv1-instance'])(
    '%s becomes the same finding as its ASFF copy, field by field',
    (name) => {
      const ocsf = normalized(loadOcsfFixture(name));
      const asff = asffNormalized(name);
      const shared = (finding: Finding) => ({
        id: finding.id,
        controlId: finding.controlId,
        title: finding.title,
        description: finding.description,
        severity: finding.severity,
        accountId: finding.accountId,
        region: finding.region,
        resource: { ...finding.resource, tags: finding.resource.tags?.['Name'] },
        workflowStatus: finding.workflowStatus,
        recordState: finding.recordState,
        complianceStatus: finding.complianceStatus,
        firstObservedAt: finding.firstObservedAt,
        lastObservedAt: finding.lastObservedAt,
        updatedAt: finding.updatedAt,
        remediationUrl: finding.remediationUrl,
      });
      expect(shared(ocsf)).toEqual(shared(asff));
      expect(ocsf.productArn).toBe(asff.productArn.replace('::product/', '::productv2/'));
    },
  );

  it('names the security group, its rules unknown until EC2 is read (OCSF carries none)', () => {
    expect(normalized(makeOcsfFinding()).details).toEqual({
      kind: 'security-group',
      groupId: 'sg-0abc1234def567890',
      groupName: 'web-prod',
    });
    const unnamed = makeOcsfFinding();
    delete (unnamed['resources'] as Record<string, unknown>[])[0]!['name'];
    expect(normalized(unnamed).details).toEqual({ kind: 'security-group', groupId: 'sg-0abc1234def567890' });
  });

  it.each([
    [1, 'NEW', 'ACTIVE'],
    [2, 'NOTIFIED', 'ACTIVE'],
    [3, 'SUPPRESSED', 'ACTIVE'],
    [4, 'RESOLVED', 'ACTIVE'],
    [5, 'NEW', 'ARCHIVED'],
    [99, 'NEW', 'ACTIVE'],
  ])('status_id %i → workflow %s, record %s', (statusId, workflowStatus, recordState) => {
    const finding = normalized(makeOcsfFinding({ status_id: statusId }));
    expect([finding.workflowStatus, finding.recordState]).toEqual([workflowStatus, recordState]);
  });

  it('archives a finding the activity closed', () => {
    expect(normalized(makeOcsfFinding({ activity_id: 3 })).recordState).toBe('ARCHIVED');
  });

  it.each([
    [{ status_id: 1 }, 'PASSED'],
    [{ status_id: 2 }, 'WARNING'],
    [{ status_id: 3 }, 'FAILED'],
    [{ status_id: 0 }, 'NOT_AVAILABLE'],
    [{ status_id: undefined, status: 'Pass' }, 'PASSED'],
    [{ status_id: undefined, status: 'Fail' }, 'FAILED'],
  ])('compliance %j → %s', (compliance, expected) => {
    expect(normalized(makeOcsfFinding({ compliance })).complianceStatus).toBe(expected);
  });

  it.each([
    [{ severity_id: 2 }, 'LOW'],
    [{ severity_id: 5 }, 'CRITICAL'],
    // ASFF has nothing above CRITICAL.
    [{ severity_id: 6, severity: 'Fatal' }, 'CRITICAL'],
    // Unknown or Other: the words decide.
    [{ severity_id: 99, severity: 'Medium' }, 'MEDIUM'],
  ])('severity %j → %s', (severity, expected) => {
    expect(normalized(makeOcsfFinding(severity)).severity).toBe(expected);
  });

  it('reads the control parameters OCSF carries (EC2.18 authorized ports)', () => {
    const finding = normalized(
      makeOcsfFinding({
        compliance: {
          control: 'EC2.18',
          control_parameters: [{ name: 'authorizedTcpPorts', value: ['80', '443', '8443'] }],
        },
      }),
    );
    expect(finding.controlParameters).toEqual({ authorizedTcpPorts: ['80', '443', '8443'] });
  });

  it('ignores a control id from a product other than Security Hub', () => {
    const finding = normalized(
      makeOcsfFinding({
        metadata: { product: { uid: 'arn:aws:securityhub:us-east-1::productv2/acme/scanner' } },
      }),
    );
    expect(finding.controlId).toBeUndefined();
  });

  it.each([
    ['a Detection Finding (exposure)', { class_uid: 2004 }, /exposure .* only enriches/],
    [
      'a Vulnerability Finding',
      { class_uid: 2002, class_name: 'Vulnerability Finding' },
      /class 2002 \(Vulnerability Finding\) is not supported/,
    ],
    ['no finding uid', { finding_info: { uid: undefined } }, /finding_info\.uid/],
    [
      'an account id of 11 digits',
      { cloud: { account: { uid: '11112222333' } } },
      /cloud\.account\.uid: is not a 12-digit account id/,
    ],
    ['no resources', { resources: [] }, /resources/],
    ['no control', { compliance: { control: undefined } }, /compliance\.control/],
    [
      'a bad timestamp',
      { finding_info: { modified_time_dt: 'yesterday' } },
      /finding_info.modified_time_dt is not a valid timestamp/,
    ],
  ])('skips %s with a reason, keeping the finding id when there is one', (_name, overrides, reason) => {
    const finding = makeOcsfFinding(overrides);
    const uid = (finding['finding_info'] as { uid?: string }).uid;
    expect(normalizeOcsfFinding(finding)).toEqual({
      ok: false,
      reason: expect.stringMatching(reason),
      ...(uid !== undefined && { findingId: uid }),
    });
  });

  it('never throws on what is not an object', () => {
    expect(normalizeOcsfFinding('nope')).toEqual({ ok: false, reason: 'OCSF finding is not an object' });
    expect(normalizeOcsfFinding(null)).toEqual({ ok: false, reason: 'OCSF finding is not an object' });
  });
});

describe('findingsFromImportedV2Event', () => {
  it('normalizes the finding of a "Findings Imported V2" event', () => {
    const { findings, eventId } = findingsFromImportedV2Event(makeImportedV2Event([makeOcsfFinding()]));
    expect(eventId).toBe('7b1e2c3d-4f5a-6b7c-8d9e-0f1a2b3c4d5e');
    expect(findings).toEqual([{ ok: true, finding: expect.objectContaining({ controlId: 'EC2.13' }) }]);
  });

  it.each([
    [
      'an ASFF event',
      { 'detail-type': 'Security Hub Findings - Imported' },
      'Event detail-type is not "Findings Imported V2"',
    ],
    ['another source', { source: 'aws.guardduty' }, 'Event source is not "aws.securityhub"'],
    ['no findings list', { detail: {} }, 'Event detail.findings is not a list'],
    ['an empty findings list', { detail: { findings: [] } }, 'Event detail.findings is empty'],
  ])('refuses %s in words', (_name, overrides, reason) => {
    expect(findingsFromImportedV2Event(makeImportedV2Event([makeOcsfFinding()], overrides)).findings).toEqual(
      [{ ok: false, reason }],
    );
  });
});
