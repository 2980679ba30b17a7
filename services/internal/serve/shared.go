package serve

import (
	"github.com/backdesk/backdesk/pkg/platform/sqldb"
	"github.com/gin-gonic/gin"
)

// ShareReads is middleware that lets one request's scoped reads share a
// read-only transaction (sqldb.DB.ShareReads), committed when the request
// ends. It is for routes that answer quickly after several reads, such as
// an agent's item view; a streaming route would hold the transaction as
// long as it streams.
func ShareReads(db *sqldb.DB) gin.HandlerFunc {
	return func(c *gin.Context) {
		ctx, end := db.ShareReads(c.Request.Context())
		defer end()
		c.Request = c.Request.WithContext(ctx)
		c.Next()
	}
}
