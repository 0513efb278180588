# The job config's checker and normaliser (sm-transcribe(1), CONFIG).
# make copies it into bin/sm-transcribe, which is installed as one file and
# runs it with jq or gojq (whose output is the same but where they read
# JSON differently: sm-transcribe(1), SM_JQ) as
#   jq -s -r --arg max_bytes "$max_bytes" --arg max_seconds "$max_seconds" PROGRAM CONFIG
# with SM_MAX_BYTES and SM_MAX_SECONDS or their defaults (4G, 7200);
# tests/config.bats runs it with -f.
# Input: the config's JSON values, slurped (one object is a config).
# Output, for the first problem found, one line:
#   limit<TAB>MESSAGE     SM_MAX_BYTES or SM_MAX_SECONDS is not a limit;
#   error<TAB>KEY: MESSAGE  the config is not valid (KEY names the field);
# else shell assignments, quoted by @sh, for sm-transcribe to eval: the
# effective config (defaults filled in, over-long additional_vocab entries
# dropped) as cfg and its transcription_config as tc, then what the job
# needs from it.  The first of them starts with "cfg=".

# Patterns are anchored by \A and \z, not ^ and $: jq's $ also matches
# before a final newline, gojq's does not, and a value must not end in one.
# Case is folded by ascii_downcase, not the "i" flag (jq's folds Unicode).

# At most 60 characters of a value quoted in a message, control characters
# escaped as JSON does (the message stays one line).
def clip: (if length > 60 then .[0:60] + "..." else . end)
	| gsub("(?<c>[[:cntrl:]])"; "\(.c | tojson | .[1:-1])");
def tn: type | if . == "object" or . == "array" then "an \(.)" elif . == "null" then "null" else "a \(.)" end;
def want($k; $t): if type == $t then empty
	else "\($k): expected \(if $t == "object" or $t == "array" then "an" else "a" end) \($t), got \(tn)" end;
def bool($k): want($k; "boolean");
def str($k): want($k; "string");
def within($k; $lo; $hi): if type != "number" then "\($k): expected a number from \($lo) to \($hi), got \(tn)"
	elif . < $lo or . > $hi then "\($k): \(.) is out of range (\($lo) to \($hi))" else empty end;
def count($k; $lo; $hi): if type != "number" or . != floor then "\($k): expected an integer from \($lo) to \($hi), got \(tn)"
	elif . < $lo or . > $hi then "\($k): \(.) is out of range (\($lo) to \($hi))" else empty end;
def oneof($k; $v): if type != "string" then "\($k): expected one of \($v | join(", ")), got \(tn)"
	elif (. as $x | $v | index([$x])) == null then "\($k): \"\(clip)\" is not one of \($v | join(", "))" else empty end;
def only($k; $allowed): (keys - $allowed) as $u
	| if ($u | length) > 0 then "\($k): unknown key \"\($u[0] | clip)\"" else empty end;
def opt($f; $k; check): if has($f) then (.[$f] | check) else empty end;
def obj($k; check): if type != "object" then want($k; "object") else check end;
# Messages of check name an element as KEY[#]; each fills in the index,
# that of the last [#] of the key (before the first ":", as no key has one).
# (No look-ahead: gojq's regular expressions have none.)
def each($k; check): if type != "array" then want($k; "array")
	else to_entries[] | .key as $i | .value | check
		| sub("\\A(?<a>[^:]*)\\[#\\](?<b>[^:]*):"; "\(.a)[\($i)]\(.b):") end;

def tc_errors: obj("transcription_config";
	only("transcription_config"; ["language", "model", "operating_point", "output_locale",
		"diarization", "channel_diarization_labels", "speaker_diarization_config",
		"additional_vocab", "punctuation_overrides", "enable_entities",
		"transcript_filtering_config", "audio_filtering_config"]),
	(if has("language") | not then "transcription_config.language: missing (e.g. \"en\")"
	 else .language | (str("transcription_config.language"),
		(if type == "string" and (test("\\A[A-Za-z][A-Za-z0-9_-]{0,31}\\z") | not)
		 then "transcription_config.language: \"\(clip)\" is not a language code" else empty end)) end),
	opt("model"; "transcription_config.model"; oneof("transcription_config.model"; ["standard", "enhanced"])),
	opt("operating_point"; "x"; oneof("transcription_config.operating_point"; ["standard", "enhanced"])),
	# The English locales of the original's docs (formatting.mdx); no pack
	# has Mandarin's cmn-Hans and cmn-Hant.
	opt("output_locale"; "x"; oneof("transcription_config.output_locale"; ["en-US", "en-GB", "en-AU"])),
	(if (.output_locale | type) == "string" and (.language | type) == "string"
		and (.output_locale | startswith("en-")) and .language != "en"
	 then "transcription_config.output_locale: \"\(.output_locale)\" is a locale of language \"en\", not \"\(.language | clip)\""
	 else empty end),
	opt("diarization"; "x"; oneof("transcription_config.diarization"; ["none", "speaker", "channel"])),
	opt("channel_diarization_labels"; "x"; each("transcription_config.channel_diarization_labels";
		if type != "string" or (test("\\A[A-Za-z0-9._]+\\z") | not)
		then "transcription_config.channel_diarization_labels[#]: expected a string of letters, digits, \".\" and \"_\""
		else empty end)),
	# one label, one channel: the transcript tells the channels by label
	(if (.channel_diarization_labels | type) == "array"
		and (.channel_diarization_labels | length) != (.channel_diarization_labels | unique | length)
	 then .channel_diarization_labels | to_entries | group_by(.value) | map(select(length > 1))
		| sort_by(.[1].key) | .[0] as $d
		| "transcription_config.channel_diarization_labels[\($d[1].key)]: \"\($d[0].value | tostring | clip)\" names channel \($d[0].key + 1) already"
	 else empty end),
	opt("speaker_diarization_config"; "x"; obj("transcription_config.speaker_diarization_config";
		only("transcription_config.speaker_diarization_config"; ["speaker_sensitivity", "prefer_current_speaker"]),
		opt("speaker_sensitivity"; "x"; within("transcription_config.speaker_diarization_config.speaker_sensitivity"; 0; 1)),
		opt("prefer_current_speaker"; "x"; bool("transcription_config.speaker_diarization_config.prefer_current_speaker")))),
	opt("additional_vocab"; "x";
		if type == "array" and length > 1000
		then "transcription_config.additional_vocab: \(length) entries, at most 1000" else
		each("transcription_config.additional_vocab";
		if type == "string" then empty
		elif type != "object" then "transcription_config.additional_vocab[#]: expected an object or a string, got \(tn)"
		else only("transcription_config.additional_vocab[#]"; ["content", "sounds_like"]),
			(if has("content") | not then "transcription_config.additional_vocab[#].content: missing"
			 else .content | str("transcription_config.additional_vocab[#].content") end),
			opt("sounds_like"; "x"; each("transcription_config.additional_vocab[#].sounds_like";
				str("transcription_config.additional_vocab[#].sounds_like[#]")))
		end) end),
	opt("punctuation_overrides"; "x"; obj("transcription_config.punctuation_overrides";
		only("transcription_config.punctuation_overrides"; ["permitted_marks", "sensitivity"]),
		opt("permitted_marks"; "x"; if . == "all" then empty
			else each("transcription_config.punctuation_overrides.permitted_marks";
				if type != "string" or (length != 1 and . != "all")
				then "transcription_config.punctuation_overrides.permitted_marks[#]: expected one character or \"all\", got \(tojson | clip)"
				else empty end) end),
		opt("sensitivity"; "x"; within("transcription_config.punctuation_overrides.sensitivity"; 0; 1)))),
	opt("enable_entities"; "x"; bool("transcription_config.enable_entities")),
	opt("transcript_filtering_config"; "x"; obj("transcription_config.transcript_filtering_config";
		only("transcription_config.transcript_filtering_config"; ["remove_disfluencies", "replacements"]),
		opt("remove_disfluencies"; "x"; bool("transcription_config.transcript_filtering_config.remove_disfluencies")),
		opt("replacements"; "x"; each("transcription_config.transcript_filtering_config.replacements";
			obj("transcription_config.transcript_filtering_config.replacements[#]";
				only("transcription_config.transcript_filtering_config.replacements[#]"; ["from", "to"]),
				(if (has("from") and has("to")) | not
				 then "transcription_config.transcript_filtering_config.replacements[#]: needs \"from\" and \"to\""
				 else (.from | str("transcription_config.transcript_filtering_config.replacements[#].from"),
					(if type == "string" and (test("\\A/.+/\\z") | not) and (test("\\A[ \t\r\n]*\\z") or test("=") or startswith("/"))
					 then "transcription_config.transcript_filtering_config.replacements[#].from: \"\(clip)\" is not a word, a phrase or a /regex/"
					 elif type == "string" and test("\\A/.+/\\z") and (.[1:-1] | contains("/="))
					 then "transcription_config.transcript_filtering_config.replacements[#].from: \"\(clip)\": a /regex/ cannot hold \"/=\""
					 else empty end)),
					(.to | str("transcription_config.transcript_filtering_config.replacements[#].to"),
					(if type == "string" and (explode | any(. < 32 or (. >= 127 and . < 160) or . == 8232 or . == 8233))
					 then "transcription_config.transcript_filtering_config.replacements[#].to: \"\(clip)\" has a control character (a tab, a newline...)"
					 else empty end)) end)))))),
	opt("audio_filtering_config"; "x"; obj("transcription_config.audio_filtering_config";
		only("transcription_config.audio_filtering_config"; ["volume_threshold"]),
		opt("volume_threshold"; "x"; within("transcription_config.audio_filtering_config.volume_threshold"; 0; 100)))));

def errors:
	if type != "object" then "config: expected a JSON object, got \(tn)" else
	only("config"; ["type", "transcription_config", "fetch_data", "output_config",
		"notification_config", "tracking"]),
	(if has("type") | not then "type: missing (expected \"transcription\")"
	 else .type | (oneof("type"; ["transcription", "alignment"]),
		(if . == "alignment" then "type: \"alignment\" jobs are not supported yet" else empty end)) end),
	(if has("transcription_config") | not then "transcription_config: missing" else .transcription_config | tc_errors end),
	opt("fetch_data"; "x"; obj("fetch_data";
		only("fetch_data"; ["url", "auth_headers"]),
		(if has("url") | not then "fetch_data.url: missing" else .url | str("fetch_data.url") end),
		(if (.url | type) == "string" and (.url | ascii_downcase | test("\\A(file|https?)://") | not)
		 then "fetch_data.url: unsupported URL \"\(.url | clip)\" (use file://, http:// or https://)"
		 else empty end),
		opt("auth_headers"; "x"; each("fetch_data.auth_headers";
			if type != "string" or (test("\\A[!#-'*+.0-9A-Z^_`a-z|~-]+:[^\r\n]*\\z") | not)
			then "fetch_data.auth_headers[#]: expected \"Name: value\"" else empty end)))),
	opt("output_config"; "x"; obj("output_config";
		only("output_config"; ["srt_overrides"]),
		opt("srt_overrides"; "x"; obj("output_config.srt_overrides";
			only("output_config.srt_overrides"; ["max_line_length", "max_lines"]),
			opt("max_line_length"; "x"; count("output_config.srt_overrides.max_line_length"; 1; 1000)),
			opt("max_lines"; "x"; count("output_config.srt_overrides.max_lines"; 1; 100)))))),
	opt("notification_config"; "x"; if type == "object" or type == "array" then empty
		else "notification_config: expected an object or an array, got \(tn)" end),
	opt("tracking"; "x"; want("tracking"; "object"))
	end;

# Over-long additional_vocab entries (more than 6 words, or a word of more
# than 4000 characters) are dropped, not rejected, and so are over-long
# sounds_like spellings of an entry, as the original's documentation says;
# so are entries and spellings of no words (empty or blanks).
# (Split at blanks by explode and split, not by splits, whose time grows
# with the square of the words in jq 1.6: 10000 words took minutes.)
def fits: [explode[] | if . == 9 or . == 10 then 32 else . end] | implode
	| [split(" ")[] | select(length > 0)] | length >= 1 and length <= 6 and all(.[]; length <= 4000);
def vocab_ok: (if type == "string" then . else .content end) | fits;
def vocab_trim: if type == "object" and has("sounds_like")
	then .sounds_like |= map(select(fits)) else . end;

# SM_MAX_BYTES and SM_MAX_SECONDS ($max_bytes, $max_seconds).
def limits:
	($max_bytes | if test("\\A[0-9]{1,19}[KMGkmg]?\\z") and (capture("\\A(?<n>[0-9]+)(?<u>.?)\\z")
		| (.n | tonumber) * {"": 1, k: 1024, m: 1048576, g: 1073741824}[.u | ascii_downcase]
		| . > 0 and . < 18446744073709551616) then empty
	 else "SM_MAX_BYTES: expected a size such as 4G, 500M or 1048576, got \"\(clip)\"" end),
	($max_seconds | if test("\\A[0-9]{1,8}(\\.[0-9]{1,9})?\\z") and (tonumber | . >= 0.001 and . <= 1e7) then empty
	 else "SM_MAX_SECONDS: expected seconds from 0.001 to 10000000, got \"\(clip)\"" end);

[limits] as $l
| if ($l | length) > 0 then "limit\t\($l[0])"
elif length != 1 then "error\tconfig: expected one JSON object, got \(length) JSON values"
else .[0] | [errors] as $e
| if ($e | length) > 0 then "error\t\($e[0])"
  else (.transcription_config.additional_vocab // [] | length) as $nvocab
  | ([.transcription_config.additional_vocab // [] | .[] | select(vocab_ok) | objects
	| .sounds_like // [] | length] | add // 0) as $nsl
  | .transcription_config |= (.diarization //= "none"
	| if has("model") then . else .operating_point //= "standard" end
	| if has("additional_vocab") then .additional_vocab |= map(select(vocab_ok) | vocab_trim) else . end
	# In the forms of the original's API spec (metadata.transcription_config
	# must validate against it): a word as {"content": WORD}, "all" as ["all"].
	| if has("additional_vocab") then .additional_vocab |= map(if type == "string" then {content: .} else . end) else . end
	| if .punctuation_overrides.permitted_marks? == "all" then .punctuation_overrides.permitted_marks = ["all"] else . end)
  # Keys in sorted order, as gojq keeps them whatever jq would do: the
  # same text from either.
  | walk(if type == "object" then to_entries | sort_by(.key) | from_entries else . end)
  | . as $cfg | .transcription_config as $t | (.output_config.srt_overrides // {}) as $s
  | @sh "cfg=\($cfg | tojson)", @sh "tc=\($t | tojson)",
	@sh "lang=\($t.language) diar=\($t.diarization)",
	@sh "url=\(.fetch_data.url // "") nheaders=\(.fetch_data.auth_headers // [] | length)",
	@sh "marks=\($t.punctuation_overrides.permitted_marks // ["all"] | if any(.[]; . == "all") then "" else join("") end)",
	@sh "marks_all=\($t.punctuation_overrides.permitted_marks // ["all"] | any(.[]; . == "all"))",
	@sh "sensitivity=\($t.punctuation_overrides.sensitivity // 0.5)",
	@sh "disfluencies=\($t.transcript_filtering_config.remove_disfluencies // false)",
	@sh "repl=\([$t.transcript_filtering_config.replacements // [] | .[] | "--replace", "\(.from)=\(.to)"] | @sh)",
	@sh "nvocab=\($nvocab) nvocab_in=\($t.additional_vocab // [] | length)",
	@sh "nsl=\($nsl) nsl_in=\([$t.additional_vocab // [] | .[] | .sounds_like // [] | length] | add // 0)",
	# sm-lattice's --vocab list: a line per entry, its content then its
	# sounds_like spellings, tab-separated (tabs and newlines in them blanks)
	@sh "vocab=\([$t.additional_vocab // [] | .[] | [.content] + (.sounds_like // [])
		| map(gsub("[\t\n\r]"; " ")) | join("\t")] | join("\n"))",
	@sh "entities=\($t.enable_entities // false) locale=\($t.output_locale // "")",
	@sh "volume=\(if $t | has("audio_filtering_config") then $t.audio_filtering_config.volume_threshold // 0 else "" end)",
	@sh "notify=\(has("notification_config"))",
	@sh "tracking=\(if has("tracking") then .tracking | tojson else "" end)",
	@sh "srt_len=\($s.max_line_length // 37) srt_lines=\($s.max_lines // 2)",
	# operating_point, else model (the older name of the same choice).
	@sh "opoint=\($t.operating_point // $t.model // "standard")"
  end
end
