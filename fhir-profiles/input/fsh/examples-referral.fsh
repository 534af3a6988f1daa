// Shared example context: EHR at https://ehr.example.org/fhir, link-worker service at
// https://lw.example.org/fhir; patient pat-1 with test NHS number 9000000009.

RuleSet: PatientRef(path)
* {path}.reference = "Patient/pat-1"
* {path}.identifier.system = $nhs-number
* {path}.identifier.value = "9000000009"

RuleSet: ReferralCore
* identifier.system = "https://fhir.sp-link.example.org/Id/referral"
* identifier.value = "SPL-2026-000123"
* extension[consentGiven].extension[date].valueDateTime = "2026-03-02T09:10:00Z"
* extension[consentGiven].extension[recorder].valueReference = Reference(Practitioner/gp-1)
* extension[contactPreference].extension[method][0].valueCode = #phone
* extension[contactPreference].extension[method][1].valueCode = #sms
* extension[contactPreference].extension[safeTimes].valueString = "Weekday mornings before 12:00"
* extension[contactPreference].extension[leaveMessage].valueBoolean = false
* extension[accessibilityNeed].extension[type].valueCoding = SPLinkAccessibilityNeedCS#interpreter "Spoken language interpreter"
* extension[accessibilityNeed].extension[language].valueCodeableConcept = $bcp47#pl "Polish"
* extension[urgency].valueCode = #routine
* intent = #order
* category[socialPrescribing] = $sct#871731000000106 "Referral to social prescribing service"
* code = SPLinkServiceTypeCS#link-worker "Social prescribing link worker support"
* insert PatientRef(subject)
* authoredOn = "2026-03-02T09:12:00Z"
* requester = Reference(Practitioner/gp-1)
* performer = Reference(HealthcareService/hs-linkworkers)
* reasonCode[0] = SPLinkNeedCS#loneliness "Loneliness"
* reasonCode[1] = SPLinkNeedCS#debt-money "Debt or money worries"
* priority = #routine
* note.text = "Recently widowed, rarely leaves the house. Would like help with energy bills."

Instance: referral-example
InstanceOf: SPLinkReferral
Title: "Referral to social prescribing (active)"
Description: "A GP refers a patient to the link-worker service for loneliness and money worries. Start of the completed workflow."
Usage: #example
* insert ReferralCore
* status = #active
// The GP record held neither: the GP asked; the person preferred not to give an ethnic group.
* extension[equalityMonitoring].extension[ethnicCategory].valueCoding = https://fhir.hl7.org.uk/CodeSystem/UKCore-EthnicCategoryEngland#Z "Not stated"
* extension[equalityMonitoring].extension[disability].valueCoding = SPLinkEqualityAnswerCS#no "No"

Instance: wf-referral-completed
InstanceOf: SPLinkReferral
Title: "Workflow: referral completed"
Description: "The same referral after the reconciler applied the completed Task."
Usage: #example
* insert ReferralCore
* status = #completed

Instance: wf-referral-declined
InstanceOf: SPLinkReferral
Title: "Workflow: referral declined"
Description: "A referral revoked because the person declined social prescribing."
Usage: #example
* insert ReferralCore
* identifier.value = "SPL-2026-000124"
* status = #revoked
* extension[statusReason].valueCodeableConcept = SPLinkStatusReasonCS#patient-declined "Person declined social prescribing"

Instance: wf-referral-cancelled
InstanceOf: SPLinkReferral
Title: "Workflow: referral cancelled by the GP"
Description: "A referral the GP revoked; SP Link cancels the Task in turn."
Usage: #example
* insert ReferralCore
* identifier.value = "SPL-2026-000125"
* status = #revoked
* extension[statusReason].valueCodeableConcept = SPLinkStatusReasonCS#gp-cancelled "Cancelled by the referrer"
* extension[safeguardingConcern].extension[flag].valueBoolean = false

Instance: agency-referral-example-patient
InstanceOf: Patient
Usage: #inline
* name.family = "Okafor"
* name.given = "Grace"
* birthDate = "1958-11-02"
* address.postalCode = "FB2 7QX"
* telecom.system = #phone
* telecom.value = "01632 960 214"

Instance: agency-referral-example-referrer
InstanceOf: PractitionerRole
Usage: #inline
* practitioner.display = "Sam Patel"
* organization.display = "Fernbridge Housing Association"
* organization.identifier.system = $ods
* organization.identifier.value = "FBH01"
* code.text = "Housing support officer"
* telecom.system = #email
* telecom.value = "sam.patel@housing.example.org"

Instance: agency-referral-example
InstanceOf: SPLinkAgencyReferral
Title: "Agency referral (housing association)"
Description: "A housing support officer refers a tenant who is lonely and behind with bills, through the agency's own system. The tenant agreed, and agreed that their GP is told."
Usage: #example
* contained[0] = agency-referral-example-patient
* contained[1] = agency-referral-example-referrer
* identifier.system = "https://housing.example.org/Id/referral"
* identifier.value = "HSG-2026-0042"
* status = #active
* intent = #order
* category[socialPrescribing] = $sct#871731000000106 "Referral to social prescribing service"
* subject.reference = "#agency-referral-example-patient"
* authoredOn = "2026-03-02T09:12:00Z"
* requester.reference = "#agency-referral-example-referrer"
* extension[consentGiven].extension[date].valueDateTime = "2026-03-02T09:00:00Z"
* extension[consentGiven].extension[recorder].valueReference.reference = "#agency-referral-example-referrer"
* extension[consentGiven].extension[shareWithGp].valueBoolean = true
* extension[contactPreference].extension[method][0].valueCode = #phone
* extension[contactPreference].extension[leaveMessage].valueBoolean = true
* reasonCode[0] = SPLinkNeedCS#loneliness "Loneliness"
* reasonCode[1] = SPLinkNeedCS#debt-money "Debt or money worries"
* priority = #routine
* note.text = "Lives alone since moving in; rent arrears building up."
