// Package docs embeds the API description, so tests check the running
// route table and every response against the same file users read.
package docs

import _ "embed"

// OpenAPI is docs/openapi.yaml.
//
//go:embed openapi.yaml
var OpenAPI []byte
