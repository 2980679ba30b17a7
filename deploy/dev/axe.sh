#!/usr/bin/env bash
# Make sure axe-core, the accessibility checker the browser tests run on
# every console page (pkg/testenv/browser), is in the tools cache: fetched
# once from npm at a pinned version, checked against the sha256 recorded
# here, and kept under $BACKDESK_TOOLS (default ~/.cache/backdesk/tools).
# Run it ("bash deploy/dev/axe.sh") or source it; it prints the file's path.
# Set BACKDESK_AXE to use a copy kept elsewhere.

AXE_VERSION=4.14.1
AXE_SHA256=29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c

backdesk_axe_ensure() {
	if [ -n "${BACKDESK_AXE:-}" ]; then
		[ -f "$BACKDESK_AXE" ] || { echo "axe.sh: BACKDESK_AXE=$BACKDESK_AXE is not a file" >&2; return 1; }
		echo "$BACKDESK_AXE"
		return 0
	fi
	local dir="${BACKDESK_TOOLS:-$HOME/.cache/backdesk/tools}/axe-core-$AXE_VERSION"
	local file="$dir/axe.min.js"
	if [ -f "$file" ] && echo "$AXE_SHA256  $file" | sha256sum --check --quiet --strict 2>/dev/null; then
		echo "$file"
		return 0
	fi
	if ! command -v npm >/dev/null 2>&1; then
		echo "axe.sh: npm is needed once to fetch axe-core $AXE_VERSION (apt-get install npm)" >&2
		return 1
	fi
	local work
	work=$(mktemp -d)
	local tgz
	if ! tgz=$(cd "$work" && npm pack --silent --ignore-scripts "axe-core@$AXE_VERSION" | tail -n 1); then
		rm -rf "$work"
		echo "axe.sh: npm could not fetch axe-core $AXE_VERSION" >&2
		return 1
	fi
	tar -xzf "$work/$tgz" -C "$work"
	if ! echo "$AXE_SHA256  $work/package/axe.min.js" | sha256sum --check --quiet --strict; then
		rm -rf "$work"
		echo "axe.sh: axe-core $AXE_VERSION's axe.min.js does not match the recorded sha256" >&2
		return 1
	fi
	mkdir -p "$dir"
	cp "$work/package/axe.min.js" "$work/package/LICENSE" "$dir/"
	rm -rf "$work"
	echo "$file"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	backdesk_axe_ensure
	exit $?
fi
BACKDESK_AXE=$(backdesk_axe_ensure) && export BACKDESK_AXE
