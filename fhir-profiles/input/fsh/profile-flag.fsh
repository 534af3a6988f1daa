Profile: SPLinkFlag
Parent: Flag
Id: sp-link-flag
Title: "SP Link Flag"
Description: "A flag in the GP record for something that needs attention: a safeguarding concern, a person who could not be contacted, or a declined referral. flag-detail points to the referral."
* extension contains $flag-detail named referral 0..1 MS
* extension[referral] ^short = "The referral this flag is about"
* extension[referral].value[x] only Reference(ServiceRequest)
* identifier 1..* MS
* identifier.system 1..1
* identifier.value 1..1
* status MS
* code MS
* code from SPLinkFlagCodeVS (required)
* subject MS
* subject only Reference(Patient)
* subject.reference 1..1
* subject.identifier 0..1 MS
* subject.identifier.system = $nhs-number
* subject.identifier.value 1..1
* period 1..1 MS
* period.start 1..1
* author 1..1 MS
* author only Reference(Organization or Practitioner or PractitionerRole or Device)
