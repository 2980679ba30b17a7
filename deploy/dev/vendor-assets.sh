#!/usr/bin/env bash
# Copy the console's third-party front-end files out of their npm packages
# into services/console/assets/static/vendor/, and check each against the
# sha256 recorded below. Run it by hand when upgrading; the copied files
# are committed, so neither the build nor CI needs npm.
#
# To upgrade: change a version, run the script, check the new files (no
# request to another host at run time; see assets_test.go), then replace
# the old sums below with the ones it prints and run it again.
set -euo pipefail

HTMX_VERSION=2.0.11
PICO_VERSION=2.1.1
CHARTJS_VERSION=4.6.1

# sha256 of each vendored file, relative to the vendor folder.
SUMS='
d6fdc75f204e6bdefa99b69bf1e6d4ac69b8a364f77929f45c13476b4000f717  htmx/htmx.min.js
d3d2456f76414f2456104660ebd65aff1c04cd7966b942bdabd63f3cdb316a38  htmx/LICENSE
fbc9a63fc9fc9f72d12fd7fc9806e11fa9f77ae4f9cad146b27003a1119ba3db  pico/pico.min.css
afaff063e044233f917b7807dccab022f09dca474f92b642846bee4850655bbf  pico/LICENSE.md
87364cc2b2a76a6684929e7d6b80b18a897794db38400caff1fcf1791c6925d2  chartjs/chart.umd.min.js
41a84aa2caba645f966a18d9c2056b73e6d3a81d80bc0046bc0011a2634d4cce  chartjs/LICENSE.md
'

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
dest=$root/services/console/assets/static/vendor
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# fetch PACKAGE VERSION: unpack the package's tarball into $work/PACKAGE.
# npm checks the tarball against the registry's integrity hash.
fetch() {
	local tgz
	tgz=$(cd "$work" && npm pack --silent --ignore-scripts "$1@$2" | tail -n 1)
	mkdir -p "$work/$1"
	tar -xzf "$work/$tgz" -C "$work/$1" --strip-components=1
}

fetch htmx.org "$HTMX_VERSION"
fetch @picocss/pico "$PICO_VERSION"
fetch chart.js "$CHARTJS_VERSION"

stage=$work/vendor
mkdir -p "$stage/htmx" "$stage/pico" "$stage/chartjs"
cp "$work/htmx.org/dist/htmx.min.js" "$work/htmx.org/LICENSE" "$stage/htmx/"
cp "$work/@picocss/pico/css/pico.min.css" "$work/@picocss/pico/LICENSE.md" "$stage/pico/"
cp "$work/chart.js/dist/chart.umd.min.js" "$work/chart.js/LICENSE.md" "$stage/chartjs/"

if ! (cd "$stage" && sha256sum --check --quiet --strict <<<"$SUMS"); then
	echo "vendor-assets.sh: the files differ from the recorded sums; if the change is" >&2
	echo "an intended upgrade, put these in SUMS:" >&2
	(cd "$stage" && find . -type f | sed 's|^\./||' | sort | xargs sha256sum) >&2
	exit 1
fi

{
	echo "# The console's third-party files, byte-identical to their npm packages."
	echo "# deploy/dev/vendor-assets.sh copies them; do not edit them by hand."
	echo "# package version sha256 file"
	while read -r sum file; do
		[ -n "$sum" ] || continue
		case $file in
		htmx/*) pkg="htmx.org $HTMX_VERSION" ;;
		pico/*) pkg="@picocss/pico $PICO_VERSION" ;;
		chartjs/*) pkg="chart.js $CHARTJS_VERSION" ;;
		esac
		echo "$pkg $sum $file"
	done <<<"$SUMS"
} >"$stage/VERSIONS"

rm -rf "$dest"
mkdir -p "$(dirname "$dest")"
cp -R "$stage" "$dest"
echo "vendor-assets.sh: htmx.org $HTMX_VERSION, @picocss/pico $PICO_VERSION, chart.js $CHARTJS_VERSION in ${dest#"$root"/}"
