package devstack_test

import (
	"archive/zip"
	"bytes"
	"fmt"
	"net/http"
	"regexp"
	"testing"
	"time"

	"github.com/backdesk/backdesk/pkg/statement/pdftext"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/stretchr/testify/require"
)

// A practice admin runs the month's statements on the demo practice; the
// same cycle again makes nothing new; a billing manager reads what was
// skipped and takes the print vendor's zip; an agent opens the statement
// of an account it works, whose payment link opens the pay page.
func TestStatementRunsInTheDevBinary(t *testing.T) {
	t.Parallel()
	for _, d := range testenv.Dialects {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			b := setup(t, appDatabase(t, d))
			waitRouted(t, b)
			pat, maria, alice := bearer(b.token(t, "pat")), bearer(b.token(t, "maria")), bearer(b.token(t, "alice"))
			var me struct {
				Memberships []struct {
					PracticeID string `json:"practice_id"`
				} `json:"memberships"`
			}
			b.api.Do("GET", "/api/v1/me", "", pat...).JSON(t, &me)
			base := "/api/v1/work/practices/" + me.Memberships[0].PracticeID + "/statements/runs"
			cycle := time.Now().UTC().Format("2006-01")
			body := fmt.Sprintf(`{"cycle":%q,"office_hours":"Mon–Thu 8am–5pm"}`, cycle)

			preview := "/api/v1/work/practices/" + me.Memberships[0].PracticeID + "/statements/preview?office_hours=Mon-Thu+8am-5pm"
			res := b.api.Do("GET", preview, "", pat...)
			require.Equal(t, 200, res.Code, string(res.Body))
			sample, err := pdftext.Text(res.Body)
			require.NoError(t, err)
			require.Contains(t, sample, "Mon-Thu 8am-5pm")
			require.Contains(t, sample, "sample-no-link-until-the-run", "a sample makes no payment link")

			res = b.api.Do("POST", base, `{"cycle":"March"}`, pat...)
			require.Equal(t, 400, res.Code, string(res.Body))
			require.Contains(t, string(res.Body), "office_hours")
			var run struct {
				ID      string `json:"id"`
				State   string `json:"state"`
				Made    int    `json:"made"`
				Emailed int    `json:"emailed"`
				Skipped int    `json:"skipped"`
			}
			res = b.api.Do("POST", base, body, pat...)
			require.Equal(t, 200, res.Code, string(res.Body))
			res.JSON(t, &run)
			require.Equal(t, "done", run.State)
			require.Greater(t, run.Made, 10)
			first := run
			b.api.Do("POST", base, body, pat...).JSON(t, &run)
			require.Equal(t, first, run, "the same cycle makes nothing new")

			res = b.api.Do("GET", base+"/"+run.ID+"/skips", "", maria...)
			require.Equal(t, 200, res.Code, string(res.Body))
			require.Equal(t, 403, b.api.Do("GET", base+"/"+run.ID+"/zip", "", alice...).Code, "agents do not take a practice's statements")
			res = b.api.Do("GET", base+"/"+run.ID+"/zip", "", maria...)
			require.Equal(t, 200, res.Code)
			var zr *zip.Reader
			zr, err = zip.NewReader(bytes.NewReader(res.Body), int64(len(res.Body)))
			require.NoError(t, err)
			require.Len(t, zr.File, run.Made-run.Emailed+1, "a PDF a mailed statement, and the manifest")

			var queue struct {
				Items []struct {
					ItemID string `json:"item_id"`
				} `json:"items"`
			}
			b.api.Do("GET", "/api/v1/work/queue?kind=balance_followup", "", alice...).JSON(t, &queue)
			found := false
			for _, it := range queue.Items {
				res = b.api.Do("GET", "/api/v1/work/items/"+it.ItemID+"/statement", "", alice...)
				if res.Code != http.StatusOK {
					continue
				}
				found = true
				text, err := pdftext.Text(res.Body)
				require.NoError(t, err)
				url := regexp.MustCompile(`/m/pay/[A-Za-z0-9_-]{22}`).FindString(text)
				require.NotEmpty(t, url, "the statement prints its payment link")
				resp, err := noRedirect().Get(b.baseURL + url)
				require.NoError(t, err)
				page := readAll(t, resp)
				require.Equal(t, 200, resp.StatusCode)
				require.Contains(t, page, "Date of birth")
				break
			}
			require.True(t, found, "alice works an account that got a statement")
		})
	}
}
