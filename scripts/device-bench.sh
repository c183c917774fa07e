#!/bin/bash
# device-bench.sh: the figures to take on a GPU (issue: performance), in one run, from a bundle
# made by scripts/device-bundle.sh (or a source tree's build: DIR with inkloop-cli and data/).
# Prints the device, then medians from Vulkan timestamps where the bench reports device time:
#   1. stylize at 3840x2160 and one animated 4K frame (bench --sizes 3840);
#   2. the learned generator at 3840x2160: fp16 arithmetic, fp16 storage, fp32 (bench
#      --generator learned --precision);
#   3. a 1920 px, 48-frame MP4 export, end to end (wall time, median of 3).
# Usage: [LD_LIBRARY_PATH=DIR/lib] device-bench.sh [DIR] [DEVICE]  (DEVICE: index or name part;
# default: the best, a GPU over lavapipe). SIZE (3840) and EXPORT_SIZE (1920) change the sizes.
set -uo pipefail
dir=${1:-$(dirname "$0")} device=${2:-}
cli=$dir/inkloop-cli
[ -x "$cli" ] || cli=$dir/build/app/inkloop-cli
sample=$dir/data/sample.png model=$dir/data/generator.safetensors
size=${SIZE:-3840} export_size=${EXPORT_SIZE:-1920}
dev=()
[ -n "$device" ] && dev=(--device "$device")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$cli" devices
echo "== stylize and one animated frame at $size px (ms, medians of 5)"
"$cli" bench "$sample" "${dev[@]}" --sizes "$size" --export-sizes 0 --runs 5
for p in fp16-math fp16 fp32; do
  echo "== learned generator at $size px, precision $p (ms, medians of 5)"
  "$cli" bench "$sample" "${dev[@]}" --generator learned --model "$model" --precision "$p" \
    --sizes "$size" --runs 5
done
echo "== $export_size px, 48-frame MP4 export, end to end (s)"
times=()
for i in 1 2 3; do
  s=$(date +%s.%N)
  "$cli" render "$sample" "${dev[@]}" --size "$export_size" --frames 48 -o "$tmp/x.mp4" >/dev/null || exit 1
  times+=("$(echo "$(date +%s.%N) - $s" | bc)")
done
printf '%s\n' "${times[@]}" | sort -n | awk '{v[NR]=$1} END{printf "median %.2f s of %d\n", v[int((NR+1)/2)], NR}'
