/** `npm run docs:controls`: rewrites the README's per-control IAM table from the control catalog. */
import { readFileSync, writeFileSync } from 'node:fs';
import { withControlPermissionsTable } from './control-permissions-table.js';

const README = new URL('../README.md', import.meta.url);
writeFileSync(README, withControlPermissionsTable(readFileSync(README, 'utf8')));
console.log('README.md: control permissions table rewritten from src/domain/control-catalog.ts');
