import { useState } from 'preact/hooks';
import type { DirectoryEntry } from './api.js';
import { Fieldset, Radio } from './fields.js';

const SHOW_FIRST = 5;

function capacity(s: DirectoryEntry): string {
  if (s.acceptingReferrals === false) return 'Not taking new referrals at the moment';
  if (s.waitDays === undefined) return 'Taking referrals';
  if (s.waitDays === 0) return 'Taking referrals, no wait';
  return `Taking referrals, wait about ${s.waitDays} day${s.waitDays === 1 ? '' : 's'}`;
}

/**
 * Service choice: "link worker to decide" first (the usual choice), then directory services matching the
 * chosen needs, with capacity and wait, searchable by name or place.
 */
export function ServicePicker(p: { services: DirectoryEntry[] | null; value: string; onChange: (id: string) => void; error?: string | undefined; linkWorkerService: string }) {
  const [all, setAll] = useState(false);
  const [q, setQ] = useState('');
  const words = q.toLocaleLowerCase('en-GB').split(/\s+/).filter(Boolean);
  const list = (p.services ?? []).filter((s) => s.serviceType !== 'link-worker' && words.every((w) => `${s.name} ${s.typeLabel} ${s.locality ?? ''} ${s.provider ?? ''}`.toLocaleLowerCase('en-GB').includes(w)));
  const shown = all || words.length ? list : list.slice(0, SHOW_FIRST);
  return (
    <Fieldset id="service" legend="Where should the referral go?" hint="Services are filtered by the needs you selected." error={p.error}>
      <div class="nhsuk-radios nhsuk-radios--small" data-testid="service-list">
        <Radio id="service-lw" name="service" label={<>Link worker to decide (recommended)</>} hint={`${p.linkWorkerService} will agree support with the person.`} checked={p.value === ''} onChange={() => p.onChange('')} />
        {p.services && p.services.length > SHOW_FIRST && (
          <div class="nhsuk-form-group sp-search">
            <label class="nhsuk-label" for="service-search">
              Search services by name or place
            </label>
            <input class="nhsuk-input nhsuk-input--width-20" id="service-search" type="search" value={q} onInput={(e) => setQ(e.currentTarget.value)} />
          </div>
        )}
        {shown.map((s) => (
          <Radio
            key={s.id}
            id={`service-${s.id}`}
            name="service"
            checked={p.value === s.id}
            // Not taking referrals: shown with the reason, but cannot be chosen.
            disabled={s.acceptingReferrals === false}
            onChange={() => p.onChange(s.id)}
            label={s.name}
            hint={
              <>
                <span class={s.acceptingReferrals === false ? 'sp-capacity sp-capacity--full' : 'sp-capacity'}>{capacity(s)}</span>
                <span class="sp-service-meta">
                  {s.typeLabel}
                  {s.locality ? ` · ${s.locality}` : ''}
                </span>
                {s.eligibility && <span class="sp-service-meta">For: {s.eligibility}</span>}
                {s.rankReason && <span class="sp-service-meta sp-rank-reason">Why here: {s.rankReason}</span>}
                {s.verifiedLabel && <span class="sp-service-meta" data-testid="service-verified">{s.verifiedLabel}</span>}
                {s.stale && <span class="sp-service-meta sp-stale">Details may be out of date: check with the service before referring</span>}
              </>
            }
          />
        ))}
        {p.services === null && <p class="nhsuk-body-s" role="status">Loading services…</p>}
        {p.services && list.length === 0 && <p class="nhsuk-body-s">No matching services: the link worker will find the right support.</p>}
      </div>
      {!all && !words.length && list.length > SHOW_FIRST && (
        <button type="button" class="nhsuk-button nhsuk-button--secondary nhsuk-button--small sp-more" onClick={() => setAll(true)}>
          Show all {list.length} services
        </button>
      )}
    </Fieldset>
  );
}
