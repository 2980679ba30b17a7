package devstack

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/backdesk/backdesk/pkg/imports"
)

// Invented people for the demo practice. No real person is meant.
var (
	firstNames = []string{"Maya", "Luis", "Ana", "Eli", "Grace", "Omar", "Priya", "Noah", "Sofia", "Jamal",
		"Hana", "Mateo", "Ivy", "Ravi", "Chloe", "Diego", "Leah", "Kenji", "Nora", "Samuel"}
	lastNames = []string{"Okafor", "Navarro", "Brandt", "Castillo", "Lindqvist", "Haddad", "Iyer", "Moreau",
		"Quintero", "Abernathy", "Sato", "Villanueva", "Kowalski", "Mensah", "Fairbanks", "Delacroix"}
	payers   = []string{"Delta Dental of Texas", "MetLife Dental", "Cigna Dental", "Aetna Dental", "Guardian", "United Concordia"}
	recalls  = []string{"prophy", "perio maintenance", "child prophy"}
	plans    = []string{"crown, lower left molar", "two fillings, upper right", "night guard", "root canal and crown", "implant consult", "bridge, upper front"}
	demoSize = 200
)

// demoFiles builds the demo practice's exports as canonical CSV, from a
// fixed seed so every fresh dev database gets the same data, dated
// relative to today so there is always work due.
func demoFiles(today time.Time) map[string]string {
	rng := rand.New(rand.NewPCG(2026, 11))
	day := func(offset int) string { return today.AddDate(0, 0, offset).Format("01/02/2006") }
	money := func(cents int) string { return fmt.Sprintf("%d.%02d", cents/100, cents%100) }
	var pat, bal, clm, rec, trt strings.Builder
	pat.WriteString("patient_id,first_name,last_name,date_of_birth,phone,email,address_line1,city,state,postal_code,guarantor_name,preferred_channel,text_consent,do_not_contact\n")
	bal.WriteString("account_id,patient_id,total_balance,aged_0_30,aged_31_60,aged_61_90,aged_over_90,last_statement_date\n")
	clm.WriteString("claim_number,patient_id,payer_name,subscriber_id,date_of_service,submitted_date,billed_amount,paid_amount,claim_status\n")
	rec.WriteString("recall_id,patient_id,recall_type,due_date,last_visit_date,scheduled\n")
	trt.WriteString("plan_id,patient_id,summary,estimated_patient_portion,presented_date,scheduled\n")
	channels := []string{"call", "text", "email", ""}
	for i := 1; i <= demoSize; i++ {
		id := fmt.Sprintf("DEMO-%04d", i)
		first, last := firstNames[rng.IntN(len(firstNames))], lastNames[rng.IntN(len(lastNames))]
		dob := time.Date(1940+rng.IntN(70), time.Month(1+rng.IntN(12)), 1+rng.IntN(28), 0, 0, 0, 0, time.UTC)
		consent := "N"
		if rng.IntN(3) > 0 {
			consent = "Y"
		}
		dnc := "N"
		if rng.IntN(25) == 0 {
			dnc = "Y"
		}
		fmt.Fprintf(&pat, "%s,%s,%s,%s,(512) 555-%04d,%s.%s%d@example.com,%d Lakeview Dr,Austin,TX,787%02d,%s %s,%s,%s,%s\n",
			id, first, last, dob.Format("01/02/2006"), 100+i, strings.ToLower(first), strings.ToLower(last), i, 100+i, rng.IntN(50), first, last,
			channels[rng.IntN(len(channels))], consent, dnc)
		if rng.IntN(10) < 6 {
			b := []int{rng.IntN(200) * 100, rng.IntN(150) * 100, rng.IntN(100) * 100, rng.IntN(80) * 100}
			total := b[0] + b[1] + b[2] + b[3]
			fmt.Fprintf(&bal, "ACCT-%04d,%s,%s,%s,%s,%s,%s,%s\n", i, id, money(total), money(b[0]), money(b[1]), money(b[2]), money(b[3]), day(-rng.IntN(60)))
		}
		if rng.IntN(10) < 4 {
			dos := -20 - rng.IntN(120)
			billed := 8000 + rng.IntN(150000)
			status, paid := "submitted", 0
			switch rng.IntN(5) {
			case 0:
				status, paid = "paid", billed
			case 1:
				status, paid = "partially_paid", billed/2
			case 2:
				status = "denied"
			}
			fmt.Fprintf(&clm, "CLM-%05d,%s,%s,SUB%07d,%s,%s,%s,%s,%s\n", 10000+i, id, payers[rng.IntN(len(payers))], rng.IntN(10000000),
				day(dos), day(dos+2), money(billed), money(paid), status)
		}
		if rng.IntN(10) < 5 {
			due := -90 + rng.IntN(150)
			fmt.Fprintf(&rec, "RC-%04d,%s,%s,%s,%s,%s\n", i, id, recalls[rng.IntN(len(recalls))], day(due), day(due-180), yn(rng.IntN(4) == 0))
		}
		if rng.IntN(10) < 3 {
			fmt.Fprintf(&trt, "TP-%04d,%s,%q,%s,%s,%s\n", i, id, plans[rng.IntN(len(plans))], money(5000+rng.IntN(200000)), day(-rng.IntN(90)), yn(rng.IntN(5) == 0))
		}
	}
	return map[string]string{"patients": pat.String(), "balances": bal.String(), "claims": clm.String(), "recalls": rec.String(),
		"treatments": trt.String(), "appointments": demoSchedule(today)}
}

// demoSchedule is the demo practice's appointments over the next
// fortnight, so that there is always insurance to verify before the
// visits of the next business days. It draws from its own seed, leaving
// the other files as they were. Times are the practice's wall clock; a
// few visits are cancelled or confirmed, as on a real schedule.
func demoSchedule(today time.Time) string {
	rng := rand.New(rand.NewPCG(2026, 12))
	var b strings.Builder
	b.WriteString("appointment_id,patient_id,start,location,provider,planned_procedures,payer_name,subscriber_id,status\n")
	visits := [][]string{{"D0120", "D1110"}, {"D0150", "D0210"}, {"D2740"}, {"D0120", "D1120", "D1206"}, {"D4910"}, {"D2391", "D2392"}}
	statuses := []string{"scheduled", "scheduled", "confirmed", "confirmed", "scheduled", "cancelled"}
	for i := 1; i <= 24; i++ {
		day := today.AddDate(0, 0, 1+(i-1)/2)
		if day.Weekday() == time.Sunday {
			day = day.AddDate(0, 0, 1)
		}
		patient := 1 + rng.IntN(demoSize)
		fmt.Fprintf(&b, "APT-%04d,DEMO-%04d,%s %02d:%02d,Lakeside,%s,%s,%s,SUB%07d,%s\n", i, patient, day.Format("01/02/2006"),
			8+rng.IntN(9), 15*rng.IntN(4), []string{"DDS1", "DDS2", "RDH1"}[rng.IntN(3)], strings.Join(visits[rng.IntN(len(visits))], " "),
			payers[rng.IntN(len(payers))], rng.IntN(10000000), statuses[rng.IntN(len(statuses))])
	}
	return b.String()
}

func yn(b bool) string {
	if b {
		return "Y"
	}
	return "N"
}

// importDemo loads the demo files through the real import pipeline, so the
// demo exercises exactly what a practice's upload does.
func importDemo(ctx context.Context, svc *imports.Service, practiceID string, now time.Time) error {
	files := demoFiles(now)
	for _, kind := range []string{"patients", "balances", "claims", "recalls", "treatments", "appointments"} {
		imp, err := svc.Submit(ctx, imports.Upload{PracticeID: practiceID, Kind: kind, Filename: "demo-" + kind + ".csv", CreatedBy: "seed", Content: strings.NewReader(files[kind])})
		if err != nil {
			return fmt.Errorf("demo %s: %w", kind, err)
		}
		if err := svc.Run(ctx, imp.ID); err != nil {
			return fmt.Errorf("demo %s: %w", kind, err)
		}
		got, err := finished(ctx, svc, imp.ID)
		if err != nil {
			return fmt.Errorf("demo %s: %w", kind, err)
		}
		if got.State != imports.Succeeded || got.RowsRejected > 0 {
			return fmt.Errorf("demo %s: %s with %d rejected rows (%s)", kind, got.State, got.RowsRejected, got.ErrorMessage)
		}
	}
	return nil
}

// finished waits for an import to end. Run returns at once when a worker
// of a platform running elsewhere (SeedDemo's case) took the import first,
// and the patients must be in before the balances that name them.
func finished(ctx context.Context, svc *imports.Service, id string) (imports.Import, error) {
	deadline := time.Now().Add(2 * time.Minute)
	for {
		got, err := svc.Get(ctx, id)
		if err != nil || (got.State != imports.Queued && got.State != imports.Running) {
			return got, err
		}
		if time.Now().After(deadline) {
			return got, fmt.Errorf("still %s after two minutes", got.State)
		}
		select {
		case <-ctx.Done():
			return got, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}
