export * from './match.js';
export { nameKey, nameParts, postcodeKey, fullDate } from './normalise.js';
export { candidateSearches, findCandidates, matchInEhr, SEARCH_PAGE, type CandidateSet } from './patient-search.js';
