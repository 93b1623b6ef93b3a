// Package intel reads threat-intelligence catalogues about actors: MITRE
// ATT&CK as a STIX 2.1 bundle (intrusion sets, campaigns, malware, tools,
// techniques and the relationships between them) and MISP galaxies (the
// threat-actor and Malpedia clusters), and joins them in a Catalog that
// answers "what do we know about this actor": aliases, software, techniques
// and related actors, each with the source that says so.
//
// Names are resolved the way the tag store resolves actors (case and runs of
// white space ignored): a primary name before an alias, and an alias shared
// by several actors is reported as such, never silently merged.
package intel
