// Extensions SP Link defines. URLs: https://fhir.sp-link.example.org/StructureDefinition/<id>
// (src/referral-model/codes.ts EXTENSION). Sub-extension urls are the relative names below.

Extension: ConsentGiven
Id: consent-given
Title: "Consent given"
Description: "The person agreed to the referral and to their information being shared with the social prescribing service: when, and who recorded it."
Context: ServiceRequest, Task
* extension contains
    date 1..1 MS and
    recorder 1..1 MS and
    shareWithGp 0..1 MS
* extension[date] ^short = "When consent was given"
* extension[date].value[x] only dateTime
* extension[recorder] ^short = "Who recorded the consent: the clinician or professional, or the person themselves (self-referral)"
* extension[recorder].value[x] only Reference(Practitioner or PractitionerRole or Patient or RelatedPerson)
* extension[shareWithGp] ^short = "For a self or agency referral: whether the person agreed that their GP is told (absent for a GP's referral)"
* extension[shareWithGp].value[x] only boolean

Extension: ContactPreference
Id: contact-preference
Title: "Contact preference"
Description: "How the person would like to be contacted, when it is safe to contact them, and whether a message may be left."
Context: ServiceRequest, Task
* extension contains
    method 0..* MS and
    safeTimes 0..1 MS and
    leaveMessage 0..1 MS
* extension[method] ^short = "Preferred contact method, most preferred first"
* extension[method].value[x] only code
* extension[method].valueCode from SPLinkContactMethodVS (required)
* extension[safeTimes] ^short = "When it is safe to contact the person (free text, e.g. weekday mornings)"
* extension[safeTimes].value[x] only string
* extension[leaveMessage] ^short = "Whether a voicemail or message may be left"
* extension[leaveMessage].value[x] only boolean

Extension: AccessibilityNeed
Id: accessibility-need
Title: "Accessibility or interpreter need"
Description: "A reasonable adjustment the person needs, such as an interpreter (with language), large print or step-free access."
Context: ServiceRequest, Task
* extension contains
    type 1..1 MS and
    language 0..1 MS and
    detail 0..1 MS
* extension[type] ^short = "Kind of need"
* extension[type].value[x] only Coding
* extension[type].valueCoding from SPLinkAccessibilityNeedVS (required)
* extension[language] ^short = "Language for an interpreter (BCP-47, e.g. pl, ur, bfi for BSL)"
* extension[language].value[x] only CodeableConcept
* extension[detail] ^short = "Details of the need"
* extension[detail].value[x] only string

Extension: SafeguardingConcern
Id: safeguarding-concern
Title: "Safeguarding concern"
Description: "Whether the referrer or link worker has a safeguarding or risk concern about the person, and what it is. A true flag leads SP Link to raise a Flag and tell the GP."
Context: ServiceRequest, Task
* extension contains
    flag 1..1 MS and
    detail 0..1 MS
* extension[flag] ^short = "True when there is a concern"
* extension[flag].value[x] only boolean
* extension[detail] ^short = "The concern, including any risk to staff visiting alone"
* extension[detail].value[x] only string

Extension: ServiceCapacity
Id: service-capacity
Title: "Service capacity"
Description: "Whether a directory service is taking referrals and how long people wait, as of a given time."
Context: HealthcareService
* extension contains
    acceptingReferrals 1..1 MS and
    waitDays 0..1 MS and
    asOf 1..1 MS
* extension[acceptingReferrals] ^short = "Taking new referrals"
* extension[acceptingReferrals].value[x] only boolean
* extension[waitDays] ^short = "Typical wait to first contact, in days"
* extension[waitDays].value[x] only integer
* extension[asOf] ^short = "When this was last confirmed"
* extension[asOf].value[x] only dateTime

Extension: ServiceVerification
Id: service-verification
Title: "Service verification"
Description: "When a directory service's details were last checked, and by whom: the directory feed it came from, the provider itself, a link worker, or the service manager."
Context: HealthcareService
* extension contains
    date 1..1 MS and
    by 1..1 MS and
    who 0..1 MS
* extension[date] ^short = "When the details were last checked"
* extension[date].value[x] only dateTime
* extension[by] ^short = "feed | provider | link-worker | manager"
* extension[by].value[x] only code
* extension[who] ^short = "Who checked: the feed or assurer, the provider's, link worker's or manager's name"
* extension[who].value[x] only string

Extension: ReferralUrgency
Id: referral-urgency
Title: "Referral urgency"
Description: "The urgency the referrer chose, in SP Link's terms; ServiceRequest.priority carries the FHIR mapping."
Context: ServiceRequest
* value[x] only code
* valueCode from SPLinkUrgencyVS (required)

Extension: ReferralSource
Id: referral-source
Title: "Referral source"
Description: "Who made a referral that did not come from the GP: the person themselves (self) or an agency (agency). A Task or ServiceRequest without it came from a GP."
Context: Task, ServiceRequest
* value[x] only code
* valueCode ^short = "self | agency"

Extension: ReferrerVerified
Id: referrer-verified
Title: "Referrer verified"
Description: "Whether SP Link knows who made an agency referral: true when a registered agency system sent it (the referral API's client registry); false when it came through the public agency form, where the professional's name, role and organisation are taken on trust. An agency referral without it is shown as unverified."
Context: Task
* value[x] only boolean

Extension: StatusReason
Id: status-reason
Title: "Referral status reason"
Description: "Why a referral was revoked: cancelled by the GP or declined by the service (R4 ServiceRequest has no statusReason)."
Context: ServiceRequest
* value[x] only CodeableConcept
* valueCodeableConcept from SPLinkStatusReasonVS (required)

Extension: PrsbSection
Id: prsb-section
Title: "PRSB section"
Description: "The PRSB Social Prescribing Information Standard section that a Communication payload carries."
Context: Communication.payload
* value[x] only Coding
* valueCoding from SPLinkPrsbSectionVS (required)

Extension: EqualityMonitoring
Id: equality-monitoring
Title: "Equality monitoring"
Description: "Equality monitoring answers the referrer asked where the GP record did not hold them, so that reports can show who is referred and reached: ethnic category, disability, first language and interpreter need. Every part is optional, and each allows 'prefer not to say' and 'not asked'. Kept in the GP record only: the copy of the referral sent to the link-worker service leaves it out."
Context: ServiceRequest
* extension contains
    ethnicCategory 0..1 MS and
    disability 0..1 MS and
    firstLanguage 0..1 MS and
    interpreterRequired 0..1 MS
* extension[ethnicCategory] ^short = "NHS Data Dictionary ethnic category (UK Core UKCore-EthnicCategoryEngland): A to S as chosen, Z prefer not to say, 99 not asked"
* extension[ethnicCategory].value[x] only Coding
* extension[ethnicCategory].valueCoding from SPLinkEthnicCategoryVS (required)
* extension[disability] ^short = "Whether the person considers themselves disabled: yes | no | prefer-not-to-say | not-asked"
* extension[disability].value[x] only Coding
* extension[disability].valueCoding from SPLinkEqualityAnswerVS (required)
* extension[firstLanguage] ^short = "First language (BCP 47, e.g. pl, ur, bfi for BSL; mis for another language), or an equality-answer coding prefer-not-to-say | not-asked"
* extension[firstLanguage].value[x] only CodeableConcept
* extension[interpreterRequired] ^short = "Whether the person needs an interpreter: yes | no | prefer-not-to-say | not-asked"
* extension[interpreterRequired].value[x] only Coding
* extension[interpreterRequired].valueCoding from SPLinkEqualityAnswerVS (required)
