package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/interdict/interdict/internal/analysis/exposure"
	"github.com/interdict/interdict/internal/analysis/trace"
	"github.com/interdict/interdict/internal/serve/auth"
)

// ExposureService scores an address's exposure on a chain (btc, eth).
// Errors wrap exposure.ErrBadRequest for a bad request and trace.ErrNotFound
// for an address neither indexed nor tagged.
type ExposureService interface {
	Exposure(ctx context.Context, chain string, req exposure.Request) (*exposure.Report, error)
}

var errExposureOff = fmt.Errorf("%w: exposure scoring is not configured on this server (no chain index)", errNotReady)

func (s *server) registerExposure() {
	s.handle("POST /v1/exposure", auth.RoleScreener, s.exposure)
}

// ExposureRequest is the body of POST /v1/exposure.
type ExposureRequest struct {
	Chain string `json:"chain"`
	exposure.Request
}

func (s *server) exposure(w http.ResponseWriter, r *http.Request) error {
	if s.deps.Exposure == nil {
		return errExposureOff
	}
	if err := requireJSON(r); err != nil {
		return err
	}
	var req ExposureRequest
	if err := decodeStrict(r.Body, &req); err != nil {
		return err
	}
	switch req.Chain {
	case "btc", "eth":
	default:
		return fmt.Errorf("%w: chain %q: want btc or eth", ErrInvalidRequest, truncate(req.Chain, 20))
	}
	a, err := checkText(req.Address, s.cfg.Screen.MaxAddressLen)
	if err != nil {
		return fmt.Errorf("%w: address: %v", ErrInvalidRequest, err)
	}
	req.Address = a
	stateOf(r).target = req.Chain + ":" + a
	rep, err := s.deps.Exposure.Exposure(r.Context(), req.Chain, req.Request)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rep)
	return nil
}

// maxScreenExposures caps the addresses of one screening request that get
// an exposure section: each is two traces.
const maxScreenExposures = 20

// ScreenExposure is one address's exposure in a screening answer.
type ScreenExposure struct {
	Address string           `json:"address"`
	Chain   string           `json:"chain"`
	Report  *exposure.Report `json:"report,omitempty"`
	Error   string           `json:"error,omitempty"`
}

// screenExposure scores the screened addresses (POST /v1/screen with
// "exposure": true). The chain is told by the address's form (0x: eth).
// An address the index does not know gets an error entry, not a failed call.
func (s *server) screenExposure(ctx context.Context, addrs []string) ([]ScreenExposure, error) {
	if s.deps.Exposure == nil {
		return nil, errExposureOff
	}
	if len(addrs) > maxScreenExposures {
		return nil, fmt.Errorf("%w: exposure is scored for at most %d addresses per request, not %d", ErrBatchTooLarge, maxScreenExposures, len(addrs))
	}
	out := make([]ScreenExposure, 0, len(addrs))
	for _, a := range addrs {
		c := "btc"
		if strings.HasPrefix(strings.ToLower(a), "0x") {
			c = "eth"
		}
		e := ScreenExposure{Address: a, Chain: c}
		rep, err := s.deps.Exposure.Exposure(ctx, c, exposure.Request{Address: a})
		switch {
		case errors.Is(err, trace.ErrNotFound):
			e.Error = "the address is neither in the chain index nor tagged"
		case errors.Is(err, exposure.ErrBadRequest), errors.Is(err, trace.ErrBadRequest):
			e.Error = "the address cannot be scored"
		case err != nil:
			return nil, err
		default:
			e.Report = rep
		}
		out = append(out, e)
	}
	return out, nil
}
