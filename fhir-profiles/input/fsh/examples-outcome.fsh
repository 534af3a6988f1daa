RuleSet: OutcomeCore(id)
* identifier.system = "https://fhir.sp-link.example.org/Id/outcome-observation"
* identifier.value = "lw-task-77:{id}"
* basedOn = Reference(ServiceRequest/referral-example)
* status = #final
* category[survey] = $obs-category#survey "Survey"
* subject.reference = "Patient/pat-1"
* performer.reference = "https://lw.example.org/fhir/PractitionerRole/lw-1"
* derivedFrom.reference = "https://lw.example.org/fhir/Observation/{id}"

Instance: wf-outcome-swemwbs-baseline
InstanceOf: SPLinkOutcomeObservation
Title: "Outcome: SWEMWBS at first contact"
Usage: #example
* insert OutcomeCore(obs-101)
* code = SPLinkOutcomeInstrumentCS#swemwbs "Short Warwick-Edinburgh Mental Wellbeing Scale (SWEMWBS) total"
* effectiveDateTime = "2026-03-06T10:00:00Z"
* valueInteger = 17

Instance: wf-outcome-swemwbs-final
InstanceOf: SPLinkOutcomeObservation
Title: "Outcome: SWEMWBS at completion"
Usage: #example
* insert OutcomeCore(obs-102)
* code = SPLinkOutcomeInstrumentCS#swemwbs "Short Warwick-Edinburgh Mental Wellbeing Scale (SWEMWBS) total"
* effectiveDateTime = "2026-05-15T15:00:00Z"
* valueInteger = 24

Instance: wf-outcome-ons4-final
InstanceOf: SPLinkOutcomeObservation
Title: "Outcome: ONS4 at completion"
Usage: #example
* insert OutcomeCore(obs-103)
* code = SPLinkOutcomeInstrumentCS#ons4 "ONS personal wellbeing (ONS4)"
* effectiveDateTime = "2026-05-15T15:00:00Z"
* component[0].code = SPLinkOutcomeInstrumentCS#ons4-life-satisfaction "ONS4: life satisfaction"
* component[0].valueInteger = 6
* component[1].code = SPLinkOutcomeInstrumentCS#ons4-worthwhile "ONS4: things done in life are worthwhile"
* component[1].valueInteger = 7
* component[2].code = SPLinkOutcomeInstrumentCS#ons4-happiness "ONS4: happiness yesterday"
* component[2].valueInteger = 6
* component[3].code = SPLinkOutcomeInstrumentCS#ons4-anxiety "ONS4: anxiety yesterday"
* component[3].valueInteger = 3

Instance: wf-outcome-ucla3-final
InstanceOf: SPLinkOutcomeObservation
Title: "Outcome: UCLA-3 loneliness at completion"
Usage: #example
* insert OutcomeCore(obs-104)
* code = SPLinkOutcomeInstrumentCS#ucla3 "UCLA 3-item Loneliness Scale total"
* effectiveDateTime = "2026-05-15T15:00:00Z"
* valueInteger = 5

Instance: wf-outcome-mycaw-final
InstanceOf: SPLinkOutcomeObservation
Title: "Outcome: MYCaW at completion"
Usage: #example
* insert OutcomeCore(obs-105)
* code = SPLinkOutcomeInstrumentCS#mycaw "Measure Yourself Concerns and Wellbeing (MYCaW)"
* effectiveDateTime = "2026-05-15T15:00:00Z"
* component[0].code = SPLinkOutcomeInstrumentCS#mycaw-concern-1 "MYCaW: concern 1 severity"
* component[0].valueInteger = 2
* component[1].code = SPLinkOutcomeInstrumentCS#mycaw-wellbeing "MYCaW: general feeling of wellbeing"
* component[1].valueInteger = 2

Instance: outcome-phq9-example
InstanceOf: SPLinkOutcomeObservation
Title: "Outcome: PHQ-9 total with LOINC"
Description: "Where a verified LOINC code exists SP Link sends it alongside its own code."
Usage: #example
* insert OutcomeCore(obs-106)
* code.coding[0] = SPLinkOutcomeInstrumentCS#phq9 "Patient Health Questionnaire (PHQ-9) total"
* code.coding[1] = $loinc#44261-6 "Patient Health Questionnaire 9 item (PHQ-9) total score [Reported]"
* effectiveDateTime = "2026-05-15T15:00:00Z"
* valueInteger = 8

Instance: wf-social-outcome-group-attending
InstanceOf: SPLinkSocialOutcomeObservation
Title: "Social outcome: connected to a community group and still attending"
Usage: #example
* identifier.system = "https://fhir.sp-link.example.org/Id/outcome-observation"
* identifier.value = "lw:Task:lw-task-77:social-outcome:group-attending"
* basedOn = Reference(ServiceRequest/referral-example)
* status = #final
* category[socialHistory] = $obs-category#social-history "Social History"
* code = SPLinkSocialOutcomeCS#group-attending "Connected to a community group and still attending"
* subject.reference = "Patient/pat-1"
* effectiveDateTime = "2026-05-15T15:00:00Z"
* performer.display = "Fernbridge Community Connect"
* valueBoolean = true
* meta.source = "https://lw.example.org/fhir/Task/lw-task-77/_history/9"
