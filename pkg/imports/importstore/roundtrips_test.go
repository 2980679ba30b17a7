package importstore_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/backdesk/backdesk/pkg/imports"
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/backdesk/backdesk/pkg/x12/x12test"
	"github.com/stretchr/testify/require"
)

// Applying an 835 looks its claims up once per remittance, not once per
// claim: the statements an 835 costs grow by the same amount for each
// claim added, and that amount is held to its ceiling: 4.55 with this
// generator's mix of paid, partly paid and denied claims, on both
// databases (5.55 when each claim was looked up alone; the goal is 2).
func TestApplying835CostsAFixedNumberOfStatementsPerClaim(t *testing.T) {
	t.Parallel()
	testenv.EachDB(t, func(t *testing.T, db *sqldb.DB) {
		bb := setup(t, db)
		apply := func(npi string, claims int) int64 {
			pid := bb.practiceB(t, npi)
			seedClaims(t, db, pid, claims)
			var file bytes.Buffer
			_, err := x12test.Generate835(&file, claims, 1)
			require.NoError(t, err)
			ctx := sqldb.WithPractice(context.Background(), pid)
			imp, err := bb.svc.Submit(ctx, imports.Upload{PracticeID: pid, Kind: "era835", Filename: "era.edi", CreatedBy: "u",
				Content: bytes.NewReader(file.Bytes()), Size: int64(file.Len())})
			require.NoError(t, err)
			before := db.Counts()
			require.NoError(t, bb.svc.Run(ctx, imp.ID))
			spent := db.Counts().Sub(before).Statements
			got, err := bb.svc.Get(ctx, imp.ID)
			require.NoError(t, err)
			require.Equal(t, claims, got.RowsApplied)
			return spent
		}
		small, large := apply("1234567893", 20), apply("1245319599", 60)
		perClaim := float64(large-small) / 40
		require.LessOrEqual(t, perClaim, 4.55, "statements per claim (%d for 20 claims, %d for 60)", small, large)
		t.Logf("%s: %.2f statements per claim", db.Dialect, perClaim)
	})
}
