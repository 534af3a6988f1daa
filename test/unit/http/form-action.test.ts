import { expect } from 'chai';
import express from 'express';
import type { Response } from 'express';
import { allowFormAction } from '../../../src/http/form-action.js';

function responseWith(csp?: string): Response {
  const res = Object.create(express.response) as Response;
  const headers = new Map<string, string>();
  res.getHeader = ((name: string) => headers.get(name.toLowerCase())) as Response['getHeader'];
  res.setHeader = ((name: string, value: string) => (headers.set(name.toLowerCase(), value), res)) as unknown as Response['setHeader'];
  if (csp) res.setHeader('Content-Security-Policy', csp);
  return res;
}

describe('workspace CSP form-action for sign-out at the IdP', () => {
  it("adds the IdP's origins to form-action and leaves every other directive alone", () => {
    const res = responseWith("default-src 'self';script-src 'self';form-action 'self';frame-ancestors 'self'");
    allowFormAction(res, ['https://idp.example.nhs.uk', 'https://logout.example.nhs.uk']);
    expect(res.getHeader('Content-Security-Policy')).to.equal(
      "default-src 'self';script-src 'self';form-action 'self' https://idp.example.nhs.uk https://logout.example.nhs.uk;frame-ancestors 'self'",
    );
  });

  it('adds an origin only once and does nothing without a CSP', () => {
    const res = responseWith("form-action 'self' https://idp.example.nhs.uk");
    allowFormAction(res, ['https://idp.example.nhs.uk']);
    expect(res.getHeader('Content-Security-Policy')).to.equal("form-action 'self' https://idp.example.nhs.uk");
    const none = responseWith();
    allowFormAction(none, ['https://idp.example.nhs.uk']);
    expect(none.getHeader('Content-Security-Policy')).to.equal(undefined);
  });
});
