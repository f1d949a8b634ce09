/**
 * `npm run manifest -- …`: prints the Slack app manifest to paste in https://api.slack.com/apps.
 *   --url <SlackRequestUrl>   HTTP mode for the deployed bot, with the CspmBot stack's output as request URL
 *   --outputs <file>          the same, reading the output from `npx cdk deploy CspmBot --outputs-file <file>`
 *   --socket                  Socket Mode for `npm start` (manifest.yml as it is)
 *   --write                   rewrite manifest.http.yml from manifest.yml (after editing manifest.yml)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import {
  HTTP_MANIFEST_PLACEHOLDER,
  HTTP_MODE_MANIFEST,
  httpModeManifest,
  readSocketModeManifest,
  SlackManifestInputError,
  slackRequestUrl,
  slackRequestUrlFromOutputs,
} from './slack-manifest.js';

const USAGE =
  'usage: npm run manifest -- --url <SlackRequestUrl> | --outputs <cdk-outputs.json> | --socket | --write';

function valueAfter(argv: readonly string[], flag: string): string | undefined {
  const index = argv.indexOf(flag);
  if (index === -1) return undefined;
  const value = argv[index + 1];
  if (value === undefined || value.startsWith('--'))
    throw new SlackManifestInputError(`${flag} needs a value; ${USAGE}`);
  return value;
}

function readOutputs(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    throw new SlackManifestInputError(
      `${path}: cannot read it; write it with npx cdk deploy CspmBot --outputs-file ${path}, or pass --url`,
    );
  }
}

function manifestFor(argv: readonly string[]): string {
  const url = valueAfter(argv, '--url');
  if (url !== undefined) return httpModeManifest(readSocketModeManifest(), slackRequestUrl(url));
  const outputs = valueAfter(argv, '--outputs');
  if (outputs !== undefined) {
    return httpModeManifest(
      readSocketModeManifest(),
      slackRequestUrl(slackRequestUrlFromOutputs(readOutputs(outputs), outputs)),
    );
  }
  if (argv.includes('--socket')) return readSocketModeManifest();
  throw new SlackManifestInputError(USAGE);
}

try {
  const argv = process.argv.slice(2);
  if (argv.includes('--write')) {
    writeFileSync(HTTP_MODE_MANIFEST, httpModeManifest(readSocketModeManifest(), HTTP_MANIFEST_PLACEHOLDER));
    process.stderr.write('manifest.http.yml rewritten from manifest.yml\n');
  } else {
    process.stdout.write(manifestFor(argv));
  }
} catch (error) {
  if (!(error instanceof SlackManifestInputError)) throw error;
  process.stderr.write(`cspm-bot manifest: ${error.message}\n`);
  process.exit(2);
}
