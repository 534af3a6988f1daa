import { expect } from 'chai';
import { SessionCipher } from '../../../src/store/session-cipher.js';

describe('store/session-cipher: session data at rest', () => {
  const secret = 'a-session-secret-of-at-least-32-characters';
  const session = { smart: { accessToken: 'eyJ.secret-access-token', refreshToken: 'refresh-123', patient: 'pat-1' } };

  it('round-trips a session and leaves nothing of it readable', () => {
    const cipher = new SessionCipher(secret);
    const sealed = cipher.seal(session);
    expect(JSON.stringify(sealed)).to.not.contain('secret-access-token').and.not.contain('refresh-123').and.not.contain('pat-1');
    expect(cipher.open(sealed)).to.deep.equal(session);
  });

  it('uses a fresh IV each time', () => {
    const cipher = new SessionCipher(secret);
    expect(cipher.seal(session).enc).to.not.equal(cipher.seal(session).enc);
  });

  it('refuses a tampered row, another secret, and a plain (unsealed) row', () => {
    const cipher = new SessionCipher(secret);
    const sealed = cipher.seal(session);
    const raw = Buffer.from(sealed.enc, 'base64url');
    raw[raw.length - 1] = (raw[raw.length - 1] ?? 0) ^ 1;
    expect(cipher.open({ v: 1, enc: raw.toString('base64url') })).to.equal(undefined);
    expect(new SessionCipher(`${secret}-rotated`).open(sealed)).to.equal(undefined);
    expect(cipher.open(session)).to.equal(undefined);
    expect(cipher.open(null)).to.equal(undefined);
  });
});
