// Package admin is the platform admin's part of the console: the dev
// outbox, where the texts and e-mails the development provider took are
// read as patients would get them, and a text is answered as its patient
// would answer it.
package admin

import (
	"embed"
	"net/http"

	"github.com/backdesk/backdesk/services/console/internal/kit"
	"github.com/gin-gonic/gin"
)

//go:embed templates
var templateFS embed.FS

// views are the platform admin's pages.
var views = kit.Parse(templateFS, map[string][]string{"outbox": nil})

// pages serves the platform admin's pages.
type pages struct{ *kit.Kit }

// Mount registers the platform admin's pages on r.
func Mount(k *kit.Kit, r gin.IRouter) {
	p := pages{k}
	k.Handle(r, http.MethodGet, "/outbox", p.outbox)
	k.Handle(r, http.MethodPost, "/outbox/:messageID/reply", p.reply)
}
