#!/bin/sh
# Write the English pack's spelling table (sm-format(1) --locale) to stdout:
# a "#sm-spelling 1" line, then scripts/spelling.awk's lines sorted by tag
# and key in the C locale, which sm-format checks and searches.
#   usage: scripts/spelling.sh DICT   (run by make; lists from `make deps`)
set -eu
[ $# -eq 1 ] || { echo "usage: scripts/spelling.sh DICT" >&2; exit 64; }
d=/usr/share/dict
lists="$d/american-english $d/british-english $d/american-english-large $d/british-english-large"
for f in "$1" $lists; do
	[ -r "$f" ] || { echo "spelling.sh: $f: missing (run make deps)" >&2; exit 66; }
done
printf '#sm-spelling 1\n'
# shellcheck disable=SC2086
awk -f "$(dirname "$0")/spelling.awk" "$1" $lists | LC_ALL=C sort
