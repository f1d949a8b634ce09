/**
 * Consolidated control ids (`EC2.13`) for control findings produced while "consolidated control findings" is off.
 * Such findings name the control by standard: CIS by rule number (`4.1`), PCI DSS v3.2.1 by its own id
 * (`PCI.EC2.5`); other standards already use the consolidated id in the generator (`…/v/1.0.0/EC2.13`).
 *
 * Sources (Security Hub user guide):
 * - asff-changes-consolidation.md, "Generator IDs before and after turning on consolidated control findings"
 *   (awsdocs/aws-security-hub-user-guide @ bda5bf7): CIS v1.2.0 rule 4.1 → EC2.13, 4.2 → EC2.14, 4.3 → EC2.2;
 *   CIS v1.4.0 5.3 → EC2.2; PCI.EC2.2 → EC2.2, PCI.EC2.5 → EC2.13.
 * - ec2-controls.md "Related requirements" (current CSPM guide): EC2.53 ← CIS v3.0.0/5.2, v5.0.0/5.3;
 *   EC2.54 ← CIS v3.0.0/5.3, v5.0.0/5.4; EC2.2 ← CIS v3.0.0/5.4, v5.0.0/5.5; EC2.8 ← CIS v3.0.0/5.6, v5.0.0/5.7.
 *   (The same page also lists EC2.171 under "v3.0.0/5.3", which contradicts the CIS v3.0.0 numbering, where 5.3 is
 *   the ::/0 admin-port rule; ASR's CIS300 playbook and EC2.54 agree on EC2.54.)
 * Only the controls this bot acts on are listed; anything else maps to undefined rather than to a guess.
 */

const CIS_RULE_TO_CONTROL: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  '1.2.0': { '4.1': 'EC2.13', '4.2': 'EC2.14', '4.3': 'EC2.2' },
  '1.4.0': { '5.3': 'EC2.2' },
  '3.0.0': { '5.2': 'EC2.53', '5.3': 'EC2.54', '5.4': 'EC2.2', '5.6': 'EC2.8' },
  '5.0.0': { '5.3': 'EC2.53', '5.4': 'EC2.54', '5.5': 'EC2.2', '5.7': 'EC2.8' },
};

const PCI_321_TO_CONTROL: Readonly<Record<string, string>> = {
  'PCI.EC2.2': 'EC2.2',
  'PCI.EC2.5': 'EC2.13',
};

/** `arn:aws:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0/rule/4.1` or `cis-aws-foundations-benchmark/v/1.4.0/5.3`. */
const CIS_GENERATOR = /(?:^|\/)cis-aws-foundations-benchmark\/v\/(\d+\.\d+\.\d+)\/(?:rule\/)?([\d.]+)$/;
const PCI_321_GENERATOR = /^pci-dss\/v\/3\.2\.1\/(PCI\.[A-Za-z0-9]+\.\d+)$/;
/** Any other per-standard generator whose last segment is already a consolidated id (FSBP, NIST, Control Tower …). */
const STANDARD_GENERATOR = /^[a-z0-9-]+\/v\/[\d.]+\/([^/]+)$/;
const CONSOLIDATED_GENERATOR = /^security-control\/([^/]+)$/;

/** `EC2.13`, `AutoScaling.3`, `S3.1`: a service name and a number, which is the shape of consolidated ids. */
export function isSecurityControlId(value: string): boolean {
  return /^[A-Z][A-Za-z0-9]*\.\d+$/.test(value);
}

/**
 * The consolidated control id of a per-standard control finding, from its `GeneratorId` and `ProductFields`
 * (`RuleId` for CIS v1.2.0, `ControlId` for the other standards); undefined when the control is not one we map.
 */
export function legacyControlId(
  generatorId: string,
  productFields: Readonly<Record<string, string>> = {},
): string | undefined {
  const consolidated = CONSOLIDATED_GENERATOR.exec(generatorId)?.[1];
  if (consolidated !== undefined) return isSecurityControlId(consolidated) ? consolidated : undefined;

  const cis = CIS_GENERATOR.exec(generatorId);
  if (cis) {
    const [, version = '', ruleFromGenerator = ''] = cis;
    const rule = productFields['RuleId'] ?? productFields['ControlId'] ?? ruleFromGenerator;
    return CIS_RULE_TO_CONTROL[version]?.[rule];
  }

  const pci = PCI_321_GENERATOR.exec(generatorId)?.[1];
  if (pci !== undefined) return PCI_321_TO_CONTROL[pci];

  const tail = STANDARD_GENERATOR.exec(generatorId)?.[1];
  return tail !== undefined && isSecurityControlId(tail) ? tail : undefined;
}
