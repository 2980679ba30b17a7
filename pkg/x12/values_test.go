package x12_test

import (
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/x12"
	"pgregory.net/rapid"
)

func TestParseCents(t *testing.T) {
	t.Parallel()
	good := map[string]int64{
		"125": 12500, "125.5": 12550, "125.50": 12550, "-40.00": -4000, "0": 0, "0.00": 0,
		".5": 50, "5.": 500, "-0.01": -1, "007": 700, "1.500": 150, "724.27": 72427,
		"9999999999999999.99": 999999999999999999,
	}
	for in, want := range good {
		got, ok := x12.ParseCents(in)
		if !ok || got != want {
			t.Errorf("ParseCents(%q) = %d, %v; want %d", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "-", ".", "-.", "1.2.3", "+5", "1e3", "12,50", " 12", "1.005", "abc", "--1",
		"99999999999999999", "1.-5"} {
		if got, ok := x12.ParseCents(in); ok {
			t.Errorf("ParseCents(%q) = %d, want rejected", in, got)
		}
	}
}

// Formatting cents and parsing them back gives the same amount.
func TestCentsRoundTrip(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(rt *rapid.T) {
		c := rapid.Int64Range(-1e17, 1e17).Draw(rt, "cents")
		s := x12.FormatCents(c)
		got, ok := x12.ParseCents(s)
		if !ok || got != c {
			rt.Fatalf("FormatCents(%d) = %q, parsed back as %d, %v", c, s, got, ok)
		}
	})
}

func TestParseDates(t *testing.T) {
	t.Parallel()
	d, ok := x12.ParseDate("20240229")
	if !ok || !d.Equal(time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("leap day: %v %v", d, ok)
	}
	for _, bad := range []string{"20230229", "2024013", "202401011", "2024-01-01", "", "2024010a"} {
		if _, ok := x12.ParseDate(bad); ok {
			t.Errorf("ParseDate(%q) accepted", bad)
		}
	}
	from, to, ok := x12.ParseDateRange("20240301-20240305")
	if !ok || from.Day() != 1 || to.Day() != 5 {
		t.Errorf("range: %v %v %v", from, to, ok)
	}
	from, to, ok = x12.ParseDateRange("20240301")
	if !ok || !from.Equal(to) {
		t.Errorf("single day: %v %v %v", from, to, ok)
	}
	if _, _, ok := x12.ParseDateRange("20240305-20240301"); ok {
		t.Error("backwards range accepted")
	}
}

func TestIsDecimal(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]bool{"1": true, "1.5": true, "-2": true, ".5": true, "": false, "-": false, "1.2.3": false, "x": false} {
		if x12.IsDecimal(in) != want {
			t.Errorf("IsDecimal(%q) != %v", in, want)
		}
	}
}

func TestSyntaxErrorFormat(t *testing.T) {
	t.Parallel()
	e := &x12.SyntaxError{Pos: x12.Pos{Segment: 57}, SegmentID: "SE", Element: 2, Msg: "bad"}
	if e.Error() != "x12: segment 57 (SE) element 2: bad" {
		t.Error(e.Error())
	}
	e = &x12.SyntaxError{Pos: x12.Pos{Segment: 3}, Msg: "bad"}
	if e.Error() != "x12: segment 3: bad" {
		t.Error(e.Error())
	}
}
