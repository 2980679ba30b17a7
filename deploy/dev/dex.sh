#!/usr/bin/env bash
# Make sure Dex, the identity provider of the Dex test suite
# (services/devstack/dexsuite), is built and cached: release v2.45.1,
# pinned by deploy/dev/dex/go.mod and go.sum (Dex publishes no tagged Go
# module, so the release commit is named by its pseudo-version), built
# once with the Go module proxy and kept under $BACKDESK_TOOLS (default
# ~/.cache/backdesk/tools). Cold, the build takes about three minutes on
# two cores. Run it ("bash deploy/dev/dex.sh") or source it; it prints
# the binary's path. Set BACKDESK_DEX to use a Dex built elsewhere.

DEX_RELEASE=v2.45.1

backdesk_dex_ensure() {
	if [ -n "${BACKDESK_DEX:-}" ]; then
		[ -x "$BACKDESK_DEX" ] || { echo "dex.sh: BACKDESK_DEX=$BACKDESK_DEX is not an executable" >&2; return 1; }
		echo "$BACKDESK_DEX"
		return 0
	fi
	local here mod
	here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
	mod="$here/dex"
	# The cache is keyed by the pinned sums, so a new pin builds anew.
	local key
	key=$(cat "$mod/go.mod" "$mod/go.sum" | sha256sum | cut -c1-12)
	local dir="${BACKDESK_TOOLS:-$HOME/.cache/backdesk/tools}/dex-$DEX_RELEASE-$key"
	local bin="$dir/dex"
	if [ -x "$bin" ]; then
		echo "$bin"
		return 0
	fi
	echo "dex.sh: building Dex $DEX_RELEASE (once; about three minutes)" >&2
	mkdir -p "$dir"
	local log
	log=$(mktemp)
	if ! (cd "$mod" && GOWORK=off GOFLAGS=-mod=readonly GOTOOLCHAIN=local \
		go build -trimpath -o "$bin.tmp" github.com/dexidp/dex/cmd/dex) >"$log" 2>&1; then
		cat "$log" >&2
		rm -f "$log" "$bin.tmp"
		echo "dex.sh: Dex $DEX_RELEASE did not build" >&2
		return 1
	fi
	rm -f "$log"
	mv "$bin.tmp" "$bin"
	echo "$bin"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	backdesk_dex_ensure
	exit $?
fi
BACKDESK_DEX=$(backdesk_dex_ensure) && export BACKDESK_DEX
