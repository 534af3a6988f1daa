import { expect } from 'chai';
import { grantScopes } from '../../../src/hosted/scopes.js';

describe('hosted/scopes: least privilege', () => {
  it('grants what a registered scope covers, as asked', () => {
    expect(grantScopes('system/Task.rs', 'system/Task.rs system/Observation.rs')).to.deep.equal({ granted: ['system/Task.rs'], refused: [] });
    expect(grantScopes('system/Task.r system/Observation.s', 'system/*.rs')).to.deep.equal({ granted: ['system/Task.r', 'system/Observation.s'], refused: [] });
    expect(grantScopes('system/Task.read', 'system/Task.cruds')).to.deep.equal({ granted: ['system/Task.read'], refused: [] });
  });

  it('leaves out more than was registered: other types, other permissions, other contexts, wildcards', () => {
    expect(grantScopes('system/Task.rs system/Task.u system/Patient.r', 'system/Task.rs')).to.deep.equal({
      granted: ['system/Task.rs'],
      refused: ['system/Task.u', 'system/Patient.r'],
    });
    expect(grantScopes('system/*.rs', 'system/Task.rs').granted).to.deep.equal([]);
    expect(grantScopes('patient/Task.rs user/Task.rs openid', 'system/*.cruds').granted).to.deep.equal([]);
    expect(grantScopes('system/Task.rs', 'patient/*.cruds').granted).to.deep.equal([]);
  });
});
