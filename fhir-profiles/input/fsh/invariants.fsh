Invariant: spl-nhs-number-1
Description: "The patient reference carries the NHS number identifier"
Expression: "identifier.where(system = 'https://fhir.nhs.uk/Id/nhs-number').value.exists()"
Severity: #error

Invariant: spl-task-1
Description: "A rejected, cancelled or failed Task says why in statusReason"
Expression: "(status = 'rejected' or status = 'cancelled' or status = 'failed') implies statusReason.exists()"
Severity: #error

Invariant: spl-task-2
Description: "The Task is for a patient known by NHS number, or for the person described in the Task itself (a contained Patient)"
Expression: "identifier.where(system = 'https://fhir.nhs.uk/Id/nhs-number').value.exists() or reference.startsWith('#')"
Severity: #error

Invariant: spl-obs-1
Description: "An outcome Observation has a total score (valueInteger) or item scores (component), not neither"
Expression: "value.exists() or component.exists()"
Severity: #error

Invariant: spl-sr-1
Description: "A revoked referral says why in the status-reason extension"
Expression: "status = 'revoked' implies extension('https://fhir.sp-link.example.org/StructureDefinition/status-reason').exists()"
Severity: #error

Invariant: spl-sub-1
Description: "SP Link subscribes to Task changes only"
Expression: "criteria.startsWith('Task?')"
Severity: #error

Invariant: spl-agency-1
Description: "The person referred is described in the referral itself: the subject is a contained Patient"
Expression: "reference.startsWith('#')"
Severity: #error
