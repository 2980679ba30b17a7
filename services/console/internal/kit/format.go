package kit

import (
	"fmt"
	"html/template"
	"strings"
	"time"
)

// The console writes every moment one way, with its zone: "Tue 8 Dec
// 2026, 14:05 EST". Practice data (due dates, next contacts, appointments)
// is shown in the practice's zone; what the API gives without a zone
// (audit events, a viewer's own activity) in UTC, said so.
const (
	momentLayout = "Mon 2 Jan 2006, 15:04 MST"
	dayLayout    = "Mon 2 Jan 2006"
)

// zoneOf loads an IANA time zone name; an empty or unknown one is UTC.
func zoneOf(name string) *time.Location {
	if name == "" {
		return time.UTC
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return time.UTC
	}
	return loc
}

// In shows a moment in the named zone with the zone: "Tue 8 Dec 2026,
// 14:05 EST"; no moment shows a dash.
func In(v any, zone string) string {
	t, ok := timeOf(v)
	if !ok {
		return "—"
	}
	return t.In(zoneOf(zone)).Format(momentLayout)
}

// Day shows the date of a moment in the named zone: "Tue 8 Dec 2026".
func Day(v any, zone string) string {
	t, ok := timeOf(v)
	if !ok {
		return "—"
	}
	return t.In(zoneOf(zone)).Format(dayLayout)
}

// Relative says how far a moment is from now in whole days, as people
// say it: "today", "tomorrow", "in 3 days", "yesterday", "3 days ago".
func Relative(v any) string {
	t, ok := timeOf(v)
	if !ok {
		return ""
	}
	return relativeTo(t, time.Now())
}

func relativeTo(t, now time.Time) string {
	days := int(t.Sub(now).Round(24*time.Hour) / (24 * time.Hour))
	if t.Sub(now) < 0 && t.Sub(now) > -24*time.Hour {
		days = 0
	}
	switch {
	case days == 0:
		return "today"
	case days == 1:
		return "tomorrow"
	case days == -1:
		return "yesterday"
	case days > 1:
		return fmt.Sprintf("in %d days", days)
	}
	return fmt.Sprintf("%d days ago", -days)
}

// Phone writes a US number as "(555) 010-4477"; anything that is not ten
// digits (after a leading 1) is shown as it came.
func Phone(s string) string {
	d := phoneDigits(s)
	if len(d) != 10 {
		return s
	}
	return "(" + d[:3] + ") " + d[3:6] + "-" + d[6:]
}

// Tel is the tel: link of a US number, "tel:+15550104477", or "" when it
// is not one. It is a URL templates may put in an href as it is: it holds
// nothing but digits after the scheme.
func Tel(s string) template.URL {
	d := phoneDigits(s)
	if len(d) != 10 {
		return ""
	}
	return template.URL("tel:+1" + d)
}

func phoneDigits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	d := b.String()
	if len(d) == 11 && d[0] == '1' {
		d = d[1:]
	}
	return d
}
