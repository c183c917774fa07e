#!/bin/sh
# check-po.sh: a translation is complete for the sources as they are now: the strings of every
# file in POTFILES.in are extracted afresh, merged into LANG.po, and none may be untranslated
# or fuzzy. Usage: check-po.sh SOURCE-ROOT LANG
set -eu
root=$1 lang=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$root"
grep -v '^#' po/POTFILES.in | grep . > "$tmp/files"
xgettext --from-code=UTF-8 --add-comments --keyword=_ --keyword=N_ --keyword=C_:1c,2 \
  --keyword=NC_:1c,2 --keyword=g_dngettext:2,3 --files-from="$tmp/files" -o "$tmp/all.pot"
msgmerge --quiet --no-fuzzy-matching -o "$tmp/merged.po" "po/$lang.po" "$tmp/all.pot"
stats=$(msgfmt --check --statistics -o /dev/null "$tmp/merged.po" 2>&1)
echo "$lang: $stats"
if echo "$stats" | grep -Eq "untranslated|fuzzy"; then
  msgattrib --untranslated "$tmp/merged.po" | grep '^msgid' | sed 's/^/  missing: /' | head -n 20
  exit 1
fi
