export { CDS_BASE_PATH, SERVICE_ID, createCdsRouter, discoveryDocument, type CdsServiceOptions } from './service.js';
export { needFromAppContext, type Card, type ReferAppContext } from './card.js';
export { PREFETCH, substituteTokens } from './prefetch.js';
