// Command interdict is Interdict's one binary: it loads sanctions lists, screens
// addresses and names, and serves the authenticated HTTP API.
//
// Exit codes:
//
//	0   success (also when a screen finds hits, unless --fail-on-hit)
//	1   failure: I/O, store or network error
//	2   usage error: unknown command or flag, bad argument
//	3   screen found at least one hit and --fail-on-hit was given
//	4   not found: unknown list version, key or block
//	5   already done: the list version is already loaded
//	6   refused: a signed record (flag, revocation, amendment) failed verification
//	    or conflicts with an earlier one (bad signature, unknown issuer, issuer
//	    not authorised, expired, replay); the reason is printed
//	65  malformed input (EX_DATAERR): a list file that does not parse
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/interdict/interdict/internal/action/deliver"
	"github.com/interdict/interdict/internal/action/deliver/hubfilter"
	"github.com/interdict/interdict/internal/action/notify"
	"github.com/interdict/interdict/internal/action/share/taxii"
	"github.com/interdict/interdict/internal/action/watch"
	"github.com/interdict/interdict/internal/analysis/trace"
	"github.com/interdict/interdict/internal/index/bitcoin"
	"github.com/interdict/interdict/internal/index/ethereum"
	"github.com/interdict/interdict/internal/index/lists"
	"github.com/interdict/interdict/internal/index/tags"
	"github.com/interdict/interdict/internal/serve/auth"
	"github.com/interdict/interdict/internal/sources/intel"
	"github.com/interdict/interdict/internal/sources/sanctions"
)

// Exit codes; see the package comment.
const (
	exitOK        = 0
	exitFailure   = 1
	exitUsage     = 2
	exitHit       = 3
	exitNotFound  = 4
	exitExists    = 5
	exitRefused   = 6
	exitMalformed = 65
)

// usageError marks errors caused by how the command was called.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// errHit is returned by screen with --fail-on-hit when something matched.
var errHit = errors.New("screening found a hit")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := newRootCmd().ExecuteContext(ctx)
	stop()
	os.Exit(exitCode(err))
}

func exitCode(err error) int {
	if err == nil {
		return exitOK
	}
	var ue usageError
	switch {
	case errors.Is(err, errHit):
		return exitHit
	case errors.As(err, &ue):
		fmt.Fprintln(os.Stderr, "interdict:", err)
		return exitUsage
	case errors.Is(err, lists.ErrNotFound), errors.Is(err, auth.ErrNotFound), errors.Is(err, bitcoin.ErrNotFound),
		errors.Is(err, ethereum.ErrNotFound), errors.Is(err, taxii.ErrNotFound), errors.Is(err, tags.ErrNotFound), errors.Is(err, trace.ErrNotFound),
		errors.Is(err, notify.ErrNotFound), errors.Is(err, deliver.ErrNotFound), errors.Is(err, hubfilter.ErrNotFound),
		errors.Is(err, watch.ErrNotFound):
		fmt.Fprintln(os.Stderr, "interdict:", err)
		return exitNotFound
	case errors.Is(err, lists.ErrExists), errors.Is(err, notify.ErrExists):
		fmt.Fprintln(os.Stderr, "interdict:", err)
		return exitExists
	case errors.Is(err, sanctions.ErrMalformed), errors.Is(err, taxii.ErrInvalid), errors.Is(err, tags.ErrMalformed),
		errors.Is(err, intel.ErrMalformed), errors.Is(err, notify.ErrMalformed), errors.Is(err, notify.ErrTooLarge),
		errors.Is(err, hubfilter.ErrMalformed):
		fmt.Fprintln(os.Stderr, "interdict:", err)
		return exitMalformed
	case errors.Is(err, notify.ErrBadSignature), errors.Is(err, notify.ErrUnknownIssuer), errors.Is(err, notify.ErrNotAuthorised),
		errors.Is(err, notify.ErrExpired), errors.Is(err, notify.ErrConflict):
		fmt.Fprintln(os.Stderr, "interdict:", err)
		return exitRefused
	}
	fmt.Fprintln(os.Stderr, "interdict:", err)
	return exitFailure
}
