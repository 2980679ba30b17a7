package devstack_test

import (
	"strings"
	"testing"

	"github.com/backdesk/backdesk/pkg/message"
	"github.com/backdesk/backdesk/pkg/testenv"
	"github.com/stretchr/testify/require"
)

// A practice admin's message setup: the defaults with the placeholders
// each channel allows; a template with an unknown placeholder and a
// disallowed one is refused with every problem by field; a good one is
// kept and read back as the practice's own, and reset; settings are
// checked field by field; opt-outs list the patient by name.
func TestPracticeAdminEditsMessages(t *testing.T) {
	t.Parallel()
	b := setup(t, appDatabase(t, testenv.Dialects[0]))
	waitRouted(t, b)
	pat, alice := bearer(b.token(t, "pat")), bearer(b.token(t, "alice"))
	var me struct {
		Memberships []struct {
			PracticeID string `json:"practice_id"`
		} `json:"memberships"`
	}
	b.api.Do("GET", "/api/v1/me", "", pat...).JSON(t, &me)
	base := "/api/v1/work/practices/" + me.Memberships[0].PracticeID + "/messages"

	var setup struct {
		Settings struct {
			PerMinute int `json:"per_minute"`
		} `json:"settings"`
		Templates []struct {
			Key, Channel, Body string
			Own                bool
		} `json:"templates"`
		Placeholders map[string][]string `json:"placeholders"`
	}
	res := b.api.Do("GET", base, "", pat...)
	require.Equal(t, 200, res.Code, string(res.Body))
	res.JSON(t, &setup)
	require.Equal(t, 30, setup.Settings.PerMinute)
	require.Len(t, setup.Templates, len(message.Defaults))
	require.Contains(t, setup.Placeholders["text"], "first_name")
	require.NotContains(t, strings.Join(setup.Placeholders["text"], " "), "amount")

	bad := `{"name":"Recall due","body":"Hi {{first_name}}, you owe {{amount}} for {{procedure}}. {{practice_name"}`
	res = b.api.Do("PUT", base+"/templates/text/recall_due", bad, pat...)
	require.Equal(t, 400, res.Code, string(res.Body))
	require.Contains(t, string(res.Body), "amount")
	require.Equal(t, 403, b.api.Do("PUT", base+"/templates/text/recall_due", bad, alice...).Code, "agents do not edit templates")

	var checked struct {
		Body     string            `json:"body"`
		Problems map[string]string `json:"problems"`
	}
	good := `{"channel":"text","key":"recall_due","name":"Recall due","body":"Hi {{first_name}}, {{practice_name}} here: time for your checkup ({{due_month}}). Call {{practice_phone}}. Reply STOP to opt out."}`
	res = b.api.Do("POST", base+"/templates/check", good, pat...)
	require.Equal(t, 200, res.Code, string(res.Body))
	res.JSON(t, &checked)
	require.Empty(t, checked.Problems)
	require.Contains(t, checked.Body, "Hi Alex, ")
	require.Contains(t, checked.Body, "(512) 555-0100")
	res = b.api.Do("PUT", base+"/templates/text/recall_due", good, pat...)
	require.Equal(t, 200, res.Code, string(res.Body))
	b.api.Do("GET", base, "", pat...).JSON(t, &setup)
	own := 0
	for _, tpl := range setup.Templates {
		if tpl.Own {
			own++
			require.Contains(t, tpl.Body, "time for your checkup")
		}
	}
	require.Equal(t, 1, own)
	require.Equal(t, 204, b.api.Do("DELETE", base+"/templates/text/recall_due", "", pat...).Code)
	require.Equal(t, 404, b.api.Do("DELETE", base+"/templates/text/recall_due", "", pat...).Code)

	res = b.api.Do("PUT", base+"/settings", `{"text_from":"555-0100","automatic":true,"per_minute":0}`, pat...)
	require.Equal(t, 400, res.Code, string(res.Body))
	require.Contains(t, string(res.Body), "text_from")
	require.Contains(t, string(res.Body), "per_minute")
	res = b.api.Do("PUT", base+"/settings", `{"text_from":"+15125550999","automatic":true,"per_minute":20}`, pat...)
	require.Equal(t, 200, res.Code, string(res.Body))

	var problems struct {
		OptOuts []struct {
			PatientName string `json:"patient_name"`
		} `json:"opt_outs"`
		Failures []any `json:"failures"`
	}
	res = b.api.Do("GET", base+"/problems", "", pat...)
	require.Equal(t, 200, res.Code, string(res.Body))
	res.JSON(t, &problems)
	require.Empty(t, problems.OptOuts)
}
