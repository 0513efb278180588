#!/usr/bin/env bats
# The job-config checker (scripts/job-config.jq) on its own: what
# sm-transcribe evals from a valid config, and the one line it gets for each
# kind of problem.  tests/sm-transcribe.bats runs whole jobs with bad configs.
# Nothing of test_helper.bash is needed: loading its assertion libraries
# before each test would take longer than the tests.
bats_require_minimum_version 1.5.0

# The checker as sm-transcribe runs it, by JQ (jq or gojq), on the config
# given on stdin, with MAX_BYTES and MAX_SECONDS as SM_MAX_BYTES and
# SM_MAX_SECONDS.
check_by() { # JQ
	"$1" -s -r --arg max_bytes "${MAX_BYTES-4G}" --arg max_seconds "${MAX_SECONDS-7200}" \
		-f "$BATS_TEST_DIRNAME/../scripts/job-config.jq"
}

# The checker by jq and by gojq, which must give the same output and exit
# status (sm-transcribe runs either): that output and status.
check() {
	local in a b sa=0 sb=0
	in=$(cat)
	a=$(check_by jq <<<"$in" 2>&1) || sa=$?
	b=$(check_by gojq <<<"$in" 2>&1) || sb=$?
	[ "$a" = "$b" ] && [ "$sa" = "$sb" ] || {
		printf 'jq (exit %s):\n%s\ngojq (exit %s):\n%s\n' "$sa" "$a" "$sb" "$b"; return 99; }
	printf '%s\n' "$a"
	return "$sa"
}

# CONFIG is accepted: its assignments are in $output and set here.
accepts() { # CONFIG
	run -0 check <<<"$1"
	[[ "$output" == "cfg="* ]] || { echo "got: $output"; false; }
	eval "$output"
}

# CONFIG gets exactly the line "error<TAB>MESSAGE", exit 0.
rejects() { # CONFIG MESSAGE
	run -0 check <<<"$1"
	[ "$output" = "error	$2" ] || { echo "config:   $1"; echo "got:      $output"; echo "expected: error	$2"; false; }
}

T='"type": "transcription"'
EN='"transcription_config": {"language": "en"}'

@test "the smallest config gets diarization none and operating_point standard, and every setting its default" {
	accepts "{$T, $EN}"
	[ "$cfg" = '{"transcription_config":{"diarization":"none","language":"en","operating_point":"standard"},"type":"transcription"}' ]
	[ "$tc" = '{"diarization":"none","language":"en","operating_point":"standard"}' ]
	[ "$lang" = en ] && [ "$diar" = none ] && [ "$url" = '' ] && [ "$nheaders" = 0 ]
	[ "$marks" = "" ] && [ "$marks_all" = true ] && [ "$sensitivity" = 0.5 ] && [ "$disfluencies" = false ] && [ "$repl" = '' ]
	[ "$nvocab" = 0 ] && [ "$nvocab_in" = 0 ] && [ "$vocab" = '' ] && [ "$entities" = false ] && [ "$locale" = '' ]
	[ "$nsl" = 0 ] && [ "$nsl_in" = 0 ]
	[ "$volume" = '' ] && [ "$notify" = false ] && [ "$tracking" = '' ]
	[ "$srt_len" = 37 ] && [ "$srt_lines" = 2 ] && [ "$opoint" = standard ]
	[ "${#lines[@]}" -eq 18 ]
}

@test "an empty audio_filtering_config gives volume 0 (word volumes without filtering); volume_threshold 0 gives 0 too" {
	accepts "{$T, \"transcription_config\": {\"language\": \"en\", \"audio_filtering_config\": {}}}"
	[ "$volume" = 0 ]
	accepts "{$T, \"transcription_config\": {\"language\": \"en\", \"audio_filtering_config\": {\"volume_threshold\": 0}}}"
	[ "$volume" = 0 ]
}

@test "a config with model gets no operating_point added, and keeps its diarization" {
	accepts "{$T, \"transcription_config\": {\"language\": \"en\", \"model\": \"enhanced\", \"diarization\": \"speaker\"}}"
	[ "$tc" = '{"diarization":"speaker","language":"en","model":"enhanced"}' ]
	[ "$diar" = speaker ] && [ "$opoint" = enhanced ]
}

@test "opoint, the passes the job runs: operating_point where given, else model, else standard" {
	accepts "{$T, \"transcription_config\": {\"language\": \"en\", \"operating_point\": \"enhanced\"}}"
	[ "$opoint" = enhanced ]
	accepts "{$T, \"transcription_config\": {\"language\": \"en\", \"model\": \"enhanced\", \"operating_point\": \"standard\"}}"
	[ "$opoint" = standard ]
	accepts "{$T, \"transcription_config\": {\"language\": \"en\", \"model\": \"standard\"}}"
	[ "$opoint" = standard ]
}

@test "additional_vocab entries of more than 6 words or with a word over 4000 characters are dropped, and so are such sounds_like spellings; a word kept as {content}; nvocab counts all, nvocab_in the kept" {
	a4000=$(printf 'a%.0s' {1..4000})
	accepts "{$T, \"transcription_config\": {\"language\": \"en\", \"additional_vocab\":
		[\"$a4000\", {\"content\": \"a b  c d e f\", \"sounds_like\": [\"p q r s t u v\", \"ok\"]}, \"${a4000}a\",
		 {\"content\": \"a b c d e f g\", \"sounds_like\": [\"x\"]}]}}"
	[ "$(jq -c .additional_vocab <<<"$tc")" = "[{\"content\":\"$a4000\"},{\"content\":\"a b  c d e f\",\"sounds_like\":[\"ok\"]}]" ]
	[ "$(jq -c .transcription_config.additional_vocab <<<"$cfg")" = "$(jq -c .additional_vocab <<<"$tc")" ]
	[ "$nvocab" = 4 ] && [ "$nvocab_in" = 2 ]
	# the spellings of the entries kept: 2, of which 1 kept
	[ "$nsl" = 2 ] && [ "$nsl_in" = 1 ]
	# an entry or a spelling of no words is dropped too
	accepts "{$T, \"transcription_config\": {\"language\": \"en\", \"additional_vocab\":
		[\"\", \" \\t \", {\"content\": \"gnocchi\", \"sounds_like\": [\"\", \"nyohki\"]}]}}"
	[ "$(jq -c .additional_vocab <<<"$tc")" = '[{"content":"gnocchi","sounds_like":["nyohki"]}]' ]
	[ "$nvocab" = 3 ] && [ "$nvocab_in" = 1 ] && [ "$nsl" = 2 ] && [ "$nsl_in" = 1 ]
}

@test "additional_vocab becomes sm-lattice's list: a line per kept entry, content then sounds_like spellings tab-separated, tabs and newlines in them blanks" {
	accepts "{$T, \"transcription_config\": {\"language\": \"en\", \"additional_vocab\":
		[\"gnocchi\", {\"content\": \"Dr.\\tWho\", \"sounds_like\": [\"doctor who\", \"doc\\nwho\"]},
		 {\"content\": \"a b c d e f g\"}, {\"content\": \"Speechmatics\", \"sounds_like\": []}]}}"
	[ "$vocab" = "$(printf 'gnocchi\nDr. Who\tdoctor who\tdoc who\nSpeechmatics')" ]
}

@test "every setting the job uses reaches its variable; the config comes back with the two defaults added and every key in sorted order" {
	c="{$T, \"transcription_config\": {\"language\": \"en\", \"output_locale\": \"en-GB\",
		\"enable_entities\": true, \"audio_filtering_config\": {\"volume_threshold\": 3.5},
		\"punctuation_overrides\": {\"permitted_marks\": [\".\", \"?\"], \"sensitivity\": 0.7},
		\"transcript_filtering_config\": {\"remove_disfluencies\": true,
			\"replacements\": [{\"from\": \"young man\", \"to\": \"person\"}, {\"from\": \"/w[ae]s/\", \"to\": \"\"}]}},
		\"fetch_data\": {\"url\": \"https://example.com/a.wav\", \"auth_headers\": [\"A: b\", \"C: d\"]},
		\"output_config\": {\"srt_overrides\": {\"max_line_length\": 20, \"max_lines\": 3}},
		\"notification_config\": [], \"tracking\": {\"title\": \"t\", \"n\": [1, null]}}"
	accepts "$c"
	[ "$locale" = en-GB ] && [ "$entities" = true ] && [ "$volume" = 3.5 ]
	[ "$marks" = '.?' ] && [ "$sensitivity" = 0.7 ] && [ "$disfluencies" = true ]
	eval "set -- $repl"
	[ $# -eq 4 ] && [ "$1" = --replace ] && [ "$2" = 'young man=person' ] && [ "$3" = --replace ] && [ "$4" = '/w[ae]s/=' ]
	[ "$url" = https://example.com/a.wav ] && [ "$nheaders" = 2 ]
	[ "$srt_len" = 20 ] && [ "$srt_lines" = 3 ]
	[ "$notify" = true ] && [ "$tracking" = '{"n":[1,null],"title":"t"}' ]
	# every object's keys in sorted order, whatever the config's order
	[ "$(jq -c '[.. | objects | keys_unsorted == keys] | all' <<<"$cfg")" = true ]
	[ "$(jq -c 'del(.transcription_config.diarization, .transcription_config.operating_point)' <<<"$cfg")" = \
		"$(jq -S -c . <<<"$c")" ]
	[ "$tc" = "$(jq -c .transcription_config <<<"$cfg")" ]
}

@test "permitted_marks \"all\" gives marks all and comes back as [\"all\"], an empty list an empty marks" {
	accepts "{$T, \"transcription_config\": {\"language\": \"en\", \"punctuation_overrides\": {\"permitted_marks\": \"all\"}}}"
	[ "$marks_all" = true ]
	[ "$(jq -c .punctuation_overrides <<<"$tc")" = '{"permitted_marks":["all"]}' ]
	accepts "{$T, \"transcription_config\": {\"language\": \"en\", \"punctuation_overrides\": {\"permitted_marks\": []}}}"
	[ "$marks" = '' ] && [ "$marks_all" = false ]
}

@test "permitted_marks [\"all\"], as the original's documentation writes it, is all marks and comes back as given; [\"a\", \"l\", \"l\"] is not" {
	accepts "{$T, \"transcription_config\": {\"language\": \"en\", \"punctuation_overrides\": {\"permitted_marks\": [\"all\"]}}}"
	[ "$marks_all" = true ]
	[ "$(jq -c .punctuation_overrides <<<"$tc")" = '{"permitted_marks":["all"]}' ]
	# Three one-letter marks that spell it are not it.
	accepts "{$T, \"transcription_config\": {\"language\": \"en\", \"punctuation_overrides\": {\"permitted_marks\": [\"a\", \"l\", \"l\"]}}}"
	[ "$marks" = all ] && [ "$marks_all" = false ]
	rejects "{$T, \"transcription_config\": {\"language\": \"en\", \"punctuation_overrides\": {\"permitted_marks\": [\"al\"]}}}" \
		'transcription_config.punctuation_overrides.permitted_marks[0]: expected one character or "all", got "al"'
}

@test "strings with quotes, \$(...), backquotes and newlines come out of eval unchanged, and nothing in them is run" {
	nasty="a'b\"c \$(touch $BATS_TEST_TMPDIR/x) \`touch $BATS_TEST_TMPDIR/y\` \\\\ d
e"
	json=$(jq -n --arg s "$nasty" '$s')
	accepts "{$T, \"transcription_config\": {\"language\": \"en\",
		\"transcript_filtering_config\": {\"replacements\": [{\"from\": $json, \"to\": \"x y\"}]}},
		\"fetch_data\": {\"url\": \"file:///$(jq -rn --arg s "$nasty" '$s | @json | .[1:-1]')\"}}"
	[ "$url" = "file:///$nasty" ]
	eval "set -- $repl"
	[ $# -eq 2 ] && [ "$2" = "$nasty=x y" ]
	[ ! -e "$BATS_TEST_TMPDIR/x" ] && [ ! -e "$BATS_TEST_TMPDIR/y" ]
}

@test "SM_MAX_BYTES: bytes (up to 19 digits), K, M or G from 1 to under 2^64 pass; 0, 2^64, a fraction, T or 20 digits give the limit line" {
	for v in 1 8k 500m 9999999999999999999 17179869183G; do
		MAX_BYTES=$v accepts "{$T, $EN}"
	done
	for v in 0 4T 1.5G 17179869184G 12345678901234567890; do
		MAX_BYTES=$v run -0 check <<<"{$T, $EN}"
		[ "$output" = "limit	SM_MAX_BYTES: expected a size such as 4G, 500M or 1048576, got \"$v\"" ]
	done
}

@test "SM_MAX_SECONDS: decimal seconds from 0.001 to 10000000 pass; below, above, an exponent or 10 decimals give the limit line" {
	for v in 0.001 7200.123456789 10000000; do
		MAX_SECONDS=$v accepts "{$T, $EN}"
	done
	for v in 0.0009 10000000.5 1e3 1.1234567891; do
		MAX_SECONDS=$v run -0 check <<<"{$T, $EN}"
		[ "$output" = "limit	SM_MAX_SECONDS: expected seconds from 0.001 to 10000000, got \"$v\"" ]
	done
}

@test "a bad limit is the one line even when the config is bad too; SM_MAX_BYTES before SM_MAX_SECONDS" {
	MAX_BYTES=x MAX_SECONDS=y run -0 check <<<'[]'
	[ "$output" = 'limit	SM_MAX_BYTES: expected a size such as 4G, 500M or 1048576, got "x"' ]
}

@test "no JSON value, or more than one, is one error line" {
	rejects '' 'config: expected one JSON object, got 0 JSON values'
	rejects "{$T, $EN} {$T, $EN} 3" 'config: expected one JSON object, got 3 JSON values'
}

@test "JSON that does not parse: jq and gojq fail with their parse error on stderr, nothing on stdout" {
	run ! --separate-stderr check_by jq <<<'{"type": '
	[ -z "$output" ]
	[ "$stderr" = 'parse error: Unfinished JSON term at EOF at line 2, column 0' ]
	run ! --separate-stderr check_by gojq <<<'{"type": '
	[ -z "$output" ]
	[ "${stderr_lines[0]}" = 'gojq: invalid json: <stdin>' ] && [ "${stderr_lines[2]}" = '             ^  unexpected EOF' ]
}

@test "a value of the wrong type names its key, the type expected and the type found" {
	rejects 'null' 'config: expected a JSON object, got null'
	rejects '"x"' 'config: expected a JSON object, got a string'
	rejects "{$T, \"transcription_config\": \"en\"}" 'transcription_config: expected an object, got a string'
	rejects "{$T, \"transcription_config\": {\"language\": \"en\", \"output_locale\": 1}}" \
		'transcription_config.output_locale: expected one of en-US, en-GB, en-AU, got a number'
	rejects "{$T, \"transcription_config\": {\"language\": \"en\", \"speaker_diarization_config\": {\"prefer_current_speaker\": 1}}}" \
		'transcription_config.speaker_diarization_config.prefer_current_speaker: expected a boolean, got a number'
	rejects "{$T, \"transcription_config\": {\"language\": \"en\", \"transcript_filtering_config\": {\"remove_disfluencies\": \"yes\"}}}" \
		'transcription_config.transcript_filtering_config.remove_disfluencies: expected a boolean, got a string'
	rejects "{$T, \"transcription_config\": {\"language\": \"en\", \"additional_vocab\": {}}}" \
		'transcription_config.additional_vocab: expected an array, got an object'
	rejects "{$T, \"transcription_config\": {\"language\": \"en\", \"additional_vocab\": [null]}}" \
		'transcription_config.additional_vocab[0]: expected an object or a string, got null'
	rejects "{$T, $EN, \"fetch_data\": []}" 'fetch_data: expected an object, got an array'
	rejects "{$T, $EN, \"fetch_data\": {\"url\": true}}" 'fetch_data.url: expected a string, got a boolean'
	rejects "{$T, $EN, \"notification_config\": \"https://example.com\"}" \
		'notification_config: expected an object or an array, got a string'
	rejects "{$T, $EN, \"tracking\": []}" 'tracking: expected an object, got an array'
}

@test "a number out of range, or not an integer where one is needed, names its key and the range" {
	rejects "{$T, \"transcription_config\": {\"language\": \"en\", \"punctuation_overrides\": {\"sensitivity\": \"high\"}}}" \
		'transcription_config.punctuation_overrides.sensitivity: expected a number from 0 to 1, got a string'
	rejects "{$T, \"transcription_config\": {\"language\": \"en\", \"audio_filtering_config\": {\"volume_threshold\": -1}}}" \
		'transcription_config.audio_filtering_config.volume_threshold: -1 is out of range (0 to 100)'
	rejects "{$T, $EN, \"output_config\": {\"srt_overrides\": {\"max_lines\": 101}}}" \
		'output_config.srt_overrides.max_lines: 101 is out of range (1 to 100)'
	rejects "{$T, $EN, \"output_config\": {\"srt_overrides\": {\"max_line_length\": \"20\"}}}" \
		'output_config.srt_overrides.max_line_length: expected an integer from 1 to 1000, got a string'
}

@test "a string outside its set of values lists the values; a value of another type gives its type" {
	rejects "{$T, \"transcription_config\": {\"language\": \"en\", \"model\": \"fast\"}}" \
		'transcription_config.model: "fast" is not one of standard, enhanced'
	rejects "{$T, \"transcription_config\": {\"language\": \"en\", \"diarization\": false}}" \
		'transcription_config.diarization: expected one of none, speaker, channel, got a boolean'
	rejects "{\"type\": 1, $EN}" 'type: expected one of transcription, alignment, got a number'
}

@test "output_locale is en-US, en-GB or en-AU, and only with language en" {
	for l in en-US en-GB en-AU; do
		accepts "{$T, \"transcription_config\": {\"language\": \"en\", \"output_locale\": \"$l\"}}"
		[ "$locale" = "$l" ]
	done
	rejects "{$T, \"transcription_config\": {\"language\": \"en\", \"output_locale\": \"en-NZ\"}}" \
		'transcription_config.output_locale: "en-NZ" is not one of en-US, en-GB, en-AU'
	rejects "{$T, \"transcription_config\": {\"language\": \"en\", \"output_locale\": \"cmn-Hans\"}}" \
		'transcription_config.output_locale: "cmn-Hans" is not one of en-US, en-GB, en-AU'
	rejects "{$T, \"transcription_config\": {\"language\": \"de\", \"output_locale\": \"en-GB\"}}" \
		'transcription_config.output_locale: "en-GB" is a locale of language "en", not "de"'
}

@test "an unknown key is named, in the object that holds it" {
	rejects "{$T, \"transcription_config\": {\"language\": \"en\", \"additional_vocab\": [{\"content\": \"a\", \"weight\": 2}]}}" \
		'transcription_config.additional_vocab[0]: unknown key "weight"'
	rejects "{$T, $EN, \"fetch_data\": {\"url\": \"file:///a\", \"method\": \"GET\"}}" 'fetch_data: unknown key "method"'
	rejects "{$T, $EN, \"output_config\": {\"srt_overrides\": {\"max_lines\": 2, \"font\": 1}}}" \
		'output_config.srt_overrides: unknown key "font"'
	rejects "{$T, \"transcription_config\": {\"language\": \"en\", \"punctuation_overrides\": {\"marks\": []}}}" \
		'transcription_config.punctuation_overrides: unknown key "marks"'
}

@test "an element's index is in its key, at each level of nesting" {
	rejects "{$T, \"transcription_config\": {\"language\": \"en\", \"additional_vocab\": [\"a\", \"b\",
		{\"content\": \"c\", \"sounds_like\": [\"x\", \"y\", \"z\", []]}]}}" \
		'transcription_config.additional_vocab[2].sounds_like[3]: expected a string, got an array'
	rejects "{$T, \"transcription_config\": {\"language\": \"en\", \"transcript_filtering_config\": {\"replacements\":
		[{\"from\": \"a\", \"to\": \"b\"}, {\"from\": \"c\", \"to\": 4}]}}}" \
		'transcription_config.transcript_filtering_config.replacements[1].to: expected a string, got a number'
	rejects "{$T, \"transcription_config\": {\"language\": \"en\", \"transcript_filtering_config\": {\"replacements\": [7]}}}" \
		'transcription_config.transcript_filtering_config.replacements[0]: expected an object, got a number'
	# a from that starts with "/" is a /regex/ or nothing; one holding "/="
	# could not be told from its TO
	rejects "{$T, \"transcription_config\": {\"language\": \"en\", \"transcript_filtering_config\": {\"replacements\":
		[{\"from\": \"/BUSY/i\", \"to\": \"x\"}]}}}" \
		'transcription_config.transcript_filtering_config.replacements[0].from: "/BUSY/i" is not a word, a phrase or a /regex/'
	rejects "{$T, \"transcription_config\": {\"language\": \"en\", \"transcript_filtering_config\": {\"replacements\":
		[{\"from\": \"a\", \"to\": \"b\"}, {\"from\": \"/now/=/\", \"to\": \"x\"}]}}}" \
		'transcription_config.transcript_filtering_config.replacements[1].from: "/now/=/": a /regex/ cannot hold "/="'
	# one label per channel: the transcript tells the channels by label
	rejects "{$T, \"transcription_config\": {\"language\": \"en\", \"diarization\": \"channel\",
		\"channel_diarization_labels\": [\"A\", \"Same\", \"B\", \"Same\"]}}" \
		'transcription_config.channel_diarization_labels[3]: "Same" names channel 2 already'
	# a replacement's text is a word: no control characters (a newline could
	# forge an SRT cue)
	rejects "{$T, \"transcription_config\": {\"language\": \"en\", \"transcript_filtering_config\": {\"replacements\":
		[{\"from\": \"a\", \"to\": \"b\"}, {\"from\": \"c\", \"to\": \"x\\n\\n2\\n00:00:00,000 --> 00:00:09,000\"}]}}}" \
		'transcription_config.transcript_filtering_config.replacements[1].to: "x\n\n2\n00:00:00,000 --> 00:00:09,000" has a control character (a tab, a newline...)'
	rejects "{$T, \"transcription_config\": {\"language\": \"en\", \"transcript_filtering_config\": {\"replacements\":
		[{\"from\": \"a\", \"to\": \"b\\u007f\"}]}}}" \
		'transcription_config.transcript_filtering_config.replacements[0].to: "b\u007f" has a control character (a tab, a newline...)'
	# C1 controls (U+0085, a line end to some readers) and the line and
	# paragraph separators too
	for c in 0085 2028 2029; do
		check <<<"{$T, \"transcription_config\": {\"language\": \"en\", \"transcript_filtering_config\": {\"replacements\":
			[{\"from\": \"a\", \"to\": \"b\\u$c\"}]}}}" | grep -q '^error	.*replacements\[0\]\.to: .* has a control character'
	done
}

@test "a replacement from that is blank or has = and is not a /regex/ is refused; a /regex/ with = is accepted" {
	rejects "{$T, \"transcription_config\": {\"language\": \"en\", \"transcript_filtering_config\": {\"replacements\": [{\"from\": \" \\t\", \"to\": \"x\"}]}}}" \
		'transcription_config.transcript_filtering_config.replacements[0].from: " \t" is not a word, a phrase or a /regex/'
	accepts "{$T, \"transcription_config\": {\"language\": \"en\", \"transcript_filtering_config\": {\"replacements\": [{\"from\": \"/a=b/\", \"to\": \"x\"}]}}}"
	eval "set -- $repl"
	[ "$2" = '/a=b/=x' ]
}

@test "auth_headers must each be one \"Name: value\" line with a token name" {
	for h in '"Authorization: Bearer x"' '"X-A_b.c~!: "' "\"A'b: c\""; do
		accepts "{$T, $EN, \"fetch_data\": {\"url\": \"https://h/a\", \"auth_headers\": [$h]}}"
	done
	for h in '"no colon"' '": empty name"' '"Sp ace: x"' '"A: b\r\nC: d"' '"A: b\nC: d"' '{"A": "b"}'; do
		rejects "{$T, $EN, \"fetch_data\": {\"url\": \"https://h/a\", \"auth_headers\": [\"A: b\", $h]}}" \
			'fetch_data.auth_headers[1]: expected "Name: value"'
	done
}

@test "fetch_data.url takes file://, http:// and https:// in any case; a bare path is refused" {
	for u in file:///a.wav HTTP://h/a HttpS://h/a; do
		accepts "{$T, $EN, \"fetch_data\": {\"url\": \"$u\"}}"
		[ "$url" = "$u" ]
	done
	rejects "{$T, $EN, \"fetch_data\": {\"url\": \"/a.wav\"}}" \
		'fetch_data.url: unsupported URL "/a.wav" (use file://, http:// or https://)'
}

@test "fetch_data.url's scheme is matched in ASCII only: a Unicode ligature fi does not make file://" {
	rejects "{$T, $EN, \"fetch_data\": {\"url\": \"\\ufb01le:///a.wav\"}}" \
		'fetch_data.url: unsupported URL "ﬁle:///a.wav" (use file://, http:// or https://)'
}

@test "a value that ends in a newline is refused; a message shows a value's control characters escaped, on one line" {
	rejects "{$T, \"transcription_config\": {\"language\": \"en\\n\"}}" \
		'transcription_config.language: "en\n" is not a language code'
	rejects "{$T, \"transcription_config\": {\"language\": \"e\\tn\\u0001\"}}" \
		'transcription_config.language: "e\tn\u0001" is not a language code'
	rejects "{$T, \"transcription_config\": {\"language\": \"en\", \"channel_diarization_labels\": [\"a\\n\"]}}" \
		'transcription_config.channel_diarization_labels[0]: expected a string of letters, digits, "." and "_"'
	rejects "{$T, $EN, \"fetch_data\": {\"url\": \"file:///a\", \"auth_headers\": [\"A: b\\n\"]}}" \
		'fetch_data.auth_headers[0]: expected "Name: value"'
	rejects "{$T, \"transcription_config\": {\"language\": \"en\", \"transcript_filtering_config\":
		{\"replacements\": [{\"from\": \"\\n\", \"to\": \"x\"}]}}}" \
		'transcription_config.transcript_filtering_config.replacements[0].from: "\n" is not a word, a phrase or a /regex/'
	rejects "{$T, \"transcription_config\": {\"language\": \"en\", \"transcript_filtering_config\":
		{\"replacements\": [{\"from\": \"/a=/\\n\", \"to\": \"x\"}]}}}" \
		'transcription_config.transcript_filtering_config.replacements[0].from: "/a=/\n" is not a word, a phrase or a /regex/'
	MAX_BYTES=$'4G\n' run -0 check <<<"{$T, $EN}"
	[ "$output" = 'limit	SM_MAX_BYTES: expected a size such as 4G, 500M or 1048576, got "4G\n"' ]
	MAX_SECONDS=$'7200\n' run -0 check <<<"{$T, $EN}"
	[ "$output" = 'limit	SM_MAX_SECONDS: expected seconds from 0.001 to 10000000, got "7200\n"' ]
}

@test "an additional_vocab entry of 10000 words is dropped as over 6 words, by jq as by gojq" {
	local w
	w=$(printf 'a %.0s' $(seq 10000))
	accepts "{$T, \"transcription_config\": {\"language\": \"en\", \"additional_vocab\": [\"$w\", \"b c\"]}}"
	[ "$nvocab" = 2 ] && [ "$nvocab_in" = 1 ] && [ "$vocab" = 'b c' ]
}

@test "the first problem in the order of the checks is the only line" {
	rejects '{"speling": 1, "type": "alignment"}' 'config: unknown key "speling"'
	rejects '{"type": "alignment"}' 'type: "alignment" jobs are not supported yet'
	rejects "{$T, \"transcription_config\": {\"language\": \"en\", \"model\": \"x\", \"diarization\": \"y\"}, \"tracking\": 1}" \
		'transcription_config.model: "x" is not one of standard, enhanced'
}
