Profile: SPLinkReferral
Parent: ServiceRequest
Id: sp-link-referral
Title: "SP Link referral"
Description: "A referral to social prescribing in the GP record: the GP's own, or one the person or an agency made that SP Link records there when the person agreed that their GP is told. Carries the PRSB referral sections: person (subject with NHS number), needs and concerns (reasonCode), support requested (code, performer), consent, contact preferences, accessibility needs and safeguarding concerns."
* obeys spl-sr-1
* extension contains
    ConsentGiven named consentGiven 1..1 MS and
    ContactPreference named contactPreference 0..1 MS and
    AccessibilityNeed named accessibilityNeed 0..* MS and
    SafeguardingConcern named safeguardingConcern 0..1 MS and
    ReferralUrgency named urgency 0..1 MS and
    StatusReason named statusReason 0..1 MS and
    ReferralSource named source 0..1 MS and
    EqualityMonitoring named equalityMonitoring 0..1 MS
* identifier 1..* MS
* identifier.system 1..1
* identifier.value 1..1
* identifier ^short = "SP Link referral id (system from tenant configuration, default https://fhir.sp-link.example.org/Id/referral)"
* status MS
* intent = #order
* category 1..* MS
* category ^slicing.discriminator.type = #pattern
* category ^slicing.discriminator.path = "$this"
* category ^slicing.rules = #open
* category contains socialPrescribing 1..1 MS
* category[socialPrescribing] from SPLinkReferralCategoryVS (required)
* category[socialPrescribing] = $sct#871731000000106 "Referral to social prescribing service"
* code 1..1 MS
* code from SPLinkServiceTypeVS (required)
* code ^short = "Service or activity requested (PRSB: support offered)"
* subject only Reference(Patient)
* subject MS
* subject obeys spl-nhs-number-1
* subject.reference 1..1 MS
* subject.identifier 1..1 MS
* subject.identifier.system = $nhs-number
* subject.identifier.value 1..1
* authoredOn 1..1 MS
* requester 1..1 MS
* requester only Reference(Practitioner or PractitionerRole or Patient or Organization)
* requester ^short = "Who referred: the GP (Practitioner or PractitionerRole); for a self-referral the Patient; for an agency the agency's Organization or PractitionerRole (ODS code identifier where known)"
* performer 1..* MS
* performer only Reference(HealthcareService or Organization)
* performer ^short = "The social prescribing service (HealthcareService) or its organisation (ODS code identifier)"
* reasonCode 1..* MS
* reasonCode from SPLinkNeedVS (required)
* reasonCode ^short = "Needs and concerns (PRSB)"
* priority 1..1 MS
* supportingInfo MS
* supportingInfo ^short = "Baseline outcome Observations or other relevant information"
* note MS
* note ^short = "Free text for the link worker: what matters to the person, context"
