Instance: wf-provenance-completed
InstanceOf: SPLinkProvenance
Title: "Workflow: Provenance of the completion write-back"
Usage: #example
* target[0] = Reference(ServiceRequest/referral-example)
* target[1] = Reference(Observation/wf-outcome-swemwbs-final)
* target[2] = Reference(Communication/wf-communication-completed)
* recorded = "2026-05-15T16:00:30Z"
* activity = $data-operation#UPDATE "revise"
* agent[0].type = $participant-type#performer "Performer"
* agent[0].who.reference = "Device/sp-link"
* agent[0].who.display = "SP Link reconciler"
* agent[1].type = $participant-type#author "Author"
* agent[1].who.reference = "https://lw.example.org/fhir/PractitionerRole/lw-1"
* agent[1].onBehalfOf.reference = "https://lw.example.org/fhir/Organization/lw-org"
* entity[0].role = #source
* entity[0].what.reference = "https://lw.example.org/fhir/Task/lw-task-77/_history/5"

Instance: wf-provenance-referral
InstanceOf: SPLinkProvenance
Title: "Workflow: Provenance of the GP's referral"
Usage: #example
* target[0] = Reference(ServiceRequest/referral-example)
* recorded = "2026-03-02T09:12:00Z"
* activity = $data-operation#CREATE "create"
* agent[0].type = $participant-type#author "Author"
* agent[0].who = Reference(Practitioner/gp-1)
* agent[1].type = $participant-type#assembler "Assembler"
* agent[1].who.reference = "Device/sp-link"

Instance: wf-provenance-cancelled
InstanceOf: SPLinkProvenance
Title: "Workflow: Provenance of the Task cancellation after the GP revoked"
Usage: #example
* target[0].reference = "https://lw.example.org/fhir/Task/lw-task-79"
* recorded = "2026-03-05T08:45:00Z"
* activity = $data-operation#UPDATE "revise"
* agent[0].type = $participant-type#author "Author"
* agent[0].who = Reference(Practitioner/gp-1)
* agent[1].type = $participant-type#performer "Performer"
* agent[1].who.reference = "Device/sp-link"
* entity[0].role = #source
* entity[0].what.reference = "https://ehr.example.org/fhir/ServiceRequest/wf-referral-cancelled/_history/3"

Instance: flag-safeguarding-example
InstanceOf: SPLinkFlag
Title: "Flag: safeguarding concern raised by the link worker"
Usage: #example
* extension[referral].valueReference = Reference(ServiceRequest/referral-example)
* identifier.system = "https://fhir.sp-link.example.org/Id/flag"
* identifier.value = "lw-task-77:3:safeguarding-concern"
* status = #active
* code = SPLinkFlagCodeCS#safeguarding-concern "Safeguarding concern raised by social prescribing"
* insert PatientRef(subject)
* period.start = "2026-03-20T14:30:00Z"
* author.reference = "Organization/lw-org"

Instance: wf-flag-declined
InstanceOf: SPLinkFlag
Title: "Workflow: Flag for a declined referral"
Usage: #example
* extension[referral].valueReference = Reference(ServiceRequest/wf-referral-declined)
* identifier.system = "https://fhir.sp-link.example.org/Id/flag"
* identifier.value = "lw-task-78:2:referral-declined"
* status = #active
* code = SPLinkFlagCodeCS#referral-declined "Social prescribing referral declined"
* insert PatientRef(subject)
* period.start = "2026-03-04T11:00:30Z"
* author.reference = "Organization/lw-org"

Instance: subscription-example
InstanceOf: SPLinkSubscription
Title: "Subscription SP Link creates at a link-worker service"
Usage: #example
* status = #requested
* reason = "SP Link: referral Task changes"
* criteria = "Task?owner=Organization/lw-org"
* channel.type = #rest-hook
* channel.endpoint = "https://sp-link.example.org/hooks/fhir/lw"
* channel.payload = #application/fhir+json
* channel.header[0] = "Authorization: Bearer {{secret from configuration}}"

Instance: hs-walking-group
InstanceOf: HealthcareService
Title: "Directory service with its capacity"
Description: "A community service in the directory; the service-capacity extension tells the GP whether it is taking referrals and how long people wait."
Usage: #example
* extension[0].url = "https://fhir.sp-link.example.org/StructureDefinition/service-capacity"
* extension[0].extension[0].url = "acceptingReferrals"
* extension[0].extension[0].valueBoolean = true
* extension[0].extension[1].url = "waitDays"
* extension[0].extension[1].valueInteger = 10
* extension[0].extension[2].url = "asOf"
* extension[0].extension[2].valueDateTime = "2026-03-01T09:00:00Z"
* active = true
* providedBy.identifier.system = $ods
* providedBy.identifier.value = "X9Z8Y"
* type = SPLinkServiceTypeCS#physical-activity "Physical activity programme"
* name = "Riverside walking group"
