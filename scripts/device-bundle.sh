#!/bin/bash
# device-bundle.sh: packs a built inkloop-cli with the shared libraries it loads (all but the C
# library's own: libc, libm, libpthread, libdl, librt, the loader), the bundled sample and model,
# and scripts/device-bench.sh, into one xz tarball for a machine that has none of our libraries
# but a Vulkan driver of its own (a GPU machine with a newer glibc; lavapipe is left out: LLVM
# alone would be most of the bundle): unpack it anywhere and run
#   LD_LIBRARY_PATH=DIR/lib DIR/device-bench.sh DIR
# Usage: scripts/device-bundle.sh [BUILD-DIR] [OUT.txz]   (default build, .gpu/bundle.txz)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build} out=${2:-.gpu/bundle.txz}
cli=$build/app/inkloop-cli
[ -x "$cli" ] || { echo "device-bundle: no $cli; build first (ninja -C $build)" >&2; exit 1; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
mkdir -p "$dir/lib" "$dir/data" "$(dirname "$out")"
cp "$cli" "$dir/"
cp data/sample.png data/generator.safetensors "$dir/data/"
cp scripts/device-bench.sh "$dir/"
ldd "$cli" | awk '/=> \//{print $3}' | sort -u \
  | grep -vE '/(libc|libm|libpthread|libdl|librt|ld-linux[^/]*)\.so' \
  | while read -r lib; do cp -L "$lib" "$dir/lib/"; done
tar cf - -C "$dir" . | xz -T2 > "$out"
echo "device-bundle: $out, $(du -h "$out" | cut -f1) ($(ls "$dir/lib" | wc -l) libraries)"
