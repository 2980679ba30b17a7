package importstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"github.com/backdesk/backdesk/pkg/imports"
	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/stretchr/testify/require"
)

// interchange wraps transaction sets (each a list of segments from the
// one after ST to the one before SE) in ISA/GS envelopes with correct
// counts and control numbers.
func interchange(fn, code string, sets ...[]string) string {
	var b strings.Builder
	b.WriteString("ISA*00*          *00*          *ZZ*PAYER          *ZZ*BACKDESK       *260301*1200*^*00501*000000101*0*P*:~\n")
	fmt.Fprintf(&b, "GS*%s*PAYER*BACKDESK*20260301*1200*101*X*005010~\n", fn)
	for i, set := range sets {
		fmt.Fprintf(&b, "ST*%s*%04d~\n", code, i+1)
		for _, s := range set {
			b.WriteString(s + "~\n")
		}
		fmt.Fprintf(&b, "SE*%d*%04d~\n", len(set)+2, i+1)
	}
	fmt.Fprintf(&b, "GE*%d*101~\nIEA*1*000000101~\n", len(sets))
	return b.String()
}

const x12Claims = "claim_number,patient_id,payer_name,date_of_service,submitted_date,billed_amount,paid_amount,claim_status\n" +
	"CLM-1,P1,Delta Dental,2026-01-10,2026-01-12,120.00,0,submitted\n" +
	"CLM-2,P2,Delta Dental,2026-01-11,2026-01-12,80.00,0,submitted\n" +
	"CLM-3,P4,Delta Dental,2026-01-12,2026-01-13,300.00,0,submitted\n"

var era = interchange("HP", "835", []string{
	"BPR*I*85*C*ACH************20260301", "TRN*1*EFT001*1999999999", "N1*PR*DELTA DENTAL", "N1*PE*SMILES*XX*1234567893", "LX*1",
	"CLP*CLM-1*1*120*85*20*12*PCN1", "NM1*QC*1*OKAFOR*MAYA", "CAS*CO*45*15", "CAS*PR*2*20", "SVC*AD:D2740*120*85", "DTM*472*20260110",
	"CLP*CLM-2*4*80*0*0*12*PCN2", "CAS*CO*29*80",
	"CLP*CLM-404*1*50*50*0*12*PCN3",
})

var status277 = interchange("HN", "277", []string{
	"BHT*0085*08*277X1*20260301*1200*TH", "HL*1**20*1", "NM1*PR*2*DELTA DENTAL*****PI*DD1", "HL*2*1*21*1", "NM1*41*2*SMILES*****46*S1",
	"HL*3*2*19*1", "NM1*85*2*SMILES*****XX*1234567893", "HL*4*3*PT", "NM1*QC*1*BRANDT*ELI", "TRN*2*CLM-3",
	"STC*A7:21*20260301*U*300", "REF*1K*PCN9",
})

func TestX12ImportsApplyPayerStatements(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		b := setup(t, db)
		p := b.practice(t, "1234567893")
		b.load(t, p, "patients", patientsCSV, false)
		claims := b.load(t, p, "claims", x12Claims, false)
		require.Equal(t, 3, claims.RowsApplied, "%+v", claims.Errors)

		dry := b.load(t, p, "era835", era, true)
		require.Equal(t, imports.Succeeded, dry.State, dry.ErrorMessage)
		require.Equal(t, 3, dry.RowsRead)
		require.Equal(t, 0, dry.RowsApplied, "a dry run applies nothing")
		require.Equal(t, 1, dry.RowsRejected)
		before := fingerprint(t, db)

		rem := b.load(t, p, "era835", era, false)
		require.Equal(t, imports.Succeeded, rem.State, rem.ErrorMessage)
		require.Equal(t, 3, rem.RowsRead)
		require.Equal(t, 2, rem.RowsApplied)
		require.Equal(t, 1, rem.RowsRejected)
		require.Len(t, rem.Errors, 1)
		require.Equal(t, "unmatched_claim", rem.Errors[0].Rule)
		require.Equal(t, "CLP01", rem.Errors[0].Column)
		require.NotContains(t, rem.Errors[0].Message, "CLM-404", "the report names the element, not its value")
		require.Greater(t, rem.Errors[0].Line, 10, "the report gives the segment position")
		require.NotEqual(t, before, fingerprint(t, db))

		status := func(id string) string {
			var s string
			require.NoError(t, db.Tx(sqldb.WithPractice(context.Background(), p), func(tx *sql.Tx) error {
				return tx.QueryRowContext(context.Background(), `SELECT status FROM claims WHERE external_id = $1`, id).Scan(&s)
			}))
			return s
		}
		require.Equal(t, "partially_paid", status("CLM-1"))
		require.Equal(t, "denied", status("CLM-2"))

		// The same file again changes nothing.
		after := fingerprint(t, db)
		again := b.load(t, p, "era835", era, false)
		require.Equal(t, imports.Succeeded, again.State)
		require.Equal(t, 0, again.RowsApplied)
		require.Equal(t, after, fingerprint(t, db))

		st := b.load(t, p, "claimstatus277", status277, false)
		require.Equal(t, imports.Succeeded, st.State, st.ErrorMessage)
		require.Equal(t, 1, st.RowsApplied)
		require.Equal(t, "rejected", status("CLM-3"))
	})
}

func TestX12FilesAreCheckedUpFront(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		b := setup(t, db)
		p := b.practice(t, "1234567893")
		ctx := sqldb.WithPractice(context.Background(), p)
		submit := func(kind, body string) error {
			_, err := b.svc.Submit(ctx, imports.Upload{PracticeID: p, Kind: kind, Filename: "f.edi", CreatedBy: "u", Content: strings.NewReader(body)})
			return err
		}
		cases := []struct{ name, kind, body, code string }{
			{"not X12", "era835", "claim_id,patient_id\nC1,P1\n", "x12_syntax"},
			{"a 277 as an 835", "era835", status277, "wrong_transaction_set"},
			{"mismatched control numbers", "era835", strings.Replace(era, "SE*16*0001", "SE*16*0009", 1), "x12_syntax"},
			{"truncated", "era835", era[:len(era)/2], "x12_syntax"},
		}
		for _, c := range cases {
			err := submit(c.kind, c.body)
			var ae *apperr.Error
			require.ErrorAs(t, err, &ae, c.name)
			require.Equal(t, c.code, ae.Code, "%s: %v", c.name, err)
			require.Equal(t, "file", ae.Field, c.name)
		}
		var pe *apperr.Error
		require.ErrorAs(t, submit("era835x", era), &pe)
		require.Equal(t, "kind", pe.Field)
	})
}
