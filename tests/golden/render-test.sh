#!/bin/sh
# render-test.sh CLI SAMPLE GOLDEN-DIR: renders every project in GOLDEN-DIR (written by
# make-projects.sh before the parameter registry and the engine's folders were reorganised, in
# project format 1) with the C reference (--device cpu, deterministic on any machine of one
# architecture) and compares each frame's PNG bytes with frames.sha256: refactoring must not
# change a pixel, and old project files must keep rendering the same. Hashes were renewed on
# purpose: anime-flow's when an arrow's reach became compact (the flow stops at flow-reach); the
# moving frames' (a, b, c) when each frame came to draw its ink from the line response instead of
# resampling finished ink (the stills, d, did not change); manga-focus's (c) when black and white
# came to keep colour contrast (a red darker than a green of its lightness, in tones and lines; a
# line between regions of one grey but different colour) and its tones to leave more paper white;
# anime-flow's (a) when the flow's warps came from position maps made once per motion; every one
# when 8-bit PNGs came to be deflated in slices on several threads (engine/media/png-write.c):
# the new frames, re-encoded by FFmpeg's PNG encoder as before (level 2, Paeth), gave the old
# hashes, so no pixel changed; and again when those slices came to be deflated as runs (Z_RLE):
# the frames of the build before and after decoded to the same pixels.
set -u
abs () { case $1 in /*) printf '%s' "$1" ;; *) printf '%s/%s' "$PWD" "$1" ;; esac; }
cli=$(abs "$1") sample=$(abs "$2") golden=$(abs "$3")
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
cp "$sample" "$tmp/photo.png"
cp "$golden"/*.inkloop "$tmp/"
passed=0 failed=0
for p in anime-flow:a comic-pan:b manga-focus:c soft-still:d; do
  name=${p%:*} dir=${p#*:}-frames
  if (cd "$tmp" && "$cli" render "$name.inkloop" -o "$dir/" --device cpu >/dev/null); then
    passed=$((passed + 1)); echo "ok - render $name.inkloop"
  else
    failed=$((failed + 1)); echo "not ok - render $name.inkloop"
  fi
done
if (cd "$tmp" && sha256sum --quiet -c "$golden/frames.sha256"); then
  passed=$((passed + 1)); echo "ok - every frame byte-identical to the golden render"
else
  failed=$((failed + 1)); echo "not ok - every frame byte-identical to the golden render"
fi
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
