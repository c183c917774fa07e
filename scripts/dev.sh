#!/bin/sh
# dev.sh: one-command set-up, build and run on Debian 12 (as root, or with sudo):
#   scripts/dev.sh sample   install what is missing, build, stylize the bundled sample and
#                           export it as a looping GIF
#   scripts/dev.sh test     install what is missing, build with -Werror, run every test, the
#                           engine tests again under AddressSanitizer + UBSan, the image
#                           loader's and the project reader's fuzzers for FUZZ_SECONDS and
#                           PROJECT_FUZZ_SECONDS (default 60 each), the weights' and the clip
#                           opener's for WEIGHTS_FUZZ_SECONDS and VIDEO_FUZZ_SECONDS (30 each),
#                           and scripts/check-fresh.sh (that
#                           `sample` works with PACKAGES alone, none of TEST_PACKAGES)
# Idempotent: packages are installed only when missing, build folders are reused.
set -eu
cd "$(dirname "$0")/.."

# libwebp-dev: the loader decodes WebP stills with libwebp, not FFmpeg (see
# engine/media/image-webp.c); libtiff-dev, which libgtk-4-dev needs, pulls it in already.
# zlib1g-dev: 8-bit PNGs are deflated on several threads with zlib (engine/media/png-write.c).
PACKAGES="meson ninja-build pkg-config gcc glslang-tools libvulkan-dev mesa-vulkan-drivers
  vulkan-validationlayers libglib2.0-dev libjson-glib-dev libavcodec-dev libavformat-dev
  libavutil-dev libswscale-dev libimagequant-dev libwebp-dev zlib1g-dev
  libgtk-4-dev libadwaita-1-dev libepoxy-dev gettext libglib2.0-bin desktop-file-utils appstream"
# Only for the tests (configuring and building need none of them: meson leaves out, with a message,
# a test whose tool is missing; `test` configures with -Dtests_require_all=true, which makes that an
# error). The export tests read animated WebP back with libwebpdemux, from libwebp-dev above.
# The editor's tests: Xvfb with Mesa's GL, a private D-Bus session, XTest for real key and wheel
# events, and the data validators. python3-torch: the training pipeline's smoke test (training/).
TEST_PACKAGES="clang libclang-rt-14-dev apngdis xvfb xauth dbus-daemon libgl1-mesa-dri
  libxml2-utils libxtst-dev python3-torch"

install_missing () {
  missing=""
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
  done
  [ -z "$missing" ] && return 0
  echo "dev.sh: installing$missing"
  sudo=""
  [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing
}

# build DIR [meson options...]
build () {
  dir=$1; shift
  if [ ! -f "$dir/build.ninja" ]; then
    meson setup "$dir" "$@"
  elif ! meson configure "$dir" "$@" >/dev/null 2>&1; then
    # An option newer than the folder's configuration (meson configure does not know it yet).
    meson setup --reconfigure "$dir" "$@"
  fi
  ninja -C "$dir"
}

# Totals for the closing line, from meson's summary.
passed=0 failed=0
count () {
  log=$1
  ok=$(sed -n 's/^Ok: *\([0-9]*\).*/\1/p' "$log" | tail -n 1)
  fail=$(sed -n 's/^Fail: *\([0-9]*\).*/\1/p' "$log" | tail -n 1)
  timeout=$(sed -n 's/^Timeout: *\([0-9]*\).*/\1/p' "$log" | tail -n 1)
  passed=$((passed + ${ok:-0}))
  failed=$((failed + ${fail:-0} + ${timeout:-0}))
}

run_tests () {
  status=0
  build build -Dwerror=true -Dtests_require_all=true
  meson test -C build --print-errorlogs 2>&1 | tee build/test-summary.txt || status=1
  count build/test-summary.txt

  # README's first command on a machine without the test packages: in a mount namespace that hides
  # their files, from a throwaway copy of the work tree (a fresh build, a minute or two).
  sudo=""
  [ "$(id -u)" = 0 ] || sudo=sudo
  if $sudo scripts/check-fresh.sh > build/check-fresh.log 2>&1; then
    passed=$((passed + 1)); grep -E '^check-fresh: (method|ok)' build/check-fresh.log
  else
    failed=$((failed + 1)); status=1; tail -n 40 build/check-fresh.log
  fi

  # The engine and the exporter under AddressSanitizer + UBSan. The validation layer is not built with ASan, so it
  # runs in the plain build only; lavapipe's JIT is fine under ASan.
  build build-asan -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug -Dtests_require_all=true
  INKLOOP_NO_VALIDATION=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    ASAN_OPTIONS=detect_leaks=0 \
    meson test -C build-asan --suite engine --suite export --print-errorlogs 2>&1 | tee build-asan/test-summary.txt || status=1
  count build-asan/test-summary.txt

  # The fuzzers, each for a bounded time and counted as one test: the image loader for
  # FUZZ_SECONDS, the project reader for PROJECT_FUZZ_SECONDS (60 s each unless set), the weights
  # reader for WEIGHTS_FUZZ_SECONDS (30 s unless set: a small parser), the clip opener for
  # VIDEO_FUZZ_SECONDS (30 s unless set: FFmpeg's demuxers and decoders do most of the work).
  if [ ! -f build-fuzz/build.ninja ]; then
    CC=clang meson setup build-fuzz -Dfuzzing=true -Db_lundef=false >/dev/null
  fi
  ninja -C build-fuzz tests/fuzz-load tests/fuzz-project tests/fuzz-safetensors tests/fuzz-video
  # run_fuzzer NAME SECONDS WORK CORPUS LOG: build-fuzz/tests/fuzz-NAME from tests/CORPUS, new
  # inputs to build-fuzz/tests/WORK, crashes to build-fuzz/, its output to build-fuzz/LOG.
  run_fuzzer () {
    mkdir -p "build-fuzz/tests/$3"
    if (cd build-fuzz && "./tests/fuzz-$1" -max_total_time="$2" -rss_limit_mb=2048 \
          -print_final_stats=1 "tests/$3" "../tests/$4") > "build-fuzz/$5" 2>&1; then
      passed=$((passed + 1)); echo "fuzz-$1: clean for $2 s"
    else
      failed=$((failed + 1)); status=1; tail -n 40 "build-fuzz/$5"
    fi
  }
  run_fuzzer load "${FUZZ_SECONDS:-60}" fuzz-work fuzz-corpus fuzz.log
  run_fuzzer project "${PROJECT_FUZZ_SECONDS:-60}" fuzz-work-project fuzz-corpus-project fuzz-project.log
  run_fuzzer safetensors "${WEIGHTS_FUZZ_SECONDS:-30}" fuzz-work-safetensors fuzz-corpus-safetensors fuzz-safetensors.log
  run_fuzzer video "${VIDEO_FUZZ_SECONDS:-30}" fuzz-work-video fuzz-corpus-video fuzz-video.log

  echo "$passed passed, $failed failed"
  # meson test's status is lost in its pipe through tee: the counts decide too.
  [ "$failed" = 0 ] || status=1
  return $status
}

case "${1:-}" in
  sample)
    install_missing $PACKAGES
    build build
    ./build/app/inkloop-cli still data/sample.png -o sample-comic.png --preset anime -v
    ./build/app/inkloop-cli render data/sample.png -o sample-loop.gif --preset anime
    echo "dev.sh: wrote sample-comic.png and sample-loop.gif"
    ;;
  test)
    install_missing $PACKAGES $TEST_PACKAGES
    run_tests
    ;;
  *)
    echo "usage: scripts/dev.sh sample|test" >&2
    exit 2
    ;;
esac
