#!/bin/sh
# cli-test.sh: inkloop-cli end to end: exit codes, messages that name the file, no partial or
# clobbered output on failure, the CPU fallback without a Vulkan driver, devices and bench.
# Usage: cli-test.sh INKLOOP-CLI SAMPLE.png TEST-DATA-DIR
set -u
cli=$1 sample=$2 data=$3
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0

ok () { passed=$((passed + 1)); echo "ok - $1"; }
bad () { failed=$((failed + 1)); echo "not ok - $1"; }

# expect CODE NAME [PATTERN]: runs the rest of "$@" after --, checks the exit status, and that
# stderr matches PATTERN (grep -E) when one is given.
expect () {
  code=$1 name=$2 pattern=$3; shift 4
  "$@" >"$tmp/out" 2>"$tmp/err"
  got=$?
  if [ "$got" != "$code" ]; then
    bad "$name: exit $got, wanted $code"; sed 's/^/#   /' "$tmp/err"; return
  fi
  if [ -n "$pattern" ] && ! grep -Eq -e "$pattern" "$tmp/err"; then
    bad "$name: stderr does not match '$pattern'"; sed 's/^/#   /' "$tmp/err"; return
  fi
  ok "$name"
}

is_png () { [ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = "89504e470d0a1a0a" ]; }
no_temporaries () { ! ls -A "$1" | grep -q '^\.'; }

expect 0 "--help" "" -- "$cli" --help
expect 2 "no command" "" -- "$cli"
expect 2 "unknown command" "unknown command 'paint'" -- "$cli" paint
expect 0 "still --help" "" -- "$cli" still --help
expect 0 "--version" "" -- "$cli" --version

expect 0 "still writes a PNG" "" -- "$cli" still "$sample" -o "$tmp/out.png" --size 160
if is_png "$tmp/out.png" && no_temporaries "$tmp"; then ok "output is a PNG, no temporary left"; else bad "output is a PNG, no temporary left"; fi

for preset in anime comic manga soft; do
  expect 0 "preset $preset" "" -- "$cli" still "$sample" -o "$tmp/$preset.png" --size 96 --preset "$preset"
done
expect 0 "every style option" "" -- "$cli" still "$sample" -o "$tmp/all.png" --size 96 \
  --smooth-passes 2 --smooth-spatial 4 --smooth-range 6 --structure-scale 3 --colors 6 \
  --flatten 1 --cel-tones 2 --cel-amount 1 --line-weight 3 --line-sensitivity 0.8 \
  --line-smoothness 1 --line-color '#203040' --saturation 0.5 --contrast 1.5 --mono true \
  --screentone 0.5 --tone-size 8
expect 0 "C reference path (--device cpu)" "" -- "$cli" still "$sample" -o "$tmp/cpu.png" --size 64 --device cpu

# Bad input: a clear one-line message naming the file, a non-zero exit, nothing written.
echo "old" > "$tmp/keep.png"
expect 1 "missing input" "nowhere\.png" -- "$cli" still "$tmp/nowhere.png" -o "$tmp/keep.png"
expect 1 "not an image" "not-an-image\.png" -- "$cli" still "$data/not-an-image.png" -o "$tmp/keep.png"
expect 1 "truncated PNG" "truncated\.png" -- "$cli" still "$data/truncated.png" -o "$tmp/keep.png"
expect 1 "corrupt JPEG" "corrupt\.jpg" -- "$cli" still "$data/corrupt.jpg" -o "$tmp/keep.png"
expect 1 "0x0 PNG" "zero\.png" -- "$cli" still "$data/zero.png" -o "$tmp/keep.png"
expect 1 "30000x30000 header" "huge-header\.png.*(30000|at most)" -- "$cli" still "$data/huge-header.png" -o "$tmp/keep.png"
if [ "$(cat "$tmp/keep.png")" = "old" ] && no_temporaries "$tmp"; then ok "failed runs left the existing file alone"; else bad "failed runs left the existing file alone"; fi
expect 0 "1x1 image" "" -- "$cli" still "$data/one.png" -o "$tmp/one-out.png"

expect 1 "output folder missing" "missing-dir/x\.png" -- "$cli" still "$sample" -o "$tmp/missing-dir/x.png" --size 64
[ ! -e "$tmp/missing-dir" ] && ok "nothing created for a missing folder" || bad "nothing created for a missing folder"
touch "$tmp/a-file"
expect 1 "output folder is a file" "a-file/x\.png" -- "$cli" still "$sample" -o "$tmp/a-file/x.png" --size 64
expect 2 "output not .png" "\.png" -- "$cli" still "$sample" -o "$tmp/x.gif"
expect 2 "no output" "-o" -- "$cli" still "$sample"
expect 2 "line weight out of range" "line-weight is 99; it must be between 0 and 8 px" -- "$cli" still "$sample" -o "$tmp/x.png" --line-weight 99
expect 2 "colors not a number" "colors: 'many' is not a valid whole number" -- "$cli" still "$sample" -o "$tmp/x.png" --colors many
expect 2 "unknown preset" "unknown preset 'noir'" -- "$cli" still "$sample" -o "$tmp/x.png" --preset noir
expect 2 "size out of range" "--size" -- "$cli" still "$sample" -o "$tmp/x.png" --size 99999
expect 1 "unknown device" "no usable Vulkan device matches 'no-such-gpu'" -- "$cli" still "$sample" -o "$tmp/x.png" --device no-such-gpu
[ ! -e "$tmp/x.png" ] && ok "no output from refused runs" || bad "no output from refused runs"

# No Vulkan driver at all: the C reference path, said once.
expect 0 "no Vulkan driver: CPU fallback" "using the CPU reference path" -- \
  env VK_DRIVER_FILES=/nonexistent.json VK_ICD_FILENAMES=/nonexistent.json \
  "$cli" still "$sample" -o "$tmp/fallback.png" --size 48
is_png "$tmp/fallback.png" && ok "fallback output is a PNG" || bad "fallback output is a PNG"

expect 0 "devices" "" -- "$cli" devices
grep -q '^\*' "$tmp/out" && ok "devices marks the chosen one" || bad "devices marks the chosen one"
expect 0 "bench --json" "" -- "$cli" bench "$sample" --sizes 64,100 --runs 1 --json --export-sizes 48
if grep -q "\"device\"" "$tmp/out" && grep -q "\"stylize_ms\"" "$tmp/out" && grep -q "\"smooth_ms\"" "$tmp/out" && grep -q "\"frame_ms\"" "$tmp/out" && grep -q "\"loop_ms\"" "$tmp/out" && grep -q "\"flow_loop_ms\": [0-9]" "$tmp/out" \
   && grep -q '"width": 100' "$tmp/out"; then ok "bench JSON has device, sizes and stage times"; else bad "bench JSON"; cat "$tmp/out"; fi
grep -q '"export": \[{"long_edge": 48, "gif_ms": [0-9.]*, "gif_bytes": [1-9]' "$tmp/out" \
  && grep -q '"mp4_ms"' "$tmp/out" && ok "bench JSON has export times" || bad "bench JSON has export times"
expect 2 "bench bad sizes" "--sizes" -- "$cli" bench --sizes 0,abc
# The network runtime: the tests' U-Net, whole and per layer.
expect 0 "bench --generator learned" "" -- "$cli" bench "$sample" --generator learned \
  --model "$data/network/unet-bench.safetensors" --sizes 64 --runs 1 --json
grep -q '"generator": "learned".*"parameters": 215171.*"stylize_ms": [0-9.]*, "gflop": [0-9.]*, "gflops": [0-9.]*, "layers": \[{"name": "e0", "op": "conv2d", "ms": [0-9.]*, "gflops"' "$tmp/out" \
  && ok "bench --generator learned JSON has the network and its layers" || { bad "bench --generator learned JSON"; cat "$tmp/out"; }
expect 2 "bench bad generator" "--generator is procedural or learned" -- "$cli" bench --generator gan
expect 1 "bench learned with a photo as the model" "^inkloop-cli: [^:]*sample.png: not usable weights" -- "$cli" bench --generator learned --model "$sample" --sizes 64 --runs 1

# --fps sets a photo's loop rate (a clip's option of the same name must not take it).
expect 0 "render --fps on a photo" "" -- "$cli" render "$sample" -o "$tmp/fps.gif" --size 48 --frames 4 --fps 8
grep -q "4 frames, 0.50 s" "$tmp/out" && ok "--fps 8 on a photo: 4 frames in 0.50 s" || bad "--fps 8 on a photo"

# render: PNG frames; a project reproduces them; zero motion is the still.
expect 0 "render frames" "" -- "$cli" render "$sample" -o "$tmp/loop/" --size 96 --frames 6 \
  --arrow 0.2,0.5,0.4,0.5 --sway 0.7,0.3,0.75,0.3,0.2 --anchor 0.5,0.5 --focus-lines 0.5,0.4 \
  --particles snow --camera pan --save-project "$tmp/loop.inkloop"
n=$(ls "$tmp/loop" | grep -c '^frame-000[1-6]\.png$')
[ "$n" = 6 ] && [ "$(ls "$tmp/loop" | wc -l)" = 6 ] && ok "six frames, nothing else" || bad "six frames, nothing else ($n)"
is_png "$tmp/loop/frame-0006.png" && ok "frames are PNGs" || bad "frames are PNGs"
no_temporaries "$tmp" && ok "no temporary folder left" || bad "no temporary folder left"
expect 0 "render the saved project" "" -- "$cli" render "$tmp/loop.inkloop" -o "$tmp/again"
same=1
for f in "$tmp"/loop/*.png; do cmp -s "$f" "$tmp/again/$(basename "$f")" || same=0; done
[ "$same" = 1 ] && ok "the project renders identical frames" || bad "the project renders identical frames"
grep -q '"kind" *: *"sway"' "$tmp/loop.inkloop" && grep -q '"reach" *: *0.2' "$tmp/loop.inkloop" \
  && ok "the project keeps the sway arrow and its reach" || bad "the project keeps the sway arrow and its reach"
expect 0 "zero motion" "" -- "$cli" render "$sample" -o "$tmp/still-loop" --size 96 --frames 3 --motion 0 --particles rain
expect 0 "the still" "" -- "$cli" still "$sample" -o "$tmp/still.png" --size 96
if cmp -s "$tmp/still.png" "$tmp/still-loop/frame-0001.png" && cmp -s "$tmp/still.png" "$tmp/still-loop/frame-0003.png"; then
  ok "motion 0 frames are the still, byte for byte"; else bad "motion 0 frames are the still, byte for byte"; fi
# Re-rendering fewer frames into the folder replaces them and removes the stale ones.
expect 0 "render over an existing folder" "" -- "$cli" render "$sample" -o "$tmp/loop" --size 64 --frames 4
[ "$(ls "$tmp/loop" | wc -l)" = 4 ] && ok "stale frames removed" || bad "stale frames removed"

echo '{"format": "inkloop-project", "version": 99}' > "$tmp/new.inkloop"
expect 1 "project from a newer version" "new\.inkloop.*newer" -- "$cli" render "$tmp/new.inkloop" -o "$tmp/nope"
printf '{"format": "inkloop-pro' > "$tmp/cut.inkloop"
expect 1 "truncated project" "cut\.inkloop" -- "$cli" render "$tmp/cut.inkloop" -o "$tmp/nope"
expect 1 "render a missing photo" "nowhere\.png" -- "$cli" render "$tmp/nowhere.png" -o "$tmp/nope"
expect 1 "render into a missing parent" "missing-parent" -- "$cli" render "$sample" -o "$tmp/missing-parent/frames" --size 48
[ ! -e "$tmp/nope" ] && no_temporaries "$tmp" && ok "failed renders leave nothing" || bad "failed renders leave nothing"
expect 2 "malformed arrow" "--arrow '1,2': give 4 or 5 numbers" -- "$cli" render "$sample" -o "$tmp/nope" --arrow 1,2
expect 2 "arrow reach out of range" "--sway '0,0,1,1,3': the reach" -- "$cli" render "$sample" -o "$tmp/nope" --sway 0,0,1,1,3
expect 2 "frames out of range" "frames is 500" -- "$cli" render "$sample" -o "$tmp/nope" --frames 500
expect 2 "unknown camera" "camera: 'dolly' is not one of" -- "$cli" render "$sample" -o "$tmp/nope" --camera dolly
expect 0 "render --help" "" -- "$cli" render --help

# render to files: each format by extension or --format, a summary on stdout, no progress bar
# when stderr is not a terminal, nothing half-written on failure.
for f in gif apng mp4 webp; do
  expect 0 "render $f" "" -- "$cli" render "$sample" -o "$tmp/loop.$f" --size 96 --frames 4
  [ -s "$tmp/loop.$f" ] && grep -q "loop\.$f: .*96x64, " "$tmp/out" && [ ! -s "$tmp/err" ] \
    && ok "$f written, summary printed, stderr quiet" || bad "$f written, summary printed, stderr quiet"
done
expect 0 "--format overrides the extension" "" -- "$cli" render "$sample" -o "$tmp/clip.bin" --format webp --size 64 --frames 2
[ "$(head -c 4 "$tmp/clip.bin")" = "RIFF" ] && ok "--format webp wrote a WebP" || bad "--format webp wrote a WebP"
expect 0 "GIF options" "" -- "$cli" render "$sample" -o "$tmp/o.gif" --size 64 --frames 3 --dither ordered --gif-colors 32 -q 70
n=$(sed -n 's/.* \([0-9]*\) colours$/\1/p' "$tmp/out")
[ -n "$n" ] && [ "$n" -le 32 ] && ok "--gif-colors 32: at most 32 colours ($n)" || bad "--gif-colors 32: at most 32 colours (got '$n')"
# --colors is the style's palette in every command (the GIF's is --gif-colors).
expect 0 "render --colors is the style's" "" -- "$cli" render "$sample" -o "$tmp/c.gif" --size 64 --frames 2 --colors 5 --save-project "$tmp/c.inkloop"
grep -q '"colors" *: *5,' "$tmp/c.inkloop" && ok "render --colors 5 set the style's colours" || bad "render --colors 5 set the style's colours"
expect 0 "-f is --format" "" -- "$cli" render "$sample" -o "$tmp/clip2.bin" -f webp --size 64 --frames 2
[ "$(head -c 4 "$tmp/clip2.bin")" = "RIFF" ] && ok "-f webp wrote a WebP" || bad "-f webp wrote a WebP"
expect 0 "MP4 repeat and quality" "" -- "$cli" render "$sample" -o "$tmp/r.mp4" --size 65 --frames 3 --repeat 4 --quality 50
grep -q "12 frames" "$tmp/out" && ok "MP4 --repeat 4 has 12 frames" || bad "MP4 --repeat 4 has 12 frames"
# APNG read by libpng's apngdis, not FFmpeg: every frame, each 1/12 s.
if command -v apngdis >/dev/null; then
  mkdir "$tmp/apng" && cp "$tmp/loop.apng" "$tmp/apng/" && (cd "$tmp/apng" && apngdis loop.apng >/dev/null 2>&1)
  n=$(ls "$tmp/apng" | grep -c '^apngframe.*\.png$')
  delays=$(cat "$tmp/apng"/apngframe*.txt | sort -u)
  [ "$n" = 4 ] && [ "$delays" = "delay=1/12" ] && ok "apngdis reads 4 frames of 1/12 s" || bad "apngdis reads 4 frames of 1/12 s (got $n: $delays)"
else
  bad "apngdis is not installed (Debian package apngdis)"
fi
echo "old" > "$tmp/keep.gif"
expect 2 "unknown extension" "out\.avi.*unknown output format" -- "$cli" render "$sample" -o "$tmp/out.avi"
expect 2 "unknown --format" "unknown format 'bmp'" -- "$cli" render "$sample" -o "$tmp/keep.gif" --format bmp
expect 2 "bad --dither" "dither: 'floyd' is not one of none, ordered, diffusion" -- "$cli" render "$sample" -o "$tmp/keep.gif" --dither floyd
expect 2 "--max-bytes on MP4" "max-bytes" -- "$cli" render "$sample" -o "$tmp/keep.mp4" --max-bytes 1000
expect 2 "--gif-colors 1" "gif-colors is 1; it must be between 2 and 256" -- "$cli" render "$sample" -o "$tmp/keep.gif" --gif-colors 1
expect 2 "--max-bytes not whole" "max-bytes: '2.5' is not a valid whole number" -- "$cli" render "$sample" -o "$tmp/keep.gif" --max-bytes 2.5
expect 2 "--repeat 0" "repeat is 0; it must be between 1 and 100" -- "$cli" render "$sample" -o "$tmp/keep.mp4" --repeat 0
expect 1 "an impossible --max-bytes" "keep\.gif: cannot fit the loop under" -- "$cli" render "$sample" -o "$tmp/keep.gif" --size 96 --frames 2 --max-bytes 300
# A full disk: the file size limit in a subshell (SIGXFSZ ignored, so writes fail with EFBIG).
expect 1 "a full disk" "keep\.gif: cannot write: the disk is full" -- sh -c 'ulimit -f 8; trap "" XFSZ; exec "$@"' sh "$cli" render "$sample" -o "$tmp/keep.gif" --size 160 --frames 4
[ "$(cat "$tmp/keep.gif")" = "old" ] && [ ! -e "$tmp/keep.mp4" ] && no_temporaries "$tmp" \
  && ok "failed exports left the existing file alone" || bad "failed exports left the existing file alone"
expect 0 "--max-bytes fits" "" -- "$cli" render "$sample" -o "$tmp/fit.gif" --size 160 --frames 4 --max-bytes 25000
[ "$(stat -c %s "$tmp/fit.gif")" -le 25000 ] && grep -q "reduced to fit" "$tmp/out" \
  && ok "--max-bytes: under the limit, and says what it reduced" || bad "--max-bytes: under the limit, and says what it reduced"

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
