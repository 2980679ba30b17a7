package router

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/backdesk/backdesk/pkg/message"
	"github.com/backdesk/backdesk/pkg/platform/config"
	"github.com/backdesk/backdesk/pkg/work"
)

// QueueCritical is for what must not wait behind follow-up work (alerts).
const QueueCritical = "critical"

// DefaultWeights are the queues the router's workers serve and each one's
// share: asynq picks a queue with probability proportional to its weight.
// The queues are the domains' own (work's per kind and its system queue,
// where practices, imports and timers wait too).
func DefaultWeights() map[string]int {
	return map[string]int{
		QueueCritical: 10, work.QueueSystem: 5,
		work.QueueClaims: 3, work.QueueBalances: 3,
		work.QueueRecare: 2, work.QueueTreatment: 2, work.QueueEligibility: 1,
		message.QueueMessages: 3,
	}
}

// Weights returns the default weights with BACKDESK_QUEUE_WEIGHTS's
// overrides ("queue=weight,…"), refusing a queue the router does not serve.
func Weights(overrides string) (map[string]int, error) {
	w := DefaultWeights()
	o, err := config.ParseWeights(overrides)
	if err != nil {
		return nil, &config.VarError{Var: "BACKDESK_QUEUE_WEIGHTS", Message: err.Error()}
	}
	for q, n := range o {
		if _, ok := w[q]; !ok {
			names := slices.Sorted(maps.Keys(w))
			return nil, &config.VarError{Var: "BACKDESK_QUEUE_WEIGHTS", Message: fmt.Sprintf("%q is not a queue (%s)", q, strings.Join(names, ", "))}
		}
		w[q] = n
	}
	return w, nil
}
