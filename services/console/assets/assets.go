// Package assets holds the console's static files: its own stylesheet and
// script, and the vendored htmx, Pico CSS and Chart.js (see
// static/vendor/VERSIONS). They are embedded in the binary and served by
// Handler; templates link to them with Path, whose URLs change whenever a
// file's content does.
package assets

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"
)

// Prefix is where the console mounts Handler, with the prefix stripped:
//
//	mux.Handle(assets.Prefix, http.StripPrefix(assets.Prefix, assets.Handler()))
const Prefix = "/static/"

//go:embed static
var embedded embed.FS

// contentTypes maps a file extension to the Content-Type it is served
// with. A file whose extension is missing here is served as
// application/octet-stream, which the tests forbid.
var contentTypes = map[string]string{
	".css":   "text/css; charset=utf-8",
	".js":    "text/javascript; charset=utf-8",
	".json":  "application/json",
	".map":   "application/json",
	".svg":   "image/svg+xml",
	".png":   "image/png",
	".ico":   "image/x-icon",
	".woff2": "font/woff2",
	".md":    "text/plain; charset=utf-8",
	".txt":   "text/plain; charset=utf-8",
	"":       "text/plain; charset=utf-8", // LICENSE, VERSIONS
}

// files is a set of static files with the sha256 of each, in hex.
type files struct {
	fsys fs.FS
	sums map[string]string
}

var static = mustLoad()

func mustLoad() *files {
	sub, err := fs.Sub(embedded, "static")
	if err != nil {
		panic(err)
	}
	f, err := load(sub)
	if err != nil {
		panic(err)
	}
	return f
}

// load hashes every file of fsys.
func load(fsys fs.FS) (*files, error) {
	f := &files{fsys: fsys, sums: map[string]string{}}
	err := fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		f.sums[name] = hex.EncodeToString(sum[:])
		return nil
	})
	return f, err
}

// Handler serves the static files under their names relative to static/,
// such as app.css or vendor/htmx/htmx.min.js; mount it at Prefix with the
// prefix stripped. Vendored files, and any file asked for with the
// version Path gives it, may be cached for a year; the rest are
// revalidated with their ETag.
func Handler() http.Handler { return static }

// Path returns the URL of the static file name (relative to static/, for
// example "app.css") with a version that changes with its content, such
// as /static/app.css?v=0123456789. It panics on an unknown name, so a
// misspelt link fails the template that holds it.
func Path(name string) string { return static.path(name) }

func (f *files) path(name string) string {
	name = strings.TrimPrefix(name, "/")
	sum, ok := f.sums[name]
	if !ok {
		panic(fmt.Sprintf("assets: no static file %q", name))
	}
	return Prefix + name + "?v=" + version(sum)
}

// version is the short form of a file's hash used in its URL.
func version(sum string) string { return sum[:10] }

func (f *files) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	name := strings.TrimPrefix(r.URL.Path, "/")
	sum, ok := f.sums[name]
	if !ok {
		http.NotFound(w, r)
		return
	}
	file, err := f.fsys.Open(name)
	if err != nil {
		http.Error(w, "cannot open "+name, http.StatusInternalServerError)
		return
	}
	defer file.Close()
	content, ok := file.(io.ReadSeeker)
	if !ok {
		http.Error(w, "cannot seek "+name, http.StatusInternalServerError)
		return
	}

	h := w.Header()
	h.Set("Content-Type", contentType(name))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("ETag", `"`+sum+`"`)
	if strings.HasPrefix(name, "vendor/") || r.URL.Query().Get("v") == version(sum) {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	http.ServeContent(w, r, name, time.Time{}, content)
}

// contentType returns the Content-Type of the file name.
func contentType(name string) string {
	if ct, ok := contentTypes[path.Ext(name)]; ok {
		return ct
	}
	return "application/octet-stream"
}
