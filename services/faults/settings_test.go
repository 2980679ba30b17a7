package faults_test

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// settings size a run. BACKDESK_FAULTS_SIZE picks "small" (the default,
// what CI runs) or "full"; BACKDESK_FAULTS_AGENTS overrides the number
// of agents and BACKDESK_FAULTS_ONLY runs only the faults whose names
// contain one of its comma-separated words.
type settings struct {
	size        string
	agents      int
	before      time.Duration    // load before each fault, the baseline
	after       time.Duration    // load after each fault is healed
	hold        time.Duration    // how long the longer faults last
	timer       time.Duration    // next contact dates are this far off, so timers fire within the run
	importEvery time.Duration    // new patients and 835s arrive about this often
	think       [2]time.Duration // an agent pauses between steps for a time in this range
	only        []string
}

func readSettings(t *testing.T) settings {
	t.Helper()
	s := settings{size: "small", agents: 12, before: 4 * time.Second, after: 8 * time.Second, hold: 10 * time.Second,
		timer: 20 * time.Second, importEvery: 15 * time.Second, think: [2]time.Duration{50 * time.Millisecond, 300 * time.Millisecond}}
	switch v := os.Getenv("BACKDESK_FAULTS_SIZE"); v {
	case "", "small":
	case "full":
		// Fifty agents at a pace people keep: a second to three between
		// steps (the small size's twelve are a day compressed).
		s.size, s.agents, s.before, s.after, s.importEvery = "full", 50, 10*time.Second, 20*time.Second, 10*time.Second
		s.think = [2]time.Duration{time.Second, 3 * time.Second}
	default:
		t.Fatalf("BACKDESK_FAULTS_SIZE=%q: use small or full", v)
	}
	if v := os.Getenv("BACKDESK_FAULTS_AGENTS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 500 {
			t.Fatalf("BACKDESK_FAULTS_AGENTS=%q: a number of agents from 1 to 500", v)
		}
		s.agents = n
	}
	for _, w := range strings.Split(os.Getenv("BACKDESK_FAULTS_ONLY"), ",") {
		if w = strings.TrimSpace(w); w != "" {
			s.only = append(s.only, strings.ToLower(w))
		}
	}
	return s
}

// wants reports whether the run includes the named fault.
func (s settings) wants(name string) bool {
	if len(s.only) == 0 {
		return true
	}
	for _, w := range s.only {
		if strings.Contains(strings.ToLower(name), w) {
			return true
		}
	}
	return false
}

// String describes the settings for the report.
func (s settings) String() string {
	return fmt.Sprintf("size %s: %d agents pausing %s to %s between steps, %s of load before each fault and %s after it, longer faults held %s, next contact dates %s ahead, files arriving every %s or so",
		s.size, s.agents, s.think[0], s.think[1], s.before, s.after, s.hold, s.timer, s.importEvery)
}
