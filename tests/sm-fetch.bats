#!/usr/bin/env bats
load test_helper

# A real HTTP server (tests/fetch_server.py) on 127.0.0.1 ($PORT) and on the
# "other host" 127.0.0.2 ($PORT2), and over https ($PORT3), serving $PS_DATA: started once for the
# file, its request log cleared before each test, killed in teardown_file and
# self-terminating after 300 s in any case.
setup_file() {
	# https on 127.0.0.1 ($PORT3) with a certificate of our own CA (ca.pem);
	# other.pem is a CA that did not sign it.
	local n
	for n in ca other; do
		openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
			-addext subjectAltName=IP:127.0.0.1 -keyout "$BATS_FILE_TMPDIR/$n.key" \
			-out "$BATS_FILE_TMPDIR/$n.pem" 2>/dev/null
	done
	python3 "$SM_ROOT/tests/fetch_server.py" "$PS_DATA" "$BATS_FILE_TMPDIR/ports" 300 \
		"$BATS_FILE_TMPDIR/ca.pem" "$BATS_FILE_TMPDIR/ca.key" 3>&- &
	echo $! > "$BATS_FILE_TMPDIR/server.pid"
	for _ in $(seq 200); do
		[ -s "$BATS_FILE_TMPDIR/ports" ] && break
		sleep 0.05
	done
	[ -s "$BATS_FILE_TMPDIR/ports" ]
}

teardown_file() {
	kill "$(cat "$BATS_FILE_TMPDIR/server.pid")" 2>/dev/null || true
}

setup() {
	setup_scratch
	unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy
	read -r PORT PORT2 PORT3 < "$BATS_FILE_TMPDIR/ports"
	URL=http://127.0.0.1:$PORT
	TLS=https://127.0.0.1:$PORT3
	CA=$BATS_FILE_TMPDIR/ca.pem
	unset SSL_CERT_FILE
	REC=$PS_DATA/goforward.raw
	curl -s -o /dev/null "$URL/log/clear"
}

# The requests the server received, one "HOST:PORT PATH AUTH" line each.
server_log() { curl -s "$URL/log"; }
# No request reached the server (but the one asking for its log).
no_requests() { [ -z "$(server_log | grep -v "^127.0.0.1:$PORT /log -$")" ]; }

@test "copies a path byte for byte" {
	sm-fetch "$REC" > "$SCRATCH/out"
	cmp "$SCRATCH/out" "$REC"
}

@test "copies stdin when the input is - or absent" {
	sm-fetch - < "$REC" > "$SCRATCH/out"
	cmp "$SCRATCH/out" "$REC"
	sm-fetch < "$AST_DIR/vm-goodbye.wav" > "$SCRATCH/out2"
	cmp "$SCRATCH/out2" "$AST_DIR/vm-goodbye.wav"
}

@test "copies a file:// URL, decoding percent escapes, with or without localhost" {
	cp "$REC" "$SCRATCH/a b#c.raw"
	sm-fetch "file://$SCRATCH/a%20b%23c.raw" > "$SCRATCH/out"
	cmp "$SCRATCH/out" "$REC"
	sm-fetch "file://localhost$SCRATCH/a%20b%23c.raw" > "$SCRATCH/out2"
	cmp "$SCRATCH/out2" "$REC"
}

@test "rejects a file:// URL naming a remote host with exit 64" {
	run --separate-stderr -64 sm-fetch "file://example.com/x.wav"
	assert_equal "$stderr" "sm-fetch: file://example.com/x.wav: file URL with a remote host (expected file:///path)"
	assert_output ""
}

@test "a missing file exits 66 naming it, as a path and as a file:// URL" {
	run --separate-stderr -66 sm-fetch /nonexistent/x.wav
	assert_equal "$stderr" "sm-fetch: /nonexistent/x.wav: No such file or directory"
	assert_output ""
	run --separate-stderr -66 sm-fetch file:///nonexistent/x.wav
	assert_equal "$stderr" "sm-fetch: file:///nonexistent/x.wav: No such file or directory"
}

@test "an unreadable file or a directory exits 66" {
	cp "$REC" "$SCRATCH/locked.raw"
	chmod 000 "$SCRATCH/locked.raw"
	chmod 755 "$SCRATCH"
	if [ "$(id -u)" -eq 0 ]; then
		run --separate-stderr -66 setpriv --reuid 4242 --regid 4242 --clear-groups \
			"$SM_ROOT/bin/sm-fetch" "$SCRATCH/locked.raw"
	else
		run --separate-stderr -66 sm-fetch "$SCRATCH/locked.raw"
	fi
	assert_equal "$stderr" "sm-fetch: $SCRATCH/locked.raw: Permission denied"
	assert_output ""
	run --separate-stderr -66 sm-fetch "$SCRATCH"
	assert_equal "$stderr" "sm-fetch: $SCRATCH: Is a directory"
}

@test "fetches over http byte for byte, with Content-Length and chunked" {
	sm-fetch "$URL/files/goforward.raw" > "$SCRATCH/out"
	cmp "$SCRATCH/out" "$REC"
	sm-fetch "$URL/chunked/numbers.raw" > "$SCRATCH/out2"
	cmp "$SCRATCH/out2" "$PS_DATA/numbers.raw"
}

@test "sends the Authorization header and gets a protected file" {
	sm-fetch -H 'Authorization: Bearer s3cret' "$URL/private/goforward.raw" > "$SCRATCH/out"
	cmp "$SCRATCH/out" "$REC"
	run -0 server_log
	assert_line "127.0.0.1:$PORT /private/goforward.raw Bearer_s3cret"
}

@test "reads headers from --header-file, keeping them off the command line" {
	printf 'Authorization: Bearer s3cret\r\n\nX-Job: 7\n' > "$SCRATCH/h"
	sm-fetch --header-file "$SCRATCH/h" "$URL/private/goforward.raw" > "$SCRATCH/out"
	cmp "$SCRATCH/out" "$REC"
	printf 'Authorization: Bearer s3cret\n' |
		sm-fetch --header-file - "$URL/private/goforward.raw" > "$SCRATCH/out2"
	cmp "$SCRATCH/out2" "$REC"
}

@test "rejects a malformed header (-H 64, --header-file 78) and --header-file - with stdin input" {
	run --separate-stderr -64 sm-fetch -H 'no colon' "$URL/files/goforward.raw"
	assert_equal "$stderr" "sm-fetch: --header: expected 'Name: value'"
	printf 'Authorization: Bearer s3cret\nsecret-without-name\n' > "$SCRATCH/h"
	run --separate-stderr -78 sm-fetch --header-file "$SCRATCH/h" "$URL/files/goforward.raw"
	assert_equal "$stderr" "sm-fetch: $SCRATCH/h:2: expected 'Name: value'"
	run --separate-stderr -64 sm-fetch --header-file - -
	assert_equal "$stderr" "sm-fetch: --header-file: standard input is already the input"
}

@test "Host, Content-Length, Transfer-Encoding as headers exit 78 naming the header, never its value, and send nothing" {
	local h
	for h in 'Host: evil.example' 'content-length: 0' 'Transfer-Encoding: chunked'; do
		printf 'Authorization: Bearer s3cret\n%s\n' "$h" > "$SCRATCH/h"
		run --separate-stderr -78 timeout 10 sm-fetch --header-file "$SCRATCH/h" "$URL/private/goforward.raw"
		assert_output ""
		[ "${#stderr_lines[@]}" -eq 1 ]
		assert_equal "$stderr" "sm-fetch: $SCRATCH/h:2: header '${h%%:*}' refused: the transfer sets it itself"
	done
	run --separate-stderr -64 timeout 10 sm-fetch -H 'Host: evil.example' "$URL/files/goforward.raw"
	assert_equal "$stderr" "sm-fetch: --header: header 'Host' refused: the transfer sets it itself"
	no_requests
}

@test "a NUL in a header value exits 78 naming the header, never the value, and sends nothing" {
	printf 'Authorization: Bearer s3\0cret-tail\n' > "$SCRATCH/h"
	run --separate-stderr -78 timeout 10 sm-fetch --header-file "$SCRATCH/h" "$URL/private/goforward.raw"
	assert_output ""
	assert_equal "$stderr" "sm-fetch: $SCRATCH/h:1: header 'Authorization': a NUL byte in its value"
	no_requests
}

@test "a CR inside a header value exits 78 (--header-file) or 64 (-H), never echoing the value" {
	printf 'Authorization: Bearer s3cret\rHost: evil\n' > "$SCRATCH/h"
	run --separate-stderr -78 timeout 10 sm-fetch --header-file "$SCRATCH/h" "$URL/private/goforward.raw"
	assert_output ""
	assert_equal "$stderr" "sm-fetch: $SCRATCH/h:1: header 'Authorization': CR, LF or another control character in its value"
	run --separate-stderr -64 timeout 10 sm-fetch -H $'X-Job: 7\r\nHost: evil' "$URL/files/goforward.raw"
	assert_equal "$stderr" "sm-fetch: --header: header 'X-Job': CR, LF or another control character in its value"
	local long
	long=$(printf 'H%.0s' $(seq 100))
	run --separate-stderr -64 timeout 10 sm-fetch -H "$long: v"$'\n' "$URL/files/goforward.raw"
	assert_equal "$stderr" "sm-fetch: --header: header '${long:0:57}...': CR, LF or another control character in its value"
	no_requests
}

@test "headers given with a file input are ignored with a note" {
	run --separate-stderr -0 sm-fetch -H 'Authorization: Bearer s3cret' "$REC"
	assert_equal "$stderr" "sm-fetch: $REC: ignoring 1 header(s): headers are sent only over http and https"
}

@test "a protected file without the header exits 69 with HTTP 401 and no output" {
	run --separate-stderr -69 sm-fetch "$URL/private/goforward.raw"
	assert_equal "$stderr" "sm-fetch: $URL/private/goforward.raw: HTTP 401"
	assert_output ""
}

@test "a 404 exits 69 and writes nothing on stdout" {
	sm-fetch "$URL/files/missing.wav" > "$SCRATCH/out" 2> "$SCRATCH/err" && false || status=$?
	assert_equal "$status" 69
	assert_equal "$(cat "$SCRATCH/err")" "sm-fetch: $URL/files/missing.wav: HTTP 404"
	assert_file_empty "$SCRATCH/out"
}

@test "a 500 exits 69 naming the status, its body not written" {
	run --separate-stderr -69 sm-fetch "$URL/status/500"
	assert_equal "$stderr" "sm-fetch: $URL/status/500: HTTP 500"
	assert_output ""
}

@test "a refused connection exits 69 with the reason" {
	port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	run --separate-stderr -69 sm-fetch "http://127.0.0.1:$port/x.wav"
	assert_equal "$stderr" "sm-fetch: http://127.0.0.1:$port/x.wav: cannot connect to 127.0.0.1 port $port: Connection refused"
	assert_output ""
}

@test "an unknown host exits 69" {
	run --separate-stderr -69 sm-fetch "http://no-such-host.invalid/x.wav"
	assert_equal "$stderr" "sm-fetch: http://no-such-host.invalid/x.wav: cannot resolve host 'no-such-host.invalid'"
}

@test "other schemes exit 64" {
	for u in ftp://example.com/x.wav gopher://example.com/x s3://bucket/x.wav 'data:audio/wav;base64,UklGRg=='; do
		run --separate-stderr -64 sm-fetch "$u"
		assert_equal "$stderr" "sm-fetch: $u: unsupported URL scheme '${u%%:*}' (expected a path, -, file://, http:// or https://)"
		assert_output ""
	done
}

@test "a bad URL or option value is quoted back cut to 60 characters" {
	local long
	long=$(printf 'y%.0s' $(seq 3000))
	run --separate-stderr -64 sm-fetch "ftp://$long"
	assert_equal "$stderr" "sm-fetch: ftp://${long:0:51}...: unsupported URL scheme 'ftp' (expected a path, -, file://, http:// or https://)"
	run --separate-stderr -64 sm-fetch "file://$long/x.wav"
	assert_equal "$stderr" "sm-fetch: file://${long:0:50}...: file URL with a remote host (expected file:///path)"
	run --separate-stderr -64 sm-fetch --max-bytes "1$long" "$REC"
	assert_equal "$stderr" "sm-fetch: --max-bytes: expected a size such as 4G, 500M or 1048576, got '1${long:0:56}...'"
	assert_output ""
}

@test "over --max-bytes exits 65, before any output when the size is known" {
	run --separate-stderr -65 sm-fetch --max-bytes 1K "$URL/files/goforward.raw"
	assert_equal "$stderr" "sm-fetch: $URL/files/goforward.raw: larger than the limit of 1024 bytes (--max-bytes)"
	assert_output ""
	run --separate-stderr -65 sm-fetch --max-bytes 1K "$REC"
	assert_equal "$stderr" "sm-fetch: $REC: larger than the limit of 1024 bytes (--max-bytes)"
	assert_output ""
	run --separate-stderr -65 sm-fetch --max-bytes 10K - < "$REC"
	assert_equal "$stderr" "sm-fetch: <stdin>: larger than the limit of 10240 bytes (--max-bytes)"
	run --separate-stderr -65 sm-fetch --max-bytes 10K "$URL/chunked/goforward.raw"
	assert_equal "$stderr" "sm-fetch: $URL/chunked/goforward.raw: larger than the limit of 10240 bytes (--max-bytes)"
	sm-fetch --max-bytes 89160 "$URL/files/goforward.raw" | cmp - "$REC"
}

@test "a bad --max-bytes value exits 64" {
	run --separate-stderr -64 sm-fetch --max-bytes 4T "$REC"
	assert_equal "$stderr" "sm-fetch: --max-bytes: expected a size such as 4G, 500M or 1048576, got '4T'"
}

@test "follows a same-host redirect, keeping the header" {
	sm-fetch -H 'Authorization: Bearer s3cret' "$URL/redirect/302?to=/private/goforward.raw" > "$SCRATCH/out"
	cmp "$SCRATCH/out" "$REC"
	run -0 server_log
	assert_line "127.0.0.1:$PORT /private/goforward.raw Bearer_s3cret"
}

@test "does not forward the Authorization header to another host or port" {
	sm-fetch -H 'Authorization: Bearer s3cret' \
		"$URL/redirect/302?to=http://127.0.0.2:$PORT2/files/goforward.raw" > "$SCRATCH/out"
	cmp "$SCRATCH/out" "$REC"
	run --separate-stderr -69 sm-fetch -H 'Authorization: Bearer s3cret' \
		"$URL/redirect/307?to=http://127.0.0.2:$PORT2/private/numbers.raw"
	assert_equal "$stderr" "sm-fetch: $URL/redirect/307?to=http://127.0.0.2:$PORT2/private/numbers.raw: HTTP 401"
	run -0 curl -s "http://127.0.0.2:$PORT2/log"
	assert_line "127.0.0.2:$PORT2 /files/goforward.raw -"
	assert_line "127.0.0.2:$PORT2 /private/numbers.raw -"
	assert_line "127.0.0.1:$PORT /redirect/307?to=http://127.0.0.2:$PORT2/private/numbers.raw Bearer_s3cret"
	refute_line --regexp '^127\.0\.0\.2:.*s3cret'
}

@test "a redirect to another host name for the same address drops the header too" {
	run --separate-stderr -69 sm-fetch -H 'Authorization: Bearer s3cret' \
		"$URL/redirect/302?to=http://localhost:$PORT/private/goforward.raw"
	assert_equal "$stderr" "sm-fetch: $URL/redirect/302?to=http://localhost:$PORT/private/goforward.raw: HTTP 401"
	assert_output ""
	run -0 server_log
	assert_line "127.0.0.1:$PORT /private/goforward.raw -"
}

@test "stops after 5 redirects and refuses a redirect to another scheme" {
	run --separate-stderr -69 sm-fetch "$URL/loop"
	assert_equal "$stderr" "sm-fetch: $URL/loop: more than 5 redirects"
	run --separate-stderr -69 sm-fetch "$URL/redirect/301?to=file:///etc/passwd"
	assert_equal "$stderr" "sm-fetch: $URL/redirect/301?to=file:///etc/passwd: redirect to file:///etc/passwd refused: only http and https are followed"
	assert_output ""
}

@test "a stalled server is abandoned after --stall-timeout with exit 69" {
	run --separate-stderr -69 sm-fetch --stall-timeout 1 "$URL/stall"
	assert_equal "$stderr" "sm-fetch: $URL/stall: stalled: under 1 byte/s for 1 s (--stall-timeout) after 10 bytes"
}

@test "a server under --min-rate on average (4 bytes/s) is abandoned after --rate-grace with exit 69 and one line" {
	# At 4 bytes/s the file would take hours: exit 69 within the timeout is
	# the rate check, not the end of the file.
	run --separate-stderr -69 timeout 20 sm-fetch --min-rate 100 --rate-grace 1 "$URL/slow/goforward.raw?bps=4"
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ $stderr =~ ^sm-fetch:\ $URL/slow/goforward\.raw\?bps=4:\ too\ slow:\ [0-9]+\ bytes\ in\ [0-9.]+\ s,\ under\ the\ minimum\ average\ of\ 100\ bytes/s\ \(--min-rate\)$ ]]
}

@test "a slow server above --min-rate on average is fetched byte for byte" {
	timeout 20 sm-fetch --min-rate 20K --rate-grace 1 "$URL/slow/goforward.raw?bps=60000" > "$SCRATCH/out"
	cmp "$SCRATCH/out" "$REC"
}

@test "--min-rate and --rate-grace reject junk with exit 64" {
	run --separate-stderr -64 sm-fetch --min-rate fast "$URL/files/goforward.raw"
	assert_equal "$stderr" "sm-fetch: --min-rate: expected a size such as 4G, 500M or 1048576, got 'fast'"
	run --separate-stderr -64 sm-fetch --rate-grace 0 "$URL/files/goforward.raw"
}

@test "a body shorter than its Content-Length exits 69, never a silent short file" {
	run --separate-stderr -69 sm-fetch "$URL/short/goforward.raw"
	assert_equal "$stderr" "sm-fetch: $URL/short/goforward.raw: connection closed after 89160 of 90160 bytes"
}

@test "a connection dropped inside a chunked body exits 69" {
	run --separate-stderr -69 sm-fetch "$URL/drop/goforward.raw"
	assert_equal "$stderr" "sm-fetch: $URL/drop/goforward.raw: connection closed after 44580 bytes, before the end of the body"
}

@test "-v reports the final URL, status and byte count on stderr" {
	run --separate-stderr -0 sm-fetch -v "$URL/redirect/302?to=/files/goforward.raw"
	assert_equal "${#stderr_lines[@]}" 2
	assert_equal "${stderr_lines[1]}" "sm-fetch: $URL/files/goforward.raw: HTTP 200, 89160 bytes"
}

@test "a password in the URL is masked in messages" {
	run --separate-stderr -69 sm-fetch "http://user:pw@127.0.0.1:$PORT/status/404"
	assert_equal "$stderr" "sm-fetch: http://user:***@127.0.0.1:$PORT/status/404: HTTP 404"
}

@test "a full stdout is an I/O error, exit 74" {
	run --separate-stderr bash -c "sm-fetch '$URL/files/goforward.raw' > /dev/full"
	assert_equal "$status" 74
	assert_equal "$stderr" "sm-fetch: <stdout>: No space left on device"
}

@test "--help and --version print to stdout; a bad option exits 64" {
	run -0 sm-fetch --help
	assert_line -n 1 "Usage: sm-fetch [-v] [-H HEADER]... [--header-file FILE] [--max-bytes N]"
	run -0 sm-fetch --version
	assert_output "sm-fetch 0.1.0"
	run --separate-stderr -64 sm-fetch --bogus
	assert_output ""
	[[ "$stderr" == *"Usage: sm-fetch"* ]]
}

@test "https: the server's CA from --ca-file or SSL_CERT_FILE; headers go over TLS" {
	sm-fetch --ca-file "$CA" "$TLS/files/goforward.raw" >"$SCRATCH/out"
	cmp "$SCRATCH/out" "$REC"
	SSL_CERT_FILE=$CA sm-fetch -H 'Authorization: Bearer s3cret' "$TLS/private/goforward.raw" >"$SCRATCH/out2"
	cmp "$SCRATCH/out2" "$REC"
	run -0 server_log
	assert_line "127.0.0.1:$PORT3 /files/goforward.raw -"
	assert_line "127.0.0.1:$PORT3 /private/goforward.raw Bearer_s3cret"
}

@test "https with a certificate no trusted CA signed: exit 69, a TLS line, nothing on stdout" {
	run --separate-stderr -69 sm-fetch "$TLS/files/goforward.raw"
	[[ $stderr == "sm-fetch: $TLS/files/goforward.raw: TLS: "*certificate* ]]
	assert_output ""
	run --separate-stderr -69 sm-fetch --ca-file "$BATS_FILE_TMPDIR/other.pem" "$TLS/files/goforward.raw"
	[[ $stderr == "sm-fetch: $TLS/files/goforward.raw: TLS: "*certificate* ]]
	assert_output ""
	run --separate-stderr -66 sm-fetch --ca-file "$SCRATCH/none.pem" "$TLS/files/goforward.raw"
	assert_equal "$stderr" "sm-fetch: $TLS/files/goforward.raw: CA file $SCRATCH/none.pem: No such file or directory"
	assert_output ""
}

@test "--max-time ends a transfer that trickles too slowly for ever: exit 69 naming the limit" {
	# 5 bytes/s passes the stall check (1 byte/s); only the deadline stops it.
	run --separate-stderr -69 timeout 60 sm-fetch --max-time 2 "$URL/trickle"
	[[ $stderr =~ ^sm-fetch:\ $URL/trickle:\ not\ done\ after\ 2\ s\ \(--max-time\),\ [0-9]+\ bytes\ received$ ]]
	run --separate-stderr -64 sm-fetch --max-time -1 "$URL/trickle"
}

@test "where libcurl cannot be loaded, a file is still copied and an http URL exits 69 with one line naming libcurl.so.4" {
	command -v bwrap >/dev/null || skip "bubblewrap is not installed"
	local lib
	lib=$(ldconfig -p | awk '$1 == "libcurl.so.4" && /x86-64/ { print $NF; exit }')
	[ -n "$lib" ]
	# the library replaced by an empty file: dlopen refuses it
	bwrap --dev-bind / / --ro-bind /dev/null "$lib" sm-fetch "$REC" > "$SCRATCH/out"
	cmp "$SCRATCH/out" "$REC"
	run --separate-stderr -69 bwrap --dev-bind / / --ro-bind /dev/null "$lib" sm-fetch "$URL/files/goforward.raw"
	[[ $stderr == "sm-fetch: libcurl.so.4: cannot load it, which http and https URLs need: "* ]]
	[ "${#stderr_lines[@]}" -eq 1 ]
	assert_output ""
	no_requests
}

@test "--check: a good path or URL exits 0 having read nothing; a URL or header a transfer would refuse exits as the transfer would" {
	mkfifo "$SCRATCH/never"
	run -0 --separate-stderr timeout 20 sm-fetch --check "$SCRATCH/never"
	[ -z "$output" ] && [ -z "$stderr" ]
	run -0 --separate-stderr timeout 20 sm-fetch --check "file://$SCRATCH/never"
	run -0 --separate-stderr timeout 20 sm-fetch --check http://127.0.0.1:1/a.wav
	run -64 --separate-stderr sm-fetch --check 'file:///a.wav#x'
	assert_equal "$stderr" "sm-fetch: file:///a.wav#x: file URL with a query or fragment (write '?' as %3F and '#' as %23)"
	run -64 --separate-stderr sm-fetch --check 'http://'
	assert_equal "$stderr" "sm-fetch: http://: malformed URL"
	run -78 --separate-stderr sh -c "printf 'Host: x\n' | sm-fetch --check --header-file - http://127.0.0.1:1/a.wav"
	assert_equal "$stderr" "sm-fetch: <stdin>:1: header 'Host' refused: the transfer sets it itself"
}
