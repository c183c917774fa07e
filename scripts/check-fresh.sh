#!/bin/bash
# check-fresh.sh: proves that README's first command, `scripts/dev.sh sample`, works on a Debian 12
# machine that has only what it installs (PACKAGES in scripts/dev.sh), none of TEST_PACKAGES.
#
# Method: a mount namespace (unshare -m) in which every file that only the test packages install is
# gone (ENOENT). The packages to hide are TEST_PACKAGES and their dependencies, less everything that
# PACKAGES and the base system (Essential, Priority required/important) depend on; of those, the
# files that no other installed package also owns are hidden by overlayfs whiteouts over /usr, /etc
# and /var (upper layers on a tmpfs, so nothing written inside outlives the namespace). In there it
# checks that the test tools really are absent, runs `scripts/dev.sh sample` from a throwaway copy
# of the work tree (tracked and untracked-but-not-ignored files) with its own build folder, checks
# sample-comic.png and sample-loop.gif, and checks that `meson setup -Dtests_require_all=true` (what
# `scripts/dev.sh test`, so CI, configures with) refuses to configure there, naming the missing tool.
#
# Root only (mounts); needs git, unshare (util-linux) and overlayfs. Everything PACKAGES lists must
# already be installed (scripts/dev.sh sample or test installs it): nothing is installed here.
# Nothing outside the namespace changes; the copy under /tmp is removed at the end (KEEP=1 keeps it).
# Usage: scripts/check-fresh.sh
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)

say () { echo "check-fresh: $*"; }
die () { echo "check-fresh: FAILED: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "needs root (it mounts in a private mount namespace); run it with sudo"
command -v unshare >/dev/null || die "unshare (util-linux) not found"
command -v git >/dev/null || die "git not found (it copies the work tree with git ls-files)"
grep -qw overlay /proc/filesystems || modprobe overlay 2>/dev/null || true
grep -qw overlay /proc/filesystems || die "the kernel has no overlayfs"

# PACKAGES and TEST_PACKAGES, read from scripts/dev.sh (its two multi-line assignments).
eval "$(awk '/^(TEST_)?PACKAGES="/ { on = 1; q = 0 }
             on { print; q += gsub(/"/, "&"); if (q % 2 == 0) on = 0 }' scripts/dev.sh)"
if [ -z "${PACKAGES:-}" ] || [ -z "${TEST_PACKAGES:-}" ]; then
  die "cannot read PACKAGES and TEST_PACKAGES from scripts/dev.sh"
fi

installed () { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
missing=""
for p in $PACKAGES; do installed "$p" || missing="$missing $p"; done
[ -z "$missing" ] || die "not installed:$missing (run scripts/dev.sh sample or test first: this check installs nothing)"

W=$(mktemp -d /tmp/inkloop-fresh.XXXXXX)
cleanup () { if [ "${KEEP:-0}" = 1 ]; then say "kept $W"; else rm -rf "$W"; fi; }
trap cleanup EXIT

# --- Which packages, which files ------------------------------------------------------------------
# closure PKG...: the installed packages PKG... depend on, recursively (Depends, Pre-Depends; every
# alternative that is installed), PKG... included.
closure () {
  apt-cache depends --recurse --installed --no-recommends --no-suggests --no-conflicts --no-breaks \
    --no-replaces --no-enhances "$@" 2>/dev/null | grep -v '^ ' | sort -u
}
dpkg-query -W -f='${db:Status-Abbrev}|${Package}|${Essential}|${Priority}\n' \
  | awk -F'|' '$1 ~ /^ii/ { print $2 > "'"$W"'/installed" }
               $1 ~ /^ii/ && ($3 == "yes" || $4 == "required" || $4 == "important") { print $2 }' \
  | sort -u > "$W/base"
sort -u -o "$W/installed" "$W/installed"
test_installed=""
for p in $TEST_PACKAGES; do installed "$p" && test_installed="$test_installed $p"; done
# shellcheck disable=SC2086
closure $test_installed | comm -12 - "$W/installed" > "$W/test-closure"
# shellcheck disable=SC2086,SC2046
closure $PACKAGES $(cat "$W/base") | comm -12 - "$W/installed" > "$W/keep-closure"
comm -23 "$W/test-closure" "$W/keep-closure" > "$W/hide-packages"
comm -23 "$W/installed" "$W/hide-packages" > "$W/keep-packages"

# canon: paths on stdin, each with its folder's symlinks resolved (/lib/x -> /usr/lib/x on merged /usr).
canon () {
  awk '/^\//' | sort -u > "$W/canon-in"
  sed 's|/[^/]*$||' "$W/canon-in" | sort -u | awk 'NF' > "$W/canon-dirs"
  tr '\n' '\0' < "$W/canon-dirs" | xargs -0 realpath -m -- > "$W/canon-real"
  paste "$W/canon-dirs" "$W/canon-real" > "$W/canon-map"
  awk -F'\t' 'NR == FNR { m[$1] = $2; next }
              { d = $0; sub(/\/[^\/]*$/, "", d); b = substr($0, length(d) + 1)
                print (d in m ? m[d] : d) b }' "$W/canon-map" "$W/canon-in" | sort -u
}
hide_list=$(tr '\n' ' ' < "$W/hide-packages")
# Every path that a package staying visible owns stays visible.
# shellcheck disable=SC2046
dpkg -L $(cat "$W/keep-packages") 2>/dev/null | canon > "$W/keep-paths"
# shellcheck disable=SC2046
{ [ ! -s "$W/hide-packages" ] || dpkg -L $(cat "$W/hide-packages") 2>/dev/null; } \
  | canon | comm -23 - "$W/keep-paths" > "$W/candidates"
# Only what exists and is not a folder (nor a symlink to one, like /lib32): files and symlinks.
: > "$W/hide-paths"
while IFS= read -r f; do
  if [ ! -d "$f" ] && { [ -e "$f" ] || [ -L "$f" ]; }; then echo "$f" >> "$W/hide-paths"; fi
done < "$W/candidates"
n=$(wc -l < "$W/hide-paths")
[ "$n" -gt 0 ] || die "nothing to hide: no test package is installed apart from what PACKAGES need"
bad=$(grep -vE '^/(usr|etc|var)/' "$W/hide-paths" || true)
[ -z "$bad" ] || die "test package files outside /usr, /etc and /var: $bad"
kept_tests=$(comm -12 <(tr ' ' '\n' <<< "$TEST_PACKAGES" | sort -u) "$W/keep-closure" | tr '\n' ' ')

say "method: mount namespace (unshare -m) hiding $n files of the test packages: $hide_list"
say "        (overlayfs whiteouts over /usr, /etc, /var; upper layers on a tmpfs)"
[ -z "$kept_tests" ] || say "        left visible, because PACKAGES or the base system depend on them: $kept_tests"

# --- A throwaway copy of the work tree ------------------------------------------------------------
mkdir "$W/src"
git ls-files -z -c -o --exclude-standard \
  | tar --null --ignore-failed-read -T - -cf - 2>/dev/null | tar -xf - -C "$W/src"
rm -rf "$W/src/build" "$W/src/sample-comic.png" "$W/src/sample-loop.gif"
say "copied the work tree ($(git ls-files -c -o --exclude-standard | wc -l) files) to $W/src"

# --- Inside the namespace -------------------------------------------------------------------------
cat > "$W/inner.sh" <<'EOF'
set -euo pipefail
say () { echo "check-fresh: $*"; }
die () { echo "check-fresh: FAILED: $*" >&2; exit 1; }
mkdir "$W/layers"
mount -t tmpfs -o mode=0700 inkloop-fresh "$W/layers"
for d in usr etc var; do
  mkdir -p "$W/layers/$d/upper" "$W/layers/$d/work"
done
while IFS= read -r f; do
  top=${f#/}; top=${top%%/*}; rest=${f#/"$top"}
  mkdir -p "$W/layers/$top/upper$(dirname "$rest")"
  mknod "$W/layers/$top/upper$rest" c 0 0
done < "$W/hide-paths"
for d in usr etc var; do
  mount -t overlay inkloop-fresh-$d \
    -o "lowerdir=/$d,upperdir=$W/layers/$d/upper,workdir=$W/layers/$d/work" "/$d"
done
hash -r

# The test tools really are gone.
still=""
while IFS= read -r f; do
  if [ -e "$f" ] || [ -L "$f" ]; then still="$still $f"; fi
done < "$W/hide-paths"
[ -z "$still" ] || die "still visible:$still"
for t in xvfb-run xauth dbus-run-session xmllint apngdis clang; do
  if p=$(command -v "$t"); then die "$t is still on PATH ($p)"; fi
done
say "inside: all $(wc -l < "$W/hide-paths") files ENOENT; xvfb-run, xauth, dbus-run-session, xmllint, apngdis, clang not on PATH"

# README's first command.
cd "$W/src"
say "running scripts/dev.sh sample"
set +e
scripts/dev.sh sample > "$W/sample.log" 2>&1
rc=$?
set -e
sed -n -e '/^dev.sh:/p' -e '/^Message: test .* not registered/p' -e '/WARNING: tests not registered/p' \
  -e '/ERROR/p' -e '/FAILED/p' "$W/sample.log" | sed 's/^/  | /'
if [ "$rc" != 0 ]; then tail -n 40 "$W/sample.log" | sed 's/^/  | /'; die "scripts/dev.sh sample exited $rc"; fi
grep -q '^dev.sh: installing' "$W/sample.log" && die "scripts/dev.sh sample installed packages"

# Its outputs: a whole PNG that inkloop-cli (FFmpeg) reads back, and a whole looping GIF89a of
# several frames, walked block by block (python3 is there: meson runs on it).
magic () { head -c "$2" "$1" | od -An -tx1 | tr -d ' \n'; }
[ -s sample-comic.png ] && [ "$(magic sample-comic.png 8)" = 89504e470d0a1a0a ] || die "sample-comic.png is missing or not a PNG"
[ "$(tail -c 12 sample-comic.png | od -An -tx1 | tr -d ' \n')" = 0000000049454e44ae426082 ] || die "sample-comic.png does not end with IEND"
./build/app/inkloop-cli still sample-comic.png -o "$W/readback.png" --size 64 --device cpu >/dev/null 2>"$W/readback.log" \
  || { cat "$W/readback.log"; die "inkloop-cli cannot read sample-comic.png back"; }
[ -s sample-loop.gif ] || die "sample-loop.gif is missing"
gif=$(/usr/bin/python3 - sample-loop.gif <<'PY'
import struct, sys
d = open(sys.argv[1], 'rb').read()
assert d[:6] == b'GIF89a', 'not a GIF89a'
w, h, flags = struct.unpack('<HHB', d[6:11])
i = 13 + (3 << ((flags & 7) + 1) if flags & 0x80 else 0)
frames, loops = 0, False
def sub(i):
    while d[i]:
        i += d[i] + 1
    return i + 1
while d[i] != 0x3b:
    if d[i] == 0x21:
        if d[i + 1] == 0xff and d[i + 3:i + 14] == b'NETSCAPE2.0':
            loops = True
        i = sub(i + 2)
    elif d[i] == 0x2c:
        f = d[i + 9]
        i += 10 + (3 << ((f & 7) + 1) if f & 0x80 else 0)
        i = sub(i + 1)
        frames += 1
    else:
        raise SystemExit('bad block 0x%02x at %d' % (d[i], i))
assert i == len(d) - 1, 'data after the trailer'
assert frames > 1 and loops, '%d frames, loops %s' % (frames, loops)
print('%dx%d, %d frames, looping' % (w, h, frames))
PY
) || die "sample-loop.gif is not a whole looping GIF"
say "sample-comic.png ($(stat -c %s sample-comic.png) bytes, read back) and sample-loop.gif ($(stat -c %s sample-loop.gif) bytes, $gif) written"
tests=$(meson test -C build --list 2>/dev/null | sed -n 's/^inkloop:[a-z]* \/ //p' | tr '\n' ' ')
say "tests registered there: $tests"

# What scripts/dev.sh test (so CI) configures with refuses to leave tests out.
set +e
meson setup build-require-all -Dtests_require_all=true > "$W/require.log" 2>&1
rc=$?
set -e
[ "$rc" != 0 ] || die "meson setup -Dtests_require_all=true succeeded without the test tools"
grep -q 'ERROR: .*tests_require_all.*(Debian package ' "$W/require.log" \
  || { tail -n 20 "$W/require.log"; die "meson setup -Dtests_require_all=true failed, but not naming the missing tool"; }
say "meson setup -Dtests_require_all=true fails as it should:"
grep 'ERROR:' "$W/require.log" | sed 's/^/  | /'
EOF
export W
set +e
unshare --mount --propagation private bash "$W/inner.sh"
rc=$?
set -e
[ "$rc" = 0 ] || die "see above (mount namespace hiding $n files of the test packages)"
say "ok: scripts/dev.sh sample works without the test packages ($(( $(date +%s) - start )) s)"
