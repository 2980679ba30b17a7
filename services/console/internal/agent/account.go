package agent

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/backdesk/backdesk/pkg/access"
	"github.com/backdesk/backdesk/services/console/internal/kit"
)

// The account on the item page is whatever the API projected for this
// kind of work: the console does not know the field set, it renders every
// key it is given, labelled, in the order of access.AllFields and then
// the rest. Scalars go in a list, objects and lists get a section each.

// field is one labelled value.
type field struct {
	Label, Text string
}

// section is one part of the account: a list of fields, or a table.
type section struct {
	Title  string
	Fields []field
	Cols   []string
	Rows   [][]string
	Empty  bool     // a list the record holds none of
	Notes  []string // lines in words under the fields (the benefits)
}

// member is one key of a JSON object, in the order it came.
type member struct {
	Key   string
	Value any
}

// object is a JSON object that keeps its key order.
type object []member

// accountSections turns the projected patient object into sections;
// dates and times are shown in zone, the practice's.
func accountSections(raw json.RawMessage, zone string) ([]section, error) {
	if len(bytes.TrimSpace(raw)) == 0 || string(bytes.TrimSpace(raw)) == "null" {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	v, err := parseValue(dec)
	if err != nil {
		return nil, err
	}
	top, ok := v.(object)
	if !ok {
		return nil, fmt.Errorf("console: the patient is not a JSON object")
	}
	order := access.AllFields()
	slices.SortStableFunc(top, func(a, b member) int { return rank(order, a.Key) - rank(order, b.Key) })

	person := section{Title: "Patient"}
	var rest []section
	for _, m := range top {
		if internalID(m.Value) {
			continue // Backdesk's own key: the patient is shown by name
		}
		if m.Key == "benefits" {
			if b, ok := m.Value.(object); ok {
				rest = append(rest, benefitsSection(b, zone))
			}
			continue
		}
		switch v := m.Value.(type) {
		case object:
			s := section{Title: kit.Label(m.Key)}
			for _, f := range v {
				if internalID(f.Value) {
					continue
				}
				s.Fields = append(s.Fields, field{Label: kit.Label(f.Key), Text: text(f.Key, f.Value)})
			}
			rest = append(rest, s)
		case []any:
			rest = append(rest, table(m.Key, v))
		default:
			person.Fields = append(person.Fields, field{Label: kit.Label(m.Key), Text: text(m.Key, v)})
		}
	}
	if len(person.Fields) > 0 {
		rest = append([]section{person}, rest...)
	}
	return rest, nil
}

// uuidShape is the shape of Backdesk's own keys (UUIDs); the practice's
// identifiers (chart numbers, claim numbers) look otherwise and are shown.
var uuidShape = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// internalID reports whether v is one of Backdesk's own keys, which mean
// nothing to the person reading the page.
func internalID(v any) bool {
	s, ok := v.(string)
	return ok && uuidShape.MatchString(s)
}

// rank is a key's place in the display order; unknown keys go last.
func rank(order []string, key string) int {
	if i := slices.Index(order, key); i >= 0 {
		return i
	}
	return len(order)
}

// table lays a list out: objects as rows under their keys, anything else
// as a one-column list.
func table(key string, items []any) section {
	s := section{Title: kit.Label(key), Empty: len(items) == 0}
	var keys []string
	for _, it := range items {
		if o, ok := it.(object); ok {
			for _, m := range o {
				if !slices.Contains(keys, m.Key) {
					keys = append(keys, m.Key)
				}
			}
		}
	}
	if len(keys) == 0 {
		s.Cols = []string{kit.Label(key)}
		for _, it := range items {
			s.Rows = append(s.Rows, []string{text(key, it)})
		}
		return s
	}
	for _, k := range keys {
		s.Cols = append(s.Cols, kit.Label(k))
	}
	for _, it := range items {
		o, _ := it.(object)
		row := make([]string, len(keys))
		for i, k := range keys {
			row[i] = "—"
			for _, m := range o {
				if m.Key == k {
					row[i] = text(k, m.Value)
				}
			}
		}
		s.Rows = append(s.Rows, row)
	}
	return s
}

// text formats a value for people: amounts in cents as dollars, yes and
// no for booleans, a dash for nothing.
func text(key string, v any) string {
	switch v := v.(type) {
	case nil:
		return "—"
	case bool:
		if v {
			return "Yes"
		}
		return "No"
	case json.Number:
		if strings.HasSuffix(key, "_cents") {
			if n, err := v.Int64(); err == nil {
				return kit.Dollars(n)
			}
		}
		return v.String()
	case string:
		if v == "" {
			return "—"
		}
		return v
	case object:
		parts := make([]string, 0, len(v))
		for _, m := range v {
			if t := text(m.Key, m.Value); t != "—" {
				parts = append(parts, t)
			}
		}
		return strings.Join(parts, ", ")
	case []any:
		parts := make([]string, 0, len(v))
		for _, it := range v {
			parts = append(parts, text(key, it))
		}
		return strings.Join(parts, "; ")
	}
	return fmt.Sprint(v)
}

// parseValue reads one JSON value, keeping the order of object keys.
func parseValue(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			o := object{}
			for dec.More() {
				k, err := dec.Token()
				if err != nil {
					return nil, err
				}
				v, err := parseValue(dec)
				if err != nil {
					return nil, err
				}
				o = append(o, member{Key: fmt.Sprint(k), Value: v})
			}
			_, err := dec.Token() // }
			return o, err
		case '[':
			a := []any{}
			for dec.More() {
				v, err := parseValue(dec)
				if err != nil {
					return nil, err
				}
				a = append(a, v)
			}
			_, err := dec.Token() // ]
			return a, err
		}
		return nil, fmt.Errorf("console: unexpected %v in JSON", t)
	}
	return tok, nil
}

// benefitsSection shows the payer's latest answer about the plan: who
// answered, when (in the practice's zone) and what it said, in words.
func benefitsSection(b object, zone string) section {
	s := section{Title: "Benefits"}
	for _, m := range b {
		switch m.Key {
		case "payer_name":
			s.Fields = append(s.Fields, field{Label: "Payer", Text: text(m.Key, m.Value)})
		case "coverage":
			s.Fields = append(s.Fields, field{Label: "Coverage", Text: kit.Label(text(m.Key, m.Value))})
		case "answered_at":
			if at, ok := m.Value.(string); ok {
				if t, err := time.Parse(time.RFC3339Nano, at); err == nil {
					s.Fields = append(s.Fields, field{Label: "Answered", Text: kit.In(t, zone)})
				}
			}
		case "lines":
			if lines, ok := m.Value.([]any); ok {
				for _, l := range lines {
					s.Notes = append(s.Notes, text(m.Key, l))
				}
			}
		}
	}
	return s
}
