package api

// taxiiPattern is where the TAXII 2.1 server is mounted.
const taxiiPattern = "/taxii2/"

// mountTAXII serves /taxii2/ with Deps.TAXII when it is set. The TAXII
// handler authenticates its own callers (HTTP Basic with the key as
// password, or Bearer), checks rights per collection and answers the TAXII
// error resource, so the route is public at this layer; the outer layer
// still gives it a request id, the body limit, the request log and the
// metrics. It is left out of openapi.json: the TAXII 2.1 standard describes
// it.
func (s *server) mountTAXII() {
	if s.deps.TAXII == nil {
		return
	}
	s.routes[taxiiPattern] = ""
	s.mux.Handle(taxiiPattern, s.deps.TAXII)
}
