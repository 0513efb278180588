#!/usr/bin/env bats
load test_helper

# Best paths of real LibriVox recordings, searched once per file.
setup_file() {
	for id in 0870 0880; do
		sm-decode "$PS_DATA/librivox/sense_and_sensibility_01_austen_64kb-$id.wav" |
			sm-features | sm-am | sm-lattice >"$BATS_FILE_TMPDIR/$id.hyp"
	done
}

setup() {
	setup_scratch
	H70=$BATS_FILE_TMPDIR/0870.hyp
	H80=$BATS_FILE_TMPDIR/0880.hyp
}

# Two sentences: a pause of 0.80 s after "here", 0.10 s after "think".
two_sentences() {
	printf '#sm-hyp 1\n'
	printf '0.000\t0.300\t1.000\tsil\t<sil>\n'
	printf '0.300\t0.500\t0.900\tword\ti\n'
	printf '0.500\t0.800\t0.800\tword\twas\n'
	printf '0.800\t1.200\t0.700\tword\there\n'
	printf '1.200\t2.000\t1.000\tsil\t<sil>\n'
	printf '2.000\t2.300\t0.600\tword\tthen\n'
	printf '2.300\t2.600\t1.000\tfiller\t[NOISE]\n'
	printf '2.600\t2.900\t0.500\tword\ti\x27m\n'
	printf '2.900\t3.300\t0.400\tword\tthink\n'
	printf '3.300\t3.400\t1.000\tsil\t<sil>\n'
	printf '3.400\t3.906\t0.333\tword\tum\n'
	printf '3.906\t4.204\t0.250\tword\tgone\n'
	printf '#end\n'
}

@test "sm-format --help and --version print to stdout and exit 0" {
	run -0 sm-format --help
	assert_line --index 1 --partial 'Usage: sm-format'
	run -0 sm-format --version
	assert_output --regexp '^sm-format [0-9]+\.[0-9]+\.[0-9]+$'
}

@test "json-v2 of a real recording holds every word of the best path, in order" {
	run -0 --separate-stderr sm-format "$H70"
	[ -z "$stderr" ]
	words=$(awk -F'\t' '$4 == "word" { print $5 }' "$H70" | paste -sd' ')
	got=$(printf '%s' "$output" | jq -r '[.results[] | select(.type == "word")
		| .alternatives[0].content | ascii_downcase] | join(" ")')
	[ "$got" = "$words" ]
	printf '%s' "$output" | jq -e '.format == "2.9" and (.results | length) > 10
		and ([.results[].start_time] | . == sort)
		and all(.results[]; .end_time >= .start_time
			and (.alternatives | length) == 1
			and (.alternatives[0] | .language == "en" and .speaker == "UU"
				and .confidence >= 0 and .confidence <= 1))'
}

@test "json-v2 metadata: created_at in UTC, the effective config, the language pack" {
	run -0 sm-format "$H80"
	printf '%s' "$output" | jq -e '.metadata | (.created_at | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?Z$"))
		and .type == "transcription"
		and .transcription_config == {"language": "en"}
		and .language_pack_info == {"adapted": false, "itn": false, "language_description": "English",
			"word_delimiter": " ", "writing_direction": "left-to-right"}'
	printf '%s' "$output" | jq -e 'keys == ["format", "metadata", "results"]'
}

@test "json-v2 times have two decimals, rounded from the hypothesis" {
	run -0 sm-format "$H80"
	# Every time in the text is printed with exactly two decimals.
	run -1 grep -E '"(start|end)_time": [0-9]+(\.[0-9]?|\.[0-9]{3,})?[,}]' <<<"$output"
	two_sentences >"$SCRATCH/h"
	run -0 sm-format "$SCRATCH/h"
	printf '%s' "$output" | jq -e '[.results[] | select(.alternatives[0].content == "gone")][0]
		| .start_time == 3.91 and .end_time == 4.2'
}

@test "--pause: a pause that long and the end of the audio end sentences: full stops, capitals, I" {
	two_sentences >"$SCRATCH/h"
	run -0 sm-format --pause 0.5 "$SCRATCH/h"
	printf '%s' "$output" | jq -e '[.results[] | .alternatives[0].content] ==
		["I", "was", "here", ".", "Then", "I'"'"'m", "think", "um", "gone", "."]'
	printf '%s' "$output" | jq -e '[.results[] | select(.type == "punctuation")] ==
		[{"type": "punctuation", "start_time": 1.2, "end_time": 1.2, "attaches_to": "previous", "is_eos": true,
		  "alternatives": [{"content": ".", "confidence": 1, "language": "en", "speaker": "UU"}]},
		 {"type": "punctuation", "start_time": 4.2, "end_time": 4.2, "attaches_to": "previous", "is_eos": true,
		  "alternatives": [{"content": ".", "confidence": 1, "language": "en", "speaker": "UU"}]}]'
	printf '%s' "$output" | jq -e '[.results[] | select(.type == "word") | .alternatives[0].confidence]
		== [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.33, 0.25]'
}

@test "--pause moves the sentence-ending pause, --sensitivity 1 adds marks that 0 leaves out" {
	two_sentences >"$SCRATCH/h"
	run -0 sm-format -f txt --pause 0.9 "$SCRATCH/h"
	assert_output "I was here then I'm think um gone."
	# A pause of 0.1 s is enough, the 0.3 s of noise after "then" too.
	run -0 sm-format -f txt --pause 0.1 "$SCRATCH/h"
	assert_output "I was here. Then. I'm think. Um gone."
	# The model: 0.8 s after "here" and 0.3 s after "then" end sentences at
	# any sensitivity; at 1 so does the 0.1 s after "think", and "um" before
	# "gone" takes a comma.
	run -0 sm-format -f txt -s 0 "$SCRATCH/h"
	assert_output "I was here. Then. I'm think um gone."
	run -0 sm-format -f txt -s 1 "$SCRATCH/h"
	assert_output "I was here. Then. I'm think. Um, gone."
	run -64 sm-format -s 1.5 "$SCRATCH/h"
	assert_line --index 0 --partial 'sm-format: --sensitivity'
}

@test "--no-punctuation: no punctuation items and no sentence capitals, but I" {
	two_sentences >"$SCRATCH/h"
	run -0 sm-format -P "$SCRATCH/h"
	printf '%s' "$output" | jq -e '[.results[] | .alternatives[0].content] ==
		["I", "was", "here", "then", "I'"'"'m", "think", "um", "gone"]'
	run -0 sm-format -P -f txt "$H80"
	assert_output "$(awk -F'\t' '$4 == "word" { print $5 }' "$H80" | paste -sd' ')"
}

@test "--remove-disfluencies drops hesitations, which still count as speech" {
	two_sentences >"$SCRATCH/h"
	run -0 sm-format -d -f txt --pause 0.5 "$SCRATCH/h"
	assert_output "I was here. Then I'm think gone."
}

@test "--replace: words and phrases in any case, /regex/ on whole words, empty TO deletes" {
	two_sentences >"$SCRATCH/h"
	run -0 sm-format -f txt --pause 0.5 -R 'WAS HERE=stayed' -R '/th.*/=now' -R 'um=' "$SCRATCH/h"
	assert_output "I stayed. Now I'm now gone."
	run -0 sm-format -R 'was here=stayed' "$SCRATCH/h"
	printf '%s' "$output" | jq -e '.results[1] | .start_time == 0.5 and .end_time == 1.2
		and .alternatives[0].content == "stayed" and .alternatives[0].confidence == 0.7'
	run -0 sm-format -f txt --pause 0.5 -R '/i/=me' "$SCRATCH/h"
	assert_output "Me was here. Then I'm think um gone."
	run -64 --separate-stderr sm-format -R 'nothing' "$SCRATCH/h"
	[ "$stderr" = 'sm-format: --replace: expected FROM=TO, got "nothing"' ]
	run -78 --separate-stderr sm-format -R '/[/=x' "$SCRATCH/h"
	[[ "$stderr" == 'sm-format: --replace: /[/: '* ]]
	# TO's blanks folded to one space, none at its ends; only blanks delete
	run -0 sm-format -f txt --pause 0.5 -R "was here=  just	
  stayed " -R 'um= ' "$SCRATCH/h"
	assert_output "I just stayed. Then I'm think gone."
}

@test "txt: the words joined by the delimiter, punctuation attached to the previous word" {
	run -0 sm-format -f txt --pause 0.5 "$H80"
	words=$(awk -F'\t' '$4 == "word" { print $5 }' "$H80" | paste -sd' ')
	first=$(printf '%s' "$words" | cut -c1 | tr a-z A-Z)
	assert_output "$first$(printf '%s' "$words" | cut -c2-)."
	[ "${#lines[@]}" -eq 1 ]
}

@test "srt: numbered cues, HH:MM:SS,mmm times, lines and cues within the overrides" {
	for spec in "37 2" "12 1" "20 3"; do
		set -- $spec
		run -0 sm-format -f srt --max-line-length "$1" --max-lines "$2" "$H70"
		printf '%s\n' "$output" | awk -v len="$1" -v max="$2" '
			BEGIN { state = "num"; n = 0 }
			state == "num" { if ($0 != ++n) { print "cue " n ": number " $0; bad = 1 } state = "time"; next }
			state == "time" {
				if ($0 !~ /^[0-9][0-9]:[0-5][0-9]:[0-5][0-9],[0-9][0-9][0-9] --> [0-9][0-9]:[0-5][0-9]:[0-5][0-9],[0-9][0-9][0-9]$/) {
					print "cue " n ": time " $0; bad = 1 }
				split($0, t, " --> "); if (t[1] > t[2] || t[1] < last) { print "cue " n ": order"; bad = 1 }
				last = t[2]; state = "text"; l = 0; next }
			state == "text" && $0 == "" { if (l == 0) { print "cue " n ": empty"; bad = 1 } state = "num"; next }
			state == "text" { if (length($0) > len) { print "cue " n ": long line " $0; bad = 1 }
				if (++l > max) { print "cue " n ": too many lines"; bad = 1 } }
			END { if (n < 1) bad = 1; exit bad }'
		# Every word is in the subtitles, in order.
		got=$(printf '%s\n' "$output" | awk '!/^[0-9]+$/ && !/-->/' | tr '\n' ' ' |
			tr -s ' ' | sed 's/ $//')
		run -0 sm-format -f txt "$H70"
		[ "$got" = "$output" ]
	done
}

@test "srt: a sentence end closes the cue" {
	two_sentences >"$SCRATCH/h"
	run -0 sm-format -f srt --pause 0.5 "$SCRATCH/h"
	assert_output "1
00:00:00,300 --> 00:00:01,200
I was here.

2
00:00:02,000 --> 00:00:04,204
Then I'm think um gone."
}

@test "--config is echoed as metadata.transcription_config" {
	printf ' {"language": "en", "diarization": "none", "additional_vocab": [{"content": "gnocchi"}]}\n' >"$SCRATCH/c"
	run -0 sm-format -c "$SCRATCH/c" "$H80"
	printf '%s' "$output" | jq -e '.metadata.transcription_config ==
		{"language": "en", "diarization": "none", "additional_vocab": [{"content": "gnocchi"}]}'
	printf '[1]' >"$SCRATCH/c"
	run -78 --separate-stderr sm-format -c "$SCRATCH/c" "$H80"
	[ "$stderr" = "sm-format: $SCRATCH/c: expected one JSON object" ]
	[ -z "$output" ]
}

@test "--tracking is echoed as job.tracking in a job block before metadata, in json only" {
	printf '{"title": "t", "details": {"n": 1}}\n' >"$SCRATCH/t"
	run -0 sm-format --tracking "$SCRATCH/t" "$H80"
	printf '%s' "$output" | jq -e '(keys_unsorted == ["format", "job", "metadata", "results"]) and
		(.job | keys_unsorted == ["created_at", "data_name", "duration", "id", "tracking"]) and
		.job.tracking == {"title": "t", "details": {"n": 1}}'
	run -0 sm-format "$H80"
	printf '%s' "$output" | jq -e 'has("job") | not'
	run -0 sm-format -f txt --tracking "$SCRATCH/t" "$H80"
	[[ $output != *title* ]]
	printf '"t"' >"$SCRATCH/t"
	run -78 --separate-stderr sm-format --tracking "$SCRATCH/t" "$H80"
	[ "$stderr" = "sm-format: $SCRATCH/t: expected one JSON object" ]
	[ -z "$output" ]
}

@test "the job block: created_at is metadata's, data_name is --data-name or -, a random id of 10 letters and digits" {
	printf '{"title": "t"}\n' >"$SCRATCH/t"
	run -0 sm-format --tracking "$SCRATCH/t" --data-name 'call "7".wav' "$H80"
	printf '%s' "$output" | jq -e '.job.created_at == .metadata.created_at
		and .job.data_name == "call \"7\".wav" and (.job.id | test("^[a-z0-9]{10}$"))'
	id1=$(printf '%s' "$output" | jq -r .job.id)
	run -0 sm-format --tracking "$SCRATCH/t" "$H80"
	printf '%s' "$output" | jq -e '.job.data_name == "-" and (.job.id | test("^[a-z0-9]{10}$"))'
	[ "$(printf '%s' "$output" | jq -r .job.id)" != "$id1" ]
}

@test "the job block's duration is the largest END of the hypothesis, pauses included, in whole seconds rounded" {
	printf '{"title": "t"}\n' >"$SCRATCH/t"
	for end in 2.499:2 2.500:3 0.400:0; do
		printf '#sm-hyp 1\n0.000\t0.100\t1.000\tsil\t<sil>\n0.100\t0.300\t0.900\tword\tyes\n' >"$SCRATCH/h"
		printf '0.300\t%s\t1.000\tsil\t<sil>\n#end\n' "${end%:*}" >>"$SCRATCH/h"
		run -0 sm-format --tracking "$SCRATCH/t" "$SCRATCH/h"
		printf '%s' "$output" | jq -e --argjson d "${end#*:}" '.job.duration == $d'
	done
	# A real recording: 2.99 s of audio (its last frame ends at 2.98 s).
	[ "$(grep -v '^#' "$H80" | tail -n 1 | cut -f 2)" = 2.980 ]
	run -0 sm-format --tracking "$SCRATCH/t" "$H80"
	printf '%s' "$output" | jq -e '.job.duration == 3'
}

@test "an empty hypothesis gives an empty transcript" {
	printf '#sm-hyp 1\n0.000\t1.000\t1.000\tsil\t<sil>\n#end\n' >"$SCRATCH/h"
	run -0 sm-format "$SCRATCH/h"
	printf '%s' "$output" | jq -e '.results == []'
	run -0 sm-format -f txt "$SCRATCH/h"
	assert_output ''
	run -0 sm-format -f srt "$SCRATCH/h"
	assert_output ''
	run -0 sm-format -f vtt "$SCRATCH/h"
	assert_output 'WEBVTT'
	run -0 sm-format -f ctm "$SCRATCH/h"
	assert_output ''
}

@test "rejects a binary stream with a clear line and nothing on stdout" {
	sm-decode "$PS_DATA/librivox/sense_and_sensibility_01_austen_64kb-0880.wav" >"$SCRATCH/pcm"
	run -65 --separate-stderr sm-format "$SCRATCH/pcm"
	[[ "$stderr" == "sm-format: $SCRATCH/pcm: expected a #sm-hyp 1 hypothesis (sm-stream(5)), got \"SMST"*"\" (run sm-lattice first)" ]]
	[ -z "$output" ]
}

@test "rejects a hypothesis cut short (no #end), a bad line and a bad KIND" {
	head -n 5 "$H80" >"$SCRATCH/h"
	run -65 --separate-stderr sm-format "$SCRATCH/h"
	[ "$stderr" = "sm-format: $SCRATCH/h: hypothesis cut short (no #end line)" ]
	[ -z "$output" ]
	printf '#sm-hyp 1\n0.1 0.2 1 word a\n#end\n' >"$SCRATCH/h"
	run -65 --separate-stderr sm-format "$SCRATCH/h"
	[ "$stderr" = "sm-format: $SCRATCH/h: line 2: expected START END CONFIDENCE KIND WORD separated by tabs" ]
	printf '#sm-hyp 1\n0.1\t0.2\t1\tnoun\ta\n#end\n' >"$SCRATCH/h"
	run -65 --separate-stderr sm-format "$SCRATCH/h"
	[ "$stderr" = "sm-format: $SCRATCH/h: line 2: KIND must be word, sil or filler" ]
	printf '#sm-hyp 1\n0.1\t0.2\t1.5\tword\ta\n#end\n' >"$SCRATCH/h"
	run -65 --separate-stderr sm-format "$SCRATCH/h"
	[ "$stderr" = "sm-format: $SCRATCH/h: line 2: CONFIDENCE must be a number from 0 to 1" ]
	printf '#sm-hyp 1\n0.5\t0.6\t1\tword\ta\n0.1\t0.2\t1\tword\tb\n#end\n' >"$SCRATCH/h"
	run -65 --separate-stderr sm-format "$SCRATCH/h"
	[ "$stderr" = "sm-format: $SCRATCH/h: line 3: items out of time order" ]
	printf '' >"$SCRATCH/h"
	run -65 --separate-stderr sm-format <"$SCRATCH/h"
	[ "$stderr" = "sm-format: <stdin>: empty input, expected a #sm-hyp 1 hypothesis (run sm-lattice first)" ]
}

@test "rejects an unknown format and an unknown language" {
	run -64 --separate-stderr sm-format -f xml "$H80"
	[ "$stderr" = 'sm-format: --format: expected json, txt, srt, vtt or ctm, got "xml"' ]
	run -78 --separate-stderr sm-format -l xx "$H80"
	[[ "$stderr" == "sm-format: "*"xx"* ]]
	[ -z "$output" ]
}

# Two speakers on two channels, no pause between the turns; the second
# channel's label needs JSON escaping.
two_speakers() {
	printf '#sm-hyp 1\n'
	printf '0.000\t0.300\t1.000\tsil\t<sil>\tchannel=Agent\n'
	printf '0.300\t0.500\t0.900\tword\tgood\tspeaker=S1\tchannel=Agent\n'
	printf '0.500\t0.800\t0.800\tword\tmorning\tspeaker=S1\tchannel=Agent\n'
	printf '0.800\t1.000\t0.700\tword\thello\tchannel=Caller "B"\tspeaker=S2\n'
	printf '1.000\t1.300\t0.600\tword\tthere\tspeaker=S2\tchannel=Caller "B"\n'
	printf '#end\n'
}

@test "json-v2: the speaker attribute is alternatives[0].speaker, the channel is on the result, a full stop takes its word's" {
	two_speakers >"$SCRATCH/h"
	run -0 sm-format "$SCRATCH/h"
	printf '%s' "$output" | jq -e '[.results[] | [.type, .channel, .alternatives[0].content,
		.alternatives[0].speaker]] == [
		["word", "Agent", "Good", "S1"], ["word", "Agent", "morning", "S1"],
		["punctuation", "Agent", ".", "S1"],
		["word", "Caller \"B\"", "Hello", "S2"], ["word", "Caller \"B\"", "there", "S2"],
		["punctuation", "Caller \"B\"", ".", "S2"]]'
	printf '%s' "$output" | jq -e 'all(.results[]; (.alternatives[0] | has("channel") | not))'
	# A word without a speaker is "UU", one without a channel has no channel key.
	printf '#sm-hyp 1\n0.3\t0.5\t1\tword\ta\tchannel=Channel 1\n0.5\t0.7\t1\tword\tb\n#end\n' >"$SCRATCH/h"
	run -0 sm-format "$SCRATCH/h"
	printf '%s' "$output" | jq -e '[.results[] | select(.type == "word") | [has("channel"), .channel,
		.alternatives[0].speaker]] == [[true, "Channel 1", "UU"], [false, null, "UU"]]'
}

@test "a change of speaker without a pause ends the sentence: full stop and capital" {
	printf '#sm-hyp 1\n0.3\t0.5\t1\tword\tyes\tspeaker=S1\n0.5\t0.7\t1\tword\tno\tspeaker=S2\n0.7\t0.9\t1\tword\tmaybe\tspeaker=S2\n#end\n' >"$SCRATCH/h"
	run -0 sm-format -P "$SCRATCH/h"
	printf '%s' "$output" | jq -e '[.results[] | .alternatives[0].content] == ["yes", "no", "maybe"]'
	run -0 sm-format "$SCRATCH/h"
	printf '%s' "$output" | jq -e '[.results[] | .alternatives[0].content] == ["Yes", ".", "No", "maybe", "."]'
	printf '%s' "$output" | jq -e '[.results[] | select(.type == "punctuation") | .is_eos] == [true, true]'
}

# Two channels that overlap in time: the Agent's "thank you" with the
# Caller's "your password" begun between its words, then numbers said at
# the same time; 0.6 s and more between the sentences.
overlapping_channels() {
	printf '#sm-hyp 1\n'
	printf '1.000\t1.200\t1\tword\tthank\tchannel=Agent\n'
	printf '1.100\t1.300\t1\tword\tyour\tchannel=Caller\n'
	printf '1.250\t1.400\t1\tword\tyou\tchannel=Agent\n'
	printf '1.300\t1.700\t1\tword\tpassword\tchannel=Caller\n'
	printf '2.300\t2.500\t1\tword\tone\tchannel=Caller\n'
	printf '2.400\t2.600\t1\tword\tfive\tchannel=Agent\n'
	printf '2.550\t2.700\t1\tword\ttwo\tchannel=Caller\n'
	printf '2.650\t2.800\t1\tword\tfive\tchannel=Agent\n'
	printf '2.750\t2.900\t1\tword\tone\tchannel=Caller\n'
	printf '2.850\t3.000\t1\tword\tfive\tchannel=Agent\n'
	printf '2.950\t3.100\t1\tword\ttwo\tchannel=Caller\n'
	printf '#end\n'
}

@test "channels that overlap: each channel's words are punctuated, capitalised and read as numbers on their own; results in time order" {
	overlapping_channels >"$SCRATCH/h"
	run -0 sm-format --pause 0.5 -E "$SCRATCH/h"
	printf '%s' "$output" | jq -e '[.results[].start_time] == ([.results[].start_time] | sort)'
	# the Agent's sentence is not cut by the Caller's word inside it
	printf '%s' "$output" | jq -e '[.results[] | select(.channel == "Agent") | .alternatives[0].content]
		== ["Thank", "you", ".", "555", "."]'
	printf '%s' "$output" | jq -e '[.results[] | select(.channel == "Caller") | .alternatives[0].content]
		== ["Your", "password", ".", "1212", "."]'
	printf '%s' "$output" | jq -e '[.results[] | select(.type == "entity") | [.channel, .entity_class, .alternatives[0].content]]
		== [["Caller", "alphanum", "1212"], ["Agent", "alphanum", "555"]]'
	# txt and srt: each mark right after its own channel's word
	run -0 sm-format --pause 0.5 -f txt "$SCRATCH/h"
	assert_output 'Agent: Thank

Caller: Your

Agent: you.

Caller: password. One

Agent: Five

Caller: two

Agent: five

Caller: one

Agent: five.

Caller: two.'
}

@test "txt: one paragraph per turn, the channel label then SPEAKER S1:" {
	two_speakers >"$SCRATCH/h"
	run -0 sm-format -f txt "$SCRATCH/h"
	assert_output 'Agent: SPEAKER S1: Good morning.

Caller "B": SPEAKER S2: Hello there.'
	sed 's/\tchannel=[^\t]*//g' "$SCRATCH/h" >"$SCRATCH/s"
	run -0 sm-format -f txt "$SCRATCH/s"
	assert_output 'SPEAKER S1: Good morning.

SPEAKER S2: Hello there.'
	sed 's/\tspeaker=S[12]//' "$SCRATCH/h" >"$SCRATCH/c"
	run -0 sm-format -f txt "$SCRATCH/c"
	assert_output 'Agent: Good morning.

Caller "B": Hello there.'
}

@test "srt: a change of speaker starts a new cue, labelled, even with room left and no punctuation" {
	two_speakers | sed 's/\tchannel=[^\t]*//g' >"$SCRATCH/h"
	run -0 sm-format -f srt -P "$SCRATCH/h"
	assert_output "1
00:00:00,300 --> 00:00:00,800
SPEAKER S1: good morning

2
00:00:00,800 --> 00:00:01,300
SPEAKER S2: hello there"
	# Only the first cue of a turn has the label, which counts in the line length.
	run -0 sm-format -f srt --max-lines 1 --max-line-length 17 "$SCRATCH/h"
	assert_output "1
00:00:00,300 --> 00:00:00,500
SPEAKER S1: Good

2
00:00:00,500 --> 00:00:00,800
morning.

3
00:00:00,800 --> 00:00:01,000
SPEAKER S2: Hello

4
00:00:01,000 --> 00:00:01,300
there."
}

@test "unknown attribute keys are ignored: the same output as without them" {
	two_sentences >"$SCRATCH/plain"
	awk -F'\t' -v OFS='\t' 'NF == 5 { $0 = $0 OFS "mood=calm" OFS "x=a=b" OFS "empty=" } 1' \
		"$SCRATCH/plain" >"$SCRATCH/h"
	grep -q 'mood=calm' "$SCRATCH/h"
	for f in txt srt; do
		[ "$(sm-format -f "$f" "$SCRATCH/h")" = "$(sm-format -f "$f" "$SCRATCH/plain")" ]
	done
	[ "$(sm-format "$SCRATCH/h" | jq -c .results)" = "$(sm-format "$SCRATCH/plain" | jq -c .results)" ]
}

@test "without attributes: no channel key, speaker UU, txt on one line, srt cues without labels" {
	run -0 sm-format "$H70"
	printf '%s' "$output" | jq -e 'all(.results[]; (has("channel") | not) and .alternatives[0].speaker == "UU")'
	run -0 sm-format -f txt "$H70"
	[ "${#lines[@]}" -eq 1 ]
	[[ $output != *SPEAKER* ]]
	run -0 sm-format -f srt "$H70"
	[[ $output != *SPEAKER* ]]
}

@test "rejects a field after WORD that is not KEY=VALUE, an empty key and a key given twice, naming the line" {
	printf '#sm-hyp 1\n0.1\t0.2\t1\tword\ta\tspeaker=S1\n0.3\t0.4\t1\tword\tb\tS1\n#end\n' >"$SCRATCH/h"
	run -65 --separate-stderr sm-format "$SCRATCH/h"
	[ "$stderr" = "sm-format: $SCRATCH/h: line 3: expected KEY=VALUE after WORD, got \"S1\"" ]
	[ -z "$output" ]
	printf '#sm-hyp 1\n0.1\t0.2\t1\tword\ta\t=S1\n#end\n' >"$SCRATCH/h"
	run -65 --separate-stderr sm-format "$SCRATCH/h"
	[ "$stderr" = "sm-format: $SCRATCH/h: line 2: expected KEY=VALUE after WORD, got \"=S1\"" ]
	printf '#sm-hyp 1\n0.1\t0.2\t1\tword\ta\t\n#end\n' >"$SCRATCH/h"
	run -65 --separate-stderr sm-format "$SCRATCH/h"
	[ "$stderr" = "sm-format: $SCRATCH/h: line 2: expected KEY=VALUE after WORD, got \"\"" ]
	printf '#sm-hyp 1\n0.1\t0.2\t1\tsil\t<sil>\tx=1\tchannel=A\tx=2\n#end\n' >"$SCRATCH/h"
	run -65 --separate-stderr sm-format -f txt "$SCRATCH/h"
	[ "$stderr" = "sm-format: $SCRATCH/h: line 2: key \"x\" given twice" ]
	[ -z "$output" ]
}

@test "a real recording with speakers added by awk: two paragraphs and two speakers, the same words" {
	n=$(awk -F'\t' '$4 == "word"' "$H70" | wc -l)
	awk -F'\t' -v OFS='\t' -v half=$((n / 2)) '$4 == "word" { $0 = $0 OFS "speaker=" (++w <= half ? "S1" : "S2") } 1' \
		"$H70" >"$SCRATCH/h"
	run -0 sm-format -P -f txt "$SCRATCH/h"
	[ "${#lines[@]}" -eq 2 ]
	words=$(awk -F'\t' '$4 == "word" { print $5 }' "$H70")
	# Compared in lower case: names get their capitals ("mr" is "Mr").
	[[ "${lines[0]}" == "SPEAKER S1: "* ]] && [[ "${lines[1]}" == "SPEAKER S2: "* ]]
	[ "${lines[0],,}" = "speaker s1: $(printf '%s\n' "$words" | head -n $((n / 2)) | paste -sd' ')" ]
	[ "${lines[1],,}" = "speaker s2: $(printf '%s\n' "$words" | tail -n +$((n / 2 + 1)) | paste -sd' ')" ]
	run -0 sm-format "$SCRATCH/h"
	printf '%s' "$output" | jq -e --argjson half $((n / 2)) '[.results[] | select(.type == "word")
		| .alternatives[0].speaker] as $s | ($s | length) > 2
		and $s == [range($half) | "S1"] + [range($s | length - $half) | "S2"]'
	# The turn ends a sentence: a full stop after the last S1 word, a capital on the first S2 word.
	printf '%s' "$output" | jq -e '[.results[] | .alternatives[0]] as $a
		| [range(1; $a | length) | select($a[.].speaker != $a[. - 1].speaker)][0] as $i
		| $a[$i - 1].content == "." and ($a[$i].content | test("^[A-Z]"))'
}

@test "vtt: WEBVTT, then srt's cues of a real recording without numbers, times as HH:MM:SS.mmm" {
	for spec in "37 2" "12 1" "20 3"; do
		set -- $spec
		run -0 sm-format -f srt --max-line-length "$1" --max-lines "$2" "$H70"
		want=$(printf 'WEBVTT\n\n%s\n' "$output" | awk '
			prev == "" && /^[0-9]+$/ { prev = "x"; next }
			/ --> / { gsub(/,/, ".") }
			{ print; prev = $0 }')
		run -0 sm-format -f vtt --max-line-length "$1" --max-lines "$2" "$H70"
		[ "$output" = "$want" ]
		[ "$(printf '%s\n' "$output" | grep -c -- ' --> ')" -gt 1 ]
		run -1 grep -vE '^(WEBVTT|[0-9]{2}:[0-5][0-9]:[0-5][0-9]\.[0-9]{3} --> [0-9]{2}:[0-5][0-9]:[0-5][0-9]\.[0-9]{3}|[A-Za-z].*|)$' <<<"$output"
	done
}

@test "vtt: & < > are written as &amp; &lt; &gt; and count as one character each in a line" {
	two_sentences >"$SCRATCH/h"
	# "I <&> here." is 11 characters, on one line of 11.
	# --pause: the plain sentence rule, whose marks these cues are cut at.
	run -0 sm-format -f vtt --pause 0.5 -R 'was=<&>' -R 'then=a&b' --max-line-length 11 "$SCRATCH/h"
	assert_output 'WEBVTT

00:00:00.300 --> 00:00:01.200
I &lt;&amp;&gt; here.

00:00:02.000 --> 00:00:03.906
A&amp;b I'"'"'m
think um

00:00:03.906 --> 00:00:04.204
gone.'
	run -0 sm-format -f vtt --pause 0.5 -R 'was=<&>' --max-line-length 10 "$SCRATCH/h"
	# (lines skips the empty ones)
	assert_line --index 2 'I &lt;&amp;&gt;'
	assert_line --index 3 'here.'
}

@test "vtt: every cue of a diarized transcript is in its speaker's voice span, the channel label only on a turn's first cue" {
	two_speakers >"$SCRATCH/h"
	run -0 sm-format -f vtt --max-lines 1 --max-line-length 12 "$SCRATCH/h"
	assert_output 'WEBVTT

00:00:00.300 --> 00:00:00.500
<v S1>Agent: Good

00:00:00.500 --> 00:00:00.800
<v S1>morning.

00:00:00.800 --> 00:00:01.000
<v S2>Caller "B": Hello

00:00:01.000 --> 00:00:01.300
<v S2>there.'
	# The span does not count towards the line length; a word without a
	# speaker is UU's; without speakers, no span.
	printf '#sm-hyp 1\n0.3\t0.5\t1\tword\ta\tspeaker=S1\n0.5\t0.7\t1\tword\tb\n#end\n' >"$SCRATCH/u"
	run -0 sm-format -f vtt -P --max-line-length 1 --max-lines 1 "$SCRATCH/u"
	assert_output 'WEBVTT

00:00:00.300 --> 00:00:00.500
<v S1>a

00:00:00.500 --> 00:00:00.700
<v UU>b'
	sed 's/\tspeaker=S[12]//' "$SCRATCH/h" >"$SCRATCH/c"
	run -0 sm-format -f vtt "$SCRATCH/c"
	assert_output 'WEBVTT

00:00:00.300 --> 00:00:00.800
Agent: Good morning.

00:00:00.800 --> 00:00:01.300
Caller "B": Hello there.'
}

@test "ctm: one line per word of a real recording, FILE 1 START DURATION WORD CONFIDENCE from the best path" {
	run -0 --separate-stderr sm-format -f ctm -P --data-name ss-0870 "$H70"
	[ -z "$stderr" ]
	want=$(awk -F'\t' '$4 == "word" {
		printf "ss-0870 1 %.3f %.3f %s %.2f\n", $1, $2 - $1, $5, $3 }' "$H70")
	[ "$(printf '%s\n' "$want" | wc -l)" -gt 10 ]
	# The words as written (names and "I" with their capitals), so compared
	# in lower case.
	[ "$(printf '%s\n' "$output" | tr '[:upper:]' '[:lower:]')" = "$want" ]
	# With punctuation: the same words, capitals aside; no full stop is a word.
	run -0 sm-format -f ctm "$H70"
	[ "$(printf '%s\n' "$output" | cut -d' ' -f 1-4,6)" = "$(printf '%s\n' "$want" | cut -d' ' -f 1-4,6 | sed 's/^ss-0870/-/')" ]
	run -1 grep -F ' . ' <<<"$output"
}

@test "ctm: CHANNEL is 1 without a label, N for Channel N, else the label with blanks as underscores; sorted by CHANNEL, then START" {
	printf '#sm-hyp 1\n' >"$SCRATCH/h"
	printf '0.100\t0.300\t0.910\tword\tone\tchannel=Channel 2\n' >>"$SCRATCH/h"
	printf '0.200\t0.400\t0.920\tword\ttwo\tchannel=Channel 1\n' >>"$SCRATCH/h"
	printf '0.300\t0.500\t0.930\tword\tthree\tchannel=Caller B\n' >>"$SCRATCH/h"
	printf '0.600\t0.700\t0.940\tword\tfour\tchannel=Channel 2\n' >>"$SCRATCH/h"
	printf '0.800\t1.000\t0.950\tword\tfive\n' >>"$SCRATCH/h"
	printf '#end\n' >>"$SCRATCH/h"
	run -0 sm-format -f ctm -P "$SCRATCH/h"
	assert_output -- '- 1 0.200 0.200 two 0.92
- 1 0.800 0.200 five 0.95
- 2 0.100 0.200 one 0.91
- 2 0.600 0.100 four 0.94
- Caller_B 0.300 0.200 three 0.93'
}

# A best path with a listed phrase and word, the first at a sentence start.
vocab_hyp() {
	printf '#sm-hyp 1\n'
	printf '0.000\t0.300\t0.900\tword\tdr\n'
	printf '0.300\t0.600\t0.800\tword\twho\n'
	printf '0.600\t0.900\t1.000\tword\tlikes\n'
	printf '0.900\t1.300\t0.700\tword\tgnocchi\n'
	printf '1.300\t2.500\t1.000\tsil\t<sil>\n'
	printf '2.500\t2.800\t0.600\tword\tgnocchi\n'
	printf '2.800\t3.100\t0.600\tword\twho\n'
	printf '#end\n'
}

@test "--vocab: runs of words whose keys are an entry's are written as the entry spells them, one item per word with its own time, no capital added" {
	printf 'Dr. Who\tdoctor who\ngnocchi\tnyohki\n' >"$SCRATCH/v"
	vocab_hyp >"$SCRATCH/h"
	run -0 sm-format --pause 1 --vocab "$SCRATCH/v" "$SCRATCH/h"
	printf '%s' "$output" | jq -e '[.results[] | select(.type == "word") |
		[.start_time, .alternatives[0].content]] ==
		[[0, "Dr."], [0.3, "Who"], [0.6, "likes"], [0.9, "gnocchi"], [2.5, "gnocchi"], [2.8, "who"]]'
	run -0 sm-format --pause 1 --vocab "$SCRATCH/v" -f txt "$SCRATCH/h"
	[ "$output" = "Dr. Who likes gnocchi. gnocchi who." ]
}

@test "--vocab: the longest entry matching at a word wins, and -R applies after it" {
	printf 'Who\nDr. Who\n' >"$SCRATCH/v"
	vocab_hyp >"$SCRATCH/h"
	run -0 sm-format -P --vocab "$SCRATCH/v" -R 'likes=loves' -f txt "$SCRATCH/h"
	[ "$output" = "Dr. Who loves gnocchi gnocchi Who" ]
}

@test "--vocab: a list read from a FIFO works; a missing one is an error naming it, with nothing on stdout" {
	printf 'gnocchi\n' >"$SCRATCH/v"
	vocab_hyp >"$SCRATCH/h"
	mkfifo "$SCRATCH/fifo"
	cat "$SCRATCH/v" >"$SCRATCH/fifo" &
	run -0 sm-format -P -f txt --vocab "$SCRATCH/fifo" "$SCRATCH/h"
	[ "$output" = "Dr who likes gnocchi gnocchi who" ]
	run -66 --separate-stderr sm-format --vocab "$SCRATCH/none" "$SCRATCH/h"
	[ "$stderr" = "sm-format: $SCRATCH/none: No such file or directory" ]
	[ -z "$output" ]
}
