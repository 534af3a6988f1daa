RuleSet: TaskCore
* identifier.system = "https://fhir.sp-link.example.org/Id/referral-task"
* identifier.value = "SPL-2026-000123"
* intent = #order
* code = $task-code#fulfill "Fulfill the focal request"
* focus.reference = "https://ehr.example.org/fhir/ServiceRequest/referral-example"
* insert PatientRef(for)
* for.reference = "https://ehr.example.org/fhir/Patient/pat-1"
* authoredOn = "2026-03-02T09:12:00Z"
* requester = Reference(Practitioner/gp-1)
* requester.reference = "https://ehr.example.org/fhir/Practitioner/gp-1"
* owner.reference = "Organization/lw-org"
* owner.identifier.system = $ods
* owner.identifier.value = "X9Z8Y"

Instance: task-example
InstanceOf: SPLinkReferralTask
Title: "Referral Task (requested)"
Description: "The Task SP Link creates at the link-worker service for a new referral."
Usage: #example
* insert TaskCore
* status = #requested
* businessStatus = SPLinkBusinessStatusCS#awaiting-contact "Awaiting first contact"
* lastModified = "2026-03-02T09:12:05Z"

Instance: wf-task-accepted
InstanceOf: SPLinkReferralTask
Title: "Workflow: Task accepted, contact attempted"
Usage: #example
* insert TaskCore
* status = #accepted
* businessStatus = SPLinkBusinessStatusCS#contact-attempted "Contact attempted"
* lastModified = "2026-03-03T10:00:00Z"

Instance: wf-task-in-progress
InstanceOf: SPLinkReferralTask
Title: "Workflow: Task in progress, sessions ongoing"
Usage: #example
* insert TaskCore
* status = #in-progress
* businessStatus = SPLinkBusinessStatusCS#sessions-ongoing "Sessions ongoing"
* lastModified = "2026-03-20T14:30:00Z"
* output[outcome][0].type = SPLinkTaskOutputTypeCS#outcome-measure
* output[outcome][0].valueReference = Reference(Observation/wf-outcome-swemwbs-baseline)

Instance: wf-task-completed
InstanceOf: SPLinkReferralTask
Title: "Workflow: Task completed with outcomes"
Description: "The link worker completes the referral: outcome measures, summary, six sessions and two activities the person was connected to."
Usage: #example
* insert TaskCore
* status = #completed
* businessStatus = SPLinkBusinessStatusCS#support-completed "Support completed"
* lastModified = "2026-05-15T16:00:00Z"
* output[outcome][0].type = SPLinkTaskOutputTypeCS#outcome-measure
* output[outcome][0].valueReference = Reference(Observation/wf-outcome-swemwbs-baseline)
* output[outcome][1].type = SPLinkTaskOutputTypeCS#outcome-measure
* output[outcome][1].valueReference = Reference(Observation/wf-outcome-swemwbs-final)
* output[outcome][2].type = SPLinkTaskOutputTypeCS#outcome-measure
* output[outcome][2].valueReference = Reference(Observation/wf-outcome-ons4-final)
* output[outcome][3].type = SPLinkTaskOutputTypeCS#outcome-measure
* output[outcome][3].valueReference = Reference(Observation/wf-outcome-ucla3-final)
* output[outcome][4].type = SPLinkTaskOutputTypeCS#outcome-measure
* output[outcome][4].valueReference = Reference(Observation/wf-outcome-mycaw-final)
* output[summary].type = SPLinkTaskOutputTypeCS#summary
* output[summary].valueString = "Six sessions. Joined a weekly walking group and a community lunch club; energy debt referred to Citizens Advice, repayment plan agreed."
* output[sessionsHeld].type = SPLinkTaskOutputTypeCS#sessions-held
* output[sessionsHeld].valueInteger = 6
* output[activityReferred][0].type = SPLinkTaskOutputTypeCS#activity-referred
* output[activityReferred][0].valueReference = Reference(HealthcareService/hs-walking-group)
* output[activityReferred][1].type = SPLinkTaskOutputTypeCS#activity-referred
* output[activityReferred][1].valueString = "Citizens Advice energy debt clinic"

Instance: wf-task-declined
InstanceOf: SPLinkReferralTask
Title: "Workflow: Task declined"
Description: "The person told the link worker they do not want social prescribing."
Usage: #example
* insert TaskCore
* identifier.value = "SPL-2026-000124"
* focus.reference = "https://ehr.example.org/fhir/ServiceRequest/wf-referral-declined"
* status = #rejected
* statusReason = SPLinkStatusReasonCS#patient-declined "Person declined social prescribing"
* businessStatus = SPLinkBusinessStatusCS#first-contact-made "First contact made"
* lastModified = "2026-03-04T11:00:00Z"

Instance: wf-task-cancelled
InstanceOf: SPLinkReferralTask
Title: "Workflow: Task cancelled after the GP revoked the referral"
Usage: #example
* insert TaskCore
* identifier.value = "SPL-2026-000125"
* focus.reference = "https://ehr.example.org/fhir/ServiceRequest/wf-referral-cancelled"
* status = #cancelled
* statusReason = SPLinkStatusReasonCS#gp-cancelled "Cancelled by the referrer"
* lastModified = "2026-03-05T08:45:00Z"
