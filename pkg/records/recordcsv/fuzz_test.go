package recordcsv

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/records"
	"github.com/backdesk/backdesk/pkg/records/recordcsv/cell"
	"github.com/stretchr/testify/require"
)

const fuzzMaxErrors = 25

// FuzzReader feeds arbitrary bytes to every kind under every preset. kind
// and preset pick from records.Kinds and the system presets. Whatever the
// input, the reader must not panic, must keep its error list bounded and
// its counters consistent, and must never put a cell into a message.
func FuzzReader(f *testing.F) {
	inputs, err := filepath.Glob(filepath.Join("testdata", "*.csv"))
	require.NoError(f, err)
	for _, in := range inputs {
		data, err := os.ReadFile(in)
		require.NoError(f, err)
		kind := strings.SplitN(filepath.Base(in), "_", 2)[0]
		for i, k := range records.Kinds {
			if string(k) == kind {
				f.Add(data, uint8(i), uint8(0))
			}
		}
	}
	presetList := []Preset{PresetCanonical, PresetOpenDental, PresetDentrix, PresetEaglesoft}
	f.Fuzz(func(t *testing.T, data []byte, kind, preset uint8) {
		opts := Options{
			Kind:         records.Kinds[int(kind)%len(records.Kinds)],
			Preset:       presetList[int(preset)%len(presetList)],
			MaxRowErrors: fuzzMaxErrors,
		}
		cells := cellsOf(data)
		r, err := NewReader(bytes.NewReader(data), opts)
		if err != nil {
			var fe *FileError
			require.ErrorAs(t, err, &fe)
			requireNoEcho(t, fe.Message, cells)
			return
		}
		valid, lastLine := 0, 0
		for {
			row, err := r.Next()
			if errors.Is(err, io.EOF) {
				require.Equal(t, r.Read(), valid+r.Rejected())
				break
			}
			if err != nil {
				var fe *FileError
				require.ErrorAs(t, err, &fe)
				requireNoEcho(t, fe.Message, cells)
				break
			}
			require.Greater(t, row.Line, lastLine, "rows come in line order")
			lastLine = row.Line
			valid++
		}
		require.LessOrEqual(t, len(r.Errors()), fuzzMaxErrors)
		if len(r.Errors()) > 0 {
			require.Positive(t, r.Rejected())
		}
		require.LessOrEqual(t, r.BytesRead(), int64(len(data)))
		for _, e := range r.Errors() {
			require.Positive(t, e.Line)
			require.NotEmpty(t, e.Rule)
			requireNoEcho(t, e.Message, cells)
		}
	})
}

// formatCents writes cents the way an export would, for round trips.
func formatCents(c int64) string {
	neg := c < 0
	if neg {
		c = -c
	}
	s := string(appendCents(nil, c))
	if neg {
		return "(" + s + ")"
	}
	return s
}

func FuzzMoney(f *testing.F) {
	for _, s := range []string{"$1,234.56", "1234.5", "(12.00)", "-12.00", ".5", "12.", "1,23", "9999999999999.99", "$-0.01"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		cents, ok := cell.Money(s)
		if !ok {
			require.Zero(t, cents)
			return
		}
		require.Less(t, cents, int64(1e15))
		require.Greater(t, cents, int64(-1e15))
		back, ok := cell.Money(formatCents(cents))
		require.True(t, ok, s)
		require.Equal(t, cents, back, s)
	})
}

func FuzzDate(f *testing.F) {
	for _, s := range []string{"04/17/1986", "4/7/86", "1986-04-17", "04-17-1986", "02/30/2024", "0001-01-01", "3/9/2026 0:00", "2026-03-09T00:00:00Z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, ok := cell.Date(s, 2026)
		if !ok || d.IsZero() {
			require.True(t, d.IsZero())
			return
		}
		require.GreaterOrEqual(t, int(d.Month), 1)
		require.LessOrEqual(t, int(d.Month), 12)
		require.GreaterOrEqual(t, d.Day, 1)
		require.LessOrEqual(t, d.Day, time.Date(d.Year, d.Month+1, 0, 0, 0, 0, 0, time.UTC).Day())
		// A real calendar day: time.Date must not have to normalise it.
		tm := d.Time()
		require.Equal(t, d, records.Date{Year: tm.Year(), Month: tm.Month(), Day: tm.Day()})
		back, ok := cell.Date(d.String(), 2026)
		require.True(t, ok, s)
		require.Equal(t, d, back)
	})
}

var e164US = regexp.MustCompile(`^\+1[2-9]\d{2}[2-9]\d{6}$`)

func FuzzPhone(f *testing.F) {
	for _, s := range []string{"(512) 555-0142", "+1 512 555 0142", "512.555.0142 x12", "555-0142", "(112) 555-0142", "5.12555E+09"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, ok := cell.Phone(s)
		if !ok {
			require.Empty(t, p)
			return
		}
		require.Regexp(t, e164US, p)
		back, ok := cell.Phone(p)
		require.True(t, ok)
		require.Equal(t, p, back)
	})
}
