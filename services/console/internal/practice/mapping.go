package practice

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"strings"

	"github.com/backdesk/backdesk/pkg/records"
	"github.com/backdesk/backdesk/pkg/records/recordcsv"
	"github.com/backdesk/backdesk/services/console/internal/kit"
)

// previewBytes bounds the start of a file read for its header and first
// row: what the column form shows. The rest is not read.
const previewBytes = 64 << 10

// mapPrefix starts the name of the column form's selects: "map.last_name"
// holds the file's column for Backdesk's last_name.
const mapPrefix = "map."

// mappingStep is the column form: for each of Backdesk's columns of the
// kind, which of the file's columns holds it, with the file's first row
// beside each to recognise it by.
type mappingStep struct {
	Kind    string
	Columns []mapColumn
	Headers []mapHeader
}

// mapColumn is one of Backdesk's columns, in words, and the file's column
// chosen for it.
type mapColumn struct {
	Name, Label, Hint string
	Required          bool
	Chosen            string
}

// mapHeader is one of the file's columns and its value in the first row.
type mapHeader struct{ Name, Sample string }

// Option is how the select offers the file's column: its name and, to
// recognise it by, its value in the first row.
func (h mapHeader) Option() string {
	if h.Sample == "" {
		return h.Name
	}
	return h.Name + " (first row: " + h.Sample + ")"
}

// wantsMapping reports a custom-header file sent without any mapping: the
// console asks for the columns first instead of sending it.
func wantsMapping(f *kit.Form) bool {
	return !isX12(f.Get("kind")) && f.Get("preset") == "custom" && strings.TrimSpace(f.Get("mapping")) == "" && !hasMapFields(f)
}

// hasMapFields reports a form that comes from the column form.
func hasMapFields(f *kit.Form) bool {
	for k := range f.Values {
		if strings.HasPrefix(k, mapPrefix) {
			return true
		}
	}
	return false
}

// readPreview reads a file's header and first data row from its start.
func readPreview(file io.Reader) ([]mapHeader, error) {
	head, err := io.ReadAll(io.LimitReader(file, previewBytes))
	if err != nil {
		return nil, err
	}
	head = bytes.TrimPrefix(head, []byte("\xef\xbb\xbf"))
	r := csv.NewReader(bytes.NewReader(head))
	r.FieldsPerRecord, r.LazyQuotes = -1, true
	names, err := r.Read()
	if err != nil {
		return nil, err
	}
	first, _ := r.Read() // none when the file has a header only
	var out []mapHeader
	for i, n := range names {
		n = strings.TrimSpace(n)
		if n == "" {
			continue
		}
		h := mapHeader{Name: n}
		if i < len(first) {
			h.Sample = strings.TrimSpace(first[i])
		}
		out = append(out, h)
	}
	return out, nil
}

// newMappingStep is the column form for kind and the file's columns, with
// what f already chose, or else the file's column of the same name.
func newMappingStep(kind string, headers []mapHeader, f *kit.Form) *mappingStep {
	s := &mappingStep{Kind: kind, Headers: headers}
	for _, c := range recordcsv.Columns(records.Kind(kind)) {
		mc := mapColumn{Name: c.Name, Label: kit.Label(c.Name), Hint: c.Description, Required: c.Required}
		if v, ok := f.Values[mapPrefix+c.Name]; ok {
			mc.Chosen = strings.Join(v, "")
		} else {
			for _, h := range headers {
				if strings.EqualFold(strings.ReplaceAll(h.Name, " ", "_"), c.Name) {
					mc.Chosen = h.Name
				}
			}
		}
		s.Columns = append(s.Columns, mc)
	}
	return s
}

// headersOf reads back the file's columns the column form carries, for
// showing it again after a refusal.
func headersOf(f *kit.Form) []mapHeader {
	names, samples := f.Values["column"], f.Values["sample"]
	out := make([]mapHeader, 0, len(names))
	for i, n := range names {
		h := mapHeader{Name: n}
		if i < len(samples) {
			h.Sample = samples[i]
		}
		out = append(out, h)
	}
	return out
}

// mappingOf checks the column form and returns the mapping to send, a
// JSON object of Backdesk's column to the file's; every required column
// not chosen is refused beside its select.
func mappingOf(kind string, f *kit.Form) string {
	m := map[string]string{}
	for _, c := range recordcsv.Columns(records.Kind(kind)) {
		v := strings.TrimSpace(f.Get(mapPrefix + c.Name))
		switch {
		case v != "":
			m[c.Name] = v
		case c.Required:
			f.Refuse(mapPrefix+c.Name, "Choose the column that holds the "+strings.ToLower(kit.Label(c.Name))+".")
		}
	}
	if len(m) == 0 {
		return ""
	}
	raw, _ := json.Marshal(m)
	return string(raw)
}
