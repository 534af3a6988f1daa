// Generated from src/referral-model/codes.ts by `npm run profiles`. Edit codes.ts, not this file.

CodeSystem: SPLinkNeedCS
Id: need
Title: "SP Link needs and concerns"
Description: "Needs and concerns that bring a person to social prescribing (PRSB: needs and concerns)."
* ^status = #active
* ^experimental = false
* ^caseSensitive = true
* #loneliness "Loneliness"
* #social-isolation "Social isolation"
* #debt-money "Debt or money worries"
* #welfare-benefits "Welfare benefits advice"
* #housing "Housing problem"
* #food-insecurity "Food insecurity"
* #mental-wellbeing "Mental wellbeing or low mood"
* #physical-activity "Physical activity"
* #healthy-lifestyle "Healthy lifestyle (diet, weight, smoking, alcohol)"
* #carer-strain "Carer strain or carer support"
* #employment "Employment, training or volunteering"
* #bereavement "Bereavement"
* #digital-exclusion "Digital exclusion"
* #long-term-condition "Living with a long-term condition"
* #relationships "Family or relationship difficulties"
* #transport "Transport or access difficulties"
* #legal-advice "Legal or immigration advice"
* #other "Other need (see note)"

ValueSet: SPLinkNeedVS
Id: need
Title: "SP Link needs and concerns"
Description: "All codes of the SP Link needs and concerns CodeSystem."
* ^status = #active
* ^experimental = false
* include codes from system SPLinkNeedCS

CodeSystem: SPLinkServiceTypeCS
Id: service-type
Title: "SP Link service types"
Description: "Kinds of service or activity a person is referred or connected to (PRSB: support offered, activities referred to)."
* ^status = #active
* ^experimental = false
* ^caseSensitive = true
* #link-worker "Social prescribing link worker support"
* #befriending "Befriending"
* #community-group "Community group or social activity"
* #arts-culture "Arts and culture activity"
* #green-activity "Nature-based or gardening activity"
* #physical-activity "Physical activity programme"
* #debt-advice "Debt and money advice"
* #benefits-advice "Welfare benefits advice"
* #housing-advice "Housing advice"
* #food-support "Food support"
* #carer-support "Carer support service"
* #employment-support "Employment, skills or volunteering support"
* #bereavement-support "Bereavement support"
* #digital-inclusion "Digital skills and inclusion"
* #wellbeing-support "Mental wellbeing support (non-clinical)"

ValueSet: SPLinkServiceTypeVS
Id: service-type
Title: "SP Link service types"
Description: "All codes of the SP Link service types CodeSystem."
* ^status = #active
* ^experimental = false
* include codes from system SPLinkServiceTypeCS

CodeSystem: SPLinkBusinessStatusCS
Id: business-status
Title: "SP Link referral Task business status"
Description: "Where the link worker is with the person; finer than Task.status."
* ^status = #active
* ^experimental = false
* ^caseSensitive = true
* #awaiting-contact "Awaiting first contact"
* #contact-attempted "Contact attempted"
* #could-not-contact "Could not contact"
* #first-contact-made "First contact made"
* #what-matters-conversation "\"What matters to me\" conversation held"
* #plan-agreed "Personalised support plan agreed"
* #sessions-ongoing "Sessions ongoing"
* #connected-to-service "Connected to community service"
* #follow-up "Follow-up after connection"
* #support-completed "Support completed"
* #signposted "Signposted to other support"
* #paused "Support paused"

ValueSet: SPLinkBusinessStatusVS
Id: business-status
Title: "SP Link referral Task business status"
Description: "All codes of the SP Link referral Task business status CodeSystem."
* ^status = #active
* ^experimental = false
* include codes from system SPLinkBusinessStatusCS

CodeSystem: SPLinkStatusReasonCS
Id: status-reason
Title: "SP Link decline and cancellation reasons"
Description: "Why a referral was declined, cancelled or could not be completed."
* ^status = #active
* ^experimental = false
* ^caseSensitive = true
* #patient-declined "Person declined social prescribing"
* #could-not-contact "Could not contact the person"
* #not-eligible "Does not meet service criteria"
* #needs-beyond-scope "Needs beyond the scope of social prescribing"
* #service-at-capacity "Service at capacity"
* #referred-elsewhere "Referred to a more suitable service"
* #safeguarding-escalated "Escalated under safeguarding procedures"
* #patient-withdrew "Person withdrew from support"
* #patient-moved "Person moved out of area"
* #patient-died "Person died"
* #gp-cancelled "Cancelled by the referrer"
* #duplicate-referral "Duplicate referral"
* #entered-in-error "Referral made in error"
* #declined-by-service "Declined by the link-worker service"
* #cancelled-by-service "Cancelled by the link-worker service"
* #not-completed "Support could not be completed"
* #did-not-attend "Person did not attend"
* #service-closed "The service closed or stopped running"

ValueSet: SPLinkStatusReasonVS
Id: status-reason
Title: "SP Link decline and cancellation reasons"
Description: "All codes of the SP Link decline and cancellation reasons CodeSystem."
* ^status = #active
* ^experimental = false
* include codes from system SPLinkStatusReasonCS

CodeSystem: SPLinkContactMethodCS
Id: contact-method
Title: "SP Link contact methods"
Description: "How the person prefers to be contacted."
* ^status = #active
* ^experimental = false
* ^caseSensitive = true
* #phone "Telephone call"
* #sms "Text message (SMS)"
* #letter "Letter"
* #email "Email"
* #video "Video call"
* #in-person "In person"

ValueSet: SPLinkContactMethodVS
Id: contact-method
Title: "SP Link contact methods"
Description: "All codes of the SP Link contact methods CodeSystem."
* ^status = #active
* ^experimental = false
* include codes from system SPLinkContactMethodCS

CodeSystem: SPLinkSessionModeCS
Id: session-mode
Title: "SP Link session modes"
Description: "How a link-worker session is held."
* ^status = #active
* ^experimental = false
* ^caseSensitive = true
* #face-to-face "Face to face"
* #telephone "Telephone"
* #video "Video"
* #home-visit "Home visit"
* #accompanied "Accompanied to an activity"

ValueSet: SPLinkSessionModeVS
Id: session-mode
Title: "SP Link session modes"
Description: "All codes of the SP Link session modes CodeSystem."
* ^status = #active
* ^experimental = false
* include codes from system SPLinkSessionModeCS

CodeSystem: SPLinkUrgencyCS
Id: urgency
Title: "SP Link referral urgency"
Description: "Urgency chosen by the referrer; maps to ServiceRequest.priority (routine→routine, soon→urgent, urgent→asap)."
* ^status = #active
* ^experimental = false
* ^caseSensitive = true
* #routine "Routine"
* #soon "Soon (within two weeks)"
* #urgent "Urgent (within two working days)"

ValueSet: SPLinkUrgencyVS
Id: urgency
Title: "SP Link referral urgency"
Description: "All codes of the SP Link referral urgency CodeSystem."
* ^status = #active
* ^experimental = false
* include codes from system SPLinkUrgencyCS

CodeSystem: SPLinkAccessibilityNeedCS
Id: accessibility-need
Title: "SP Link accessibility and interpreter needs"
Description: "Reasonable adjustments the person needs to take part."
* ^status = #active
* ^experimental = false
* ^caseSensitive = true
* #interpreter "Spoken language interpreter"
* #bsl-interpreter "British Sign Language interpreter"
* #large-print "Large print"
* #easy-read "Easy read"
* #braille "Braille"
* #hearing-loop "Hearing loop"
* #step-free-access "Step-free access"
* #advocate "Needs an advocate or carer present"
* #other "Other (see detail)"

ValueSet: SPLinkAccessibilityNeedVS
Id: accessibility-need
Title: "SP Link accessibility and interpreter needs"
Description: "All codes of the SP Link accessibility and interpreter needs CodeSystem."
* ^status = #active
* ^experimental = false
* include codes from system SPLinkAccessibilityNeedCS

CodeSystem: SPLinkOutcomeInstrumentCS
Id: outcome-instrument
Title: "SP Link outcome instruments"
Description: "Outcome measures and their scored items. Properties minScore and maxScore give the allowed range of a total (on an instrument) or of an item (on a child concept); better says whether a higher or a lower score means the person is doing better."
* ^status = #active
* ^experimental = false
* ^caseSensitive = true
* ^hierarchyMeaning = #part-of
* ^property[0].code = #minScore
* ^property[0].type = #integer
* ^property[0].description = "Lowest allowed score"
* ^property[1].code = #maxScore
* ^property[1].type = #integer
* ^property[1].description = "Highest allowed score"
* ^property[2].code = #better
* ^property[2].type = #code
* ^property[2].description = "Which way the score moves when the person is doing better: higher or lower"
* #swemwbs "Short Warwick-Edinburgh Mental Wellbeing Scale (SWEMWBS) total"
* #swemwbs ^property[0].code = #minScore
* #swemwbs ^property[0].valueInteger = 7
* #swemwbs ^property[1].code = #maxScore
* #swemwbs ^property[1].valueInteger = 35
* #swemwbs ^property[2].code = #better
* #swemwbs ^property[2].valueCode = #higher
* #wemwbs "Warwick-Edinburgh Mental Wellbeing Scale (WEMWBS) total"
* #wemwbs ^property[0].code = #minScore
* #wemwbs ^property[0].valueInteger = 14
* #wemwbs ^property[1].code = #maxScore
* #wemwbs ^property[1].valueInteger = 70
* #wemwbs ^property[2].code = #better
* #wemwbs ^property[2].valueCode = #higher
* #ons4 "ONS personal wellbeing (ONS4)"
* #ons4 #ons4-life-satisfaction "ONS4: life satisfaction"
* #ons4 #ons4-life-satisfaction ^property[0].code = #minScore
* #ons4 #ons4-life-satisfaction ^property[0].valueInteger = 0
* #ons4 #ons4-life-satisfaction ^property[1].code = #maxScore
* #ons4 #ons4-life-satisfaction ^property[1].valueInteger = 10
* #ons4 #ons4-life-satisfaction ^property[2].code = #better
* #ons4 #ons4-life-satisfaction ^property[2].valueCode = #higher
* #ons4 #ons4-worthwhile "ONS4: things done in life are worthwhile"
* #ons4 #ons4-worthwhile ^property[0].code = #minScore
* #ons4 #ons4-worthwhile ^property[0].valueInteger = 0
* #ons4 #ons4-worthwhile ^property[1].code = #maxScore
* #ons4 #ons4-worthwhile ^property[1].valueInteger = 10
* #ons4 #ons4-worthwhile ^property[2].code = #better
* #ons4 #ons4-worthwhile ^property[2].valueCode = #higher
* #ons4 #ons4-happiness "ONS4: happiness yesterday"
* #ons4 #ons4-happiness ^property[0].code = #minScore
* #ons4 #ons4-happiness ^property[0].valueInteger = 0
* #ons4 #ons4-happiness ^property[1].code = #maxScore
* #ons4 #ons4-happiness ^property[1].valueInteger = 10
* #ons4 #ons4-happiness ^property[2].code = #better
* #ons4 #ons4-happiness ^property[2].valueCode = #higher
* #ons4 #ons4-anxiety "ONS4: anxiety yesterday"
* #ons4 #ons4-anxiety ^property[0].code = #minScore
* #ons4 #ons4-anxiety ^property[0].valueInteger = 0
* #ons4 #ons4-anxiety ^property[1].code = #maxScore
* #ons4 #ons4-anxiety ^property[1].valueInteger = 10
* #ons4 #ons4-anxiety ^property[2].code = #better
* #ons4 #ons4-anxiety ^property[2].valueCode = #lower
* #ucla3 "UCLA 3-item Loneliness Scale total"
* #ucla3 ^property[0].code = #minScore
* #ucla3 ^property[0].valueInteger = 3
* #ucla3 ^property[1].code = #maxScore
* #ucla3 ^property[1].valueInteger = 9
* #ucla3 ^property[2].code = #better
* #ucla3 ^property[2].valueCode = #lower
* #mycaw "Measure Yourself Concerns and Wellbeing (MYCaW)"
* #mycaw #mycaw-concern-1 "MYCaW: concern 1 severity"
* #mycaw #mycaw-concern-1 ^property[0].code = #minScore
* #mycaw #mycaw-concern-1 ^property[0].valueInteger = 0
* #mycaw #mycaw-concern-1 ^property[1].code = #maxScore
* #mycaw #mycaw-concern-1 ^property[1].valueInteger = 6
* #mycaw #mycaw-concern-1 ^property[2].code = #better
* #mycaw #mycaw-concern-1 ^property[2].valueCode = #lower
* #mycaw #mycaw-concern-2 "MYCaW: concern 2 severity"
* #mycaw #mycaw-concern-2 ^property[0].code = #minScore
* #mycaw #mycaw-concern-2 ^property[0].valueInteger = 0
* #mycaw #mycaw-concern-2 ^property[1].code = #maxScore
* #mycaw #mycaw-concern-2 ^property[1].valueInteger = 6
* #mycaw #mycaw-concern-2 ^property[2].code = #better
* #mycaw #mycaw-concern-2 ^property[2].valueCode = #lower
* #mycaw #mycaw-wellbeing "MYCaW: general feeling of wellbeing"
* #mycaw #mycaw-wellbeing ^property[0].code = #minScore
* #mycaw #mycaw-wellbeing ^property[0].valueInteger = 0
* #mycaw #mycaw-wellbeing ^property[1].code = #maxScore
* #mycaw #mycaw-wellbeing ^property[1].valueInteger = 6
* #mycaw #mycaw-wellbeing ^property[2].code = #better
* #mycaw #mycaw-wellbeing ^property[2].valueCode = #lower
* #phq9 "Patient Health Questionnaire (PHQ-9) total"
* #phq9 ^property[0].code = #minScore
* #phq9 ^property[0].valueInteger = 0
* #phq9 ^property[1].code = #maxScore
* #phq9 ^property[1].valueInteger = 27
* #phq9 ^property[2].code = #better
* #phq9 ^property[2].valueCode = #lower
* #gad7 "Generalised Anxiety Disorder (GAD-7) total"
* #gad7 ^property[0].code = #minScore
* #gad7 ^property[0].valueInteger = 0
* #gad7 ^property[1].code = #maxScore
* #gad7 ^property[1].valueInteger = 21
* #gad7 ^property[2].code = #better
* #gad7 ^property[2].valueCode = #lower

ValueSet: SPLinkOutcomeInstrumentVS
Id: outcome-instrument
Title: "SP Link outcome instruments"
Description: "Outcome instruments SP Link records: SP Link codes, and LOINC where a verified code exists."
* ^status = #active
* ^experimental = false
* SPLinkOutcomeInstrumentCS#swemwbs "Short Warwick-Edinburgh Mental Wellbeing Scale (SWEMWBS) total"
* SPLinkOutcomeInstrumentCS#wemwbs "Warwick-Edinburgh Mental Wellbeing Scale (WEMWBS) total"
* SPLinkOutcomeInstrumentCS#ons4 "ONS personal wellbeing (ONS4)"
* SPLinkOutcomeInstrumentCS#ucla3 "UCLA 3-item Loneliness Scale total"
* SPLinkOutcomeInstrumentCS#mycaw "Measure Yourself Concerns and Wellbeing (MYCaW)"
* SPLinkOutcomeInstrumentCS#phq9 "Patient Health Questionnaire (PHQ-9) total"
* http://loinc.org#44261-6 "Patient Health Questionnaire 9 item (PHQ-9) total score [Reported]"
* SPLinkOutcomeInstrumentCS#gad7 "Generalised Anxiety Disorder (GAD-7) total"
* http://loinc.org#70274-6 "Generalized anxiety disorder 7 item (GAD-7) total score [Reported.PHQ]"

CodeSystem: SPLinkTaskOutputTypeCS
Id: task-output-type
Title: "SP Link referral Task output types"
Description: "What a link worker attaches to the referral Task as Task.output."
* ^status = #active
* ^experimental = false
* ^caseSensitive = true
* #outcome-measure "Outcome measure (Observation)"
* #summary "Summary of support"
* #sessions-held "Number of sessions held"
* #activity-referred "Activity or service the person was connected to"
* #needs-identified "Need or concern as the link worker found it"
* #social-outcome "Social outcome at closing"

ValueSet: SPLinkTaskOutputTypeVS
Id: task-output-type
Title: "SP Link referral Task output types"
Description: "All codes of the SP Link referral Task output types CodeSystem."
* ^status = #active
* ^experimental = false
* include codes from system SPLinkTaskOutputTypeCS

CodeSystem: SPLinkCommunicationTopicCS
Id: communication-topic
Title: "SP Link messages to the GP"
Description: "Events SP Link tells the GP about, including the message back at completion."
* ^status = #active
* ^experimental = false
* ^caseSensitive = true
* #referral-completed "Social prescribing completed: message back to GP"
* #referral-declined "Referral declined"
* #referral-cancelled "Referral cancelled"
* #referral-not-completed "Support could not be completed"
* #could-not-contact "Could not contact the person"
* #referral-progress "Progress update from the link-worker service"
* #safeguarding-concern "Safeguarding concern raised"
* #referral-overdue "Referral not accepted in time: escalated to the service manager"
* #referral-received "Social prescribing referral made by someone other than the GP"

ValueSet: SPLinkCommunicationTopicVS
Id: communication-topic
Title: "SP Link messages to the GP"
Description: "All codes of the SP Link messages to the GP CodeSystem."
* ^status = #active
* ^experimental = false
* include codes from system SPLinkCommunicationTopicCS

CodeSystem: SPLinkFlagCodeCS
Id: flag-code
Title: "SP Link flags"
Description: "Flags SP Link raises in the GP record for things that need attention."
* ^status = #active
* ^experimental = false
* ^caseSensitive = true
* #safeguarding-concern "Safeguarding concern raised by social prescribing"
* #could-not-contact "Social prescribing could not contact the person"
* #referral-declined "Social prescribing referral declined"

ValueSet: SPLinkFlagCodeVS
Id: flag-code
Title: "SP Link flags"
Description: "All codes of the SP Link flags CodeSystem."
* ^status = #active
* ^experimental = false
* include codes from system SPLinkFlagCodeCS

CodeSystem: SPLinkPrsbSectionCS
Id: prsb-section
Title: "PRSB Social Prescribing Information Standard sections"
Description: "Sections of the PRSB Social Prescribing Information Standard v1.1 that a message payload carries."
* ^status = #active
* ^experimental = false
* ^caseSensitive = true
* #person-demographics "Person demographics"
* #referral-details "Referral details"
* #needs-and-concerns "Needs and concerns"
* #support-offered "Support offered (including activities referred to)"
* #outcomes "Outcomes"
* #safety-alerts "Safety alerts and risks"
* #contact-preferences "Contact preferences and accessibility"
* #plan-and-requested-actions "Plan and requested actions"

ValueSet: SPLinkPrsbSectionVS
Id: prsb-section
Title: "PRSB Social Prescribing Information Standard sections"
Description: "All codes of the PRSB Social Prescribing Information Standard sections CodeSystem."
* ^status = #active
* ^experimental = false
* include codes from system SPLinkPrsbSectionCS

CodeSystem: SPLinkGpReplyTopicCS
Id: gp-reply-topic
Title: "SP Link replies from the GP practice"
Description: "What the GP practice records back about a referral, such as acknowledging a safeguarding concern."
* ^status = #active
* ^experimental = false
* ^caseSensitive = true
* #safeguarding-acknowledged "Safeguarding concern acknowledged"

ValueSet: SPLinkGpReplyTopicVS
Id: gp-reply-topic
Title: "SP Link replies from the GP practice"
Description: "All codes of the SP Link replies from the GP practice CodeSystem."
* ^status = #active
* ^experimental = false
* include codes from system SPLinkGpReplyTopicCS

CodeSystem: SPLinkSocialOutcomeCS
Id: social-outcome
Title: "SP Link social outcomes"
Description: "What changed in the person’s life by the time social prescribing support ended (housing, money, food, work, connection), recorded by the link worker at closing."
* ^status = #active
* ^experimental = false
* ^caseSensitive = true
* #housing-secured "Housing secured or improved"
* #debt-advice "Debt advice received"
* #benefits-claimed "Benefits claimed or increased"
* #food-support "Food support received"
* #fuel-support "Energy or fuel support received"
* #employment "Started work, training or education"
* #volunteering "Started volunteering"
* #group-attending "Connected to a community group and still attending"
* #physically-active "More physically active"
* #carer-support "Carer support in place"
* #digital-skills "Got online or gained digital skills"
* #legal-advice "Legal or immigration advice received"

ValueSet: SPLinkSocialOutcomeVS
Id: social-outcome
Title: "SP Link social outcomes"
Description: "All codes of the SP Link social outcomes CodeSystem."
* ^status = #active
* ^experimental = false
* include codes from system SPLinkSocialOutcomeCS

CodeSystem: SPLinkEqualityAnswerCS
Id: equality-answer
Title: "SP Link equality monitoring answers"
Description: "An answer to an equality monitoring question that is not a value of its own: yes, no, prefer not to say, or not asked."
* ^status = #active
* ^experimental = false
* ^caseSensitive = true
* #yes "Yes"
* #no "No"
* #prefer-not-to-say "Prefer not to say"
* #not-asked "Not asked"

ValueSet: SPLinkEqualityAnswerVS
Id: equality-answer
Title: "SP Link equality monitoring answers"
Description: "All codes of the SP Link equality monitoring answers CodeSystem."
* ^status = #active
* ^experimental = false
* include codes from system SPLinkEqualityAnswerCS

ValueSet: SPLinkOutcomeItemVS
Id: outcome-item
Title: "SP Link outcome instrument items"
Description: "Scored items recorded as Observation.component (ONS4 items, MYCaW concerns and wellbeing)."
* ^status = #active
* ^experimental = false
* SPLinkOutcomeInstrumentCS#ons4-life-satisfaction "ONS4: life satisfaction"
* SPLinkOutcomeInstrumentCS#ons4-worthwhile "ONS4: things done in life are worthwhile"
* SPLinkOutcomeInstrumentCS#ons4-happiness "ONS4: happiness yesterday"
* SPLinkOutcomeInstrumentCS#ons4-anxiety "ONS4: anxiety yesterday"
* SPLinkOutcomeInstrumentCS#mycaw-concern-1 "MYCaW: concern 1 severity"
* SPLinkOutcomeInstrumentCS#mycaw-concern-2 "MYCaW: concern 2 severity"
* SPLinkOutcomeInstrumentCS#mycaw-wellbeing "MYCaW: general feeling of wellbeing"

ValueSet: SPLinkReferralCategoryVS
Id: referral-category
Title: "SP Link referral category"
Description: "SNOMED CT UK concept that marks a ServiceRequest as a social prescribing referral."
* ^status = #active
* ^experimental = false
* http://snomed.info/sct#871731000000106 "Referral to social prescribing service"

ValueSet: SPLinkEthnicCategoryVS
Id: ethnic-category
Title: "NHS Data Dictionary ethnic categories"
Description: "ETHNIC CATEGORY (NHS Data Dictionary, 2001 census categories) in the UK Core CodeSystem UKCore-EthnicCategoryEngland: A to S as the person chose, Z when they preferred not to say, 99 when they were not asked."
* ^status = #active
* ^experimental = false
* https://fhir.hl7.org.uk/CodeSystem/UKCore-EthnicCategoryEngland#A "White - British"
* https://fhir.hl7.org.uk/CodeSystem/UKCore-EthnicCategoryEngland#B "White - Irish"
* https://fhir.hl7.org.uk/CodeSystem/UKCore-EthnicCategoryEngland#C "White - Any other White background"
* https://fhir.hl7.org.uk/CodeSystem/UKCore-EthnicCategoryEngland#D "Mixed - White and Black Caribbean"
* https://fhir.hl7.org.uk/CodeSystem/UKCore-EthnicCategoryEngland#E "Mixed - White and Black African"
* https://fhir.hl7.org.uk/CodeSystem/UKCore-EthnicCategoryEngland#F "Mixed - White and Asian"
* https://fhir.hl7.org.uk/CodeSystem/UKCore-EthnicCategoryEngland#G "Mixed - Any other mixed background"
* https://fhir.hl7.org.uk/CodeSystem/UKCore-EthnicCategoryEngland#H "Asian or Asian British - Indian"
* https://fhir.hl7.org.uk/CodeSystem/UKCore-EthnicCategoryEngland#J "Asian or Asian British - Pakistani"
* https://fhir.hl7.org.uk/CodeSystem/UKCore-EthnicCategoryEngland#K "Asian or Asian British - Bangladeshi"
* https://fhir.hl7.org.uk/CodeSystem/UKCore-EthnicCategoryEngland#L "Asian or Asian British - Any other Asian background"
* https://fhir.hl7.org.uk/CodeSystem/UKCore-EthnicCategoryEngland#M "Black or Black British - Caribbean"
* https://fhir.hl7.org.uk/CodeSystem/UKCore-EthnicCategoryEngland#N "Black or Black British - African"
* https://fhir.hl7.org.uk/CodeSystem/UKCore-EthnicCategoryEngland#P "Black or Black British - Any other Black background"
* https://fhir.hl7.org.uk/CodeSystem/UKCore-EthnicCategoryEngland#R "Other Ethnic Groups - Chinese"
* https://fhir.hl7.org.uk/CodeSystem/UKCore-EthnicCategoryEngland#S "Other Ethnic Groups - Any other ethnic group"
* https://fhir.hl7.org.uk/CodeSystem/UKCore-EthnicCategoryEngland#Z "Not stated"
* https://fhir.hl7.org.uk/CodeSystem/UKCore-EthnicCategoryEngland#99 "Not known"

ValueSet: SPLinkProvenanceActivityVS
Id: provenance-activity
Title: "SP Link Provenance activities"
Description: "What SP Link did to the target: create or revise."
* ^status = #active
* ^experimental = false
* http://terminology.hl7.org/CodeSystem/v3-DataOperation#CREATE "create"
* http://terminology.hl7.org/CodeSystem/v3-DataOperation#UPDATE "revise"

ValueSet: SPLinkProvenanceAgentTypeVS
Id: provenance-agent-type
Title: "SP Link Provenance agent types"
Description: "Roles of the agents SP Link records on its Provenance."
* ^status = #active
* ^experimental = false
* http://terminology.hl7.org/CodeSystem/provenance-participant-type#author "Author"
* http://terminology.hl7.org/CodeSystem/provenance-participant-type#performer "Performer"
* http://terminology.hl7.org/CodeSystem/provenance-participant-type#enterer "Enterer"
* http://terminology.hl7.org/CodeSystem/provenance-participant-type#assembler "Assembler"
