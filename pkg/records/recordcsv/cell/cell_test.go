package cell

import (
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/records"
	"github.com/stretchr/testify/require"
)

func TestParseDate(t *testing.T) {
	t.Parallel()
	day := func(y, m, d int) records.Date { return records.Date{Year: y, Month: time.Month(m), Day: d} }
	tests := []struct {
		in   string
		want records.Date
		ok   bool
	}{
		{"04/17/1986", day(1986, 4, 17), true},
		{"4/7/1986", day(1986, 4, 7), true},
		{"1986-04-17", day(1986, 4, 17), true},
		{"04-17-1986", day(1986, 4, 17), true},
		{"2/29/2024", day(2024, 2, 29), true},
		{"04/17/86", day(1986, 4, 17), true},
		{"01/15/27", day(2027, 1, 15), true}, // this year (26) + 1 stays in the 2000s
		{"01/15/28", day(1928, 1, 15), true},
		{"01/15/00", day(2000, 1, 15), true},
		{"3/9/2026 0:00", day(2026, 3, 9), true},
		{"2026-03-09 00:00:00", day(2026, 3, 9), true},
		{"2026-03-09T00:00:00Z", day(2026, 3, 9), true},
		{"3/9/2026 12:00:00 AM", day(2026, 3, 9), true},
		{"0001-01-01", records.Date{}, true}, // Open Dental's "not set"
		{"01/01/0001", records.Date{}, true},
		{"02/30/1990", records.Date{}, false},
		{"2/29/2023", records.Date{}, false},
		{"1900-02-29", records.Date{}, false},
		{"13/01/1999", records.Date{}, false},
		{"00/10/2027", records.Date{}, false},
		{"04/31/2026", records.Date{}, false},
		{"04/17/198", records.Date{}, false},
		{"04/17-1986", records.Date{}, false},
		{"20271010", records.Date{}, false},
		{"April 17, 1986", records.Date{}, false},
		{"10/10/2027 noon", records.Date{}, false},
		{"1986-04-17-01", records.Date{}, false},
		{"/ /", records.Date{}, false},
	}
	for _, tc := range tests {
		got, ok := Date(tc.in, 2026)
		require.Equal(t, tc.ok, ok, tc.in)
		require.Equal(t, tc.want, got, tc.in)
	}
}

func TestParseMoney(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"1234.56", 123456, true},
		{"$1,234.56", 123456, true},
		{"1234.5", 123450, true},
		{"1234", 123400, true},
		{"0.29", 29, true}, // 0.29 is 28.999… as a float
		{".5", 50, true},
		{"12.", 1200, true},
		{"(12.00)", -1200, true},
		{"($12.00)", -1200, true},
		{"-12.00", -1200, true},
		{"-$12.00", -1200, true},
		{"$-12.00", -1200, true},
		{"+12", 1200, true},
		{"$ 1,000,000.00", 100000000, true},
		{"0", 0, true},
		{"-0.00", 0, true},
		{"9999999999999.99", 999999999999999, true},
		{"12.345", 0, false},
		{"1,23.00", 0, false},
		{"1,2345", 0, false},
		{",123", 0, false},
		{"12,00", 0, false},
		{"--12", 0, false},
		{"(-12)", 0, false},
		{"$", 0, false},
		{"$$12", 0, false},
		{"-$-12", 0, false},
		{"12-", 0, false},
		{".", 0, false},
		{"", 0, false},
		{"twelve", 0, false},
		{"1e3", 0, false},
		{"12 00", 0, false},
		{"10000000000000.00", 0, false},
		{"1.2.3", 0, false},
	}
	for _, tc := range tests {
		got, ok := Money(tc.in)
		require.Equal(t, tc.ok, ok, tc.in)
		require.Equal(t, tc.want, got, tc.in)
	}
}

func TestParsePhone(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"(512) 555-0142", "+15125550142"},
		{"512-555-0142", "+15125550142"},
		{"512.555.0142", "+15125550142"},
		{"5125550142", "+15125550142"},
		{"1-512-555-0142", "+15125550142"},
		{"+1 512 555 0142", "+15125550142"},
		{"+15125550142", "+15125550142"},
		{"512/555-0142", "+15125550142"},
		{"512-555-0142 x12", "+15125550142"},
		{"512-555-0142 ext. 12", "+15125550142"},
		{"(512) 555-0142 #3", "+15125550142"},
		{"555-0142", ""},         // no area code
		{"(112) 555-0142", ""},   // area codes start 2-9
		{"(012) 555-0142", ""},   // likewise
		{"(512) 155-0142", ""},   // exchanges too
		{"2-512-555-0142", ""},   // 11 digits not starting with 1
		{"+44 20 7946 0958", ""}, // not a US number
		{"5.12555E+09", ""},      // Excel's scientific notation
		{"512-555-0142 x", ""},
		{"call me", ""},
		{"512-555-01422", ""},
		{"++15125550142", ""},
		{"512-555-0142 EXT 7", "+15125550142"},
		{"\x8f\x97X0", ""}, // found by FuzzPhone: invalid UTF-8 before an extension
		{"İİ 512 555 0142 x1", ""},
	}
	for _, tc := range tests {
		got, ok := Phone(tc.in)
		require.Equal(t, tc.want != "", ok, tc.in)
		require.Equal(t, tc.want, got, tc.in)
	}
}

func TestParseEmail(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"Maria.Alvarez@Example.com", "maria.alvarez@example.com"},
		{"o'connell+billing@mail.example.org", "o'connell+billing@mail.example.org"},
		{"a@b.co", "a@b.co"},
		{"no-at-sign.example.com", ""},
		{"two@@example.com", ""},
		{"a@b@example.com", ""},
		{"@example.com", ""},
		{"name@", ""},
		{"name@example", ""},
		{"name@example.c", ""},
		{"name@-example.com", ""},
		{"name@example..com", ""},
		{".name@example.com", ""},
		{"na..me@example.com", ""},
		{"name with space@example.com", ""},
		{"name@192.168.0.1", ""},
	}
	for _, tc := range tests {
		got, ok := Email(tc.in)
		require.Equal(t, tc.want != "", ok, tc.in)
		require.Equal(t, tc.want, got, tc.in)
	}
}

func TestParseState(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"TX", "TX"}, {"tx", "TX"}, {"Texas", "TX"}, {"new york", "NY"}, {"District of Columbia", "DC"},
		{"PR", "PR"}, {"AE", "AE"}, {"ZZ", ""}, {"Tejas", ""}, {"T", ""}, {"TXX", ""},
	}
	for _, tc := range tests {
		got, ok := State(tc.in)
		require.Equal(t, tc.want != "", ok, tc.in)
		require.Equal(t, tc.want, got, tc.in)
	}
}

func TestParsePostal(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"78745", "78745"}, {"78745-1203", "78745-1203"}, {"787451203", "78745-1203"},
		{"5401", "05401"}, // a spreadsheet ate the leading zero
		{"787", ""}, {"787011", ""}, {"78701-12", ""}, {"7870A", ""}, {"78745 1203", ""}, {"78745-12034", ""},
	}
	for _, tc := range tests {
		got, ok := Postal(tc.in)
		require.Equal(t, tc.want != "", ok, tc.in)
		require.Equal(t, tc.want, got, tc.in)
	}
}

func TestParseBool(t *testing.T) {
	t.Parallel()
	for _, in := range []string{"y", "Y", "yes", "YES", "true", "T", "1", "x", "X"} {
		v, ok := Bool(in)
		require.True(t, ok, in)
		require.True(t, v, in)
	}
	for _, in := range []string{"n", "No", "false", "F", "0", "Unknown"} {
		v, ok := Bool(in)
		require.True(t, ok, in)
		require.False(t, v, in)
	}
	for _, in := range []string{"maybe", "si", "2", "yes please"} {
		_, ok := Bool(in)
		require.False(t, ok, in)
	}
}

func TestCleanText(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"  Van   Buren ", "Van Buren"},
		{"400 Congress Ave\nSuite 1200", "400 Congress Ave Suite 1200"},
		{"tab\there", "tab here"},
		{"Peña", "Peña"},
		{"bell\a", "bell"},
		{"\uFEFFMaria", "Maria"},
		{"plain", "plain"},
		{"   ", ""},
	}
	for _, tc := range tests {
		require.Equal(t, tc.want, Text(tc.in), tc.in)
	}
}

func TestNormKey(t *testing.T) {
	t.Parallel()
	for _, in := range []string{"Date of Birth", "DATE_OF_BIRTH", "date-of-birth", " dateOfBirth "} {
		require.Equal(t, "dateofbirth", Key(in), in)
	}
	require.Equal(t, "030", Key("0-30"))
	require.Equal(t, "chart", Key("Chart #"))
}

func TestClock(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want int
		ok   bool
	}{
		{"9:00", 9 * 60, true},
		{"09:05", 9*60 + 5, true},
		{"00:30", 30, true},
		{"23:59:59", 23*60 + 59, true},
		{"14:30:00.000", 14*60 + 30, true},
		{"9:00 AM", 9 * 60, true},
		{"9:00am", 9 * 60, true},
		{"9:00 a.m.", 9 * 60, true},
		{"1:15 PM", 13*60 + 15, true},
		{"1:15p", 13*60 + 15, true},
		{"12:00 AM", 0, true},
		{"12:30 PM", 12*60 + 30, true},
		{"24:00", 0, false},
		{"9:60", 0, false},
		{"13:00 PM", 0, false},
		{"0:30 AM", 0, false},
		{"9", 0, false},
		{"900", 0, false},
		{"9:0", 0, false},
		{"09:00:61", 0, false},
		{"09:00Z", 0, false},
		{"09:00-06:00", 0, false},
		{"noon", 0, false},
		{"", 0, false},
	}
	for _, tc := range tests {
		got, ok := Clock(tc.in)
		require.Equal(t, tc.ok, ok, tc.in)
		if ok {
			require.Equal(t, tc.want, got, tc.in)
		}
	}
}

func TestDateTime(t *testing.T) {
	t.Parallel()
	dec8 := records.Date{Year: 2026, Month: time.December, Day: 8}
	tests := []struct {
		in     string
		date   records.Date
		minute int
		timed  bool
		ok     bool
	}{
		{"12/08/2026 09:00", dec8, 9 * 60, true, true},
		{"2026-12-08 09:00:00", dec8, 9 * 60, true, true},
		{"2026-12-08T14:45:00", dec8, 14*60 + 45, true, true},
		{"12/8/26 2:45 PM", dec8, 14*60 + 45, true, true},
		{"12/08/2026", dec8, 0, false, true},
		{"0001-01-01 00:00:00", records.Date{}, 0, true, true}, // Open Dental's "not set"
		{"12/08/2026 noon", records.Date{}, 0, false, false},
		{"2026-12-08T09:00:00Z", records.Date{}, 0, false, false},
		{"12/32/2026 09:00", records.Date{}, 0, false, false},
		{"09:00", records.Date{}, 0, false, false},
	}
	for _, tc := range tests {
		d, m, timed, ok := DateTime(tc.in, 2026)
		require.Equal(t, tc.ok, ok, tc.in)
		require.Equal(t, tc.date, d, tc.in)
		require.Equal(t, tc.minute, m, tc.in)
		require.Equal(t, tc.timed, timed, tc.in)
	}
}

func TestProcedures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want []string
	}{
		{"D0120 D1110", []string{"D0120", "D1110"}},
		{"d0120, D1110;D0274", []string{"D0120", "D1110", "D0274"}},
		{"D0120|D0120 / D1110+D2740", []string{"D0120", "D1110", "D2740"}},
		{"D0120 PerEx", nil},
		{"0120", nil},
		{"D012", nil},
		{"D01200", nil},
		{"CompEx, Pro", nil},
		{", ;", nil},
	}
	for _, tc := range tests {
		got, ok := Procedures(tc.in)
		require.Equal(t, tc.want != nil, ok, tc.in)
		require.Equal(t, tc.want, got, tc.in)
	}
}
