export { DbFhirRepository, openFhirStore, DEFAULT_SEARCH_COUNT } from './repository.js';
export type { ChangeInteraction, CommittedChange, ConsumerLease, FhirStoreOptions } from './repository.js';
export { historyBundle, type HistoryItem } from './history.js';
export { valueInterval } from './date-interval.js';
export { ChangeReader, type ChangeReaderOptions } from './change-reader.js';
export { serialiseConditionalBundles } from './conditional-bundles.js';
