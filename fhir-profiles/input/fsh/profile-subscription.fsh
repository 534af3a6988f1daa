Profile: SPLinkSubscription
Parent: Subscription
Id: sp-link-subscription
Title: "SP Link Subscription"
Description: "The rest-hook Subscription SP Link creates at a link-worker service so Task changes arrive quickly; cursor polling remains the safety net."
* obeys spl-sub-1
* status MS
* reason MS
* criteria MS
* criteria ^short = "Task search, e.g. Task?owner=Organization/123"
* end MS
* channel.type = #rest-hook
* channel.endpoint 1..1 MS
* channel.payload 1..1 MS
* channel.payload = #application/fhir+json
* channel.header MS
