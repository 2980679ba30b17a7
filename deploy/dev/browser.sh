#!/usr/bin/env bash
# Make sure Debian's Chromium is installed for the browser tests
# (pkg/testenv/browser). Run it ("bash deploy/dev/browser.sh") or source it.
# When Chromium is missing and we are root with apt-get at hand, it installs
# the "chromium" package; otherwise it explains what to do and fails.
# Set BACKDESK_CHROMIUM to use a browser installed elsewhere.

backdesk_browser_found() {
	if [ -n "${BACKDESK_CHROMIUM:-}" ]; then
		[ -x "$BACKDESK_CHROMIUM" ] || command -v "$BACKDESK_CHROMIUM" >/dev/null 2>&1
		return
	fi
	[ -x /usr/bin/chromium ] && return 0
	local b
	for b in chromium chromium-browser google-chrome; do
		command -v "$b" >/dev/null 2>&1 && return 0
	done
	return 1
}

backdesk_browser_ensure() {
	backdesk_browser_found && return 0
	if [ -n "${BACKDESK_CHROMIUM:-}" ]; then
		echo "browser.sh: BACKDESK_CHROMIUM=$BACKDESK_CHROMIUM is not an executable" >&2
		return 1
	fi
	if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
		echo "browser.sh: Chromium is missing; install the Debian package \"chromium\"" >&2
		echo "  (sudo apt-get install chromium) or set BACKDESK_CHROMIUM" >&2
		return 1
	fi
	echo "browser.sh: installing chromium with apt-get" >&2
	local log
	log=$(mktemp)
	if ! { apt-get update -qq &&
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium; } >"$log" 2>&1; then
		cat "$log" >&2
		rm -f "$log"
		echo "browser.sh: apt-get could not install chromium" >&2
		return 1
	fi
	rm -f "$log"
	if ! backdesk_browser_found; then
		echo "browser.sh: chromium was installed but /usr/bin/chromium is missing" >&2
		return 1
	fi
	echo "browser.sh: $(/usr/bin/chromium --version 2>/dev/null || echo chromium) ready" >&2
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	backdesk_browser_ensure
	exit $?
fi
backdesk_browser_ensure
