// Package pattern parses and evaluates STIX 2.1 patterns (STIX 2.1
// section 9), the language of indicator objects with pattern_type "stix".
//
// The grammar (grammar.go) is built with participle from the specification's
// ANTLR grammar: comparison operators =, !=, <, <=, >, >=, IN, LIKE, MATCHES,
// ISSUBSET, ISSUPERSET and EXISTS, each negatable with NOT; AND/OR inside an
// observation and between observations; FOLLOWEDBY; the qualifiers WITHIN,
// REPEATS and START/STOP; object paths with [*] and [n] list steps, quoted
// property names and dereferenced _ref/_refs properties; string, integer,
// float, boolean, t'timestamp', h'hex' and b'base64' constants.
//
// Parse checks what the grammar cannot (operand types, regular expressions,
// CIDR blocks, timestamps) and returns a Pattern whose Match evaluates it
// against observations: SCOs (as decoded JSON) with the time span they were
// seen in. Index holds many patterns and finds, for one observation, the
// candidates by object type and an equality key before evaluating them, so a
// lookup does not scan every indicator.
//
// Evaluation choices where the specification leaves room: comparisons under
// a "hashes" property ignore case; MATCHES uses Go's RE2 syntax (PCRE
// back-references and look-arounds are rejected at Parse); a comparison with
// a property of another JSON type is false, as is one with a missing
// property, with or without NOT.
package pattern
