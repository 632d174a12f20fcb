#!/usr/bin/env bash
# Refresh the vendored front-end assets from npm (versions pinned in package.json).
# The copies are committed, so running the app needs neither npm nor the network.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
cp package.json "$tmp/" && (cd "$tmp" && npm install --silent --no-audit --no-fund)
out=src/guanxi/static/vendor
rm -rf "$out" && mkdir -p "$out"/{bootstrap,bootstrap-icons/fonts,htmx,alpine,echarts}
nm="$tmp/node_modules"
cp "$nm/bootstrap/dist/css/bootstrap.min.css" "$nm/bootstrap/dist/js/bootstrap.bundle.min.js" "$out/bootstrap/"
cp "$nm/bootstrap-icons/font/bootstrap-icons.min.css" "$out/bootstrap-icons/"
cp "$nm/bootstrap-icons/font/fonts/bootstrap-icons.woff2" "$nm/bootstrap-icons/font/fonts/bootstrap-icons.woff" "$out/bootstrap-icons/fonts/"
cp "$nm/htmx.org/dist/htmx.min.js" "$out/htmx/"
cp "$nm/alpinejs/dist/cdn.min.js" "$out/alpine/alpine.min.js"
cp "$nm/echarts/dist/echarts.min.js" "$out/echarts/"
for p in bootstrap bootstrap-icons htmx.org alpinejs echarts; do
  for f in "$nm/$p"/LICENSE*; do [ -f "$f" ] && cp "$f" "$out/LICENSE.$p"; done
done
# We ship no source maps, so drop the references (the manifest storage would refuse them).
find "$out" -name '*.js' -o -name '*.css' | while read -r f; do
  sed -i -E '/^\/[\/*]# sourceMappingURL=/d; s#/\*\# sourceMappingURL=[^*]*\*/##' "$f"
done
rm -rf "$tmp"
echo "vendored into $out"
