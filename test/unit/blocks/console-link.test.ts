import { describe, expect, it } from 'vitest';
import { securityHubConsoleUrl } from '../../../blocks/console-link.js';
import { makeFinding } from '../../fixtures/finding.js';

function findingIn(partition: string, region: string) {
  const base = makeFinding();
  return {
    id: `arn:${partition}:securityhub:${region}:111122223333:security-control/EC2.13/finding/abc-1`,
    region,
    resource: { ...base.resource, partition, region },
  };
}

describe('securityHubConsoleUrl', () => {
  it.each([
    [
      'aws',
      'ap-northeast-1',
      'https://ap-northeast-1.console.aws.amazon.com/securityhub/home?region=ap-northeast-1',
    ],
    [
      'aws-us-gov',
      'us-gov-west-1',
      'https://console.amazonaws-us-gov.com/securityhub/home?region=us-gov-west-1',
    ],
    ['aws-cn', 'cn-north-1', 'https://console.amazonaws.cn/securityhub/home?region=cn-north-1'],
    ['aws-unknown', 'xx-east-1', 'https://console.aws.amazon.com/securityhub/home?region=xx-east-1'],
  ])('links %s findings in %s to their console', (partition, region, prefix) => {
    const url = securityHubConsoleUrl(findingIn(partition, region));

    expect(url.startsWith(`${prefix}#/findings?search=`)).toBe(true);
  });

  it('filters the findings page to this finding id, encoded the way the console writes it', () => {
    const finding = findingIn('aws', 'ap-northeast-1');

    const url = securityHubConsoleUrl(finding);

    expect(url).toBe(
      'https://ap-northeast-1.console.aws.amazon.com/securityhub/home?region=ap-northeast-1#/findings?search=' +
        'Id%3D%255Coperator%255C%253AEQUALS%255C%253A' +
        'arn%253Aaws%253Asecurityhub%253Aap-northeast-1%253A111122223333%253Asecurity-control%252FEC2.13%252Ffinding%252Fabc-1',
    );
  });

  it('decodes back to the exact finding id', () => {
    const finding = findingIn('aws', 'eu-west-1');

    const search = new URL(securityHubConsoleUrl(finding)).hash.split('search=')[1] ?? '';
    const filter = decodeURIComponent(search);

    expect(filter.startsWith('Id=')).toBe(true);
    expect(decodeURIComponent(filter.slice('Id='.length))).toBe(`\\operator\\:EQUALS\\:${finding.id}`);
  });

  it('never puts a malformed region into the host name or the link markup', () => {
    const finding = { ...findingIn('aws', 'ap-northeast-1'), region: 'evil.com/x|<!channel>' };

    const url = securityHubConsoleUrl(finding);

    expect(new URL(url).host).toBe('console.aws.amazon.com');
    expect(url).not.toMatch(/[|<>]/);
  });
});
