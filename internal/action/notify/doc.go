// Package notify is the illicit-address notification network's core: an
// instance's signing identity, the members it knows, and signed records —
// flags on addresses, transactions or outputs, their revocations and
// amendments — with the checks a record must pass before it is believed.
//
// A record travels as an Envelope: the record's canonical JSON (the exact
// bytes signed), the signer's key id, and an Ed25519 signature over a
// domain-separated message. A receiver verifies the bytes it was given, then
// decodes them strictly and re-encodes them; a payload that is not in
// canonical form is refused, so one record has one byte form and one id
// means one content.
package notify
