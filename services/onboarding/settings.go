package onboarding

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/backdesk/backdesk/pkg/platform/apperr"
	"github.com/backdesk/backdesk/pkg/platform/web"
	"github.com/backdesk/backdesk/pkg/policy"
	"github.com/backdesk/backdesk/pkg/practice"
	"github.com/backdesk/backdesk/services/internal/api"
	"github.com/backdesk/backdesk/services/internal/auditmw"
	"github.com/backdesk/backdesk/services/internal/authn"
	"github.com/gin-gonic/gin"
)

func (a *API) listLocations(c *gin.Context) {
	locs, err := a.practices.Locations(c.Request.Context(), c.Param("id"))
	if err != nil {
		web.Fail(c, err)
		return
	}
	out := api.LocationList{Items: make([]api.Location, 0, len(locs))}
	for _, l := range locs {
		out.Items = append(out.Items, locationResponseFrom(l))
	}
	c.JSON(http.StatusOK, out)
}

func (a *API) addLocation(c *gin.Context) {
	var in api.LocationBody
	if err := web.DecodeJSON(c, &in); err != nil {
		web.Fail(c, err)
		return
	}
	l, err := a.practices.As(auditmw.By(c)).AddLocation(c.Request.Context(), c.Param("id"), locationFrom(in))
	if err != nil {
		web.Fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, locationResponseFrom(l))
}

func (a *API) getPolicies(c *gin.Context) {
	pols, err := a.practices.Policies(c.Request.Context(), c.Param("id"))
	if err != nil {
		web.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, policiesResponseFrom(pols))
}

// putPolicy replaces one kind's policy, or the contact rules when kind is
// "contact". The body is the document plus the version the caller read.
func (a *API) putPolicy(c *gin.Context) {
	kind := c.Param("kind")
	if !practice.ValidPolicyKey(kind) {
		web.Fail(c, apperr.NotFound("policy kind"))
		return
	}
	var in api.PolicyBody
	if err := web.DecodeJSON(c, &in); err != nil {
		web.Fail(c, err)
		return
	}
	ctx := c.Request.Context()
	by, _ := authn.PrincipalFrom(ctx)
	var version int
	var err error
	if kind == practice.ContactKind {
		var rules policy.ContactRules
		if err := strictJSON(in.Policy, &rules); err != nil {
			web.Fail(c, err)
			return
		}
		version, err = a.practices.As(auditmw.By(c)).SetContactRules(ctx, c.Param("id"), by.UserID, in.Version, rules)
	} else {
		var p policy.Policy
		if err := strictJSON(in.Policy, &p); err != nil {
			web.Fail(c, err)
			return
		}
		p.Kind = policy.Kind(kind)
		version, err = a.practices.As(auditmw.By(c)).SetPolicy(ctx, c.Param("id"), by.UserID, in.Version, p)
	}
	if err != nil {
		web.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"kind": kind, "version": version})
}

func strictJSON(raw json.RawMessage, v any) error {
	if len(raw) == 0 {
		return apperr.Invalid("policy", "required", "is required")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var ute *json.UnmarshalTypeError
		if errors.As(err, &ute) {
			return apperr.Invalid("policy."+ute.Field, "invalid_type", "must be %s", ute.Type.String())
		}
		if f, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			return apperr.Invalid("policy."+strings.Trim(f, `"`), "unknown_field", "is not a known policy field")
		}
		return apperr.Invalid("policy", "invalid_policy", "is not a valid policy document")
	}
	return nil
}
