import type { AppContext } from './api.js';
import { age, nhsNumber, ukDate } from './format.js';

/** Patient banner (shown when the EHR asks for one: `need_patient_banner`): name, born, NHS number, gender. */
export function PatientBanner({ patient }: { patient: AppContext['patient'] }) {
  const years = age(patient.birthDate);
  return (
    <section class="sp-banner" aria-label="Patient" data-testid="patient-banner">
      <div class="nhsuk-width-container">
        <p class="sp-banner__name" data-testid="patient-name">{patient.name}</p>
        <dl class="sp-banner__facts">
          <div>
            <dt>Born</dt>
            <dd>
              {ukDate(patient.birthDate) || 'Not recorded'}
              {years !== undefined ? ` (${years}y)` : ''}
            </dd>
          </div>
          <div>
            <dt>NHS No.</dt>
            <dd data-testid="patient-nhs">{nhsNumber(patient.nhsNumber) || 'Not recorded'}</dd>
          </div>
          <div>
            <dt>Gender</dt>
            <dd>{patient.gender ? patient.gender[0]!.toUpperCase() + patient.gender.slice(1) : 'Not recorded'}</dd>
          </div>
        </dl>
      </div>
    </section>
  );
}

/** Always name the patient, even when the EHR shows its own banner: a wrong-patient referral is the risk. */
export function ForPatient({ ctx }: { ctx: AppContext }) {
  return (
    <p class="sp-for" data-testid="referring-patient">
      For <strong>{ctx.patient.name}</strong>
      {ctx.patient.nhsNumber ? <>, NHS No. {nhsNumber(ctx.patient.nhsNumber)}</> : null}
    </p>
  );
}
