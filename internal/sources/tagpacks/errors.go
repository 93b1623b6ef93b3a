// Package tagpacks decodes GraphSense attribution data: TagPacks (address tags
// whose header fields are inherited by every tag), ActorPacks (actors with
// aliases, jurisdictions and categories) and the taxonomies they refer to
// (confidence levels, concepts, countries). It only decodes and validates;
// storing and resolving actors is internal/index/tags' job.
//
// Every decoded tag and actor keeps its provenance: the file name given by the
// caller and the line of its entry in the YAML. Errors name the same file and
// line, so a bad pack is reported as "file:line: what is wrong".
package tagpacks

import (
	"errors"
	"fmt"
)

// Sentinel errors; every parse or validation error wraps ErrMalformed and, where
// it applies, one of the others.
var (
	// ErrMalformed wraps every error about the content of a file (as opposed to
	// an I/O failure), so callers can map it to "bad input".
	ErrMalformed = errors.New("malformed tag data")
	// ErrMissingField is a mandatory field absent from a tag or actor even
	// after header inheritance.
	ErrMissingField = errors.New("missing mandatory field")
	// ErrUnknownConfidence is a confidence id that the confidence taxonomy
	// does not define.
	ErrUnknownConfidence = errors.New("unknown confidence")
	// ErrUnknownConcept is a category, abuse or concept outside the concept
	// taxonomy (an error only in strict validation; a warning otherwise).
	ErrUnknownConcept = errors.New("unknown concept")
)

// Error is a problem at one place of one file.
type Error struct {
	File string
	Line int // 1-based; 0 if unknown
	Msg  string
	Err  error // a sentinel above, or the decoder's error
}

func (e *Error) Error() string {
	loc := e.File
	if loc == "" {
		loc = "<input>"
	}
	if e.Line > 0 {
		loc = fmt.Sprintf("%s:%d", loc, e.Line)
	}
	if e.Err != nil && !errors.Is(e.Err, ErrMalformed) && e.Msg != "" {
		return fmt.Sprintf("%s: %s: %v", loc, e.Msg, e.Err)
	}
	if e.Msg == "" && e.Err != nil {
		return fmt.Sprintf("%s: %v", loc, e.Err)
	}
	return fmt.Sprintf("%s: %s", loc, e.Msg)
}

// Unwrap gives both the specific cause and ErrMalformed.
func (e *Error) Unwrap() []error { return []error{e.Err, ErrMalformed} }

func errorf(file string, line int, sentinel error, format string, args ...any) *Error {
	return &Error{File: file, Line: line, Msg: fmt.Sprintf(format, args...), Err: sentinel}
}

// Warning is a problem that does not stop an import (an unknown concept in
// lenient validation, a defaulted confidence).
type Warning struct {
	File string `json:"file"`
	Line int    `json:"line"`
	Msg  string `json:"message"`
}

func (w Warning) String() string {
	if w.Line == 0 {
		return fmt.Sprintf("%s: %s", w.File, w.Msg)
	}
	return fmt.Sprintf("%s:%d: %s", w.File, w.Line, w.Msg)
}
