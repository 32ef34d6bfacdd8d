import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { enforcerIdentity } from '../../../src/cli/enforce.js';

describe('enforcer identity: a dry run never shares a real enforcer’s group or marks', () => {
  it('defaults', () => {
    assert.deepEqual(enforcerIdentity(undefined, false), {
      groupId: 'modstream-enforcer-onebot',
      marks: 'modstream-enforcer-onebot',
    });
    assert.deepEqual(enforcerIdentity(undefined, true), {
      groupId: 'modstream-enforcer-onebot-dry-run',
      marks: 'modstream-enforcer-onebot-dry-run.dry-run',
    });
  });

  it('a group given for both: the marks still differ', () => {
    const real = enforcerIdentity('acme', false);
    const dry = enforcerIdentity('acme', true);
    assert.equal(real.groupId, dry.groupId);
    assert.notEqual(real.marks, dry.marks);
  });
});
