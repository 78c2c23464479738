#!/usr/bin/env bash
# Build Payesh's partial Plotly bundles: plotly.js core plus only the trace types the pages draw
# (grep the Python code for go.<Trace> when you add a chart type, add it below and re-run).
# The full bundle is ~4.8 MB; these are a fraction of it, and whitenoise serves them compressed
# (brotli/gzip) with a hashed name and a far-future cache header.
#
# Usage: bash scripts/build_plotly.sh        (needs node >= 22 and npm; writes payesh/static/vendor/plotly/)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PLOTLY_VERSION="${PLOTLY_VERSION:-4.1.1}"   # the version the plotly Python wheel ships (plotly 7.1.0)
ESBUILD_VERSION="0.28.2"
# Two bundles: the monitoring pages draw 2-D and geo traces only; the capability pages also draw the
# product space with WebGL (scattergl), which alone adds ~0.9 MB, so only those pages load it.
# The strict variant of scattergl uses regl's precompiled shaders instead of new Function(), so the
# Content-Security-Policy needs no 'unsafe-eval'.
TRACES=(bar pie scatter treemap sankey choropleth scattergeo)
GL_TRACES=(scattergl)
OUT="$ROOT/payesh/static/vendor/plotly"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

cd "$WORK"
npm init -y >/dev/null
npm install --no-audit --no-fund --silent "plotly.js@$PLOTLY_VERSION" "esbuild@$ESBUILD_VERSION" \
  esbuild-plugin-glsl@1.4.2 esbuild-plugin-inline-css@0.0.1 esbuild-plugin-environment@0.5.0 \
  stream-browserify@3.0.0 buffer@6.0.3

entry() {  # entry <file> <strict traces…>: core + TRACES + the given strict traces + the Persian locale
  local file=$1
  shift
  {
    echo "'use strict';"
    echo "var Plotly = require('plotly.js/lib/core');"
    echo "Plotly.register(["
    for t in "${TRACES[@]}"; do echo "  require('plotly.js/lib/$t'),"; done
    for t in "$@"; do echo "  require('plotly.js/src/traces/$t/strict'),"; done
    echo "  require('plotly.js/lib/locales/fa'),"
    echo "]);"
    echo "module.exports = Plotly;"
  } > "$file"
}
entry entry.js
entry entry-gl.js "${GL_TRACES[@]}"

# The same esbuild options as plotly.js's own esbuild-config.js (iife, global Plotly, es2016).
cat > build.js <<'JS'
const esbuild = require('esbuild');
const { environmentPlugin } = require('esbuild-plugin-environment');
const { glsl } = require('esbuild-plugin-glsl');
const InlineCSSPlugin = require('esbuild-plugin-inline-css');
esbuild.build({
  entryPoints: [process.argv[2]], outfile: process.argv[3], format: 'iife', globalName: 'Plotly', bundle: true,
  minify: true, sourcemap: false, legalComments: 'none',
  plugins: [InlineCSSPlugin(), glsl({ minify: true }), environmentPlugin({ NODE_DEBUG: false })],
  alias: { regl: '@plotly/regl', stream: 'stream-browserify' },
  define: { global: 'window', 'define.amd': 'false' }, target: 'es2016', logLevel: 'warning',
}).catch(() => process.exit(1));
JS

mkdir -p "$OUT"
build() {  # build <name> <entry> <description>
  node build.js "./$2" "$WORK/$1.min.js"
  {
    echo "/*! plotly.js v$PLOTLY_VERSION partial bundle for Payesh ($3; locale fa)"
    echo " * Copyright 2012-2026, Plotly, Inc. Licensed under the MIT license (see LICENSE beside this file). */"
    cat "$WORK/$1.min.js"
  } > "$OUT/$1.min.js"
}
build plotly-payesh entry.js "${TRACES[*]}"
build plotly-payesh-gl entry-gl.js "${TRACES[*]} ${GL_TRACES[*]}/strict"
cp node_modules/plotly.js/LICENSE "$OUT/LICENSE"

size() { echo "$(wc -c < "$OUT/$1") bytes minified, $(gzip -9 -c "$OUT/$1" | wc -c) bytes gzipped"; }
{
  echo "# Partial Plotly bundles"
  echo
  echo "- Source: npm package plotly.js $PLOTLY_VERSION (MIT, Plotly, Inc.; LICENSE beside this file), bundled with"
  echo "  esbuild $ESBUILD_VERSION using the options of plotly.js's own esbuild-config.js."
  echo "- \`plotly-payesh.min.js\` (monitoring pages): lib/core, traces ${TRACES[*]}, the Persian locale (fa);"
  echo "  $(size plotly-payesh.min.js)."
  echo "- \`plotly-payesh-gl.min.js\` (capability pages): the same plus the strict (eval-free) ${GL_TRACES[*]};"
  echo "  $(size plotly-payesh-gl.min.js)."
  echo "- Built by: \`bash scripts/build_plotly.sh\` (PLOTLY_VERSION=$PLOTLY_VERSION); re-run it after adding a trace type."
} > "$OUT/SOURCE.md"
echo "wrote $OUT: $(ls "$OUT" | tr '\n' ' ')"
