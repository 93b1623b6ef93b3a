// Package lint holds the repository's checkable style rules as tests: every
// package has a doc comment, the grouping folders hold no Go code, and the
// dependency rules of STYLE.md hold (sources import only chain and upstream
// libraries; analysis never imports serve, store or net/http; only
// cmd/interdict imports concrete store backends).
package lint
