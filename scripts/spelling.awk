# The English pack's spelling table (sm-format(1) --locale), derived from
# Debian's word lists; run by scripts/spelling.sh, which sorts the output.
#   usage: awk -f scripts/spelling.awk DICT US GB US-LARGE GB-LARGE
# DICT is the recogniser's pronunciation dictionary (lower-case words, the
# first field of each line, "word(2)" for variants); US and GB are the
# wamerican and wbritish lists, US-LARGE and GB-LARGE wamerican-large's and
# wbritish-large's.  Prints lines TAG TAB KEY TAB WORD, KEY being a
# dictionary word, and counts on stderr:
#   us KEY WORD   en-US writes KEY as WORD (a British spelling made American)
#   gb KEY WORD   en-GB writes KEY as WORD (an American spelling made British)
#   cap KEY WORD  every locale writes KEY as WORD (a name's capitals)
# Capitals, from US and GB: a word listed capitalised in both, lower-case in
# neither, and in one capitalisation only ("Monday"; not "may", "bill",
# "mark", "john", which the lists also hold lower-case; not "co", listed as
# "Co" and "CO"; not a word of up to three capitals that the dictionary
# reads as a word, not letter by letter: "de", "un", not "DE", "UN").  The
# large lists hold rare lower-case senses of common names ("english",
# "berlin", "henry"): they are not used for capitals.
# Pairs, from US-LARGE and GB-LARGE, whose derived forms the smaller lists
# lack ("globalize"): a lower-case American word A in US-LARGE and not in
# GB-LARGE, not a name of the capitals ("pandora"), and a lower-case British
# word B in GB-LARGE that the fewest of the rewrites below (one, else two),
# each at one place, turn A into; A has no other such B, B no other such A.
# en-GB writes A as B; en-US writes B as A unless US-LARGE has B too (it
# lists "cancelled" beside "canceled": en-US leaves it).

BEGIN {
	# The known American -> British rewrites: FROM, TO, what must come
	# before FROM from the start of the word and after it to the end (two
	# extended regular expressions, "" for anything), the American word's
	# least length.
	nrule = 0
	rule("or", "our", "..$", "", 1)	# color colour, favorite favourite
	rule("er", "re", "", "^(s|'s)?$", 1)	# center centre, liters litres
	rule("er", "r", "", "^(ed|ing)$", 1)	# centered centred
	rule("iz", "is", "...$", "", 1)	# organize organise
	rule("yz", "ys", "", "", 1)	# analyze analyse
	rule("ense", "ence", "", "", 1)	# defense defence
	rule("og", "ogue", "", "^(s|'s)?$", 1)	# catalog catalogue
	rule("og", "ogu", "", "^(ed|ing)$", 1)	# cataloged catalogued
	rule("l", "ll", "", "^[aeiouy]", 1)	# canceled cancelled, woolen woollen
	rule("ll", "l", "", "", 1)	# fulfill fulfil, skillful skilful
	rule("e", "ae", "", "^.", 5)	# anemia anaemia, pediatric paediatric
	rule("e", "oe", "", "^.", 5)	# estrogen oestrogen, fetus foetus
	rule("o", "ou", "", "^l[dt]", 1)	# mold mould, molt moult
	rule("ow", "ough", "", "", 1)	# plow plough
	rule("g", "ge", "", "^(ing|ment)", 1)	# aging ageing, judgment judgement
	rule("gram", "gramme", "", "^(s|'s)?$", 1)	# kilogram kilogramme
	rule("sulf", "sulph", "", "", 1)	# sulfur sulphur
	rule("skep", "scep", "", "", 1)	# skeptic sceptic
}

function rule(f, t, b, a, m) {
	nrule++
	before[nrule] = b
	from[nrule] = f
	to[nrule] = t
	after[nrule] = a
	minlen[nrule] = m
}

FILENAME == ARGV[1] {
	w = $1
	if (sub(/\([0-9]+\)$/, "", w) == 0) {
		pron = $0
		sub(/^[^ \t]+[ \t]+/, "", pron)
		first[w] = pron
	}
	dict[w] = 1
	next
}

# Plain ASCII words only: the dictionary has no others.
!/^[A-Za-z][A-Za-z']*$/ { next }
FILENAME == ARGV[2] { us[$0] = 1; next }
FILENAME == ARGV[3] { gb[$0] = 1; next }
FILENAME == ARGV[4] { usl[$0] = 1; next }
FILENAME == ARGV[5] { gbl[$0] = 1; next }

# Every word one rewrite turns w into, as keys of the array out; len is
# the length of the American word it came from.
function rewrite(w, len, out,    k, p, s, rest, off) {
	for (k = 1; k <= nrule; k++) {
		if (len < minlen[k])
			continue
		off = 0
		rest = w
		while ((p = index(rest, from[k])) > 0) {
			if (substr(w, 1, off + p - 1) ~ before[k] &&
			    substr(w, off + p + length(from[k])) ~ after[k])
				out[substr(w, 1, off + p - 1) to[k] \
				    substr(w, off + p + length(from[k]))] = 1
			off += p
			rest = substr(w, off + 1)
		}
	}
}

# Count the British words of cand as counterparts of a; how many there are.
function pair(a, cand,    c, n) {
	for (c in cand)
		if ((c in gbl) && c == tolower(c)) {
			nto[a]++
			gbof[a] = c
			nfrom[c]++
			n++
		}
	return n
}

# Whether an all-capitals word of up to three letters ("DE", "UN") is read
# as a word: the first pronunciation the dictionary gives has fewer vowels
# than the word has letters, which said one by one have a vowel each ("de"
# is D IY, "un" AH N; "tv" is T IY V IY, "ok" OW K EY).
function short_word(l, w,    n, i, ph, v) {
	if (length(w) > 3 || w != toupper(w) || !(l in first))
		return 0
	n = split(first[l], ph, " ")
	v = 0
	for (i = 1; i <= n; i++)
		if (ph[i] ~ /^(AA|AE|AH|AO|AW|AY|EH|ER|EY|IH|IY|OW|OY|UH|UW)$/)
			v++
	return v < length(w)
}

function emit(tag, key, word) {
	if (key in dict) {
		print tag "\t" key "\t" word
		kept[tag]++
	}
}

END {
	# Capitals first: a name is not respelled.
	for (w in us) {
		l = tolower(w)
		if (w != l && (w in gb) && !(l in us) && !(l in gb)) {
			ncap[l]++
			capof[l] = w
		}
	}
	for (l in ncap) {
		if (ncap[l] > 1) {
			capamb++
			continue
		}
		if (short_word(l, capof[l])) {
			capword++
			continue
		}
		caps++
		emit("cap", l, capof[l])
	}
	for (a in usl) {
		if ((a in gbl) || a != tolower(a) || (a in capof))
			continue
		split("", one)
		split("", two)
		rewrite(a, length(a), one)
		if (pair(a, one))
			continue
		for (c in one)
			rewrite(c, length(a), two)
		pair(a, two)
	}
	for (a in nto) {
		b = gbof[a]
		if (nto[a] > 1 || nfrom[b] > 1) {
			ambiguous++
			continue
		}
		pairs++
		emit("gb", a, b)
		if (b in usl)
			gbonly++
		else
			emit("us", b, a)
	}
	printf "spelling.awk: %d pairs (%d en-GB only, %d ambiguous left out), " \
	    "%d capitalised words (%d in two capitalisations and %d short " \
	    "capitals read as words left out); in the dictionary: %d gb, " \
	    "%d us, %d cap\n", pairs, gbonly, ambiguous, caps, capamb, capword,
	    kept["gb"], kept["us"], kept["cap"] > "/dev/stderr"
}
