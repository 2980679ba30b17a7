#!/usr/bin/env bash
# Make sure Debian's nginx, the reverse proxy of the faults suite
# (services/faults), is unpacked and cached: the "nginx" package of the
# machine's Debian release, fetched with apt-get download and unpacked
# with dpkg -x under $BACKDESK_TOOLS (default ~/.cache/backdesk/tools),
# so nothing is installed system-wide and no nginx service is started.
# Run it ("bash deploy/dev/nginx.sh") or source it; it prints the
# binary's path. Set BACKDESK_NGINX to use an nginx installed elsewhere.

backdesk_nginx_ensure() {
	if [ -n "${BACKDESK_NGINX:-}" ]; then
		[ -x "$BACKDESK_NGINX" ] || { echo "nginx.sh: BACKDESK_NGINX=$BACKDESK_NGINX is not an executable" >&2; return 1; }
		echo "$BACKDESK_NGINX"
		return 0
	fi
	if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg >/dev/null 2>&1; then
		echo "nginx.sh: apt-get and dpkg are needed to fetch Debian's nginx; or set BACKDESK_NGINX" >&2
		return 1
	fi
	local version
	version=$(apt-cache policy nginx 2>/dev/null | awk '/Candidate:/ {print $2}')
	if [ -z "$version" ] || [ "$version" = "(none)" ]; then
		if [ "$(id -u)" = 0 ]; then
			apt-get update -qq >/dev/null 2>&1 || true
			version=$(apt-cache policy nginx 2>/dev/null | awk '/Candidate:/ {print $2}')
		fi
	fi
	if [ -z "$version" ] || [ "$version" = "(none)" ]; then
		echo "nginx.sh: apt knows no nginx package (apt-get update first, as root); or set BACKDESK_NGINX" >&2
		return 1
	fi
	local dir="${BACKDESK_TOOLS:-$HOME/.cache/backdesk/tools}/nginx-${version//[:~+]/_}"
	local bin="$dir/usr/sbin/nginx"
	if [ -x "$bin" ]; then
		echo "$bin"
		return 0
	fi
	echo "nginx.sh: fetching Debian's nginx $version (once)" >&2
	local work log
	work=$(mktemp -d)
	log="$work/log"
	if ! (cd "$work" && apt-get download "nginx=$version") >"$log" 2>&1; then
		cat "$log" >&2
		rm -rf "$work"
		echo "nginx.sh: apt-get could not download nginx $version" >&2
		return 1
	fi
	mkdir -p "$dir.tmp"
	if ! dpkg -x "$work"/nginx_*.deb "$dir.tmp" >"$log" 2>&1 || ! "$dir.tmp/usr/sbin/nginx" -v >"$log" 2>&1; then
		cat "$log" >&2
		rm -rf "$work" "$dir.tmp"
		echo "nginx.sh: the nginx package did not unpack into a working binary" >&2
		return 1
	fi
	rm -rf "$work" "$dir"
	mv "$dir.tmp" "$dir"
	echo "$bin"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	backdesk_nginx_ensure
	exit $?
fi
BACKDESK_NGINX=$(backdesk_nginx_ensure) && export BACKDESK_NGINX
