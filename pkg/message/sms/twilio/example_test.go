package twilio_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"

	"github.com/backdesk/backdesk/pkg/message/sms"
	"github.com/backdesk/backdesk/pkg/message/sms/twilio"
)

// A handler for patients' replies: check the signature against the URL
// configured at Twilio, read the message, and see whether it is a keyword.
func ExampleVerify() {
	const publicURL = "https://backdesk.example/sms/inbound"
	const token = "f3a9c1e0b7d24e6a8c5b9d0e1f2a3b4c" // from Config's AuthTokenRef in a service
	inbound := func(w http.ResponseWriter, r *http.Request) {
		form, err := twilio.Verify(r, publicURL, token)
		if err != nil {
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		in, err := twilio.ParseInbound(form)
		if err != nil {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		fmt.Println(in.ProviderID, sms.ClassifyKeyword(in.Body))
		w.Header().Set("Content-Type", "text/xml")
		fmt.Fprint(w, "<Response></Response>") // no automatic reply
	}

	form := url.Values{"MessageSid": {"SM1"}, "From": {"+14155550123"}, "To": {"+14155550199"}, "Body": {"Stop."}}
	r := httptest.NewRequest(http.MethodPost, "/sms/inbound", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set(twilio.SignatureHeader, twilio.Signature(token, publicURL, form))
	inbound(httptest.NewRecorder(), r)
	// Output: SM1 stop
}
