import type { Finding } from '../src/domain/finding.js';

/**
 * Console host per partition. Commercial regions have regional hosts (`ap-northeast-1.console.aws.amazon.com`),
 * which skip a redirect and keep the user in the finding's region; GovCloud and China use one host each.
 * An unknown partition falls back to the commercial console (as ASR's notification links do).
 */
const COMMERCIAL_HOST = 'console.aws.amazon.com';
const CONSOLE_HOSTS: Readonly<Record<string, string>> = {
  aws: COMMERCIAL_HOST,
  'aws-us-gov': 'console.amazonaws-us-gov.com',
  'aws-cn': 'console.amazonaws.cn',
};

const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

/**
 * The Security Hub CSPM (ASFF) console, findings page, filtered to this one finding:
 *
 *   https://<host>/securityhub/home?region=<region>#/findings?search=<filters>
 *
 * `search` is itself a URL-encoded query string of filters, each `Field=<encoded \operator\:EQUALS\:value>`,
 * so the finding id ends up encoded twice (`:` → `%253A`, `/` → `%252F`), the form the console writes in its
 * own address bar and that other projects' finding links use. The newer Security Hub (OCSF) console lives
 * under `/securityhub/v2/` and filters on `finding_info.uid`; our findings are ASFF ones.
 */
export function securityHubConsoleUrl(finding: Pick<Finding, 'id' | 'region' | 'resource'>): string {
  const partition = finding.resource.partition;
  const host = CONSOLE_HOSTS[partition] ?? COMMERCIAL_HOST;
  // A region that is not region-shaped is never put in the host name.
  const regional = partition === 'aws' && REGION.test(finding.region);
  const origin = regional ? `https://${finding.region}.${host}` : `https://${host}`;
  const filter = `Id=${encodeURIComponent(`\\operator\\:EQUALS\\:${finding.id}`)}`;
  return `${origin}/securityhub/home?region=${encodeURIComponent(finding.region)}#/findings?search=${encodeURIComponent(filter)}`;
}
