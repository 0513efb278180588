#!/bin/sh
# sm-fetch: throughput and peak memory fetching 100 MB from the loopback test
# server (tests/fetch_server.py), checked byte for byte.
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
dir=$(mktemp -d "${BENCH_TMP:-${TMPDIR:-/tmp}}/fetch.XXXXXX")
python3 "$here/tests/fetch_server.py" "$dir" "$dir/ports" 120 &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$dir"' EXIT INT TERM
head -c 104857600 /dev/urandom > "$dir/big.bin"
i=0
while [ ! -s "$dir/ports" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
read -r port _ < "$dir/ports"
url=http://127.0.0.1:$port/files/big.bin
sm-fetch "$url" | cmp - "$dir/big.bin"
/usr/bin/time -f '%e %M' -o "$dir/t" sm-fetch "$url" > /dev/null
read -r secs kb < "$dir/t"
echo "## sm-fetch"
echo
echo "100 MiB over http from 127.0.0.1 to /dev/null (\`/usr/bin/time\`), output checked with cmp:"
echo
echo "| wall s | MB/s | max RSS MB |"
echo "|---|---|---|"
awk -v s="$secs" -v k="$kb" 'BEGIN { printf "| %.2f | %.0f | %.1f |\n", s, (s > 0 ? 104.8576 / s : 0), k / 1024 }'
