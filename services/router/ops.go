package router

import (
	"github.com/backdesk/backdesk/services/internal/authz"
	"github.com/hibiken/asynq"
	"github.com/hibiken/asynqmon"
)

// OpsPath is where operators watch the queues.
const OpsPath = "/ops/queues"

// WithOps serves asynqmon at OpsPath for platform admins, over the queues
// in opt, behind guard.
func (r *Router) WithOps(guard *authz.Guard, opt asynq.RedisConnOpt) *Router {
	r.guard = guard
	r.ops = asynqmon.New(asynqmon.Options{RootPath: OpsPath, RedisConnOpt: opt, ReadOnly: false})
	return r
}
