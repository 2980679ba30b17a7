package audit

import (
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/backdesk/backdesk/pkg/audit"
)

// systemUser identifies a platform user by user id in FHIR exports.
const systemUser = "urn:backdesk:user"

// changeEntities lists what a change event changed: its object, as an
// identifier in urn:backdesk:<target type> (hyphenated) with the change's
// counts as details, unless it is the work item already listed; and the
// other person the change names, by user id.
func changeEntities(e audit.Event, other *coding) []fhirEntity {
	var out []fhirEntity
	if e.TargetType != "" && (e.TargetType != audit.TargetWorkItem || e.TargetID != e.WorkItemID) {
		var d []fhirDetail
		for _, n := range slices.Sorted(maps.Keys(e.Counts)) {
			d = append(d, fhirDetail{Type: n, ValueString: strconv.Itoa(e.Counts[n])})
		}
		system := "urn:backdesk:" + strings.ReplaceAll(e.TargetType, "_", "-")
		out = append(out, fhirEntity{What: reference{Identifier: &identifier{System: system, Value: e.TargetID}}, Type: other, Detail: d})
	}
	if e.UserID != "" {
		out = append(out, fhirEntity{What: reference{Identifier: &identifier{System: systemUser, Value: e.UserID}}, Type: other})
	}
	return out
}
