Profile: SPLinkSafeguardingAcknowledgement
Parent: Communication
Id: sp-link-safeguarding-acknowledgement
Title: "SP Link safeguarding concern acknowledged"
Description: "A clinician at the GP practice has seen a safeguarding concern on a social prescribing referral: who (sender) and when (sent). It answers the link worker's concern message (inResponseTo), or, without inResponseTo, the concern the referrer flagged on the referral itself. Written by the GP app into the GP record, once per concern (identifier); until it exists SP Link shows the concern at the top of the GP app and the record."
* identifier 1..* MS
* identifier.system 1..1
* identifier.value 1..1
* basedOn 1..1 MS
* basedOn only Reference(ServiceRequest)
* basedOn ^short = "The referral the concern is on"
* inResponseTo 0..1 MS
* inResponseTo only Reference(Communication)
* inResponseTo ^short = "The link worker's safeguarding concern message; absent for the concern the referrer flagged on the referral"
* status = #completed (exactly)
* topic 1..1 MS
* topic from SPLinkGpReplyTopicVS (required)
* subject 1..1 MS
* subject only Reference(Patient)
* subject.reference 1..1
* sent 1..1 MS
* sent ^short = "When the concern was acknowledged"
* sender 1..1 MS
* sender only Reference(Practitioner or PractitionerRole)
* sender.reference 1..1
* sender ^short = "The clinician who acknowledged the concern"
* recipient MS
* recipient only Reference(Organization or HealthcareService)
* recipient ^short = "The link-worker service that raised or received the concern"
* payload 1..1 MS
* payload.content[x] only string
