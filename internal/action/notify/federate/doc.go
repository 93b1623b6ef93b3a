// Package federate carries signed notify records (flags, revocations,
// amendments) between Interdict instances as STIX 2.1 indicators over TAXII
// 2.1.
//
// A record becomes an indicator whose id is derived from the issuer and the
// flag id (UUIDv5), so a flag, its amendments and its revocation are
// versions of one STIX object. The signed envelope travels verbatim in a
// property extension (ExtensionID); a receiver believes only the envelope,
// after checking that the indicator's other properties agree with it.
//
// Delivery is at least once: every local record is queued per subscribed
// peer in an outbox (Store) and pushed to the peer's flags collection,
// retried with exponential back-off and jitter until delivered or dead;
// peers are also pulled with added_after paging; and records posted to our
// own TAXII flags collection are read after a cursor by the inbox. Pushed
// and pulled records take the same path to the Acceptor, whose Accept must
// be idempotent. A Runner runs the three loops.
package federate
