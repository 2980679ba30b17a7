package codes

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
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
		"remark":         remarks,
		"plb reason":     providerAdjustmentReasons,
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
		{"rarc N130", func() (string, bool) { return Remark("N130") }, true},
		{"rarc MA130", func() (string, bool) { return Remark("MA130") }, true},
		{"rarc unknown", func() (string, bool) { return Remark("N99999") }, false},
		{"rarc lower case", func() (string, bool) { return Remark("n130") }, false},
		{"plb L6", func() (string, bool) { return ProviderAdjustmentReason("L6") }, true},
		{"plb 72", func() (string, bool) { return ProviderAdjustmentReason("72") }, true},
		{"plb unknown", func() (string, bool) { return ProviderAdjustmentReason("ZZ") }, false},
		{"plb empty", func() (string, bool) { return ProviderAdjustmentReason("") }, false},
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

// The remark and provider adjustment tables hold the codes a dental office
// meets most on an 835.
func TestRemittanceTablesCoverCommonCodes(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		lookup func(string) (string, bool)
		codes  []string
	}{
		{"remark", Remark, []string{
			"M15", "M51", "M80", "M86", "M119", "MA130", "N4", "N20", "N30", "N56", "N115", "N130", "N174",
			"N211", "N290", "N362", "N381", "N432", "N437", "N479", "N517", "N522", "N570", "N640", "N657",
		}},
		{"provider adjustment", ProviderAdjustmentReason, []string{
			"50", "72", "90", "AP", "B2", "B3", "BD", "BN", "C5", "CR", "CS", "CV", "CW", "DM", "E3", "FB", "FC",
			"GO", "HM", "IP", "IR", "IS", "J1", "L6", "LE", "LS", "OA", "OB", "PI", "PL", "RA", "RE", "SL", "TL",
			"WO", "WU",
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			for _, code := range c.codes {
				meaning, ok := c.lookup(code)
				require.True(t, ok, "code %s", code)
				require.NotEmpty(t, meaning, "code %s", code)
			}
		})
	}
	require.GreaterOrEqual(t, len(remarks), 40)
}
