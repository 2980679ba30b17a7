package recordcsv

import (
	"slices"
	"strings"

	"github.com/backdesk/backdesk/pkg/records"
	"github.com/backdesk/backdesk/pkg/records/recordcsv/cell"
)

// knownNames holds, per kind and column, the cell.Key of every header name
// any preset gives the column. It lets the reader recognise what a file
// holds whichever system wrote it, to catch a file sent as the wrong kind.
var knownNames = func() map[records.Kind][][]string {
	out := make(map[records.Kind][][]string, len(specs))
	for kind, sp := range specs {
		cols := sp.columns()
		names := make([][]string, len(cols))
		for i, c := range cols {
			for _, p := range Presets() {
				for _, n := range presets[p].names(kind, c.Name, nil) {
					if k := cell.Key(n); !slices.Contains(names[i], k) {
						names[i] = append(names[i], k)
					}
				}
			}
		}
		out[kind] = names
	}
	return out
}()

// distinctive marks the canonical columns that belong to one kind only
// (not patient_id, which every kind has): they are the evidence of what a
// file holds.
var distinctive = func() map[string]bool {
	count := map[string]int{}
	for _, sp := range specs {
		for _, c := range sp.columns() {
			count[c.Name]++
		}
	}
	out := map[string]bool{}
	for name, n := range count {
		out[name] = n == 1
	}
	return out
}()

func hasColumn(sp kindSpec, name string) bool {
	return slices.ContainsFunc(sp.columns(), func(c Column) bool { return c.Name == name })
}

// bindHeader finds, for each canonical column, the header fields that fill
// it, and refuses a header that cannot be imported as r.kind.
func (r *Reader) bindHeader(header []string, m Mapping) error {
	idx := make(map[string]int, len(header))
	dup := map[string]bool{}
	for i, h := range header {
		k := cell.Key(h)
		if k == "" {
			continue
		}
		if _, ok := idx[k]; ok {
			dup[k] = true
			continue
		}
		idx[k] = i
	}
	cols := r.spec.columns()
	r.width = len(header)
	r.bind = make([][]source, len(cols))
	var missing []string
	bound := 0
	for i, c := range cols {
		canon := cell.Key(c.Name)
		for _, name := range r.preset.names(r.kind, c.Name, m) {
			k := cell.Key(name)
			j, ok := idx[k]
			if !ok || slices.ContainsFunc(r.bind[i], func(s source) bool { return s.idx == j }) {
				continue
			}
			if dup[k] {
				return fileErr("duplicate_columns", "the header has the %s column more than once; keep one", quoted(name))
			}
			show := name
			if k == canon {
				show = ""
			}
			r.bind[i] = append(r.bind[i], source{idx: j, name: show})
			// Only phone numbers fall back from one column to the next
			// (mobile, then home, then work). Any other column takes the
			// first header present, so ids never mix two numbering schemes.
			if r.spec.typeOf(i) != vPhone {
				break
			}
		}
		if len(r.bind[i]) > 0 {
			bound++
		} else if c.Required {
			missing = append(missing, describe(c.Name, r.preset.names(r.kind, c.Name, m)))
		}
	}
	if k, ok := r.betterKind(idx, len(missing) > 0, m); ok {
		return fileErr("wrong_kind", "the columns look like a %s file, not %s; import it as %s", k, r.kind, k)
	}
	if len(missing) == 0 {
		return nil
	}
	msg := "missing required columns: " + strings.Join(missing, ", ")
	if p, ok := r.fittingPreset(idx); ok {
		msg += "; the header matches the " + string(p) + " preset, choose that one"
	} else if bound == 0 {
		msg += "; no column name was recognised, and the first row must be the header"
	}
	return fileErr("missing_columns", "%s", msg)
}

// describe names a missing column as canonical name plus the header names
// the chosen preset would accept, e.g. `date_of_birth ("Birthdate")`.
func describe(column string, names []string) string {
	var alt []string
	for _, n := range names[:len(names)-1] { // the last is the canonical name
		alt = append(alt, quoted(n))
	}
	if len(alt) == 0 {
		return column
	}
	return column + " (" + strings.Join(alt, " or ") + ")"
}

func quoted(s string) string { return `"` + s + `"` }

// kindMatch is how well a header fits a kind.
type kindMatch struct {
	requiredOK bool // every required column is present
	distinct   int  // columns present that only this kind has
}

func matchKind(kind records.Kind, idx map[string]int, m Mapping) kindMatch {
	km := kindMatch{requiredOK: true}
	for i, c := range specs[kind].columns() {
		found := slices.ContainsFunc(knownNames[kind][i], func(k string) bool { _, ok := idx[k]; return ok })
		if h, ok := m[c.Name]; ok && !found {
			_, found = idx[cell.Key(h)]
		}
		if found && distinctive[c.Name] {
			km.distinct++
		}
		if !found && c.Required {
			km.requiredOK = false
		}
	}
	return km
}

// betterKind finds another kind the header fits better: all its required
// columns are there and more of its own columns than r.kind's. A patients
// file is only suggested when r.kind cannot be read at all, because any
// export may carry patient names beside its own columns.
func (r *Reader) betterKind(idx map[string]int, missing bool, m Mapping) (records.Kind, bool) {
	own := matchKind(r.kind, idx, m)
	var best records.Kind
	bestN := -1
	for _, k := range records.Kinds {
		if k == r.kind || (k == records.Patients && !missing) {
			continue
		}
		km := matchKind(k, idx, nil)
		if km.requiredOK && km.distinct > own.distinct && km.distinct > bestN {
			best, bestN = k, km.distinct
		}
	}
	return best, bestN >= 0
}

// fittingPreset finds a system preset under which every required column of
// r.kind is present, for a hint when the office picked the wrong system.
func (r *Reader) fittingPreset(idx map[string]int) (Preset, bool) {
	for _, p := range []Preset{PresetOpenDental, PresetDentrix, PresetEaglesoft} {
		if presets[p] == r.preset {
			continue
		}
		fits := true
		for _, c := range r.spec.columns() {
			if !c.Required {
				continue
			}
			fits = fits && slices.ContainsFunc(presets[p].names(r.kind, c.Name, nil), func(n string) bool {
				_, ok := idx[cell.Key(n)]
				return ok
			})
		}
		if fits {
			return p, true
		}
	}
	return "", false
}
