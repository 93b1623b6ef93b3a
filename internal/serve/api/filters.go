package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/interdict/interdict/internal/action/deliver/hubfilter"
	"github.com/interdict/interdict/internal/serve/auth"
)

// FilterSource hands out the hub's per-block filters (hubfilter.Hub does).
type FilterSource interface {
	Filter(ctx context.Context, chain string, height int64) (*hubfilter.Encoded, error)
}

// errFiltersOff: the server is not a hub.
var errFiltersOff = fmt.Errorf("%w: this server publishes no hub filters", errNotReady)

// registerFilters serves GET /v1/filters/{chain}/{height} to every member
// key: a member without a chain index checks its addresses against it.
func (s *server) registerFilters() {
	s.handle("GET /v1/filters/{chain}/{height}", auth.RoleScreener, s.hubFilter)
}

func (s *server) hubFilter(w http.ResponseWriter, r *http.Request) error {
	if s.deps.Filters == nil {
		return errFiltersOff
	}
	chainName := r.PathValue("chain")
	height, err := strconv.ParseInt(r.PathValue("height"), 10, 64)
	if err != nil || height < 0 {
		return fmt.Errorf("%w: height %q is not a block height", ErrInvalidRequest, truncate(r.PathValue("height"), 40))
	}
	if err := hubfilter.CheckChain(chainName); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidRequest, err)
	}
	e, err := s.deps.Filters.Filter(r.Context(), chainName, height)
	switch {
	case errors.Is(err, hubfilter.ErrNotFound):
		// Not in the shared error table (errors.go): answered here.
		stateOf(r).cause = err
		writeJSON(w, http.StatusNotFound, errorBody{Error: errorDetail{Code: "not_found",
			Message: "no filter for that block yet: the hub has not processed it", RequestID: stateOf(r).id}})
		return nil
	case errors.Is(err, hubfilter.ErrInvalid):
		return fmt.Errorf("%w: %w", ErrInvalidRequest, err)
	case err != nil:
		return err
	}
	h := w.Header()
	h.Set("Content-Type", hubfilter.MediaType)
	h.Set(hubfilter.HeaderVersion, strconv.Itoa(hubfilter.Version))
	h.Set(hubfilter.HeaderFPRate, strconv.FormatFloat(e.FPRate(), 'g', 6, 64))
	h.Set(hubfilter.HeaderCount, strconv.Itoa(e.Count))
	h.Set("Content-Length", strconv.Itoa(len(e.Bytes)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(e.Bytes)
	return nil
}
