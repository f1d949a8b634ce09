import { describe, expect, it } from 'vitest';
import { authorize } from '../../../src/domain/authorization.js';

const policy = { users: ['U0ALICE01', 'U0BOB0001'], userGroups: ['S0SECOPS1'] };

describe('authorize', () => {
  it('allows a listed user', () => {
    expect(authorize('U0ALICE01', [], policy)).toEqual({ allowed: true });
  });

  it('allows a member of a listed user group', () => {
    expect(authorize('U0CAROL01', ['S0OTHER01', 'S0SECOPS1'], policy)).toEqual({ allowed: true });
  });

  it('refuses anyone else and names who may', () => {
    expect(authorize('U0MALLORY', ['S0OTHER01'], policy)).toEqual({
      allowed: false,
      whoMay: '<@U0ALICE01>, <@U0BOB0001> or members of <!subteam^S0SECOPS1>',
    });
  });

  it('refuses everyone when nobody is configured, and says how to fix it', () => {
    expect(authorize('U0ALICE01', [], { users: [], userGroups: [] })).toEqual({
      allowed: false,
      whoMay: 'nobody yet: an admin must set CSPM_ALLOWED_USERS or CSPM_ALLOWED_USERGROUPS',
    });
  });
});
