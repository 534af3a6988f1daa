import { validateForWrite, preloadValidation } from './src/fhir/validate/index.js';
import { buildProvenance } from './src/referrals/build-provenance.js';
preloadValidation();
const prov = buildProvenance({ targets: ['ServiceRequest/x'], author: { reference: 'Practitioner/gp-1', display: undefined }, now: new Date(), activity: 'UPDATE' });
try { validateForWrite(prov); console.log('prov ok'); } catch (e) { console.log('prov', (e as Error).message); }
const prov2 = buildProvenance({ targets: ['ServiceRequest/x'], author: { reference: 'Practitioner/gp-1' }, now: new Date(), activity: 'UPDATE' });
try { validateForWrite(prov2); console.log('prov2 ok'); } catch (e) { console.log('prov2', (e as Error).message); }
