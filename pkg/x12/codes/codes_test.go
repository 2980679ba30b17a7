package codes

import (
	"strings"
	"testing"
)

// Every table has unique codes and a meaning for each, so a lookup never
// shows an empty explanation.
func TestTablesAreComplete(t *testing.T) {
	t.Parallel()
	tables := map[string][]entry{
		"status":         statusCodes,
		"claim payment":  claimPaymentStatuses,
		"adjustment grp": adjustmentGroups,
		"entity":         entities,
		"reason":         reasons,
	}
	cats := make([]entry, len(categories))
	for i, c := range categories {
		cats[i] = entry{c.Code, c.Meaning}
		if c.Class == Other {
			t.Errorf("category %s has no class", c.Code)
		}
	}
	tables["category"] = cats
	for name, table := range tables {
		seen := map[string]bool{}
		for _, e := range table {
			if strings.TrimSpace(e.code) == "" || strings.TrimSpace(e.meaning) == "" {
				t.Errorf("%s table: entry %q has an empty code or meaning", name, e.code)
			}
			if seen[e.code] {
				t.Errorf("%s table: code %q appears twice", name, e.code)
			}
			seen[e.code] = true
		}
		if len(table) == 0 {
			t.Errorf("%s table is empty", name)
		}
	}
}

func TestLookups(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		got  func() (string, bool)
		ok   bool
	}{
		{"status 562", func() (string, bool) { return StatusCode("562") }, true},
		{"status unknown", func() (string, bool) { return StatusCode("99999") }, false},
		{"clp02 22", func() (string, bool) { return ClaimPaymentStatus("22") }, true},
		{"clp02 unknown", func() (string, bool) { return ClaimPaymentStatus("99") }, false},
		{"group PR", func() (string, bool) { return AdjustmentGroup("PR") }, true},
		{"group unknown", func() (string, bool) { return AdjustmentGroup("ZZ") }, false},
		{"carc 45", func() (string, bool) { return Reason("45") }, true},
		{"carc unknown", func() (string, bool) { return Reason("Q999") }, false},
		{"entity 85", func() (string, bool) { return Entity("85") }, true},
		{"entity empty", func() (string, bool) { return Entity("") }, false},
	}
	for _, c := range cases {
		meaning, ok := c.got()
		if ok != c.ok || (ok && meaning == "") || (!ok && meaning != "") {
			t.Errorf("%s: got (%q, %v), want ok=%v", c.name, meaning, ok, c.ok)
		}
	}
}

func TestCategoryClasses(t *testing.T) {
	t.Parallel()
	want := map[string]Class{
		"A0": Acknowledged, "A1": Acknowledged, "A2": Acknowledged, "A5": Acknowledged,
		"A3": Rejected, "A4": Rejected, "A6": Rejected, "A7": Rejected, "A8": Rejected,
		"P1": Pending, "R4": RequestForInfo, "R16": RequestForInfo,
		"F1": Finalized, "F2": Finalized, "E0": Error, "D0": Error,
	}
	for code, class := range want {
		info, ok := Category(code)
		if !ok || info.Class != class || info.Code != code {
			t.Errorf("Category(%q) = %+v, %v; want class %v", code, info, ok, class)
		}
	}
	if _, ok := Category("Z9"); ok {
		t.Error("unknown category reported as known")
	}
	if ClassOf("Z9") != Other || ClassOf("A7") != Rejected {
		t.Error("ClassOf disagrees with the table")
	}
	for c := Other; c <= Error; c++ {
		if c.String() == "" {
			t.Errorf("class %d has no name", c)
		}
	}
}
