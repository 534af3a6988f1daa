Profile: SPLinkReferralTask
Parent: Task
Id: sp-link-referral-task
Title: "SP Link referral Task"
Description: "The link-worker service's work item for a referral, following the HL7 Gravity SDOH Clinical Care 'Task for referral management' pattern: status and businessStatus track progress, statusReason says why it ended early, output carries outcomes, summary, sessions held and activities the person was connected to."
* obeys spl-task-1
* extension contains
    ConsentGiven named consentGiven 0..1 MS and
    ContactPreference named contactPreference 0..1 MS and
    AccessibilityNeed named accessibilityNeed 0..* MS and
    SafeguardingConcern named safeguardingConcern 0..1 MS and
    ReferralSource named referralSource 0..1 MS and
    ReferrerVerified named referrerVerified 0..1 MS
* identifier 1..* MS
* identifier.system 1..1
* identifier.value 1..1
* status MS
* businessStatus MS
* businessStatus from SPLinkBusinessStatusVS (required)
* statusReason MS
* statusReason from SPLinkStatusReasonVS (required)
* intent = #order
* code 1..1 MS
* code = $task-code#fulfill "Fulfill the focal request"
* focus 1..1 MS
* focus only Reference(ServiceRequest)
* focus.reference 1..1
* focus ^short = "The referral ServiceRequest (absolute URL when it lives on the GP's server; #referral, the contained copy, for a self or agency referral no GP record holds)"
* for 1..1 MS
* for only Reference(Patient)
* for obeys spl-task-2
* for ^short = "The person: by NHS number, or the contained Patient (#patient) when a self or agency referral is not matched to a registered patient"
* for.identifier 0..1 MS
* for.identifier.system = $nhs-number
* for.identifier.value 1..1
* authoredOn 1..1 MS
* lastModified 1..1 MS
* requester 1..1 MS
* requester only Reference(Practitioner or PractitionerRole or Organization or Patient or RelatedPerson)
* requester ^short = "Who made the referral: the GP, an agency's professional or organisation, or the person themselves (self-referral)"
* owner 1..1 MS
* owner only Reference(Organization or HealthcareService or PractitionerRole or Practitioner)
* note MS
* output MS
* output ^slicing.discriminator.type = #pattern
* output ^slicing.discriminator.path = "type"
* output ^slicing.rules = #closed
* output ^slicing.description = "Each output is one of the SP Link output types"
* output contains
    outcome 0..* MS and
    summary 0..1 MS and
    sessionsHeld 0..1 MS and
    activityReferred 0..* MS and
    needsIdentified 0..* MS and
    socialOutcome 0..* MS
* output[outcome].type = SPLinkTaskOutputTypeCS#outcome-measure
* output[outcome].value[x] only Reference(Observation)
* output[outcome] ^short = "Outcome measure Observation (SP Link outcome Observation)"
* output[summary].type = SPLinkTaskOutputTypeCS#summary
* output[summary].value[x] only string
* output[summary] ^short = "Summary of support for the GP (PRSB: support offered)"
* output[sessionsHeld].type = SPLinkTaskOutputTypeCS#sessions-held
* output[sessionsHeld].value[x] only integer
* output[activityReferred].type = SPLinkTaskOutputTypeCS#activity-referred
* output[activityReferred].value[x] only Reference(HealthcareService) or string
* output[activityReferred] ^short = "Activity or service the person was connected to (PRSB: activities referred to)"
* output[needsIdentified].type = SPLinkTaskOutputTypeCS#needs-identified
* output[needsIdentified].value[x] only CodeableConcept
* output[needsIdentified].valueCodeableConcept from SPLinkNeedVS (required)
* output[needsIdentified] ^short = "A need or concern as the link worker found it, when it differs from the referral (PRSB: needs and concerns); the case record says why it changed"
* output[socialOutcome].type = SPLinkTaskOutputTypeCS#social-outcome
* output[socialOutcome].value[x] only CodeableConcept
* output[socialOutcome].valueCodeableConcept from SPLinkSocialOutcomeVS (required)
* output[socialOutcome] ^short = "A social outcome at closing (housing secured or improved, debt advice received, connected to a group and still attending…), recorded when support completes"
