package codes

import (
	"slices"
	"strings"
)

// Service type codes (X12 element 1365) are how a 270 asks about, and a 271
// answers for, a category of care. A dental office asks about 35 (dental
// care) always, and about the categories of the procedures planned for the
// visit.
var serviceTypes = index([]entry{
	{"1", "medical care"},
	{"30", "health benefit plan coverage"},
	{"35", "dental care"},
	{"23", "diagnostic dental"},
	{"24", "periodontics"},
	{"25", "restorative"},
	{"26", "endodontics"},
	{"27", "maxillofacial prosthetics"},
	{"28", "adjunctive dental services"},
	{"36", "dental crowns"},
	{"37", "dental accident"},
	{"38", "orthodontics"},
	{"39", "prosthodontics"},
	{"40", "oral surgery"},
	{"41", "routine (preventive) dental"},
})

// ServiceType says what a service type code covers, in plain words.
func ServiceType(code string) (string, bool) { return lookup(serviceTypes, code) }

// DentalCare is the service type every dental eligibility request asks
// about: the plan's dental coverage as a whole.
const DentalCare = "35"

// cdtRanges maps the leading digits of CDT procedure codes to the service
// type that covers them, longest prefix first where they overlap. The CDT
// categories follow the code's first two digits after the D: 0 diagnostic,
// 1 preventive, 2 restorative (27 crowns), 3 endodontics, 4 periodontics,
// 5-6 prosthodontics, 7 oral and maxillofacial surgery, 8 orthodontics,
// 9 adjunctive general services.
var cdtRanges = []struct {
	prefix string
	stc    string
}{
	{"D27", "36"}, {"D0", "23"}, {"D1", "41"}, {"D2", "25"}, {"D3", "26"},
	{"D4", "24"}, {"D5", "39"}, {"D6", "39"}, {"D7", "40"}, {"D8", "38"}, {"D9", "28"},
}

// ProcedureServiceType returns the service type that covers a CDT code
// ("D1110" is 41, routine preventive; "D2740" is 36, crowns), or false
// for a code that is not a CDT code.
func ProcedureServiceType(cdt string) (string, bool) {
	c := strings.ToUpper(strings.TrimSpace(cdt))
	if len(c) != 5 || c[0] != 'D' || strings.Trim(c[1:], "0123456789") != "" {
		return "", false
	}
	for _, r := range cdtRanges {
		if strings.HasPrefix(c, r.prefix) {
			return r.stc, true
		}
	}
	return "", false
}

// DentalServiceTypes returns the service types a 270 asks about for a visit
// with the planned CDT procedures: 35 first, then each planned
// procedure's category once, in code order. Codes that are not CDT codes
// are passed over; the request still asks about dental care.
func DentalServiceTypes(planned []string) []string {
	var out []string
	for _, p := range planned {
		if stc, ok := ProcedureServiceType(p); ok && !slices.Contains(out, stc) {
			out = append(out, stc)
		}
	}
	slices.Sort(out)
	return append([]string{DentalCare}, out...)
}
