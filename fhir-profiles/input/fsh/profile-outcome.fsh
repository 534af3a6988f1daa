Profile: SPLinkOutcomeObservation
Parent: Observation
Id: sp-link-outcome-observation
Title: "SP Link outcome Observation"
Description: "One outcome measure at one time point, written back to the GP record. Instruments scored as a total (SWEMWBS, WEMWBS, UCLA-3, PHQ-9, GAD-7) use valueInteger; instruments scored by item (ONS4, MYCaW) use one component per item. Score ranges are those of the outcome-instrument CodeSystem (minScore/maxScore) and are enforced by SP Link's validator."
* obeys spl-obs-1
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
* category contains survey 1..1 MS
* category[survey] = $obs-category#survey "Survey"
* code MS
* code from SPLinkOutcomeInstrumentVS (required)
* code ^short = "The instrument (SP Link code, plus LOINC where verified)"
* subject 1..1 MS
* subject only Reference(Patient)
* subject.reference 1..1
* effective[x] 1..1 MS
* effective[x] only dateTime
* performer 1..* MS
* performer only Reference(Practitioner or PractitionerRole or Organization)
* performer ^short = "The link worker, or their organisation"
* value[x] MS
* value[x] only integer
* value[x] ^short = "Total score, for instruments scored as a total"
* component MS
* component.code from SPLinkOutcomeItemVS (required)
* component.value[x] 1..1
* component.value[x] only integer
* derivedFrom MS
* derivedFrom ^short = "The source Observation at the link-worker service (absolute URL)"
