#!/bin/bash
# bad-input.sh: inkloop-cli against hostile input, one case a row of bad-input.table: set-up, the
# command, the exit status wanted, a fragment of the message, and what must hold afterwards.
# After every row nothing partial (*.inkloop-partial-*) may be left anywhere in its folder.
# Usage: bad-input.sh INKLOOP-CLI SAMPLE.png TEST-DATA-DIR TABLE
#
# Each row runs in a new empty folder (its current folder) with these in the environment:
#   CLI the program, S the sample photo, D the test data folder, W the row's folder.
# A command starting with "!" is shell as written; otherwise it is the arguments of "$CLI".
# The functions below can be used in set-up, command and check.
set -u
set -m   # background jobs keep SIGINT, so the signal rows can send it
abs () { case $1 in /*) printf '%s' "$1" ;; *) printf '%s/%s' "$PWD" "$1" ;; esac; }
CLI=$(abs "$1") S=$(abs "$2") D=$(abs "$3") TABLE=$4
export CLI S D
root=$(mktemp -d) || exit 1
trap 'chmod -R u+w "$root" 2>/dev/null; rm -rf "$root"' EXIT
passed=0 failed=0 row=0

# partials [DIR]: the partial outputs below DIR (default .), one a line.
partials () { find "${1:-.}" -name '*.inkloop-partial-*' 2>/dev/null; }

# signal_run SIGNAL ARGS...: runs "$CLI" ARGS, sends SIGNAL once a partial output exists, and
# returns the exit status (99 if it ended before any partial output appeared).
signal_run () {
  sig=$1; shift
  "$CLI" "$@" &
  pid=$!
  for _ in $(seq 1 1200); do
    if [ -n "$(partials)" ]; then
      partials > seen-partials
      kill -s "$sig" "$pid"
      wait "$pid"
      return $?
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  wait "$pid"
  echo "no partial output appeared before the end" >&2
  return 99
}

# repeat TEXT N: TEXT N times (for hostile files made in a row's set-up).
repeat () { printf "%${2}s" "" | sed "s/ /$1/g"; }

# same_bytes A B: A and B have equal contents.
same_bytes () { cmp -s "$1" "$2"; }

while IFS= read -r line || [ -n "$line" ]; do
  case $line in '#'* | '') continue ;; esac
  row=$((row + 1))
  IFS='|' read -r name setup cmd code pattern check <<<"$line"
  trim () { local s=$1; s=${s#"${s%%[![:space:]]*}"}; printf '%s' "${s%"${s##*[![:space:]]}"}"; }
  name=$(trim "$name") setup=$(trim "$setup") cmd=$(trim "$cmd") code=$(trim "$code")
  pattern=$(trim "$pattern") check=$(trim "$check")
  W="$root/$row"
  mkdir "$W"
  export W
  (
    cd "$W" || exit 97
    if [ -n "$setup" ] && ! eval "$setup" >setup.log 2>&1; then
      echo "#   set-up failed: $setup"; sed 's/^/#   /' setup.log; exit 98
    fi
    rm -f setup.log
    case $cmd in
      '!'*) eval "${cmd#!}" >stdout 2>stderr ;;
      *) eval "\"\$CLI\" $cmd" >stdout 2>stderr ;;
    esac
    got=$?
    why=""
    [ "$got" = "$code" ] || why="exit $got, wanted $code"
    if [ -z "$why" ] && [ -n "$pattern" ] && ! grep -Eq -e "$pattern" stderr; then
      why="stderr does not match '$pattern'"
    fi
    if [ -z "$why" ] && [ "$code" != 0 ] && grep -q "CRITICAL\|WARNING\|AddressSanitizer\|runtime error" stderr; then
      why="a warning or a crash report in stderr"
    fi
    if [ -z "$why" ] && [ -n "$check" ] && ! eval "$check"; then
      why="check failed: $check"
    fi
    if [ -z "$why" ] && [ -n "$(partials)" ]; then
      why="partial output left: $(partials | tr '\n' ' ')"
    fi
    if [ -n "$why" ]; then
      echo "#   $why"; echo "#   command: $cmd"; sed 's/^/#   stderr: /' stderr | head -n 20; exit 1
    fi
    exit 0
  ) >"$root/result" 2>&1
  if [ $? = 0 ]; then
    passed=$((passed + 1)); echo "ok $row - $name"
  else
    failed=$((failed + 1)); echo "not ok $row - $name"; cat "$root/result"
  fi
done <"$TABLE"

echo "$passed passed, $failed failed"
[ "$failed" = 0 ] && [ "$row" -gt 0 ]
