#!/usr/bin/env bats
load test_helper

# scripts/bench/rusage.py: the per-job CPU of the benchmarks.

setup() {
	setup_scratch
}

@test "rusage.py reports the CPU of a command and its descendants to the microsecond, as GNU time's fields, appending with -a" {
	R=$SM_ROOT/scripts/bench/rusage.py
	# a child that burns 0.3 s of CPU in a grandchild
	python3 "$R" -o "$SCRATCH/t" -f '%e %U %S' sh -c 'python3 -c "
import time
t = time.process_time()
while time.process_time() - t < 0.3:
    pass"'
	read -r e u s <"$SCRATCH/t"
	[[ $u =~ ^[0-9]+\.[0-9]{6}$ ]] && [[ $s =~ ^[0-9]+\.[0-9]{6}$ ]] && [[ $e =~ ^[0-9]+\.[0-9]{6}$ ]]
	awk -v u="$u" -v s="$s" -v e="$e" 'BEGIN { exit !(u + s >= 0.3 && u + s < 1 && e >= u + s - 0.01) }'
	python3 "$R" -a -o "$SCRATCH/t" -f 'cpu %U' true
	[ "$(wc -l <"$SCRATCH/t")" -eq 2 ]
	[[ $(sed -n 2p "$SCRATCH/t") =~ ^cpu\ [0-9]+\.[0-9]{6}$ ]]
}

@test "rusage.py exits with the command's status and gives it this standard input and output" {
	R=$SM_ROOT/scripts/bench/rusage.py
	run python3 "$R" -o "$SCRATCH/t" -f '%U' sh -c 'exit 3'
	[ "$status" -eq 3 ]
	[ "$(printf 'abc' | python3 "$R" -o "$SCRATCH/t" -f '%U' cat)" = abc ]
	run python3 "$R" -o "$SCRATCH/t" sh -c true
	[ "$status" -eq 64 ]
}

@test "rusage.py counts only the command's CPU, not that of what its own process ran before it (a launcher's commands)" {
	R=$SM_ROOT/scripts/bench/rusage.py
	# sh burns 0.3 s in a child, then becomes rusage.py timing true
	sh -c 'python3 -c "
import time
t = time.process_time()
while time.process_time() - t < 0.3:
    pass"; exec python3 "$1" -o "$2" -f "%U %S" true' sh "$R" "$SCRATCH/t"
	read -r u s <"$SCRATCH/t"
	awk -v u="$u" -v s="$s" 'BEGIN { exit !(u + s < 0.1) }'
}
