import type { ControlSpec } from './control-catalog.js';
import type { AddressFamily } from './exposure.js';
import { isWorldCidr } from './exposure.js';
import type { Finding } from './finding.js';
import type { NetworkAclEntryFacts, NetworkAclFacts } from './reachability.js';
import { entryMatchesProtocol, entrySpan, networkAclVerdict } from './reachability.js';
import type { PlannedNetworkAclDeny, RemediationPlan } from './remediation-plan-types.js';
import type { PlanOutcome, Verification } from './remediation-plan.js';

// EC2.21, judged the way traffic is: inbound entries in ascending rule number, the first that matches decides, the
// `*` entry last. Rule numbers are per direction, shared by IPv4 and IPv6 entries (the default ACL's IPv4 and IPv6
// allow-all entries are 100 and 101), so a free number is one no inbound entry of either family uses.

const WORLD_CIDRS: Readonly<Record<AddressFamily, string>> = { ipv4: '0.0.0.0/0', ipv6: '::/0' };
const FAMILIES: readonly AddressFamily[] = ['ipv4', 'ipv6'];
const PORT_NAMES: Readonly<Record<number, string>> = { 22: 'SSH', 3389: 'RDP' };
const LOWEST_RULE_NUMBER = 1;

/** A port the whole address space of a family reaches now, and the allow entry that lets it in. */
export interface WorldOpening {
  readonly family: AddressFamily;
  readonly port: number;
  readonly allow: NetworkAclEntryFacts;
}

function inbound(acl: NetworkAclFacts): NetworkAclEntryFacts[] {
  return acl.entries.filter((entry) => !entry.egress).sort((a, b) => a.ruleNumber - b.ruleNumber);
}

function protocolWords(protocol: string): string {
  const name = protocol.trim().toLowerCase();
  if (name === '-1' || name === 'all') return 'all traffic';
  if (name === '6' || name === 'tcp') return 'tcp';
  if (name === '17' || name === 'udp') return 'udp';
  return `protocol ${protocol}`;
}

/** "rule 100 (allow all traffic from 0.0.0.0/0)", "rule 90 (allow tcp/20-25 from 203.0.113.0/24)". */
export function describeAclEntry(entry: NetworkAclEntryFacts): string {
  const protocol = protocolWords(entry.protocol);
  const ports =
    protocol === 'all traffic' || entry.portRange === undefined
      ? ''
      : entry.portRange.from === entry.portRange.to
        ? `/${entry.portRange.from}`
        : `/${entry.portRange.from}-${entry.portRange.to}`;
  return `rule ${entry.ruleNumber} (${entry.action} ${protocol}${ports} from ${entry.source.cidr})`;
}

function matchesTcpPort(entry: NetworkAclEntryFacts, family: AddressFamily, port: number): boolean {
  if (entry.egress || entry.source.family !== family || !entryMatchesProtocol(entry.protocol, 'tcp'))
    return false;
  const span = entrySpan(entry);
  return span.from <= port && port <= span.to;
}

/**
 * Each tcp port of `ports` that traffic from 0.0.0.0/0 (or ::/0) gets in on: the first entry for the whole
 * address space that matches it, in rule order, is an allow. Entries for narrower blocks decide nothing here: the
 * control is about the whole internet.
 */
export function worldOpenings(acl: NetworkAclFacts, ports: readonly number[]): WorldOpening[] {
  const entries = inbound(acl);
  return FAMILIES.flatMap((family) =>
    ports.flatMap((port): WorldOpening[] => {
      const verdict = networkAclVerdict(
        acl,
        family,
        'tcp',
        [{ from: port, to: port }],
        'whole-address-space',
      );
      if (verdict.kind !== 'allowed') return [];
      const allow = entries.find(
        (entry) => entry.ruleNumber === verdict.ruleNumber && entry.source.family === family,
      );
      return allow ? [{ family, port, allow }] : [];
    }),
  );
}

function openingWords(opening: Pick<WorldOpening, 'family' | 'port'>): string {
  return `tcp/${opening.port} from ${WORLD_CIDRS[opening.family]}`;
}

type NumberChoice =
  | { readonly kind: 'free'; readonly ruleNumber: number }
  /** Every number between `lowest` and the allow is taken. */
  | { readonly kind: 'none-free' }
  /** The next free number would jump ahead of the user's own allow for the port, which would then let nothing in. */
  | { readonly kind: 'would-shadow'; readonly entry: NetworkAclEntryFacts };

/**
 * The highest free number below the allow entry ("just ahead of it"), never one an entry or an earlier deny of the
 * plan uses. The search stops at an allow for the same port and family (a narrower source): a deny ahead of it
 * would take away traffic the user let in on purpose.
 */
function numberAhead(
  entries: readonly NetworkAclEntryFacts[],
  opening: WorldOpening,
  taken: ReadonlySet<number>,
): NumberChoice {
  for (let candidate = opening.allow.ruleNumber - 1; candidate >= LOWEST_RULE_NUMBER; candidate -= 1) {
    if (!taken.has(candidate)) return { kind: 'free', ruleNumber: candidate };
    const entry = entries.find(
      (each) => each.ruleNumber === candidate && matchesTcpPort(each, opening.family, opening.port),
    );
    if (entry?.action === 'allow') return { kind: 'would-shadow', entry };
  }
  return { kind: 'none-free' };
}

function joinWords(parts: readonly string[]): string {
  if (parts.length <= 1) return parts.join('');
  return `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`;
}

function where(finding: Finding): string {
  return `${finding.accountId}/${finding.region}`;
}

function refusal(acl: NetworkAclFacts, opening: WorldOpening, choice: NumberChoice): PlanOutcome {
  const allow = describeAclEntry(opening.allow);
  const why =
    choice.kind === 'would-shadow'
      ? `the only free numbers are ahead of your ${describeAclEntry(choice.entry)}, and a deny there would stop the traffic it lets in`
      : `every rule number from ${LOWEST_RULE_NUMBER} to ${opening.allow.ruleNumber - 1} is taken`;
  return {
    kind: 'not-remediable',
    reason:
      `${acl.networkAclId} lets ${openingWords(opening)} in through ${allow}, and there is no free rule number for a deny ` +
      `ahead of it: ${why}. The bot never renumbers or deletes your entries. Free a number just below rule ` +
      `${opening.allow.ruleNumber} (re-create an entry under another number), or narrow or delete rule ` +
      `${opening.allow.ruleNumber} yourself, then press Remediate again.`,
  };
}

function subnetWords(acl: NetworkAclFacts): string {
  if (acl.subnetIds.length > 0)
    return `subnet${acl.subnetIds.length > 1 ? 's' : ''} ${joinWords(acl.subnetIds)}`;
  return acl.isDefault
    ? `the subnets of ${acl.vpcId} that later use this default ACL`
    : 'subnets that later use it';
}

/** "SSH (tcp/22) and RDP (tcp/3389) from the internet (0.0.0.0/0 and ::/0)". */
function stoppedWords(denies: readonly PlannedNetworkAclDeny[]): string {
  const ports = [...new Set(denies.map((deny) => deny.port))].sort((a, b) => a - b);
  const cidrs = [...new Set(denies.map((deny) => deny.cidr))];
  const named = ports.map((port) => `${PORT_NAMES[port] ?? 'port'} (tcp/${port})`);
  return `${joinWords(named)} from the internet (${joinWords(cidrs)})`;
}

function notesFor(
  control: ControlSpec,
  acl: NetworkAclFacts,
  openings: readonly WorldOpening[],
  denies: readonly PlannedNetworkAclDeny[],
): string[] {
  const entries = inbound(acl);
  const stopsFor =
    acl.subnetIds.length > 0
      ? `What stops working: ${stoppedWords(denies)} into ${subnetWords(acl)}.`
      : `Nothing stops working today: no subnet uses ${acl.networkAclId}; ${stoppedWords(denies)} will not reach ${subnetWords(acl)}.`;
  const kept = entries.filter(
    (entry) =>
      entry.action === 'allow' &&
      denies.some(
        (deny) => entry.ruleNumber < deny.ruleNumber && matchesTcpPort(entry, deny.family, deny.port),
      ),
  );
  const keptWords =
    kept.length > 0
      ? `Traffic your narrower entries ahead of the denies allow keeps flowing: ${kept.map(describeAclEntry).join('; ')}.`
      : 'Traffic already allowed by narrower entries ahead of the denies would keep flowing (there is none today).';
  // Narrower allows numbered after the deny were reached only through the world allow; they now let nothing in.
  const cutOff = entries.filter(
    (entry) =>
      entry.action === 'allow' &&
      !isWorldCidr(entry.source.cidr, entry.source.family) &&
      denies.some(
        (deny) => entry.ruleNumber > deny.ruleNumber && matchesTcpPort(entry, deny.family, deny.port),
      ),
  );
  const udp = openings.filter((opening) => entryMatchesProtocol(opening.allow.protocol, 'udp'));
  const allows = [...new Set(openings.map((opening) => opening.allow.ruleNumber))];
  return [
    stopsFor,
    keptWords,
    ...(cutOff.length > 0
      ? [
          `These entries come after the new denies and no longer let their sources in on those ports: ${cutOff.map(describeAclEntry).join('; ')}. Re-create them under a lower number if that traffic must keep flowing.`,
        ]
      : []),
    ...(udp.length > 0
      ? [
          `Only tcp is denied: udp on ${joinWords([...new Set(udp.map((opening) => `port ${opening.port}`))])} stays allowed by ${joinWords([...new Set(udp.map((opening) => `rule ${opening.allow.ruleNumber}`))])}.`,
        ]
      : []),
    `Security Hub judges each allow entry on its own, so ${control.id} may stay FAILED while ${joinWords(allows.map((number) => `rule ${number}`))} ${allows.length === 1 ? 'exists' : 'exist'}, although the denies keep SSH and RDP from the internet out. To clear the finding, narrow or delete ${allows.length === 1 ? 'it' : 'them'} yourself (the bot never deletes your entries), or accept the risk.`,
  ];
}

/**
 * EC2.21: a deny for each (family, port) the whole internet gets in on, numbered just ahead of the allow entry that
 * lets it in. Nothing else in the ACL changes; when no number ahead is free, the plan refuses and says what to do.
 */
export function planNetworkAclDenies(
  finding: Finding,
  control: ControlSpec,
  acl: NetworkAclFacts,
): PlanOutcome {
  if (control.check.kind !== 'network-acl-world-ports')
    return { kind: 'not-remediable', reason: `${control.id} is not a network ACL control` };
  const openings = worldOpenings(acl, control.check.ports);
  const stillFails = openings.length === 0 ? networkAclFailure(acl, control.check.ports) : undefined;
  if (stillFails !== undefined)
    return {
      kind: 'not-remediable',
      reason: `deny entries already keep the internet out on tcp ${joinWords(control.check.ports.map(String))}, and the bot never deletes or renumbers your entries: ${stillFails}`,
    };
  if (openings.length === 0) {
    return {
      kind: 'already-fixed',
      words: `${acl.networkAclId} in ${where(finding)} lets no tcp ${joinWords(control.check.ports.map(String))} in from 0.0.0.0/0 or ::/0 any more`,
    };
  }
  const entries = inbound(acl);
  const taken = new Set(entries.map((entry) => entry.ruleNumber));
  const denies: PlannedNetworkAclDeny[] = [];
  for (const opening of openings) {
    const choice = numberAhead(entries, opening, taken);
    if (choice.kind !== 'free') return refusal(acl, opening, choice);
    taken.add(choice.ruleNumber);
    denies.push({
      ruleNumber: choice.ruleNumber,
      cidr: WORLD_CIDRS[opening.family],
      family: opening.family,
      port: opening.port,
      aheadOfRuleNumber: opening.allow.ruleNumber,
      words: `rule ${choice.ruleNumber}: deny ${openingWords(opening)}, ahead of ${describeAclEntry(opening.allow)}`,
    });
  }
  const plan: RemediationPlan = {
    kind: 'deny-network-acl-ingress',
    accountId: finding.accountId,
    region: finding.region,
    networkAclId: acl.networkAclId,
    subnetIds: acl.subnetIds,
    denies,
  };
  return {
    kind: 'plan',
    plan,
    words:
      `Add ${denies.length} inbound deny entr${denies.length === 1 ? 'y' : 'ies'} to network ACL ${acl.networkAclId} in ${where(finding)}` +
      `${acl.subnetIds.length > 0 ? `, used by ${subnetWords(acl)}` : ' (no subnet uses it now)'}: ` +
      `${denies.map((deny) => deny.words).join('; ')}. Your own entries stay as they are.`,
    notes: notesFor(control, acl, openings, denies),
  };
}

/** Tcp to the port from the planned CIDR, denied under the planned number. */
function isPlannedDeny(entry: NetworkAclEntryFacts, deny: PlannedNetworkAclDeny): boolean {
  return (
    !entry.egress &&
    entry.ruleNumber === deny.ruleNumber &&
    entry.action === 'deny' &&
    entry.source.family === deny.family &&
    isWorldCidr(entry.source.cidr, deny.family) &&
    ['6', 'tcp'].includes(entry.protocol.trim().toLowerCase()) &&
    entry.portRange?.from === deny.port &&
    entry.portRange.to === deny.port
  );
}

/** Every planned deny is in the ACL read back, as planned. (Whether the control passes is `controlVerdict`'s.) */
export function verifyNetworkAclDenies(
  plan: Extract<RemediationPlan, { kind: 'deny-network-acl-ingress' }>,
  acl: NetworkAclFacts,
): Verification {
  const missing = plan.denies.filter((deny) => !acl.entries.some((entry) => isPlannedDeny(entry, deny)));
  return missing.length === 0
    ? { verified: true }
    : {
        verified: false,
        why: `not in ${acl.networkAclId} as planned: ${missing.map((deny) => deny.words).join('; ')}`,
      };
}

/** Inbound allow entries for 0.0.0.0/0 or ::/0 that cover one of `ports` (tcp, udp or all traffic). */
function worldAllowEntries(acl: NetworkAclFacts, ports: readonly number[]): NetworkAclEntryFacts[] {
  return inbound(acl).filter((entry) => {
    if (entry.action !== 'allow' || !isWorldCidr(entry.source.cidr, entry.source.family)) return false;
    if (!entryMatchesProtocol(entry.protocol, 'tcp') && !entryMatchesProtocol(entry.protocol, 'udp'))
      return false;
    const span = entrySpan(entry);
    return ports.some((port) => span.from <= port && port <= span.to);
  });
}

/**
 * Why EC2.21 still fails on the ACL, or undefined when it passes. Security Hub's check (the AWS Config rule
 * nacl-no-unrestricted-ssh-rdp) judges each inbound entry on its own: any allow for the whole internet on 22 or
 * 3389 fails it, whatever deny entries come first. So deny entries ahead of it block the traffic but do not pass
 * the control, and the finding is never set RESOLVED while such an allow remains.
 */
export function networkAclFailure(acl: NetworkAclFacts, ports: readonly number[]): string | undefined {
  const allows = worldAllowEntries(acl, ports);
  if (allows.length === 0) return undefined;
  const openings = worldOpenings(acl, ports);
  const traffic =
    openings.length === 0
      ? 'deny entries ahead of it block that traffic, but Security Hub judges each allow entry on its own'
      : `it lets in ${openings.map((opening) => `${openingWords(opening)} through ${describeAclEntry(opening.allow)}`).join('; ')}`;
  return `${acl.networkAclId} still has ${allows.map(describeAclEntry).join(', ')}: ${traffic}; narrow or delete that entry, or accept the risk`;
}
