package recordcsv

import (
	"bytes"
	"encoding/csv"
	"go/scanner"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/backdesk/backdesk/pkg/records"
	"github.com/stretchr/testify/require"
)

// vocabulary is every string literal in the package's non-test source,
// plus the kind names: all that a message may legitimately contain besides
// numbers. Reading the source keeps the check honest as messages change.
// Column examples and descriptions are left out: no message uses them, and
// the test data shares some example values.
var vocabulary = sync.OnceValue(func() string {
	files, err := filepath.Glob("*.go")
	if err != nil {
		panic(err)
	}
	docs := map[string]bool{}
	var b strings.Builder
	for _, k := range records.Kinds {
		b.WriteString(string(k) + "\x00")
		for _, c := range Columns(k) {
			docs[c.Example], docs[c.Description] = true, true
		}
	}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			panic(err)
		}
		var s scanner.Scanner
		fset := token.NewFileSet()
		s.Init(fset.AddFile(name, -1, len(src)), src, nil, 0)
		for {
			_, tok, lit := s.Scan()
			if tok == token.EOF {
				break
			}
			if tok == token.STRING {
				if v, err := strconv.Unquote(lit); err == nil && !docs[v] {
					b.WriteString(v + "\x00")
				}
			}
		}
	}
	return b.String()
})

// numbers are the only interpolations in messages besides fixed names:
// line numbers, field counts, length limits and byte offsets.
var numbers = regexp.MustCompile(`\b(line|lines|has|than|byte|to) \d+`)

// cellsOf splits raw input every way a value could come out of it: as the
// lenient CSV parser sees the fields, and as plain comma- and line-separated
// fragments of the decoded text.
func cellsOf(data []byte) []string {
	text := data
	if d, err := newDecoder(bytes.NewReader(data)); err == nil {
		var buf bytes.Buffer
		_, _ = buf.ReadFrom(d)
		text = buf.Bytes()
	}
	var cells []string
	cr := csv.NewReader(bytes.NewReader(text))
	cr.LazyQuotes, cr.FieldsPerRecord = true, -1
	for {
		rec, err := cr.Read()
		if err != nil {
			break
		}
		cells = append(cells, rec...)
	}
	cells = append(cells, strings.FieldsFunc(string(text), func(r rune) bool {
		return r == ',' || r == '\n' || r == '\r' || r == '"'
	})...)
	return cells
}

// echoedCell returns a cell longer than three characters that msg
// contains and that is not part of the package's own fixed texts, or "".
func echoedCell(msg string, cells []string) string {
	stripped := numbers.ReplaceAllString(msg, "$1 #")
	for _, c := range cells {
		c = strings.TrimSpace(c)
		if len(c) > 3 && strings.Contains(stripped, c) && !strings.Contains(vocabulary(), c) {
			return c
		}
	}
	return ""
}

func requireNoEcho(t *testing.T, msg string, cells []string) {
	t.Helper()
	if c := echoedCell(msg, cells); c != "" {
		require.Failf(t, "message echoes a value", "message %q contains the cell %q", msg, c)
	}
}

func TestEchoedCell(t *testing.T) {
	t.Parallel()
	cells := []string{"04/17/1986", "10482", "Alvarez", "date", "required"}
	require.Equal(t, "04/17/1986", echoedCell("date_of_birth: 04/17/1986 is not a date", cells))
	require.Equal(t, "Alvarez", echoedCell("last_name: Alvarez is too long", cells))
	require.Equal(t, "10482", echoedCell("patient_id: 10482 appears twice", cells))
	// Line numbers and the package's own words are not echoes.
	require.Empty(t, echoedCell("patient_id: the same id is on line 10482; each id may appear only once in a file", cells))
	require.Empty(t, echoedCell("first_name: required; the cell is empty", cells))
}

// TestMessagesNeverEchoValues runs the echo check over every test input.
func TestMessagesNeverEchoValues(t *testing.T) {
	t.Parallel()
	inputs, err := filepath.Glob(filepath.Join("testdata", "*.csv"))
	require.NoError(t, err)
	for _, in := range inputs {
		data, err := os.ReadFile(in)
		require.NoError(t, err)
		parts := strings.SplitN(strings.TrimSuffix(filepath.Base(in), ".csv"), "_", 3)
		opts := Options{Kind: records.Kind(parts[0]), Preset: Preset(parts[1])}
		if parts[1] == string(PresetCustom) {
			continue // mapping values are the office's header names, shown on purpose
		}
		g := readAll(t, bytes.NewReader(data), opts)
		cells := cellsOf(data)
		if g.FileError != nil {
			requireNoEcho(t, g.FileError.Message, cells)
		}
		for _, e := range g.Errors {
			requireNoEcho(t, e.Message, cells)
		}
	}
}
