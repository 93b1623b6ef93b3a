package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	vet "github.com/interdict/interdict/internal/analysis/people"
	"github.com/interdict/interdict/internal/index/people"
)

// maxLogFile bounds a log file read at once.
const maxLogFile = 256 << 20

func (pc *peopleCmd) logsCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "logs",
		Short: "Login and activity logs (IdP, VPN, GitHub): import them for the log rules",
	}
	var format string
	imp := &cobra.Command{
		Use:   "import FILE [--format csv|json]",
		Short: "Import login and activity events (all or none) and print the persons the log rules flag",
		Long: `Import events from FILE, CSV with a header row or JSON (an array or one object per
line), with these fields (unknown ones are refused):

  time             RFC 3339, required
  person           the interdict person id, or else
  email            an email of the person (matched by its keyed hash)
  source           idp, vpn or github (required)
  event            login, activity, commit or account (required)
  ip               the IP the event came from (stored as a keyed hash)
  country          ISO 3166 alpha-2 code the IP geolocates to
  asn              the IP's autonomous system (AS13335)
  github_login     the GitHub login seen (stored as a keyed hash)
  account_created  RFC 3339: the GitHub account's creation (account events)

Rules (people screen runs them too): PPL-LOG-TRAVEL sign-ins from two countries
within 3 hours; PPL-LOG-SHARED-IP an IP other persons used (info from 10 persons:
shared infrastructure); PPL-LOG-HOURS most activity between 00:00 and 05:59 in the
claimed time zone (a time_zone identifier); PPL-LOG-HOSTING sign-ins from hosting,
cloud or VPN-egress networks (a curated list); PPL-GITHUB-YOUNG commits dated before
the GitHub account was created; PPL-GITHUB-HANDLE activity under several logins.
A bad record stops the import with exit code 65 and its record number.`,
		Args: withArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			recs, err := readLogFile(args[0], format)
			if err != nil {
				return peopleInput{err}
			}
			return pc.run(cmd, func(ctx context.Context, a *app, svc *vet.Service) error {
				es, ok := a.store.(people.EventStore)
				if !ok {
					return fmt.Errorf("the state store %T keeps no log events", a.store)
				}
				ids, err := svc.ImportLogs(ctx, es, recs)
				if errors.Is(err, people.ErrLogs) {
					return peopleInput{err}
				}
				if err != nil {
					return err
				}
				rules := vet.NewLogRules(vet.DefaultLogConfig())
				var flagged []vet.Assessment
				for _, id := range ids {
					as, p, err := svc.Assess(ctx, id)
					if err != nil {
						return err
					}
					sig, err := vet.LogSignals(ctx, es, rules, &p)
					if err != nil {
						return err
					}
					if vet.Flagged(sig) {
						as.AddSignals(sig)
						flagged = append(flagged, as)
					}
				}
				summary := struct {
					Events  int              `json:"events"`
					Persons int              `json:"persons"`
					Flagged []vet.Assessment `json:"flagged"`
				}{len(recs), len(ids), flagged}
				return a.emit(summary, func(w *tabwriter.Writer) {
					fmt.Fprintf(w, "imported %d events of %d persons, flagged by the log rules %d\n", len(recs), len(ids), len(flagged))
					writeFlagged(w, flagged)
				})
			})
		},
	}
	imp.Flags().StringVar(&format, "format", "", "csv or json (default: from the file's extension)")
	cmd.AddCommand(imp)
	return cmd
}

func readLogFile(path, format string) ([]people.LogRecord, error) {
	if format == "" {
		switch strings.ToLower(filepath.Ext(path)) {
		case ".csv":
			format = "csv"
		case ".json", ".jsonl", ".ndjson":
			format = "json"
		default:
			return nil, fmt.Errorf("%s: give --format csv or json", path)
		}
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxLogFile+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(b) > maxLogFile {
		return nil, fmt.Errorf("%s: larger than %d MiB: split it", path, maxLogFile>>20)
	}
	recs, err := people.ParseLogs(strings.NewReader(string(b)), format)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return recs, nil
}

// screenLogs adds the log signals of p to as when the store keeps events.
func screenLogs(ctx context.Context, a *app, rules *vet.LogRules, as *vet.Assessment, p *people.Person) error {
	es, ok := a.store.(people.EventStore)
	if !ok {
		return nil
	}
	sig, err := vet.LogSignals(ctx, es, rules, p)
	if err != nil {
		return err
	}
	as.AddSignals(sig)
	return nil
}
