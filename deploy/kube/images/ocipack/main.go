// Command ocipack writes a single-layer OCI image archive (an OCI image layout
// in a tar file) that "ctr images import" loads into containerd, so images
// can be made from locally built binaries with no registry.
//
//	ocipack -o pause.tar -name backdesk.local/pause:3.10 -entrypoint /pause \
//	    ./pause:/pause
//
// Each argument is SRC:DEST[:MODE] (octal mode, default 0755 for files).
// The layer also holds /tmp (1777). Timestamps are fixed so the same inputs
// give the same image.
package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"
)

type list []string

func (l *list) String() string     { return strings.Join(*l, ",") }
func (l *list) Set(v string) error { *l = append(*l, v); return nil }

// epoch is the modification time of every entry, for reproducible images.
var epoch = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

type descriptor struct {
	MediaType   string            `json:"mediaType"`
	Digest      string            `json:"digest"`
	Size        int64             `json:"size"`
	Platform    *platform         `json:"platform,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty"`
}

type platform struct {
	Architecture string `json:"architecture"`
	OS           string `json:"os"`
}

type file struct {
	src, dest string
	mode      int64
}

func main() {
	var (
		out     = flag.String("o", "", "output archive (required)")
		name    = flag.String("name", "", "image reference, e.g. backdesk.local/pause:3.10 (required)")
		workdir = flag.String("workdir", "/", "working directory")
		user    = flag.String("user", "", "user (uid[:gid]) the container runs as")
		arch    = flag.String("arch", runtime.GOARCH, "image architecture")
		entry   list
		cmd     list
		env     list
		ports   list
	)
	flag.Var(&entry, "entrypoint", "entrypoint word (repeat for more)")
	flag.Var(&cmd, "cmd", "cmd word (repeat for more)")
	flag.Var(&env, "env", "KEY=VALUE (repeatable)")
	flag.Var(&ports, "port", "exposed port, e.g. 8080/tcp (repeatable)")
	flag.Parse()
	if *out == "" || *name == "" || flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: ocipack -o OUT.tar -name REF [flags] SRC:DEST[:MODE]...")
		flag.PrintDefaults()
		os.Exit(2)
	}
	var files []file
	for _, a := range flag.Args() {
		f, err := parseFile(a)
		if err != nil {
			fail(err)
		}
		files = append(files, f)
	}

	layer, diffID, err := buildLayer(files)
	if err != nil {
		fail(err)
	}

	hasPath := false
	for _, e := range env {
		if strings.HasPrefix(e, "PATH=") {
			hasPath = true
		}
	}
	if !hasPath {
		env = append(list{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}, env...)
	}
	cfg := map[string]any{
		"Env":        []string(env),
		"WorkingDir": *workdir,
	}
	if len(entry) > 0 {
		cfg["Entrypoint"] = []string(entry)
	}
	if len(cmd) > 0 {
		cfg["Cmd"] = []string(cmd)
	}
	if *user != "" {
		cfg["User"] = *user
	}
	if len(ports) > 0 {
		exposed := map[string]struct{}{}
		for _, p := range ports {
			if !strings.Contains(p, "/") {
				p += "/tcp"
			}
			exposed[p] = struct{}{}
		}
		cfg["ExposedPorts"] = exposed
	}
	config, err := json.Marshal(map[string]any{
		"created":      epoch.Format(time.RFC3339),
		"architecture": *arch,
		"os":           "linux",
		"config":       cfg,
		"rootfs":       map[string]any{"type": "layers", "diff_ids": []string{diffID}},
		"history":      []map[string]string{{"created": epoch.Format(time.RFC3339), "created_by": "ocipack"}},
	})
	if err != nil {
		fail(err)
	}
	configDesc := blobDesc("application/vnd.oci.image.config.v1+json", config)
	layerDesc := blobDesc("application/vnd.oci.image.layer.v1.tar+gzip", layer)
	manifest, err := json.Marshal(map[string]any{
		"schemaVersion": 2,
		"mediaType":     "application/vnd.oci.image.manifest.v1+json",
		"config":        configDesc,
		"layers":        []descriptor{layerDesc},
	})
	if err != nil {
		fail(err)
	}
	manifestDesc := blobDesc("application/vnd.oci.image.manifest.v1+json", manifest)
	manifestDesc.Platform = &platform{Architecture: *arch, OS: "linux"}
	manifestDesc.Annotations = map[string]string{
		"io.containerd.image.name":          *name,
		"org.opencontainers.image.ref.name": *name,
	}
	index, err := json.Marshal(map[string]any{
		"schemaVersion": 2,
		"mediaType":     "application/vnd.oci.image.index.v1+json",
		"manifests":     []descriptor{manifestDesc},
	})
	if err != nil {
		fail(err)
	}

	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	add := func(name string, data []byte) {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(data)), ModTime: epoch, Typeflag: tar.TypeReg}); err != nil {
			fail(err)
		}
		if _, err := tw.Write(data); err != nil {
			fail(err)
		}
	}
	for _, d := range []string{"blobs/", "blobs/sha256/"} {
		if err := tw.WriteHeader(&tar.Header{Name: d, Mode: 0o755, ModTime: epoch, Typeflag: tar.TypeDir}); err != nil {
			fail(err)
		}
	}
	add("oci-layout", []byte(`{"imageLayoutVersion":"1.0.0"}`))
	add("index.json", index)
	add(blobPath(configDesc), config)
	add(blobPath(layerDesc), layer)
	add(blobPath(manifestDesc), manifest)
	if err := tw.Close(); err != nil {
		fail(err)
	}
	tmp := *out + ".tmp"
	if err := os.WriteFile(tmp, buf.Bytes(), 0o644); err != nil {
		fail(err)
	}
	if err := os.Rename(tmp, *out); err != nil {
		fail(err)
	}
}

func parseFile(a string) (file, error) {
	parts := strings.Split(a, ":")
	if len(parts) < 2 || len(parts) > 3 || parts[0] == "" || !strings.HasPrefix(parts[1], "/") {
		return file{}, fmt.Errorf("bad file argument %q: want SRC:/DEST[:MODE]", a)
	}
	f := file{src: parts[0], dest: path.Clean(parts[1]), mode: 0o755}
	if len(parts) == 3 {
		m, err := strconv.ParseInt(parts[2], 8, 32)
		if err != nil {
			return file{}, fmt.Errorf("bad mode in %q: %v", a, err)
		}
		f.mode = m
	}
	return f, nil
}

// buildLayer returns the gzipped layer and the digest of its uncompressed tar.
func buildLayer(files []file) ([]byte, string, error) {
	dirs := map[string]int64{"tmp": 0o1777}
	for _, f := range files {
		for d := path.Dir(strings.TrimPrefix(f.dest, "/")); d != "." && d != "/"; d = path.Dir(d) {
			if _, ok := dirs[d]; !ok {
				dirs[d] = 0o755
			}
		}
	}
	names := make([]string, 0, len(dirs))
	for d := range dirs {
		names = append(names, d)
	}
	sort.Strings(names)

	var raw bytes.Buffer
	tw := tar.NewWriter(&raw)
	for _, d := range names {
		if err := tw.WriteHeader(&tar.Header{Name: d + "/", Mode: dirs[d], ModTime: epoch, Typeflag: tar.TypeDir}); err != nil {
			return nil, "", err
		}
	}
	sort.Slice(files, func(i, j int) bool { return files[i].dest < files[j].dest })
	for _, f := range files {
		data, err := os.ReadFile(f.src)
		if err != nil {
			return nil, "", err
		}
		hdr := &tar.Header{Name: strings.TrimPrefix(f.dest, "/"), Mode: f.mode, Size: int64(len(data)), ModTime: epoch, Typeflag: tar.TypeReg}
		if err := tw.WriteHeader(hdr); err != nil {
			return nil, "", err
		}
		if _, err := tw.Write(data); err != nil {
			return nil, "", err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, "", err
	}
	sum := sha256.Sum256(raw.Bytes())

	var gz bytes.Buffer
	zw, err := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	if err != nil {
		return nil, "", err
	}
	if _, err := zw.Write(raw.Bytes()); err != nil {
		return nil, "", err
	}
	if err := zw.Close(); err != nil {
		return nil, "", err
	}
	return gz.Bytes(), "sha256:" + hex.EncodeToString(sum[:]), nil
}

func blobDesc(mediaType string, data []byte) descriptor {
	sum := sha256.Sum256(data)
	return descriptor{MediaType: mediaType, Digest: "sha256:" + hex.EncodeToString(sum[:]), Size: int64(len(data))}
}

func blobPath(d descriptor) string {
	return "blobs/sha256/" + strings.TrimPrefix(d.Digest, "sha256:")
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "ocipack:", err)
	os.Exit(1)
}
