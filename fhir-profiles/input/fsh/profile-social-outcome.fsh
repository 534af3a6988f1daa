Profile: SPLinkSocialOutcomeObservation
Parent: Observation
Id: sp-link-social-outcome-observation
Title: "SP Link social outcome Observation"
Description: "One social outcome the link worker recorded when support ended (housing secured or improved, debt advice received, benefits claimed, connected to a group and still attending…), written back to the GP record with the referral it came from. The outcome is the code; valueBoolean true says it was achieved."
* identifier 1..* MS
* identifier.system 1..1
* identifier.value 1..1
* identifier ^short = "Deterministic write-back identifier (https://fhir.sp-link.example.org/Id/outcome-observation), so a retried write never duplicates"
* basedOn 1..* MS
* basedOn only Reference(ServiceRequest)
* basedOn ^short = "The referral"
* status MS
* category 1..* MS
* category ^slicing.discriminator.type = #pattern
* category ^slicing.discriminator.path = "$this"
* category ^slicing.rules = #open
* category contains socialHistory 1..1 MS
* category[socialHistory] = $obs-category#social-history "Social History"
* code MS
* code from SPLinkSocialOutcomeVS (required)
* code ^short = "The social outcome"
* subject 1..1 MS
* subject only Reference(Patient)
* subject.reference 1..1
* effective[x] 1..1 MS
* effective[x] only dateTime
* effective[x] ^short = "When support ended"
* performer 1..* MS
* performer only Reference(Practitioner or PractitionerRole or Organization)
* performer ^short = "The link-worker service"
* value[x] 1..1 MS
* value[x] only boolean
* value[x] ^short = "true: achieved"
* meta.source MS
* meta.source ^short = "The referral Task version at the link-worker service that recorded it (absolute URL)"
