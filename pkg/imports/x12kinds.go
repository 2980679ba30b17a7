package imports

import (
	"bytes"
	"errors"
	"io"
	"strings"

	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/records"
	"github.com/backdesk/backdesk/pkg/records/recordcsv"
	"github.com/backdesk/backdesk/pkg/x12"
)

// The import kinds that carry payers' X12 files rather than a practice
// system's CSV export.
const (
	KindERA835         records.Kind = "era835"         // 835 remittance advice
	KindClaimStatus277 records.Kind = "claimstatus277" // 277 or 277CA claim status
)

// PresetX12 is the preset recorded for X12 imports, which need none.
const PresetX12 recordcsv.Preset = "x12"

// transactionCode is the ST01 each X12 kind holds.
var transactionCode = map[records.Kind]string{KindERA835: "835", KindClaimStatus277: "277"}

// IsX12 reports whether kind is read as an X12 file.
func IsX12(kind records.Kind) bool { _, ok := transactionCode[kind]; return ok }

// validateX12 checks an X12 upload's options and the start of its file:
// a readable ISA, and the first transaction set of the kind's type when it
// is within head. The rest is checked when the import runs.
func validateX12(kind records.Kind, u Upload, head []byte) error {
	if p := strings.TrimSpace(u.Preset); p != "" && p != string(PresetX12) {
		return apperr.Invalid("preset", "invalid_preset", "X12 files take no preset")
	}
	if strings.TrimSpace(u.Mapping) != "" {
		return apperr.Invalid("mapping", "invalid_mapping", "X12 files take no mapping")
	}
	// A head shorter than headBytes is the whole file: check all of it.
	whole := len(head) < headBytes
	rd := x12.NewReader(bytes.NewReader(head))
	for {
		seg, err := rd.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			var se *x12.SyntaxError
			if whole || !errors.As(err, &se) || se.Pos.Segment <= 1 {
				return x12FileError(err)
			}
			return nil // head ends mid-file; the run reads the rest
		}
		if seg.ID == "ST" {
			if want := transactionCode[kind]; seg.Element(1) != want {
				return apperr.Invalid("file", "wrong_transaction_set",
					"the file holds %s transaction sets, not %s: choose the import kind that matches", safeCode(seg.Element(1)), want)
			}
			if !whole {
				return nil
			}
		}
	}
}

// safeCode keeps a transaction set code short and printable for a message.
func safeCode(s string) string {
	if len(s) > 6 {
		s = s[:6]
	}
	return strings.Map(func(r rune) rune {
		if r < '0' || r > 'z' {
			return '?'
		}
		return r
	}, s)
}

// x12FileError turns a reading problem into an input error on the file
// field; its message names the segment and element, never a value.
func x12FileError(err error) error {
	var se *x12.SyntaxError
	if errors.As(err, &se) {
		return &apperr.Error{Kind: apperr.KindInvalid, Code: "x12_syntax", Field: "file", Message: se.Error()}
	}
	return apperr.Invalid("file", "unreadable", "the file cannot be read as X12")
}
