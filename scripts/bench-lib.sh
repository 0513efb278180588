# shellcheck shell=sh disable=SC2154
# Shared by the scripts in scripts/bench/ (sourced; $work is the caller's
# scratch directory).

# ms CMD...: CPU milliseconds (user + system) per run of a command, the
# median of 5 batches of 10 runs (finer than /usr/bin/time's 10 ms).
ms() {
	for _ in 1 2 3 4 5; do
		/usr/bin/time -f '%U %S' -o "$work/time" sh -c \
			'for i in 1 2 3 4 5 6 7 8 9 10; do "$@" > /dev/null; done' sh "$@"
		awk '{ printf "%.1f\n", ($1 + $2) * 100 }' "$work/time"
	done | sort -g | sed -n 3p
}
