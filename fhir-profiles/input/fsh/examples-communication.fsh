Instance: wf-communication-completed
InstanceOf: SPLinkGPCommunication
Title: "Workflow: message back to GP at completion (PRSB)"
Description: "The PRSB 'Message back to GP and referrer': person demographics, needs and concerns, support offered including activities referred to, and outcomes, each as a tagged payload."
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
* sender.identifier.system = $ods
* sender.identifier.value = "X9Z8Y"
* reasonCode[0] = SPLinkNeedCS#loneliness "Loneliness"
* reasonCode[1] = SPLinkNeedCS#debt-money "Debt or money worries"
* reasonCode[2] = SPLinkNeedCS#physical-activity "Physical activity"
* payload[0].extension[section].valueCoding = SPLinkPrsbSectionCS#person-demographics "Person demographics"
* payload[0].contentReference = Reference(Patient/pat-1)
* payload[1].extension[section].valueCoding = SPLinkPrsbSectionCS#needs-and-concerns "Needs and concerns"
* payload[1].contentString = "Loneliness after bereavement; energy debt; wants to be more active."
* payload[2].extension[section].valueCoding = SPLinkPrsbSectionCS#support-offered "Support offered (including activities referred to)"
* payload[2].contentString = "Six link-worker sessions (face to face and telephone). Connected to a weekly walking group and a community lunch club; referred to Citizens Advice for energy debt."
* payload[3].extension[section].valueCoding = SPLinkPrsbSectionCS#support-offered "Support offered (including activities referred to)"
* payload[3].contentReference = Reference(HealthcareService/hs-walking-group)
* payload[4].extension[section].valueCoding = SPLinkPrsbSectionCS#outcomes "Outcomes"
* payload[4].contentReference = Reference(Observation/wf-outcome-swemwbs-final)
* payload[5].extension[section].valueCoding = SPLinkPrsbSectionCS#outcomes "Outcomes"
* payload[5].contentReference = Reference(Observation/wf-outcome-ons4-final)
* payload[6].extension[section].valueCoding = SPLinkPrsbSectionCS#outcomes "Outcomes"
* payload[6].contentString = "SWEMWBS 17 → 24; UCLA-3 loneliness 5; MYCaW concern 1 (loneliness) 2."

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
