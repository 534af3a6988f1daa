Profile: SPLinkProvenance
Parent: Provenance
Id: sp-link-provenance
Title: "SP Link Provenance"
Description: "Recorded with every write SP Link makes: what was written (target), when, by whom or on whose behalf (agent: the GP or the SP Link service), and from which source (entity: the Task version the change came from)."
* target 1..* MS
* recorded 1..1 MS
* activity 1..1 MS
* activity from SPLinkProvenanceActivityVS (required)
* agent 1..* MS
* agent.type 1..1 MS
* agent.type from SPLinkProvenanceAgentTypeVS (required)
* agent.who MS
* agent.who only Reference(Practitioner or PractitionerRole or Organization or Device or Patient)
* agent.who ^short = "The GP, link worker or service; for a self-referral the person (Patient) who made it; SP Link itself (Device)"
* agent.onBehalfOf MS
* agent.onBehalfOf only Reference(Organization)
* entity MS
* entity.role = #source
* entity.what MS
* entity.what.reference 1..1
* entity.what ^short = "Versioned absolute URL of the source resource, e.g. the Task/_history/<version>"
