package recordstore

import (
	"fmt"
	"strings"

	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/records"
)

// table describes one record table: its data columns in order, how to read
// them off a row, and which external ids the row carries.
type table struct {
	name            string
	columns         []string // data columns after id, practice_id (and patient_id)
	values          func(records.Row) []any
	external        func(records.Row) string
	patientExternal func(records.Row) string
}

var (
	patientTable = table{
		name: "patients",
		columns: []string{"external_id", "first_name", "last_name", "date_of_birth", "phone", "email", "address_line1", "address_line2",
			"city", "state", "postal_code", "guarantor_name", "preferred_channel", "text_consent", "do_not_contact"},
		values: func(r records.Row) []any {
			p := r.Patient
			return []any{p.ExternalID, p.FirstName, p.LastName, p.DateOfBirth.String(), p.Phone, p.Email, p.AddressLine1, p.AddressLine2,
				p.City, p.State, p.PostalCode, p.GuarantorName, string(p.PreferredChannel), p.TextConsent, p.DoNotContact}
		},
		external: func(r records.Row) string { return r.Patient.ExternalID },
	}
	balanceTable = table{
		name: "balances",
		columns: []string{"external_id", "total_cents", "aged_0_30_cents", "aged_31_60_cents", "aged_61_90_cents", "aged_over_90_cents",
			"last_statement_date", "last_payment_date", "last_payment_cents"},
		values: func(r records.Row) []any {
			b := r.Balance
			return []any{b.ExternalID, b.TotalCents, b.Aged0To30Cents, b.Aged31To60Cents, b.Aged61To90Cents, b.AgedOver90Cents,
				b.LastStatementDate.String(), b.LastPaymentDate.String(), b.LastPaymentCents}
		},
		external:        func(r records.Row) string { return r.Balance.ExternalID },
		patientExternal: func(r records.Row) string { return r.Balance.PatientExternalID },
	}
	claimTable = table{
		name: "claims",
		columns: []string{"external_id", "payer_name", "payer_id", "subscriber_id", "date_of_service", "submitted_date",
			"billed_cents", "paid_cents", "patient_responsibility_cents", "status"},
		values: func(r records.Row) []any {
			c := r.Claim
			return []any{c.ExternalID, c.PayerName, c.PayerID, c.SubscriberID, c.DateOfService.String(), c.SubmittedDate.String(),
				c.BilledCents, c.PaidCents, c.PatientResponsibilityCents, string(c.Status)}
		},
		external:        func(r records.Row) string { return r.Claim.ExternalID },
		patientExternal: func(r records.Row) string { return r.Claim.PatientExternalID },
	}
	recallTable = table{
		name:    "recalls",
		columns: []string{"external_id", "recall_type", "due_date", "last_visit_date", "scheduled"},
		values: func(r records.Row) []any {
			c := r.Recall
			return []any{c.ExternalID, c.RecallType, c.DueDate.String(), c.LastVisitDate.String(), c.Scheduled}
		},
		external:        func(r records.Row) string { return r.Recall.ExternalID },
		patientExternal: func(r records.Row) string { return r.Recall.PatientExternalID },
	}
	treatmentTable = table{
		name:    "treatment_plans",
		columns: []string{"external_id", "summary", "est_patient_cents", "presented_date", "scheduled"},
		values: func(r records.Row) []any {
			p := r.Treatment
			return []any{p.ExternalID, p.Summary, p.EstimatedPatientPortionCents, p.PresentedDate.String(), p.Scheduled}
		},
		external:        func(r records.Row) string { return r.Treatment.ExternalID },
		patientExternal: func(r records.Row) string { return r.Treatment.PatientExternalID },
	}
	// appointmentTable keeps a visit's start in UTC and its procedure
	// codes space-separated, in the file's order.
	appointmentTable = table{
		name: "appointments",
		columns: []string{"external_id", "starts_at", "location", "provider", "planned_procedures", "payer_name",
			"subscriber_id", "status"},
		values: func(r records.Row) []any {
			a := r.Appointment
			return []any{a.ExternalID, a.Start.UTC(), a.Location, a.Provider, strings.Join(a.PlannedProcedures, " "),
				a.InsuranceOnFile.PayerName, a.InsuranceOnFile.SubscriberID, string(a.Status)}
		},
		external:        func(r records.Row) string { return r.Appointment.ExternalID },
		patientExternal: func(r records.Row) string { return r.Appointment.PatientExternalID },
	}
)

func tableFor(r records.Row) table {
	switch {
	case r.Patient != nil:
		return patientTable
	case r.Balance != nil:
		return balanceTable
	case r.Claim != nil:
		return claimTable
	case r.Recall != nil:
		return recallTable
	case r.Appointment != nil:
		return appointmentTable
	}
	return treatmentTable
}

// upsertSQL builds a multi-row upsert that updates only rows whose values
// differ and returns the id and external id of every row it inserted or
// changed. On PostgreSQL the rows arrive as one array per column (see
// columnArrays), which the server plans once however many rows there are;
// SQLite takes a VALUES list.
func (t table) upsertSQL(d sqldb.Dialect, n int, types []string) string {
	cols := t.allColumns()
	var b strings.Builder
	fmt.Fprintf(&b, "INSERT INTO %s (%s) ", t.name, strings.Join(cols, ", "))
	if d == sqldb.Postgres {
		b.WriteString("SELECT * FROM unnest(")
		for j, typ := range types {
			if j > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "$%d::%s[]", j+1, typ)
		}
		b.WriteString(")")
	} else {
		b.WriteString("VALUES ")
		p := 1
		for i := 0; i < n; i++ {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(")
			for j := range cols {
				if j > 0 {
					b.WriteString(", ")
				}
				b.WriteString(d.Param(p))
				p++
			}
			b.WriteString(")")
		}
	}
	var set, differ []string
	changing := t.columns[1:] // everything but external_id
	if t.name != "patients" {
		changing = append([]string{"patient_id"}, changing...)
	}
	for _, c := range changing {
		set = append(set, fmt.Sprintf("%s = excluded.%s", c, c))
		differ = append(differ, fmt.Sprintf("%s.%s <> excluded.%s", t.name, c, c))
	}
	set = append(set, "updated_at = excluded.updated_at")
	fmt.Fprintf(&b, " ON CONFLICT (practice_id, external_id) DO UPDATE SET %s WHERE %s RETURNING id, external_id",
		strings.Join(set, ", "), strings.Join(differ, " OR "))
	return b.String()
}

func (t table) allColumns() []string {
	cols := []string{"id", "practice_id"}
	if t.name != "patients" {
		cols = append(cols, "patient_id")
	}
	cols = append(cols, t.columns...)
	return append(cols, "created_at", "updated_at")
}
