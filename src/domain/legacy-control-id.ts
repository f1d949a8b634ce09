import { CONTROL_CATALOG } from './control-catalog.js';
import type { ControlId, ControlSpec } from './control-catalog.js';

/**
 * Consolidated control ids (`EC2.13`) for control findings produced while "consolidated control findings" is off.
 * Such findings name the control by standard: CIS by rule number (`4.1`), PCI DSS v3.2.1 by its own id
 * (`PCI.EC2.5`); other standards already use the consolidated id in the generator (`…/v/1.0.0/EC2.13`).
 *
 * The per-standard ids are the `aliases` of CONTROL_CATALOG's entries (with their sources there): only the controls
 * this bot acts on are mapped; anything else maps to undefined rather than to a guess.
 */

const CIS_ALIAS = /^CIS (\d+\.\d+\.\d+) ([\d.]+)$/;

interface AliasIndex {
  /** Benchmark version → rule number → control id, e.g. `1.2.0` → `4.1` → `EC2.13`. */
  readonly cisRules: ReadonlyMap<string, ReadonlyMap<string, ControlId>>;
  /** PCI DSS v3.2.1 id → control id, e.g. `PCI.EC2.5` → `EC2.13`. */
  readonly pci321: ReadonlyMap<string, ControlId>;
}

function indexAliases(controls: readonly ControlSpec[]): AliasIndex {
  const cisRules = new Map<string, Map<string, ControlId>>();
  const pci321 = new Map<string, ControlId>();
  for (const control of controls) {
    for (const alias of control.aliases) {
      const [, version, rule] = CIS_ALIAS.exec(alias) ?? [];
      if (version !== undefined && rule !== undefined) {
        cisRules.set(version, (cisRules.get(version) ?? new Map<string, ControlId>()).set(rule, control.id));
      } else {
        pci321.set(alias, control.id);
      }
    }
  }
  return { cisRules, pci321 };
}

const ALIASES = indexAliases(Object.values(CONTROL_CATALOG));

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
    return ALIASES.cisRules.get(version)?.get(rule);
  }

  const pci = PCI_321_GENERATOR.exec(generatorId)?.[1];
  if (pci !== undefined) return ALIASES.pci321.get(pci);

  const tail = STANDARD_GENERATOR.exec(generatorId)?.[1];
  return tail !== undefined && isSecurityControlId(tail) ? tail : undefined;
}
