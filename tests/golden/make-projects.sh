#!/bin/sh
# make-projects.sh CLI SAMPLE OUT-DIR: the projects of the golden test, written by the CLI itself.
set -eu
cli=$1 sample=$2 out=$3
cp "$sample" "$out/photo.png"
cd "$out"
"$cli" render photo.png -o a-frames/ --device cpu --size 160 --frames 6 --preset anime \
  --arrow 0.2,0.7,0.4,0.7 --anchor 0.5,0.3 --save-project anime-flow.inkloop >/dev/null
"$cli" render photo.png -o b-frames/ --device cpu --size 150 --frames 5 --preset comic \
  --camera pan --camera-amount 0.8 --particles snow --speed-lines 30 --seed 7 \
  --save-project comic-pan.inkloop >/dev/null
"$cli" render photo.png -o c-frames/ --device cpu --size 140 --frames 4 --preset manga \
  --focus-lines 0.4,0.5 --hold 1 --boil 1 --save-project manga-focus.inkloop >/dev/null
"$cli" render photo.png -o d-frames/ --device cpu --size 128 --frames 3 --preset soft \
  --motion 0 --particles rain --save-project soft-still.inkloop >/dev/null
