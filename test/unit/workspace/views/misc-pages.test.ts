import { expect } from 'chai';
import { signedOutPage } from '../../../../src/workspace/views/misc-pages.js';

describe('workspace signed-out page', () => {
  it('says the user has signed out and offers "Sign in again"', () => {
    const out = signedOutPage({});
    expect(out).to.include('<title>You have signed out – SP Link workspace</title>');
    expect(out).to.include('href="/workspace/login" data-testid="sign-in-again"');
    expect(out).to.not.include('data-testid="idp-session-kept"');
    expect(out).to.not.include('/workspace/logout');
  });

  it("warns when the organisation's sign-in could not be ended too", () => {
    const out = signedOutPage({ idpSessionKept: true });
    expect(out).to.include('data-testid="idp-session-kept"').and.include('close every browser window');
    expect(out).to.include('data-testid="sign-in-again"');
  });
});
