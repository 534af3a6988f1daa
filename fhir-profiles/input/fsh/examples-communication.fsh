Instance: wf-communication-completed
InstanceOf: SPLinkGPCommunication
Title: "Workflow: message back to GP at completion (PRSB)"
Description: "The PRSB 'Message back to GP and referrer': the narrative the GP reads (headings, names, plain dates), and the same lines as payloads tagged with their PRSB section (referral details, support offered including activities connected to, outcomes before and after, plan and requested actions), with references to the person and the outcome Observations."
Usage: #example
* identifier.system = "https://fhir.sp-link.example.org/Id/gp-communication"
* identifier.value = "lw-task-77:5:referral-completed"
* basedOn = Reference(ServiceRequest/referral-example)
* status = #completed
* topic = SPLinkCommunicationTopicCS#referral-completed "Social prescribing completed: message back to GP"
* insert PatientRef(subject)
* about.reference = "https://lw.example.org/fhir/Task/lw-task-77/_history/5"
* sent = "2026-05-15T16:00:30Z"
* recipient = Reference(Practitioner/gp-1)
* sender.reference = "Organization/lw-org"
* sender.display = "Fernbridge Community Connect"
* sender.identifier.system = $ods
* sender.identifier.value = "X9Z8Y"
* reasonCode[0] = SPLinkNeedCS#loneliness "Loneliness"
* reasonCode[1] = SPLinkNeedCS#debt-money "Debt or money worries"
* reasonCode[2] = SPLinkNeedCS#physical-activity "Physical activity"
* text.status = #generated
* text.div = "<div xmlns=\"http://www.w3.org/1999/xhtml\"><h2>Social prescribing completed: message back to GP</h2><p>From Fernbridge Community Connect, sent 15 May 2026</p><h3>Referral details</h3><ul><li>Referred by Dr Amy Patel on 2 Feb 2026</li><li>Needs: Loneliness, Debt or money worries, Physical activity</li><li>Urgency: Routine</li></ul><h3>Support offered and activities connected to</h3><ul><li>Six sessions, face to face and by telephone; referred to Citizens Advice for energy debt.</li><li>Sessions held: 6</li><li>Connected to: Healthy Steps walking group</li></ul><h3>Outcome measures (before and after)</h3><ul><li>Short Warwick-Edinburgh Mental Wellbeing Scale (SWEMWBS): 17 → 24 (up 7, better; scale 7–35, higher is better), 9 Feb 2026 to 15 May 2026</li></ul><h3>What happens next</h3><ul><li>Support from Fernbridge Community Connect has ended.</li></ul></div>"
* payload[0].extension[section].valueCoding = SPLinkPrsbSectionCS#person-demographics "Person demographics"
* payload[0].contentReference = Reference(Patient/pat-1)
* payload[1].extension[section].valueCoding = SPLinkPrsbSectionCS#outcomes "Outcomes"
* payload[1].contentReference = Reference(Observation/wf-outcome-swemwbs-final)
* payload[2].extension[section].valueCoding = SPLinkPrsbSectionCS#referral-details "Referral details"
* payload[2].contentString = "Referred by Dr Amy Patel on 2 Feb 2026"
* payload[3].extension[section].valueCoding = SPLinkPrsbSectionCS#referral-details "Referral details"
* payload[3].contentString = "Needs: Loneliness, Debt or money worries, Physical activity"
* payload[4].extension[section].valueCoding = SPLinkPrsbSectionCS#referral-details "Referral details"
* payload[4].contentString = "Urgency: Routine"
* payload[5].extension[section].valueCoding = SPLinkPrsbSectionCS#support-offered "Support offered (including activities referred to)"
* payload[5].contentString = "Six sessions, face to face and by telephone; referred to Citizens Advice for energy debt."
* payload[6].extension[section].valueCoding = SPLinkPrsbSectionCS#support-offered "Support offered (including activities referred to)"
* payload[6].contentString = "Sessions held: 6"
* payload[7].extension[section].valueCoding = SPLinkPrsbSectionCS#support-offered "Support offered (including activities referred to)"
* payload[7].contentString = "Connected to: Healthy Steps walking group"
* payload[8].extension[section].valueCoding = SPLinkPrsbSectionCS#outcomes "Outcomes"
* payload[8].contentString = "Short Warwick-Edinburgh Mental Wellbeing Scale (SWEMWBS): 17 → 24 (up 7, better; scale 7–35, higher is better), 9 Feb 2026 to 15 May 2026"
* payload[9].extension[section].valueCoding = SPLinkPrsbSectionCS#plan-and-requested-actions "Plan and requested actions"
* payload[9].contentString = "Support from Fernbridge Community Connect has ended."

Instance: wf-communication-declined
InstanceOf: SPLinkGPCommunication
Title: "Workflow: GP told the referral was declined"
Usage: #example
* identifier.system = "https://fhir.sp-link.example.org/Id/gp-communication"
* identifier.value = "lw-task-78:2:referral-declined"
* basedOn = Reference(ServiceRequest/wf-referral-declined)
* status = #completed
* topic = SPLinkCommunicationTopicCS#referral-declined "Referral declined"
* insert PatientRef(subject)
* about.reference = "https://lw.example.org/fhir/Task/lw-task-78/_history/2"
* sent = "2026-03-04T11:00:30Z"
* recipient = Reference(Practitioner/gp-1)
* sender.reference = "Organization/lw-org"
* payload[0].extension[section].valueCoding = SPLinkPrsbSectionCS#referral-details "Referral details"
* payload[0].contentString = "Declined: Person declined social prescribing. They said they would contact the practice if they change their mind."

Instance: safeguarding-acknowledgement-example
InstanceOf: SPLinkSafeguardingAcknowledgement
Title: "A GP acknowledges the link worker's safeguarding concern"
Usage: #example
* identifier.system = "https://fhir.sp-link.example.org/Id/safeguarding-acknowledgement"
* identifier.value = "ServiceRequest:referral-example:Communication:wf-communication-safeguarding"
* basedOn = Reference(ServiceRequest/referral-example)
* inResponseTo = Reference(Communication/wf-communication-safeguarding)
* status = #completed
* topic = SPLinkGpReplyTopicCS#safeguarding-acknowledged "Safeguarding concern acknowledged"
* insert PatientRef(subject)
* sent = "2026-05-02T09:12:00Z"
* sender.reference = "Practitioner/gp-1"
* sender.display = "Dr Amina Patel"
* recipient.display = "Riverside Community Links"
* payload.contentString = "Safeguarding concern acknowledged by Dr Amina Patel."
