Profile: SPLinkAgencyReferral
Parent: ServiceRequest
Id: sp-link-agency-referral
Title: "SP Link agency referral"
Description: "A referral to social prescribing from an agency (pharmacy, social care, housing, police, voluntary sector, hospital discharge), posted by the agency's own system to SP Link's referral API. The person is described in a contained Patient (SP Link matches them to a GP record); the agency's identifier makes a retry find the first referral instead of sending it twice."
* extension contains
    ConsentGiven named consentGiven 1..1 MS and
    ContactPreference named contactPreference 0..1 MS and
    AccessibilityNeed named accessibilityNeed 0..* MS and
    SafeguardingConcern named safeguardingConcern 0..1 MS and
    ReferralUrgency named urgency 0..1 MS
* extension[consentGiven] ^short = "The person agreed to the referral (date, who recorded it); shareWithGp says whether their GP may be told, and the referral API requires it"
* identifier 1..* MS
* identifier.system 1..1
* identifier.value 1..1
* identifier ^short = "The agency's own id of the referral: posting it again (a retry) finds the first referral"
* status = #active
* intent = #order
* category 1..* MS
* category ^slicing.discriminator.type = #pattern
* category ^slicing.discriminator.path = "$this"
* category ^slicing.rules = #open
* category contains socialPrescribing 1..1 MS
* category[socialPrescribing] from SPLinkReferralCategoryVS (required)
* category[socialPrescribing] = $sct#871731000000106 "Referral to social prescribing service"
* code 0..1 MS
* code from SPLinkServiceTypeVS (required)
* subject only Reference(Patient)
* subject MS
* subject.reference 1..1 MS
* subject obeys spl-agency-1
* subject ^short = "The person, described in a contained Patient (#id): name, birth date, home postcode, NHS number when known, how to contact them"
* contained 1..* MS
* authoredOn 1..1 MS
* requester 1..1 MS
* requester only Reference(PractitionerRole or Practitioner or Organization)
* requester ^short = "The professional who made the referral: a contained PractitionerRole with their name, role and how to reach them"
* reasonCode 1..* MS
* reasonCode from SPLinkNeedVS (required)
* reasonCode ^short = "Needs and concerns (PRSB)"
* priority MS
* note MS
* note ^short = "What matters to the person, and context for the link worker"
