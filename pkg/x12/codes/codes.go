// Package codes explains the codes that 835 remittances and 277 claim
// status reports carry, in short plain words for the people and agents who
// work the claims. The tables hold the codes a dental billing office meets
// most, not the full external code lists; a lookup of any other code
// reports false, and callers then show the bare code ("code N").
package codes

// entry is one row of a code table.
type entry struct {
	code    string
	meaning string
}

// index builds the lookup map of a table.
func index(t []entry) map[string]string {
	m := make(map[string]string, len(t))
	for _, e := range t {
		m[e.code] = e.meaning
	}
	return m
}

// lookup finds a code's meaning in m.
func lookup(m map[string]string, code string) (string, bool) {
	s, ok := m[code]
	return s, ok
}
