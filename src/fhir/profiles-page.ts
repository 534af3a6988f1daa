/**
 * GET /profiles: the readable contract of what SP Link writes (profiles, extensions, value sets,
 * examples) as simple accessible HTML, built from the committed generated resources. The same content
 * is in docs/PROFILES.md. The lead mounts it: `app.use(profilesRouter())`.
 */
import { Router } from 'express';
import { CANONICAL_BASE } from '../referral-model/codes.js';
import { buildContract, type Contract, type ContractElement } from './validate/contract.js';
import { readGeneratedResources } from './validate/definitions.js';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const anchor = (id: string) => id.toLowerCase().replace(/[^a-z0-9-]/g, '-');

function elementTable(caption: string, rows: readonly ContractElement[]): string {
  const body = rows
    .map((r) => {
      const local = r.binding?.valueSet.startsWith(`${CANONICAL_BASE}/`);
      const binding = !r.binding
        ? ''
        : local
          ? `${esc(r.binding.strength)}: <a href="#vs-${anchor(r.binding.valueSet.split('/').pop() ?? '')}">${esc(r.binding.title)}</a>`
          : `${esc(r.binding.strength)}: <code>${esc(r.binding.valueSet)}</code>`;
      const fixed = r.fixed ? ` = <code>${esc(r.fixed)}</code>` : '';
      return `<tr><th scope="row"><code>${esc(r.path)}</code></th><td>${esc(r.cardinality)}</td><td>${r.mustSupport ? 'Yes' : ''}</td><td>${esc(r.types)}</td><td>${binding}${fixed}</td><td>${esc(r.short ?? '')}</td></tr>`;
    })
    .join('\n');
  return `<table><caption>${esc(caption)}</caption><thead><tr><th scope="col">Element</th><th scope="col">Cardinality</th><th scope="col">Must support</th><th scope="col">Type</th><th scope="col">Binding or fixed value</th><th scope="col">Notes</th></tr></thead><tbody>\n${body}\n</tbody></table>`;
}

/** The whole page for a contract. Exported for tests and for rendering without express. */
export function renderProfilesHtml(c: Contract): string {
  const toc = c.profiles.map((p) => `<li><a href="#${anchor(p.id)}">${esc(p.title)}</a> (${esc(p.type)})</li>`).join('');
  const profiles = c.profiles
    .map((p) => {
      const rules = p.invariants.length ? `<h3>Rules</h3><ul>${p.invariants.map((i) => `<li><strong>${esc(i.key)}</strong>: ${esc(i.human)}</li>`).join('')}</ul>` : '';
      const examples = p.examples.length ? `<h3>Examples</h3><p>${p.examples.map((x) => `<code>${esc(x.id)}</code>`).join(', ')}</p>` : '';
      const json = p.exampleJson ? `<details><summary>Example JSON (${esc(p.examples[0]?.id ?? '')})</summary><pre><code>${esc(p.exampleJson)}</code></pre></details>` : '';
      return `<section aria-labelledby="${anchor(p.id)}"><h2 id="${anchor(p.id)}">${esc(p.title)}</h2><p><code>${esc(p.url)}</code> · ${esc(p.type)}</p><p>${esc(p.description)}</p>${elementTable(`${p.title}: required and must-support elements`, p.elements)}${rules}${examples}${json}</section>`;
    })
    .join('\n');
  const extensions = c.extensions
    .map((e) => `<section aria-labelledby="ext-${anchor(e.id)}"><h3 id="ext-${anchor(e.id)}">${esc(e.title)}</h3><p><code>${esc(e.url)}</code> · used on ${esc(e.context.join(', '))}</p><p>${esc(e.description)}</p>${elementTable(`${e.title}: parts`, e.elements)}</section>`)
    .join('\n');
  const valueSets = c.valueSets
    .map((v) => {
      const rows = v.codes.map((code) => `<tr><th scope="row" class="depth-${Math.min(code.depth, 3)}"><code>${esc(code.code)}</code></th><td>${esc(code.display)}</td><td><code>${esc(code.system)}</code></td></tr>`).join('');
      return `<section aria-labelledby="vs-${anchor(v.id)}"><h3 id="vs-${anchor(v.id)}">${esc(v.title)}</h3><p><code>${esc(v.url)}</code></p><p>${esc(v.description)}</p><table><caption>${esc(v.title)}: codes</caption><thead><tr><th scope="col">Code</th><th scope="col">Display</th><th scope="col">System</th></tr></thead><tbody>${rows}</tbody></table></section>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>SP Link FHIR profiles</title>
<link rel="stylesheet" href="/profiles/profiles.css">
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header><h1>SP Link FHIR profiles</h1>
<p>What SP Link writes into GP records and link-worker services: FHIR R4 (4.0.1), canonical base <code>${esc(c.canonical)}</code>. Every resource SP Link writes is validated against these profiles before it leaves. "Must support" elements are populated when SP Link has the data; receivers must store or show them.</p></header>
<nav aria-label="Contents"><h2>Contents</h2><ul>${toc}<li><a href="#extensions">Extensions</a></li><li><a href="#value-sets">Value sets</a></li></ul></nav>
<main id="main">
${profiles}
<section aria-labelledby="extensions"><h2 id="extensions">Extensions</h2>
${extensions}
</section>
<section aria-labelledby="value-sets"><h2 id="value-sets">Value sets</h2>
${valueSets}
</section>
</main>
</body>
</html>
`;
}

/** Served as a file: the app's CSP (style-src 'self') blocks inline styles. */
export const PROFILES_CSS = `body{font-family:Arial,Helvetica,sans-serif;line-height:1.5;margin:0 auto;max-width:75rem;padding:1rem;color:#212b32}
a{color:#005eb8}a:focus{outline:3px solid #ffeb3b;background:#ffeb3b;color:#212b32}
.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem}
table{border-collapse:collapse;width:100%;margin:1rem 0;font-size:.9rem}caption{text-align:left;font-weight:bold;padding:.25rem 0}
th,td{border:1px solid #d8dde0;padding:.25rem .5rem;text-align:left;vertical-align:top}thead th{background:#f0f4f5}
code{font-family:Consolas,monospace;word-break:break-all}pre{background:#f0f4f5;padding:1rem;overflow:auto}
section{margin-bottom:2rem}
.depth-1{padding-left:2em}.depth-2{padding-left:3.5em}.depth-3{padding-left:5em}
`;

let cached: string | undefined;

/** Express router serving GET /profiles (HTML, rendered once from the committed generated resources). */
export function profilesRouter(): Router {
  const router = Router();
  router.get('/profiles', (_req, res) => {
    cached ??= renderProfilesHtml(buildContract(readGeneratedResources()));
    res.type('html').set('Cache-Control', 'public, max-age=300').send(cached);
  });
  router.get('/profiles/profiles.css', (_req, res) => {
    res.type('css').set('Cache-Control', 'public, max-age=300').send(PROFILES_CSS);
  });
  return router;
}
