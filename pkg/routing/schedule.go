package routing

import (
	"fmt"
	"strings"
	"time"
)

// Schedule is an agent's weekly working hours in its own time zone.
// The zero Schedule means "no fixed hours": presence alone decides.
type Schedule struct {
	Days       [7]bool // indexed by time.Weekday
	Start, End int     // minutes after local midnight; End > Start
}

var dayNames = map[string]time.Weekday{"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday,
	"wed": time.Wednesday, "thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday}

// ParseSchedule reads "mon-fri 08:00-17:00" or "mon,wed,fri 09:30-15:00";
// an empty string is the zero Schedule.
func ParseSchedule(s string) (Schedule, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return Schedule{}, nil
	}
	days, hours, ok := strings.Cut(s, " ")
	if !ok {
		return Schedule{}, fmt.Errorf("want days and hours, e.g. mon-fri 08:00-17:00")
	}
	var sch Schedule
	for _, part := range strings.Split(days, ",") {
		from, to, isRange := strings.Cut(part, "-")
		a, okA := dayNames[from]
		if !okA {
			return Schedule{}, fmt.Errorf("%q is not a day (sun, mon, tue, wed, thu, fri, sat)", from)
		}
		b := a
		if isRange {
			var okB bool
			if b, okB = dayNames[to]; !okB {
				return Schedule{}, fmt.Errorf("%q is not a day (sun, mon, tue, wed, thu, fri, sat)", to)
			}
		}
		for d := a; ; d = (d + 1) % 7 {
			sch.Days[d] = true
			if d == b {
				break
			}
		}
	}
	start, end, ok := strings.Cut(strings.TrimSpace(hours), "-")
	if !ok {
		return Schedule{}, fmt.Errorf("want hours as HH:MM-HH:MM")
	}
	var err error
	if sch.Start, err = clock(start); err != nil {
		return Schedule{}, err
	}
	if sch.End, err = clock(end); err != nil {
		return Schedule{}, err
	}
	if sch.End <= sch.Start {
		return Schedule{}, fmt.Errorf("hours must end after they start")
	}
	return sch, nil
}

func clock(s string) (int, error) {
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a time of day like 08:30", s)
	}
	return t.Hour()*60 + t.Minute(), nil
}

// IsZero reports a schedule without fixed hours.
func (s Schedule) IsZero() bool { return s == Schedule{} }

// Within reports whether t falls in the schedule, read in loc.
func (s Schedule) Within(t time.Time, loc *time.Location) bool {
	if s.IsZero() {
		return true
	}
	l := t.In(loc)
	m := l.Hour()*60 + l.Minute()
	return s.Days[l.Weekday()] && m >= s.Start && m < s.End
}

// String writes the schedule back in the form ParseSchedule reads.
func (s Schedule) String() string {
	if s.IsZero() {
		return ""
	}
	var days []string
	for d := time.Sunday; d <= time.Saturday; d++ {
		if s.Days[d] {
			days = append(days, strings.ToLower(d.String()[:3]))
		}
	}
	return fmt.Sprintf("%s %02d:%02d-%02d:%02d", strings.Join(days, ","), s.Start/60, s.Start%60, s.End/60, s.End%60)
}
