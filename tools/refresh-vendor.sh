#!/bin/sh
# Refresh the browser libraries the query page ships with (run by hand; `make serve` and `make test` never run npm).
# Each package is fetched from the npm registry at the pinned version below; the files the page uses and the
# package's licence are copied into montagne_kg/serving/static/vendor/, and VERSIONS records name, version, file
# and SHA-256 (tests/test_vendor.py checks the committed files against it). Change a version here, run this, commit.
set -eu
cd "$(dirname "$0")/.."
VENDOR=montagne_kg/serving/static/vendor
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# package@version  file-in-package  name-in-vendor
PACKAGES="
d3@7.9.0 dist/d3.min.js d3.min.js
@observablehq/plot@0.6.17 dist/plot.umd.min.js plot.umd.min.js
cytoscape@3.35.0 dist/cytoscape.min.js cytoscape.min.js
topojson-client@3.1.0 dist/topojson-client.min.js topojson-client.min.js
world-atlas@2.0.2 land-110m.json land-110m.json
"

rm -rf "$VENDOR"
mkdir -p "$VENDOR/licenses"
: > "$WORK/VERSIONS"
echo "$PACKAGES" | while read -r spec file name; do
  [ -n "$spec" ] || continue
  tarball=$(cd "$WORK" && npm pack --silent "$spec")
  mkdir -p "$WORK/$name.d"
  tar xzf "$WORK/$tarball" -C "$WORK/$name.d"
  cp "$WORK/$name.d/package/$file" "$VENDOR/$name"
  package=${spec%@*}
  cp "$WORK/$name.d/package/LICENSE" "$VENDOR/licenses/$(echo "$package" | tr '/@' '--' | sed 's/^-//').LICENSE"
  echo "$package ${spec##*@} $name $(sha256sum "$VENDOR/$name" | cut -d' ' -f1)" >> "$WORK/VERSIONS"
done
cp "$WORK/VERSIONS" "$VENDOR/VERSIONS"
cat "$VENDOR/VERSIONS"
