// Package deliver hands alerts to the systems that act on them: signed
// webhooks with retries and dead letters, and a Server-Sent Events feed.
// Its sub-package hubfilter publishes, per block, the newly tainted
// addresses as a compact probabilistic filter for members without a chain
// index.
//
// # The alert log
//
// Alerts reach delivery through an Outbox, the state store's deliver_events
// table: each alert is published once under its own id and numbered in the
// order of publication (commit order, also on PostgreSQL), so the numbers
// serve as webhook cursors and SSE event ids. The watch store can publish
// inside its block commit; `serve` meanwhile feeds it from the watch store's
// alerts every second.
//
// # Webhooks
//
// Every registered endpoint has a cursor: the id of the last alert queued for
// it. The Dispatcher reads alerts after the cursor from an AlertSource,
// queues one delivery per endpoint and alert (the cursor moves in the same
// transaction), and POSTs each due delivery. A delivery is retried with
// exponential back-off and full jitter until it succeeds (any 2xx) or its
// max age has passed; then it is dead and waits for `interdict webhooks
// retry`. Every attempt is a row in the state store. A crash between sending
// and recording an attempt sends the delivery again after its lease ends:
// delivery is at least once, and receivers deduplicate by Idempotency-Key.
//
// A request carries:
//
//	Content-Type:          application/json
//	Idempotency-Key:       <endpoint id>:<alert id>   (the same on every retry)
//	Interdict-Event-Id:    <alert id>
//	Interdict-Timestamp:   <unix seconds of this attempt>
//	Interdict-Signature:   t=<unix seconds>,v1=<hex HMAC-SHA256>
//
// The signature is HMAC-SHA256 keyed with the endpoint's secret (the bytes of
// the string `interdict webhooks add` printed or read from --secret-file)
// over the timestamp in decimal, a full stop, and the raw body:
//
//	v1 = hex(HMAC-SHA256(secret, "<t>" + "." + body))
//
// as in Stripe's scheme. A receiver recomputes it over the body bytes it
// received, compares in constant time, and refuses timestamps older than a
// tolerance (five minutes is usual) so a captured request cannot be
// replayed later; Verify does all of this.
//
// Secrets are stored sealed (AES-256-GCM, bound to the endpoint id) with a
// key kept outside the database (Sealer; `interdict` keeps it in
// webhooks.key in the data dir), never listed and never logged.
//
// # Server-Sent Events
//
// Stream follows the AlertSource from a given id, wakes up on Notify or
// every poll interval, and sends heartbeats while idle; the API serves it at
// GET /v1/alerts/stream with the alert id as the event id, so a client
// resumes with Last-Event-ID.
package deliver
