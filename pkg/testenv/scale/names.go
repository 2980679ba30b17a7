package scale

import "fmt"

// Small lists the synthetic people are made from. Combined they give a
// few thousand plausible names, repeated across a large company as real
// names are.
var (
	firstNames = []string{"Ava", "Ben", "Chloe", "Daniel", "Elena", "Farah", "George", "Hana", "Isaac", "Julia",
		"Kenji", "Lena", "Marco", "Nadia", "Omar", "Priya", "Quinn", "Rosa", "Samuel", "Tara",
		"Uma", "Victor", "Wendy", "Xavier", "Yara", "Zane", "Amir", "Bianca", "Carlos", "Dana"}
	lastNames = []string{"Abbott", "Baker", "Castillo", "Dunn", "Ellis", "Fischer", "Garcia", "Hughes", "Ibarra", "Jensen",
		"Kowalski", "Lambert", "Morales", "Nguyen", "Okafor", "Patel", "Quintero", "Reyes", "Schmidt", "Tanaka",
		"Underwood", "Vargas", "Walsh", "Xu", "Young", "Zimmerman", "Alvarez", "Brennan", "Choi", "Duarte"}
	streets = []string{"Maple St", "Oak Ave", "Cedar Ln", "Pine Rd", "Elm Ct", "Birch Way", "Willow Dr", "Aspen Pl"}
	cities  = []struct{ city, state, zip string }{
		{"Springfield", "IL", "627"}, {"Riverton", "WY", "825"}, {"Lakeside", "MI", "490"}, {"Fairview", "TX", "750"},
		{"Greenville", "SC", "296"}, {"Madison", "WI", "537"}, {"Salem", "OR", "973"}, {"Franklin", "TN", "370"},
	}
	payers        = []struct{ name, id string }{{"Delta Dental", "94276"}, {"Cigna Dental", "62308"}, {"MetLife Dental", "65978"}, {"Guardian", "64246"}, {"Aetna Dental", "60054"}, {"United Concordia", "CX014"}}
	recallKind    = []string{"prophy", "perio", "bitewings", "exam"}
	treatments    = []string{"crown, upper left", "bridge, lower right", "implant consult", "night guard", "root canal follow-up", "two fillings"}
	timezones     = []string{"America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles", "America/Phoenix"}
	practiceWords = []string{"Lakeside", "Riverside", "Hillcrest", "Maplewood", "Brookside", "Sunrise", "Harbor", "Cedar", "Parkview", "Meadow"}
	practiceKinds = []string{"Family Dental", "Dental Care", "Smiles", "Dentistry", "Dental Group"}
)

// practiceName is a made-up practice name, numbered so it is unique.
func practiceName(p int) string {
	return fmt.Sprintf("%s %s %d", practiceWords[pick(len(practiceWords), p, 1)], practiceKinds[pick(len(practiceKinds), p, 2)], p+1)
}

// npi is a ten-digit number with a valid check digit (the Luhn formula
// over the 80840 prefix, as NPIs use), unique per practice.
func npi(p int) string {
	base := fmt.Sprintf("1%08d", 10_000_000+p)
	sum := 24 // the constant the 80840 prefix contributes
	for i := len(base) - 1; i >= 0; i-- {
		d := int(base[i] - '0')
		if (len(base)-1-i)%2 == 0 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return base + fmt.Sprint((10-sum%10)%10)
}
