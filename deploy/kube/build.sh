#!/usr/bin/env bash
# Build (or reuse from the cache) everything the local single-node Kubernetes
# cluster of deploy/kube/cluster.sh runs on: etcd, the Kubernetes binaries,
# CoreDNS, and the locally built container images (pause, smoke test server).
#
#   bash deploy/kube/build.sh            # everything, prints the cache dir
#   bash deploy/kube/build.sh kube|etcd|coredns|images
#   bash deploy/kube/build.sh --print    # only print the cache dir
#
# Binaries are built from Go modules (the Go module proxy is the only source
# needed) into ${BACKDESK_TOOLS:-$HOME/.cache/backdesk/tools}/<name>-<version>/
# and reused on later runs. Cold, on two cores: Kubernetes 10-12 minutes when
# the machine is otherwise idle (about 24 with other builds beside it), etcd
# 2-3 minutes, CoreDNS 4-7 minutes. Go builds run under "nice -n 10".
#
# cluster.sh sources this file for the versions and paths; sourced, it only
# defines them.
set -euo pipefail

# ---- pinned versions --------------------------------------------------------
KUBE_VERSION=v1.34.4         # k8s.io/kubernetes
KUBE_STAGING_VERSION=v0.34.4 # k8s.io/api, k8s.io/client-go, ... of the same release
ETCD_VERSION=v3.6.17         # go.etcd.io/etcd/server/v3
COREDNS_VERSION=v1.14.7      # github.com/coredns/coredns (cluster DNS)
# Go version the wrapper modules declare (must be >= the upstream go.mod lines).
WRAPPER_GO=1.24.0

KUBE_BINARIES="kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl"

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOOLS=${BACKDESK_TOOLS:-$HOME/.cache/backdesk/tools}
KUBE_DIR=$TOOLS/kube-$KUBE_VERSION
ETCD_DIR=$TOOLS/etcd-$ETCD_VERSION
COREDNS_DIR=$TOOLS/coredns-$COREDNS_VERSION
# Images are cheap to rebuild; they are rebuilt when a source file under
# deploy/kube/images changes (checksum in .complete).
IMAGES_DIR=$TOOLS/kube-images
PAUSE_IMAGE=backdesk.local/pause:3.10
SMOKE_IMAGE=backdesk.local/kube-smoke:1
COREDNS_IMAGE=backdesk.local/coredns:$COREDNS_VERSION

export GOWORK=off GOFLAGS=-mod=mod GOTOOLCHAIN=local CGO_ENABLED=0

log() { echo "build.sh: $*" >&2; }

# The directory of a module in the module cache (downloading it if needed).
mod_dir() {
	GOFLAGS='' go mod download -json "$1" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",*$/\1/p'
}

gobuild() { nice -n 10 go build "$@"; }

build_kube() {
	if [ -f "$KUBE_DIR/.complete" ]; then
		log "kubernetes $KUBE_VERSION: cached"
		return 0
	fi
	log "kubernetes $KUBE_VERSION: building $KUBE_BINARIES (10-12 minutes cold)"
	local start=$SECONDS
	local src=$TOOLS/src/kube-$KUBE_VERSION
	rm -rf "$src"
	mkdir -p "$src"
	# k8s.io/kubernetes replaces its k8s.io/* dependencies with ./staging/...,
	# which its module zip lacks. A wrapper module points each of them at the
	# published module of the same release instead.
	local upstream
	upstream=$(GOFLAGS='' go mod download -json "k8s.io/kubernetes@$KUBE_VERSION" |
		sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",*$/\1/p')
	{
		echo "module backdesk.local/kubebuild"
		echo
		echo "go $WRAPPER_GO"
		echo
		echo "godebug default=go1.24"
		echo
		echo "require k8s.io/kubernetes $KUBE_VERSION"
		echo
		echo "replace ("
		grep -E '^[[:space:]]*k8s\.io/[^ ]+ => \./staging/' "$upstream" |
			awk -v v="$KUBE_STAGING_VERSION" '{ printf "\t%s => %s %s\n", $1, $1, v }'
		echo ")"
	} >"$src/go.mod"
	local pkgs="" b
	for b in $KUBE_BINARIES; do
		pkgs="$pkgs k8s.io/kubernetes/cmd/$b"
	done
	local vpkg ldflags
	ldflags="-s -w"
	for vpkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
		ldflags="$ldflags -X $vpkg.gitVersion=$KUBE_VERSION"
		ldflags="$ldflags -X $vpkg.gitMajor=$(echo "$KUBE_VERSION" | sed 's/^v\([0-9]*\)\..*/\1/')"
		ldflags="$ldflags -X $vpkg.gitMinor=$(echo "$KUBE_VERSION" | sed 's/^v[0-9]*\.\([0-9]*\)\..*/\1/')"
		ldflags="$ldflags -X $vpkg.gitTreeState=clean"
		ldflags="$ldflags -X $vpkg.buildDate=1970-01-01T00:00:00Z"
	done
	local out=$KUBE_DIR.tmp
	rm -rf "$out"
	mkdir -p "$out"
	(
		cd "$src"
		go mod download k8s.io/kubernetes
		# Resolve the full build list once (fills in go.sum).
		go get "k8s.io/kubernetes@$KUBE_VERSION" >/dev/null 2>&1 || go get "k8s.io/kubernetes@$KUBE_VERSION"
		# shellcheck disable=SC2086
		gobuild -trimpath -ldflags "$ldflags" -o "$out/" $pkgs
	)
	rm -rf "$KUBE_DIR"
	mv "$out" "$KUBE_DIR"
	touch "$KUBE_DIR/.complete"
	log "kubernetes $KUBE_VERSION: built in $((SECONDS - start))s"
}

build_etcd() {
	if [ -f "$ETCD_DIR/.complete" ]; then
		log "etcd $ETCD_VERSION: cached"
		return 0
	fi
	log "etcd $ETCD_VERSION: building"
	local start=$SECONDS
	local src=$TOOLS/src/etcd-$ETCD_VERSION
	local mod
	mod=$(mod_dir "go.etcd.io/etcd/server/v3@$ETCD_VERSION")
	rm -rf "$src"
	mkdir -p "$(dirname "$src")"
	cp -r "$mod" "$src"
	chmod -R u+w "$src"
	# Drop the replace directives that point at sibling directories of the
	# etcd repository; the published modules of the same version are used.
	awk '
		/^replace \($/ { skip = 1; next }
		skip && /^\)$/ { skip = 0; next }
		skip { next }
		/^replace / { next }
		{ print }
	' "$mod/go.mod" >"$src/go.mod"
	local out=$ETCD_DIR.tmp
	rm -rf "$out"
	mkdir -p "$out"
	(
		cd "$src"
		go mod tidy >/dev/null
		gobuild -trimpath -ldflags "-s -w" -o "$out/etcd" .
	)
	rm -rf "$ETCD_DIR"
	mv "$out" "$ETCD_DIR"
	touch "$ETCD_DIR/.complete"
	log "etcd $ETCD_VERSION: built in $((SECONDS - start))s"
}

# Images for containerd, built from deploy/kube/images and packed with its
# ocipack into OCI archives: $IMAGES_DIR/{pause,smoke}.tar, plus the ocipack
# binary itself for packing other binaries (the project's services) later.
images_sum() {
	(cd "$HERE/images" && find . -type f \( -name '*.go' -o -name go.mod \) | LC_ALL=C sort | xargs sha256sum) |
		sha256sum | cut -c1-16
}

build_images() {
	local sum
	sum=$(images_sum)
	if [ -f "$IMAGES_DIR/.complete" ] && [ "$(cat "$IMAGES_DIR/.complete")" = "$sum" ]; then
		log "images: cached"
		return 0
	fi
	log "images: building pause, smoke server and ocipack"
	local out=$IMAGES_DIR.tmp
	rm -rf "$out"
	mkdir -p "$out/bin"
	(
		cd "$HERE/images"
		gobuild -trimpath -ldflags "-s -w" -o "$out/bin/" ./pause ./hello ./ocipack
	)
	"$out/bin/ocipack" -o "$out/pause.tar" -name "$PAUSE_IMAGE" -entrypoint /pause \
		"$out/bin/pause:/pause"
	"$out/bin/ocipack" -o "$out/smoke.tar" -name "$SMOKE_IMAGE" -entrypoint /hello \
		-port 8080/tcp -user 65532:65532 "$out/bin/hello:/hello"
	echo "$sum" >"$out/.complete"
	rm -rf "$IMAGES_DIR"
	mv "$out" "$IMAGES_DIR"
}

# CoreDNS with only the plugins a cluster DNS needs (the full build pulls in
# every cloud SDK). The main package is generated into a wrapper module.
COREDNS_PLUGINS="reload ready health errors log loadbalance cache kubernetes loop forward"

build_coredns() {
	if [ -f "$COREDNS_DIR/.complete" ]; then
		log "coredns $COREDNS_VERSION: cached"
		return 0
	fi
	build_images
	log "coredns $COREDNS_VERSION: building"
	local start=$SECONDS
	local src=$TOOLS/src/coredns-$COREDNS_VERSION
	rm -rf "$src"
	mkdir -p "$src"
	printf 'module backdesk.local/corednsbuild\n\ngo 1.25.0\n\nrequire github.com/coredns/coredns %s\n' \
		"$COREDNS_VERSION" >"$src/go.mod"
	local p
	{
		echo "// Code generated by deploy/kube/build.sh. DO NOT EDIT."
		echo
		echo "// Command coredns is CoreDNS with the plugins of a cluster DNS only."
		echo "package main"
		echo
		echo "import ("
		echo "	\"github.com/coredns/coredns/core/dnsserver\""
		echo "	\"github.com/coredns/coredns/coremain\""
		for p in $COREDNS_PLUGINS; do
			echo "	_ \"github.com/coredns/coredns/plugin/$p\""
		done
		echo ")"
		echo
		echo "func init() {"
		echo "	// Plugin order of CoreDNS's plugin.cfg."
		echo "	dnsserver.Directives = []string{"
		# Keep the upstream order: filter its directive list.
		local upstream
		upstream=$(mod_dir "github.com/coredns/coredns@$COREDNS_VERSION")
		sed -n 's/^\([a-z0-9_]*\):.*/\1/p' "$upstream/plugin.cfg" | while read -r p; do
			case " $COREDNS_PLUGINS " in *" $p "*) echo "		\"$p\"," ;; esac
		done
		echo "	}"
		echo "}"
		echo
		echo "func main() { coremain.Run() }"
	} >"$src/main.go"
	local out=$COREDNS_DIR.tmp
	rm -rf "$out"
	mkdir -p "$out"
	(
		cd "$src"
		go mod tidy >/dev/null
		gobuild -trimpath -ldflags "-s -w" -o "$out/coredns" .
	)
	"$IMAGES_DIR/bin/ocipack" -o "$out/coredns.tar" -name "$COREDNS_IMAGE" -entrypoint /coredns \
		-port 53/udp -port 53/tcp "$out/coredns:/coredns"
	rm -rf "$COREDNS_DIR"
	mv "$out" "$COREDNS_DIR"
	touch "$COREDNS_DIR/.complete"
	log "coredns $COREDNS_VERSION: built in $((SECONDS - start))s"
}

build_main() {
	if [ "${1:-}" = --print ]; then
		echo "$TOOLS"
		return 0
	fi
	# One build at a time per cache directory.
	mkdir -p "$TOOLS"
	exec 8>"$TOOLS/.kube-build.lock"
	flock 8 || { log "cannot lock $TOOLS/.kube-build.lock"; return 1; }
	case "${1:-all}" in
	kube) build_kube ;;
	etcd) build_etcd ;;
	images) build_images ;;
	coredns) build_coredns ;;
	all)
		build_images
		build_etcd
		build_kube
		build_coredns
		;;
	*)
		echo "usage: build.sh [all|kube|etcd|images|coredns|--print]" >&2
		return 2
		;;
	esac
	echo "$TOOLS"
}

# Sourced (by cluster.sh): only define the versions, paths and functions.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	build_main "$@"
fi
