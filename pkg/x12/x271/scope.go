package x271

import (
	"slices"
	"strings"

	"github.com/backdesk/backdesk/pkg/x12/codes"
)

// Scope is what a benefit applies to: one procedure when EB13 names it,
// else the service types of EB03. An empty scope is the whole plan.
type Scope struct {
	ServiceTypes []string // EB03
	Procedure    string   // EB13-2, a CDT code such as D1110
}

func scopeOf(b Benefit) Scope {
	if b.Procedure != "" {
		return Scope{Procedure: strings.ToUpper(b.Procedure)}
	}
	return Scope{ServiceTypes: b.ServiceTypes}
}

// key identifies the scope for matching benefits that speak of the same
// thing: the procedure's group, or the sorted service types.
func (s Scope) key() string {
	if s.Procedure != "" {
		if g, ok := groupOf(s.Procedure); ok {
			return "group:" + g.many
		}
		return "code:" + s.Procedure
	}
	t := slices.Clone(s.ServiceTypes)
	slices.Sort(t)
	return "stc:" + strings.Join(t, ",")
}

// wholePlan reports whether the scope is the plan's dental coverage as a
// whole rather than one category of care.
func (s Scope) wholePlan() bool {
	if s.Procedure != "" {
		return false
	}
	for _, t := range s.ServiceTypes {
		if t != codes.DentalCare && t != "30" {
			return false
		}
	}
	return true
}

// Words names what the scope covers, in the plural: "cleanings",
// "crowns", "preventive care", "dental care".
func (s Scope) Words() string {
	if s.Procedure != "" {
		if g, ok := groupOf(s.Procedure); ok {
			return g.many
		}
		return s.Procedure
	}
	if len(s.ServiceTypes) == 0 {
		return serviceTypeWords(codes.DentalCare)
	}
	words := make([]string, len(s.ServiceTypes))
	for i, t := range s.ServiceTypes {
		words[i] = serviceTypeWords(t)
	}
	return strings.Join(words, ", ")
}

// noun names n services of the scope: "cleaning", "2 cleanings", a
// procedure's code, or visits for a category of care ("preventive care
// visits").
func (s Scope) noun(n int) string {
	if g, ok := groupOf(s.Procedure); ok {
		if n == 1 {
			return g.one
		}
		return g.many
	}
	if s.Procedure != "" {
		return s.Procedure
	}
	if n == 1 {
		return s.Words() + " visit"
	}
	return s.Words() + " visits"
}

// Covers reports whether a CDT procedure falls within the scope: the same
// procedure or one of its group (D1120 within D1110, both cleanings), or
// a procedure of one of the service types. Dental care (35) and plan
// coverage (30) cover every procedure, and restorative (25) covers crowns
// too, since payers speak of crowns as major restorative care. A code that
// is not a CDT code is covered by nothing.
func (s Scope) Covers(cdt string) bool {
	code := strings.ToUpper(strings.TrimSpace(cdt))
	stc, ok := codes.ProcedureServiceType(code)
	if !ok {
		return false
	}
	if s.Procedure != "" {
		if code == s.Procedure {
			return true
		}
		g, ok := groupOf(code)
		h, ok2 := groupOf(s.Procedure)
		return ok && ok2 && g.many == h.many
	}
	if len(s.ServiceTypes) == 0 {
		return true
	}
	for _, t := range s.ServiceTypes {
		switch {
		case t == stc, t == codes.DentalCare, t == "30":
			return true
		case t == "25" && strings.HasPrefix(code, "D2"):
			return true
		case t == "27" && strings.HasPrefix(code, "D59"):
			return true
		}
	}
	return false
}

// serviceTypes are the words this package uses for the dental service
// types in summaries; they read as the subject of a sentence ("Crowns:
// patient pays 50%"). Others fall back to codes.ServiceType.
var serviceTypes = map[string]string{
	"30": "plan coverage",
	"35": "dental care",
	"23": "diagnostic care",
	"24": "periodontics",
	"25": "restorative care",
	"26": "endodontics",
	"27": "maxillofacial prosthetics",
	"28": "adjunctive services",
	"36": "crowns",
	"37": "dental accidents",
	"38": "orthodontics",
	"39": "prosthodontics",
	"40": "oral surgery",
	"41": "preventive care",
}

func serviceTypeWords(code string) string {
	if w, ok := serviceTypes[code]; ok {
		return w
	}
	if w, ok := codes.ServiceType(code); ok {
		return w
	}
	return "service type " + code
}

// group is a family of CDT codes that payers limit together and people
// name with one word.
type group struct {
	one, many string
	codes     []string // whole codes
	prefixes  []string // or leading characters
}

// groups are the procedure families a dental office checks frequencies
// and waiting periods for.
var groups = []group{
	{one: "cleaning", many: "cleanings", codes: []string{"D1110", "D1120"}},
	{one: "exam", many: "exams", codes: []string{"D0120", "D0145", "D0150", "D0180"}},
	{one: "limited exam", many: "limited exams", codes: []string{"D0140", "D0170"}},
	{one: "set of bitewings", many: "bitewings", codes: []string{"D0270", "D0272", "D0273", "D0274", "D0277"}},
	{one: "full-mouth or panoramic x-ray", many: "full-mouth or panoramic x-rays", codes: []string{"D0210", "D0330"}},
	{one: "fluoride treatment", many: "fluoride treatments", codes: []string{"D1206", "D1208"}},
	{one: "sealant", many: "sealants", codes: []string{"D1351", "D1352"}},
	{one: "filling", many: "fillings", prefixes: []string{"D21", "D23"}},
	{one: "crown", many: "crowns", prefixes: []string{"D27"}},
	{one: "root canal", many: "root canals", prefixes: []string{"D331", "D332", "D333", "D334"}},
	{one: "scaling and root planing", many: "scaling and root planing", codes: []string{"D4341", "D4342"}},
	{one: "periodontal maintenance", many: "periodontal maintenance visits", codes: []string{"D4910"}},
	{one: "denture", many: "dentures", prefixes: []string{"D51", "D52"}},
	{one: "implant", many: "implants", prefixes: []string{"D60"}},
	{one: "bridge", many: "bridges", prefixes: []string{"D62", "D65", "D66", "D67"}},
	{one: "extraction", many: "extractions", prefixes: []string{"D711", "D714", "D721", "D722", "D723", "D724", "D725"}},
}

func groupOf(code string) (group, bool) {
	code = strings.ToUpper(strings.TrimSpace(code))
	if code == "" {
		return group{}, false
	}
	for _, g := range groups {
		if slices.Contains(g.codes, code) {
			return g, true
		}
		for _, p := range g.prefixes {
			if strings.HasPrefix(code, p) {
				return g, true
			}
		}
	}
	return group{}, false
}

// posteriorComposite reports whether a code is a resin composite on a
// back tooth, the filling plans most often pay as amalgam.
func posteriorComposite(code string) bool {
	switch strings.ToUpper(strings.TrimSpace(code)) {
	case "D2391", "D2392", "D2393", "D2394":
		return true
	}
	return false
}
