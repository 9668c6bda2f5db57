package talkfeed

import (
	"cmp"
	"fmt"
	"slices"
)

// Severity ranks a diagnostic.
type Severity string

const (
	// SeverityError means the page, or the field, could not be used.
	SeverityError Severity = "error"
	// SeverityWarning means the page was used but something in it was
	// guessed, repaired or dropped.
	SeverityWarning Severity = "warning"
	// SeverityNotice is information, such as a page skipped because it is
	// not a talk.
	SeverityNotice Severity = "notice"
)

// Diagnostic is one problem found in the content, addressed the way
// compilers do so that editors and CI annotations can jump to it.
type Diagnostic struct {
	File     string   `json:"file"`
	Line     int      `json:"line,omitempty"`
	Column   int      `json:"column,omitempty"`
	Severity Severity `json:"severity"`
	Message  string   `json:"message"`
}

// String formats the diagnostic as `path:line[:col]: severity: message`.
func (d Diagnostic) String() string {
	pos := d.File
	if d.Line > 0 {
		pos = fmt.Sprintf("%s:%d", pos, d.Line)
		if d.Column > 0 {
			pos = fmt.Sprintf("%s:%d", pos, d.Column)
		}
	}
	return fmt.Sprintf("%s: %s: %s", pos, d.Severity, d.Message)
}

// SortDiagnostics orders diagnostics by file, line and column, keeping the
// order of those at one position.
func SortDiagnostics(ds []Diagnostic) {
	slices.SortStableFunc(ds, func(a, b Diagnostic) int {
		return cmp.Or(
			cmp.Compare(a.File, b.File),
			cmp.Compare(a.Line, b.Line),
			cmp.Compare(a.Column, b.Column),
		)
	})
}

// DiagnosticCounts tallies diagnostics by severity.
type DiagnosticCounts struct {
	Errors, Warnings, Notices int
}

// CountDiagnostics tallies ds by severity.
func CountDiagnostics(ds []Diagnostic) DiagnosticCounts {
	var c DiagnosticCounts
	for _, d := range ds {
		switch d.Severity {
		case SeverityError:
			c.Errors++
		case SeverityWarning:
			c.Warnings++
		default:
			c.Notices++
		}
	}
	return c
}
