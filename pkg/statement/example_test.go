package statement_test

import (
	"fmt"

	"github.com/backdesk/backdesk/pkg/records"
	"github.com/backdesk/backdesk/pkg/statement"
)

// sample is a valid statement with a little of everything: a balance
// forward, a charge, an insurance payment, a write-off, a patient payment
// and a pending claim.
func sample() statement.Statement {
	return statement.Statement{
		Practice: statement.Practice{
			Name:    "Lakeview Family Dental",
			Address: statement.Address{Line1: "410 Harbor Street", Line2: "Suite 200", City: "Sandusky", State: "OH", PostalCode: "44870"},
			RemitTo: statement.Address{Line1: "PO Box 7781", City: "Columbus", State: "OH", PostalCode: "43215-7781"},
			Phone:   "(419) 555-0142",
			Hours:   "Mon–Thu 8am–5pm, Fri 8am–noon",
		},
		Guarantor: statement.Guarantor{
			Name:    "Maria L. Gomez",
			Address: statement.Address{Line1: "1187 Elm Avenue", Line2: "Apt 3B", City: "Huron", State: "OH", PostalCode: "44839-1021"},
		},
		AccountNumber:       "LV-004417",
		StatementDate:       records.Date{Year: 2026, Month: 3, Day: 4},
		DueDate:             records.Date{Year: 2026, Month: 4, Day: 3},
		BalanceForwardCents: 12000,
		Lines: []statement.Line{
			{Date: records.Date{Year: 2026, Month: 2, Day: 10}, Description: "D0120 Periodic oral evaluation", ChargeCents: 6500},
			{Date: records.Date{Year: 2026, Month: 2, Day: 10}, Description: "D2740 Crown – porcelain/ceramic", ChargeCents: 123456},
			{Date: records.Date{Year: 2026, Month: 2, Day: 24}, Description: "Delta Dental payment", InsuranceCents: -4500},
			{Date: records.Date{Year: 2026, Month: 2, Day: 24}, Description: "Contractual adjustment", InsuranceCents: -2000},
			{Date: records.Date{Year: 2026, Month: 2, Day: 27}, Description: "Payment – thank you", PatientCents: -5000},
		},
		Pending: []statement.Pending{
			{Date: records.Date{Year: 2026, Month: 2, Day: 10}, Payer: "Delta Dental of Ohio", EstimateCents: 61728},
		},
		// Balance: 12000 + 6500 + 123456 - 4500 - 2000 - 5000 = 130456.
		Aging:  statement.Aging{CurrentCents: 118456, Days31Cents: 0, Days61Cents: 7000, Over90Cents: 5000},
		PayURL: "https://pay.backdesk.example/s/7QK2M9XH",
	}
}

func ExampleStatement_Totals() {
	t := sample().Totals()
	fmt.Println("balance", statement.FormatCents(t.BalanceCents))
	fmt.Println("pending", statement.FormatCents(t.PendingCents))
	fmt.Println("due now", statement.FormatCents(t.DueCents))
	// Output:
	// balance $1,304.56
	// pending $617.28
	// due now $687.28
}
