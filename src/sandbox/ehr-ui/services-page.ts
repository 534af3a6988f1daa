import type { HealthcareService } from '@medplum/fhirtypes';
import { html, layout } from './html.js';

/**
 * The practice's local social prescribing services, as a PCN's web page would list them: the page a CDS card's
 * "Local social prescribing services" link opens in the sandbox (the link-worker service's directory).
 */
export function renderServicesPage(services: readonly HealthcareService[]): string {
  const rows = [...services].filter((s) => s.active !== false).sort((a, b) => (a.name ?? '').localeCompare(b.name ?? ''));
  return layout({
    title: 'Local social prescribing services',
    service: 'Fernbridge social prescribing',
    body: html`<h1 class="nhsuk-heading-l">Local social prescribing services</h1>
<p class="nhsuk-body">Social prescribing link workers at Fernbridge Community Connect help people with what matters to them, and connect them to these services. Refer from the patient record (SP Link).</p>
<ul class="nhsuk-list" data-testid="local-services">
  ${rows.map((s) => html`<li><h2 class="nhsuk-heading-s">${s.name ?? ''}</h2>${s.comment ? html`<p class="nhsuk-body-s">${s.comment}</p>` : ''}</li>`)}
</ul>`,
  });
}
