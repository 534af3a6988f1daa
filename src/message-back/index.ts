export { COMPLETION_SECTION_ORDER, SECTION_HEADINGS, messageBackText, type MessageBack, type MessageSection } from './document.js';
export { composeMessageBack, outcomeLine, type MessageFacts } from './compose.js';
export { messageNarrative, messagePayloads, readMessageBack, referencePayload, sectionTag } from './fhir.js';
export { escapeXml, renderMessageBackXhtml, XHTML_NS, type RenderOptions } from './render.js';
