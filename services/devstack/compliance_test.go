package devstack_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"

	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/stretchr/testify/require"
)

// Compliance closes an anomaly with a note, sees grants due for review,
// and checks the log's integrity on demand; others cannot close or check.
func TestComplianceReviews(t *testing.T) {
	t.Parallel()
	for _, d := range testenv.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			b := setup(t, appDatabase(t, d))
			carol, pat, alice := bearer(b.token(t, "carol")), bearer(b.token(t, "pat")), bearer(b.token(t, "alice"))
			cleo := bearer(b.token(t, "cleo")) // reviews what carol did
			var me struct {
				Memberships []struct {
					PracticeID string `json:"practice_id"`
				} `json:"memberships"`
			}
			b.api.Do("GET", "/api/v1/me", "", pat...).JSON(t, &me)
			practice := me.Memberships[0].PracticeID
			var patientID string
			require.NoError(t, b.stack.DB.Tx(sqldb.WithPractice(context.Background(), practice), func(tx *sql.Tx) error {
				return tx.QueryRow(`SELECT id FROM patients WHERE practice_id = $1 ORDER BY id LIMIT 1`, practice).Scan(&patientID)
			}))

			// A read under break-glass is an anomaly for review.
			res := b.api.Do("POST", "/api/v1/break-glass", fmt.Sprintf(`{"patient_id":%q,"reason":"Patient disputes a charge on the phone now"}`, patientID), carol...)
			require.Equal(t, 201, res.Code, string(res.Body))
			res = b.api.Do("GET", "/api/v1/practices/"+practice+"/patients/"+patientID, "", carol...)
			require.Equal(t, 200, res.Code, string(res.Body))

			type report struct {
				Items []struct {
					Key    string `json:"key"`
					Kind   string `json:"kind"`
					Review *struct {
						Note string `json:"note"`
					} `json:"review"`
				} `json:"items"`
			}
			var rep report
			res = b.api.Do("GET", "/api/v1/audit/reports/anomalies", "", carol...)
			require.Equal(t, 200, res.Code, string(res.Body))
			res.JSON(t, &rep)
			key := ""
			for _, it := range rep.Items {
				if it.Kind == "break_glass" {
					key = it.Key
					require.Nil(t, it.Review)
				}
			}
			require.NotEmpty(t, key, "the break-glass read is reported")

			body := fmt.Sprintf(`{"key":%q,"note":"Confirmed with the practice: the patient called about a charge."}`, key)
			require.Equal(t, 403, b.api.Do("POST", "/api/v1/audit/reviews", body, pat...).Code, "practice admins do not close anomalies")
			res = b.api.Do("POST", "/api/v1/audit/reviews", fmt.Sprintf(`{"key":%q,"note":"ok"}`, key), cleo...)
			require.Equal(t, 400, res.Code)
			require.Contains(t, string(res.Body), `"field":"note"`)
			res = b.api.Do("POST", "/api/v1/audit/reviews", body, cleo...)
			require.Equal(t, 201, res.Code, string(res.Body))
			require.Equal(t, 409, b.api.Do("POST", "/api/v1/audit/reviews", body, cleo...).Code, "one review per anomaly")
			rep = report{}
			b.api.Do("GET", "/api/v1/audit/reports/anomalies", "", carol...).JSON(t, &rep)
			for _, it := range rep.Items {
				if it.Key == key {
					require.NotNil(t, it.Review)
					require.Contains(t, it.Review.Note, "Confirmed")
				}
			}

			// Grants due for re-certification: the demo grant's review is due
			// within the year; the practice admin sees its own, agents nothing.
			var due struct {
				Items []struct {
					PracticeID string `json:"practice_id"`
				} `json:"items"`
			}
			res = b.api.Do("GET", "/api/v1/audit/access-reviews?within_days=365", "", carol...)
			require.Equal(t, 200, res.Code, string(res.Body))
			res.JSON(t, &due)
			require.NotEmpty(t, due.Items)
			res = b.api.Do("GET", "/api/v1/audit/access-reviews?within_days=365", "", pat...)
			require.Equal(t, 200, res.Code, string(res.Body))
			res.JSON(t, &due)
			for _, it := range due.Items {
				require.Equal(t, practice, it.PracticeID)
			}
			require.Equal(t, 403, b.api.Do("GET", "/api/v1/audit/access-reviews", "", alice...).Code)
			require.Equal(t, 400, b.api.Do("GET", "/api/v1/audit/access-reviews?within_days=9999", "", carol...).Code)

			// Integrity: verify on demand, then the panel shows the result.
			require.Equal(t, 403, b.api.Do("POST", "/api/v1/audit/verifications", "", pat...).Code)
			var v struct {
				OK      bool   `json:"ok"`
				Problem string `json:"problem"`
			}
			res = b.api.Do("POST", "/api/v1/audit/verifications", "", carol...)
			require.Equal(t, 200, res.Code, string(res.Body))
			res.JSON(t, &v)
			require.True(t, v.OK, v.Problem)
			var panel struct {
				LastVerification *struct {
					OK bool `json:"ok"`
				} `json:"last_verification"`
			}
			res = b.api.Do("GET", "/api/v1/audit/integrity", "", carol...)
			require.Equal(t, 200, res.Code, string(res.Body))
			res.JSON(t, &panel)
			require.NotNil(t, panel.LastVerification)
			require.True(t, panel.LastVerification.OK)
		})
	}
}
