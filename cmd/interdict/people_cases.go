package main

import "github.com/spf13/cobra"

// workflowCmds are the people subcommands for cases, re-screening, role
// gating and sharing (people_cases.go, people_gate.go, people_share.go).
func (pc *peopleCmd) workflowCmds() []*cobra.Command {
	return nil
}
