// Package scale loads a synthetic billing company of a chosen size into a
// PostgreSQL database at bulk-load speed, for the benchmarks that measure
// how Backdesk's costs grow with its data (docs/development.md, "Costs as
// the data grows"). Every name, date of birth and phone number is made
// up from small lists; nothing resembles a real patient.
//
// The company is shaped the same way at every size: practices of 2,000
// patients, two work items per patient over a year, teams of three agents
// serving five practices each, ten audit events per patient. A
// larger company has more of each, not bigger ones, so what an agent or a
// practice sees stays the same while what spans the company grows.
package scale

import (
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
)

// The company at 100%.
const (
	FullPractices   = 500
	FullPatients    = 1_000_000
	FullItems       = 2_000_000
	FullAuditEvents = 10_000_000
	FullAgents      = 300
)

// Team shape: how many agents a team has and how many practices it serves.
const (
	AgentsPerTeam    = 3
	PracticesPerTeam = 5
)

// FractionsVar names the sizes to run, as fractions of the full company
// separated by commas ("0.01,0.1,1") or percentages ("1%,10%,100%").
const FractionsVar = "BACKDESK_SCALE"

// Size is how big a company is.
type Size struct {
	Fraction    float64 // of the full company
	Practices   int
	Patients    int // in all; each practice has Patients/Practices
	Items       int // work items in all, open and finished
	AuditEvents int
	Agents      int
	Teams       int
}

// At returns the company at fraction of the full size, with at least one
// practice, one agent and one team.
func At(fraction float64) Size {
	n := func(full int) int { return max(1, int(math.Round(float64(full)*fraction))) }
	s := Size{Fraction: fraction, Practices: n(FullPractices), Agents: n(FullAgents)}
	// Per-practice figures are kept whole so every practice is alike.
	perPractice := func(full int) int { return max(1, int(math.Round(float64(full)/FullPractices))) * s.Practices }
	s.Patients = perPractice(FullPatients)
	s.Items = perPractice(FullItems)
	s.AuditEvents = perPractice(FullAuditEvents)
	s.Teams = max(1, s.Agents/AgentsPerTeam)
	return s
}

// PatientsPerPractice is how many patients each practice has.
func (s Size) PatientsPerPractice() int { return s.Patients / s.Practices }

// ItemsPerPractice is how many work items each practice has had.
func (s Size) ItemsPerPractice() int { return s.Items / s.Practices }

// String names the size as a percentage of the full company, e.g. "10%".
func (s Size) String() string {
	return strconv.FormatFloat(s.Fraction*100, 'f', -1, 64) + "%"
}

// Fractions reads the sizes to run from BACKDESK_SCALE; def is used when
// it is unset.
func Fractions(def ...float64) ([]float64, error) {
	v := strings.TrimSpace(os.Getenv(FractionsVar))
	if v == "" {
		return def, nil
	}
	var out []float64
	for _, part := range strings.Split(v, ",") {
		part = strings.TrimSpace(part)
		pct := strings.HasSuffix(part, "%")
		f, err := strconv.ParseFloat(strings.TrimSuffix(part, "%"), 64)
		if pct {
			f /= 100
		}
		if err != nil || f <= 0 || f > 10 {
			return nil, fmt.Errorf("%s: %q is not a size (a fraction such as 0.01, or a percentage such as 1%%)", FractionsVar, part)
		}
		out = append(out, f)
	}
	return out, nil
}
