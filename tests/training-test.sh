#!/bin/sh
# training-test.sh: the training pipeline end to end, small: train.py --smoke for 3 steps, resumed
# to 4 (the log carries on, the resumed step equals an uninterrupted run's), export.py to F16
# safetensors, the file run by the engine against PyTorch (network-compare) and timed by
# inkloop-cli bench --generator learned.
# Usage: training-test.sh PYTHON TRAINING-DIR NETWORK-COMPARE INKLOOP-CLI
set -u
python=$1 training=$2 compare=$3 cli=$4
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0

ok () { passed=$((passed + 1)); echo "ok - $1"; }
bad () { failed=$((failed + 1)); echo "not ok - $1"; }
# run NAME COMMAND...: the command's output goes to the log; a failure shows its tail.
run () {
  name=$1; shift
  if "$@" >"$tmp/out" 2>&1; then ok "$name"; else bad "$name: exit $?"; tail -20 "$tmp/out" | sed 's/^/#   /'; fi
  sed 's/^/# /' "$tmp/out"
}

run "train --smoke, 3 steps" "$python" "$training/train.py" --smoke --steps 3 --out "$tmp/run"
run "train --smoke, resumed to 4" "$python" "$training/train.py" --smoke --out "$tmp/run"
grep -q "resumed .* at step 3" "$tmp/out" && ok "resumed at step 3" || bad "did not resume at step 3"
run "train --smoke, 4 steps in one go" "$python" "$training/train.py" --smoke --out "$tmp/whole"
# The loss log: a header and one row a step; step 4's total the same resumed or not.
[ "$(wc -l <"$tmp/run/log.csv")" -eq 5 ] && ok "log.csv has 4 steps" || bad "log.csv: $(wc -l <"$tmp/run/log.csv") lines"
a=$(sed -n 5p "$tmp/run/log.csv" | cut -d, -f4) b=$(sed -n 5p "$tmp/whole/log.csv" | cut -d, -f4)
[ -n "$a" ] && [ "$a" = "$b" ] && ok "resumed step 4 equals the uninterrupted one ($a)" \
  || bad "step 4's total: resumed '$a', uninterrupted '$b'"

run "export" "$python" "$training/export.py" "$tmp/run/checkpoint.pt" "$tmp/generator.safetensors" \
  --io "$tmp/io.safetensors"
params=$(sed -n 's/^wrote .*: \([0-9]*\) parameters.*/\1/p' "$tmp/out" | head -n 1)
run "engine against PyTorch" "$compare" "$tmp/generator.safetensors" "$tmp/io.safetensors"
run "inkloop-cli bench --generator learned" "$cli" bench --generator learned \
  --model "$tmp/generator.safetensors" --sizes 64 --runs 1
[ -n "$params" ] && grep -q " $params parameters" "$tmp/out" \
  && ok "the engine counts PyTorch's $params parameters" \
  || bad "the engine's parameter count is not PyTorch's '$params'"

echo "1..$((passed + failed))"
echo "# $passed passed, $failed failed"
[ "$failed" -eq 0 ]
