package recordcsv

import (
	"encoding/json"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/records"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// goldenToday pins "today" so future-date checks and the two-digit-year
// pivot give the same answer whenever the tests run.
var goldenToday = records.Date{Year: 2026, Month: 11, Day: 1}

// goldenZone is the practice's time zone appointments are read in.
var goldenZone = func() *time.Location {
	loc, err := time.LoadLocation("America/Chicago")
	if err != nil {
		panic(err)
	}
	return loc
}()

// golden is what a .golden file holds: everything a caller can observe.
type golden struct {
	FileError *FileError     `json:"file_error,omitempty"`
	Rows      []goldenRow    `json:"rows"`
	Errors    []RowError     `json:"errors"`
	Read      int            `json:"read"`
	Rejected  int            `json:"rejected"`
	BytesRead int64          `json:"bytes_read"`
	Options   map[string]any `json:"options"`
}

type goldenRow struct {
	Line   int `json:"line"`
	Record any `json:"record"`
}

// TestGolden reads every testdata/<kind>_<preset>_<case>.csv with that
// kind and preset (and <name>.mapping.json for the custom preset) and
// compares what comes out with <name>.golden.
func TestGolden(t *testing.T) {
	t.Parallel()
	inputs, err := filepath.Glob(filepath.Join("testdata", "*.csv"))
	require.NoError(t, err)
	require.NotEmpty(t, inputs)
	for _, in := range inputs {
		name := strings.TrimSuffix(filepath.Base(in), ".csv")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			parts := strings.SplitN(name, "_", 3)
			require.Len(t, parts, 3, "name inputs <kind>_<preset>_<case>.csv")
			opts := Options{Kind: records.Kind(parts[0]), Preset: Preset(parts[1]), Location: goldenZone}
			if raw, err := os.ReadFile(strings.TrimSuffix(in, ".csv") + ".mapping.json"); err == nil {
				require.NoError(t, json.Unmarshal(raw, &opts.Mapping))
			}
			f, err := os.Open(in)
			require.NoError(t, err)
			defer f.Close()
			got := readAll(t, f, opts)
			out, err := json.MarshalIndent(got, "", "  ")
			require.NoError(t, err)
			out = append(out, '\n')

			path := strings.TrimSuffix(in, ".csv") + ".golden"
			if *update {
				require.NoError(t, os.WriteFile(path, out, 0o644))
				return
			}
			want, err := os.ReadFile(path)
			require.NoError(t, err, "run go test -update to create it")
			require.Equal(t, string(want), string(out))
		})
	}
}

// readAll runs a Reader to the end the way an import does.
func readAll(t *testing.T, src io.Reader, opts Options) golden {
	t.Helper()
	g := golden{Rows: []goldenRow{}, Errors: []RowError{}, Options: map[string]any{
		"kind": opts.Kind, "preset": opts.Preset, "mapping": opts.Mapping,
	}}
	r, err := NewReader(src, opts)
	var fe *FileError
	if errors.As(err, &fe) {
		g.FileError = fe
		return g
	}
	require.NoError(t, err)
	r.today, r.thisYear = goldenToday, goldenToday.Year
	for {
		row, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if errors.As(err, &fe) {
			g.FileError = fe
			break
		}
		require.NoError(t, err)
		g.Rows = append(g.Rows, goldenRow{Line: row.Line, Record: recordOf(t, row)})
	}
	g.Errors = append(g.Errors, r.Errors()...)
	g.Read, g.Rejected, g.BytesRead = r.Read(), r.Rejected(), r.BytesRead()
	return g
}

// recordOf returns the one record a row carries, as JSON with dates
// written YYYY-MM-DD (and instants in RFC 3339, with the practice's
// offset) so golden files read like the data.
func recordOf(t *testing.T, row Row) any {
	t.Helper()
	var set []any
	for _, p := range []any{row.Patient, row.Balance, row.Claim, row.Recall, row.Treatment, row.Appointment} {
		if !isNil(p) {
			set = append(set, p)
		}
	}
	require.Len(t, set, 1, "exactly one record per row")
	raw, err := json.Marshal(set[0])
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(raw, &m))
	for k, v := range m {
		if d, ok := v.(map[string]any); ok && d["Year"] != nil {
			m[k] = records.Date{Year: int(d["Year"].(float64)), Month: time.Month(d["Month"].(float64)), Day: int(d["Day"].(float64))}.String()
		}
	}
	return m
}

func isNil(p any) bool {
	switch p := p.(type) {
	case *records.Patient:
		return p == nil
	case *records.Balance:
		return p == nil
	case *records.Claim:
		return p == nil
	case *records.Recall:
		return p == nil
	case *records.TreatmentPlan:
		return p == nil
	case *records.Appointment:
		return p == nil
	}
	return true
}
