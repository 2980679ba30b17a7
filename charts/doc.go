// Package charts holds the Helm charts that deploy Backdesk to Kubernetes.
//
// The package has no Go code of its own; its tests render charts/backdesk with
// the Helm SDK and check the rendered objects against the platform's security
// and availability rules.
package charts
