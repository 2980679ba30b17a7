package kit

import (
	"net/http"

	"github.com/backdesk/backdesk/services/internal/api"
	"github.com/gin-gonic/gin"
)

// Teams lists the teams, or nil when the API does not; pages that offer
// teams by name fall back to a field for the team's id.
func (k *Kit) Teams(c *gin.Context) []api.Team {
	r := k.Call(c, http.MethodGet, "/api/v1/teams", nil, nil)
	var out api.TeamList
	if !r.OK() || r.Decode(&out) != nil {
		return nil
	}
	return out.Teams
}
