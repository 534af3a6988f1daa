Profile: SPLinkGPCommunication
Parent: Communication
Id: sp-link-gp-communication
Title: "SP Link message to the GP"
Description: "What SP Link tells the GP and referrer: an event that needs their eyes (declined, cancelled, could not contact, safeguarding concern) or, at completion, the PRSB 'Message back to GP and referrer'. The narrative (text) is the message as the GP reads it, with headings; each payload is one line of it (contentString) or a resource it is about (contentReference), tagged with the PRSB section it belongs to. A completion message (topic referral-completed) carries person demographics, referral details, support offered, outcomes and plan and requested actions."
* identifier 1..* MS
* identifier.system 1..1
* identifier.value 1..1
* basedOn 1..* MS
* basedOn only Reference(ServiceRequest)
* basedOn ^short = "The referral"
* status MS
* category MS
* topic 1..1 MS
* topic from SPLinkCommunicationTopicVS (required)
* subject 1..1 MS
* subject only Reference(Patient)
* subject.reference 1..1
* subject.identifier 0..1 MS
* subject.identifier ^short = "NHS number, when known (the reference is to the Patient on the same server)"
* subject.identifier.system = $nhs-number
* subject.identifier.value 1..1
* about MS
* about ^short = "The referral Task at the link-worker service (absolute URL); for a referral the GP did not make (topic referral-received), the ServiceRequest written with it"
* sent 1..1 MS
* recipient 1..* MS
* recipient only Reference(Practitioner or PractitionerRole or Organization)
* sender 1..1 MS
* sender only Reference(Organization or HealthcareService or PractitionerRole or Device)
* reasonCode MS
* reasonCode from SPLinkNeedVS (required)
* reasonCode ^short = "Needs and concerns as the link worker found them (PRSB: needs and concerns)"
* payload 1..* MS
* payload.extension contains PrsbSection named section 0..1 MS
* text MS
* text ^short = "The message as the GP reads it: headings per section, names and plain dates (XHTML)"
* payload ^short = "Message content, one line or reference each, tagged with its PRSB section (five sections required when topic = referral-completed)"
* payload.content[x] only string or Reference(Patient or Observation or HealthcareService or ServiceRequest or Task)
