// Package practice is the practice admin's part of the console: the
// dashboard of the work done for the practice, the onboarding checklist
// and the set-up page its steps lead to (time zone, BAA, locations, other
// admins, contact rules), imports (the upload form, each import's progress and report, its error
// report), and the access page, where the admin grants, re-certifies and
// revokes access, decides access requests and sees who read its patients;
// the messages pages: how the practice's texts and e-mails to
// patients go out, their templates and the editor, and the opt-outs and
// undelivered messages; and the patient statements: running a month,
// the runs with their downloads, and what each run skipped.
package practice

import (
	"embed"
	"net/http"

	"github.com/backdesk/backdesk/pkg/platform/web"
	"github.com/backdesk/backdesk/services/console/internal/kit"
	"github.com/gin-gonic/gin"
)

//go:embed templates
var templateFS embed.FS

// views are the practice admin's pages.
var views = kit.Parse(templateFS, map[string][]string{
	"practice": nil, "checklist": nil, "imports": nil, "import": nil, "access": {"accessforms"}, "setup": nil,
	"messages": nil, "messagetemplate": nil, "messageproblems": nil, "statements": nil, "statementskips": nil,
})

// pages serves the practice admin's pages.
type pages struct{ *kit.Kit }

// Mount registers the practice admin's pages on r.
func Mount(k *kit.Kit, r gin.IRouter) {
	p := pages{k}
	k.Handle(r, http.MethodGet, "/practices/:practiceID", p.dashboard)
	k.Handle(r, http.MethodGet, "/practices/:practiceID/checklist", p.checklist)
	k.Handle(r, http.MethodGet, "/practices/:practiceID/setup", p.setupHome)
	k.Handle(r, http.MethodPost, "/practices/:practiceID/setup/timezone", p.saveTimezone)
	web.AllowBodyOn(r, http.MethodPost, "/practices/:practiceID/setup/baa", maxBAADocument+1<<20)
	k.Handle(r, http.MethodPost, "/practices/:practiceID/setup/baa", p.recordBAA)
	k.Handle(r, http.MethodPost, "/practices/:practiceID/setup/locations", p.addLocation)
	k.Handle(r, http.MethodPost, "/practices/:practiceID/setup/invitations", p.inviteAdmin)
	k.Handle(r, http.MethodPost, "/practices/:practiceID/setup/contact", p.saveContact)
	k.Handle(r, http.MethodGet, "/practices/:practiceID/imports", p.importForm)
	web.AllowBodyOn(r, http.MethodPost, "/practices/:practiceID/imports", maxUpload)
	k.Handle(r, http.MethodPost, "/practices/:practiceID/imports", p.upload)
	k.Handle(r, http.MethodGet, "/imports/:importID", p.importPage)
	k.Handle(r, http.MethodGet, "/imports/:importID/status", p.importStatus)
	k.Handle(r, http.MethodGet, "/imports/:importID/errors.csv", p.importErrors)
	k.Handle(r, http.MethodGet, "/practices/:practiceID/access", p.accessHome)
	k.Handle(r, http.MethodPost, "/practices/:practiceID/grants", p.createGrant)
	k.Handle(r, http.MethodPost, "/practices/:practiceID/grants/:grantID/revoke", p.revokeGrant)
	k.Handle(r, http.MethodPost, "/practices/:practiceID/grants/:grantID/recertify", p.recertifyGrant)
	k.Handle(r, http.MethodPost, "/practices/:practiceID/access-requests/:requestID/approve", p.approveRequest)
	k.Handle(r, http.MethodPost, "/practices/:practiceID/access-requests/:requestID/deny", p.denyRequest)
	k.Handle(r, http.MethodGet, "/practices/:practiceID/messages", p.messagesHome)
	k.Handle(r, http.MethodPost, "/practices/:practiceID/messages/settings", p.saveMessageSettings)
	k.Handle(r, http.MethodGet, "/practices/:practiceID/messages/problems", p.messageProblems)
	k.Handle(r, http.MethodGet, "/practices/:practiceID/messages/templates/:channel/:key", p.templateEditor)
	k.Handle(r, http.MethodPost, "/practices/:practiceID/messages/templates/:channel/:key", p.saveTemplate)
	k.Handle(r, http.MethodPost, "/practices/:practiceID/messages/templates/:channel/:key/reset", p.resetTemplate)
	k.Handle(r, http.MethodGet, "/practices/:practiceID/statements", p.statementsHome)
	k.Handle(r, http.MethodPost, "/practices/:practiceID/statements", p.runStatements)
	k.Handle(r, http.MethodGet, "/practices/:practiceID/statements/runs/:runID/skips", p.runSkips)
	// A run's downloads are disclosures the API records: their paths hold
	// export, as the other downloads' do, so that a walk through the
	// pages' links (the accessibility test's) never takes one.
	k.Handle(r, http.MethodGet, "/practices/:practiceID/statements/runs/:runID/export/pdf", p.runPDF)
	k.Handle(r, http.MethodGet, "/practices/:practiceID/statements/runs/:runID/export/zip", p.runZip)
}
