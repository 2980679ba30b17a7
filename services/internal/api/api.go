// Package api holds the JSON API's request and response types: the one
// declaration of every body the services answer with and the bodies they
// read, which the web console decodes and sends as well. A field here is
// a field of the contract that docs/openapi.yaml describes and the API
// tests check, so a change here is a change to the API.
//
// The types carry no behaviour and reach no storage: converting a domain
// value into its answer is the serving service's job, beside the handler,
// because most domain values come from packages a client must not import.
// Request bodies end in Body, lists in List; an answer is named for what
// it shows.
package api

// Each converts every element of in with f, keeping a nil list nil (it
// answers null) and an empty one empty ([]), as the services always have.
func Each[T, U any](in []T, f func(T) U) []U {
	if in == nil {
		return nil
	}
	out := make([]U, len(in))
	for i, v := range in {
		out[i] = f(v)
	}
	return out
}

// OrEmpty is s, or an empty list when s is nil: a list the API always
// answers as [] rather than null.
func OrEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
