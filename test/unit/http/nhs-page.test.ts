import { expect } from 'chai';
import { html } from '../../../src/http/html.js';
import { nhsPage } from '../../../src/http/nhs-page.js';
import { publicPage } from '../../../src/intake/views/layout.js';
import { page } from '../../../src/workspace/views/layout.js';

describe('http/nhs-page: the one page shell of the workspace and the public forms', () => {
  it('escapes the title, marks errors, and has one skip link, one header, one main landmark', () => {
    const out = nhsPage({ title: 'A <b>', hasErrors: true, service: { name: 'S', href: '/s' }, stylesheets: ['/a.css'], main: html`<p>x</p>` });
    expect(out).to.contain('<title>Error: A &lt;b&gt; – S</title>');
    for (const landmark of ['class="nhsuk-skip-link"', 'role="banner"', 'role="main"']) expect(out.split(landmark).length - 1, landmark).to.equal(1);
  });

  it('both surfaces are built on it: their own service, stylesheets and header parts', () => {
    const pub = publicPage({ title: 'Step', body: html`<p>b</p>`, backHref: '/refer' });
    const ws = page({ title: 'Cases', body: html`<p>w</p>` });
    expect(pub).to.contain('<title>Step – Ask for help from a link worker</title>').and.contain('/refer/assets/refer.css').and.contain('nhsuk-back-link').and.contain('role="contentinfo"');
    expect(ws).to.contain('<title>Cases – SP Link workspace</title>').and.contain('/workspace/assets/workspace.css').and.not.contain('role="contentinfo"');
    const shell = (s: string) => s.slice(s.indexOf('<body>'), s.indexOf('<header')).trim();
    expect(shell(pub)).to.equal(shell(ws));
  });
});
