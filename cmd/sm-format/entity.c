/*
 * entity.c: runs of recognised words that say a number, an ordinal, a
 * decimal, an amount of money, a percentage, a date, a time or a telephone
 * number, rewritten as one entity: its class, its written form and the
 * words as spoken (sm-format(1), Entities).
 *
 * Each reading is a small recursive-descent parser over lower-case words;
 * at each word the longest reading wins, ties going to the more specific
 * class (the order of readers[] below).
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "entity.h"

enum locale { LOC_US, LOC_GB, LOC_AU };

/* The words of one run, lower-cased, and the word before it. */
struct cur {
	char **w;
	size_t n;
	const char *prev;
	enum locale loc;
};

/* One reading of the words from a position. */
struct cand {
	const char *cls;
	size_t len;
	char text[160];
};

/* ---- words ---------------------------------------------------------- */

enum kind { W_NONE, W_UNIT, W_TEEN, W_TENS, W_COMPOUND, W_SCALE };

struct wv {
	enum kind kind;
	long long val;
	int ord;	/* "third", "twentieth", "hundredth" */
};

static const char *const units[] = {
	"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"
};
static const char *const units_ord[] = {
	"zeroth", "first", "second", "third", "fourth", "fifth", "sixth",
	"seventh", "eighth", "ninth"
};
static const char *const teens[] = {
	"ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen",
	"seventeen", "eighteen", "nineteen"
};
static const char *const teens_ord[] = {
	"tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth",
	"sixteenth", "seventeenth", "eighteenth", "nineteenth"
};
static const char *const tens[] = {
	"twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"
};
static const char *const tens_ord[] = {
	"twentieth", "thirtieth", "fortieth", "fiftieth", "sixtieth",
	"seventieth", "eightieth", "ninetieth"
};
static const struct {
	const char *name, *ord;
	long long val;
} scales[] = {
	{"hundred", "hundredth", 100}, {"thousand", "thousandth", 1000},
	{"million", "millionth", 1000000}, {"billion", "billionth", 1000000000}
};
static const char *const months[] = {
	"january", "february", "march", "april", "may", "june", "july",
	"august", "september", "october", "november", "december"
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static int
find(const char *const *v, size_t n, const char *w)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i], w) == 0)
			return (int)i;
	return -1;
}

/* A word without a hyphen. */
static struct wv
lookup1(const char *w)
{
	struct wv r = {W_NONE, 0, 0};
	int k;

	for (int ord = 0; ord < 2; ord++) {
		if ((k = find(ord ? units_ord : units, NELEM(units), w)) >= 0)
			return (struct wv){W_UNIT, k, ord};
		if ((k = find(ord ? teens_ord : teens, NELEM(teens), w)) >= 0)
			return (struct wv){W_TEEN, 10 + k, ord};
		if ((k = find(ord ? tens_ord : tens, NELEM(tens), w)) >= 0)
			return (struct wv){W_TENS, 20 + 10 * k, ord};
	}
	for (size_t i = 0; i < NELEM(scales); i++) {
		if (strcmp(w, scales[i].name) == 0)
			return (struct wv){W_SCALE, scales[i].val, 0};
		if (strcmp(w, scales[i].ord) == 0)
			return (struct wv){W_SCALE, scales[i].val, 1};
	}
	return r;
}

/* A word's value; "twenty-five" and "twenty-first" (as the dictionary
 * spells some of them) are one compound word. */
static struct wv
lookup(const char *w)
{
	const char *h = strchr(w, '-');
	char left[16];
	struct wv a, b;

	if (h == NULL)
		return lookup1(w);
	if ((size_t)(h - w) >= sizeof left)
		return (struct wv){W_NONE, 0, 0};
	memcpy(left, w, (size_t)(h - w));
	left[h - w] = '\0';
	a = lookup1(left);
	b = lookup1(h + 1);
	if (a.kind != W_TENS || a.ord || b.kind != W_UNIT || b.val == 0)
		return (struct wv){W_NONE, 0, 0};
	return (struct wv){W_COMPOUND, a.val + b.val, b.ord};
}

static struct wv
word_at(const struct cur *c, size_t i)
{
	return i < c->n ? lookup(c->w[i]) : (struct wv){W_NONE, 0, 0};
}

static int
is(const struct cur *c, size_t i, const char *s)
{
	return i < c->n && strcmp(c->w[i], s) == 0;
}

/* Zero said as the letter: "oh", or "o" as the dictionary also has it. */
static int
is_oh(const struct cur *c, size_t i)
{
	return is(c, i, "oh") || is(c, i, "o");
}

/* A single spoken digit: "zero", "oh", "one" .. "nine"; -1 if not. */
static int
digit_at(const struct cur *c, size_t i)
{
	struct wv v;

	if (is_oh(c, i))
		return 0;
	v = word_at(c, i);
	return v.kind == W_UNIT && !v.ord ? (int)v.val : -1;
}

/* ---- numbers -------------------------------------------------------- */

/* A number below 100: "seven", "twelve", "forty", "forty two",
 * "forty-two", or their ordinals ("forty second"). */
static size_t
p99(const struct cur *c, size_t i, long long *v, int *ord)
{
	struct wv a = word_at(c, i), b;

	*v = a.val;
	*ord = a.ord;
	switch (a.kind) {
	case W_UNIT:
	case W_TEEN:
	case W_COMPOUND:
		return 1;
	case W_TENS:
		b = word_at(c, i + 1);
		if (!a.ord && b.kind == W_UNIT && b.val > 0) {
			*v += b.val;
			*ord = b.ord;
			return 2;
		}
		return 1;
	default:
		return 0;
	}
}

/* "[and] N" after the scale word SCALE, N from 1 to 99 and not itself
 * multiplied by a scale up to SCALE ("two hundred and five hundred" is two
 * numbers; "one hundred and twenty three thousand" one). */
static size_t
p_and(const struct cur *c, size_t i, long long *v, int *ord, long long scale)
{
	size_t a = is(c, i, "and"), k;
	long long t;
	int o;
	struct wv s;

	if ((k = p99(c, i + a, &t, &o)) == 0 || t == 0)
		return 0;
	s = word_at(c, i + a + k);
	if (!o && s.kind == W_SCALE && s.val <= scale)
		return 0;
	*v += t;
	*ord = o;
	return a + k;
}

/* A number below 1000: "five hundred [and] twelve", "a hundred",
 * "nineteen hundred", or below 100. */
static size_t
p999(const struct cur *c, size_t i, long long *v, int *ord, int may_a)
{
	size_t k;
	struct wv s;

	if (may_a && is(c, i, "a") && word_at(c, i + 1).kind == W_SCALE &&
	    word_at(c, i + 1).val == 100) {
		*v = 1;
		*ord = 0;
		k = 1;
	} else if ((k = p99(c, i, v, ord)) == 0 || *ord || *v == 0) {
		return k;
	}
	s = word_at(c, i + k);
	if (s.kind != W_SCALE || s.val != 100)
		return k;
	*v *= 100;
	*ord = s.ord;
	k++;
	if (!s.ord)
		k += p_and(c, i + k, v, ord, 100);
	return k;
}

/* A whole number or ordinal. */
struct num {
	size_t len;
	long long val;
	int ord;
	long long scale;	/* million or billion, when it ends the number */
};

static struct num
pnum(const struct cur *c, size_t i)
{
	struct num r = {0, 0, 0, 0};
	long long last = 2000000000000LL, g;
	size_t k;
	int o;

	for (;;) {
		struct wv s;

		if (r.len == 0 && is(c, i, "a") && word_at(c, i + 1).kind == W_SCALE &&
		    word_at(c, i + 1).val >= 1000) {
			g = 1, o = 0, k = 1;
		} else if ((k = p999(c, i + r.len, &g, &o, r.len == 0)) == 0 ||
			   (r.len > 0 && g == 0)) {
			break;	/* "two thousand zero" is two numbers */
		}
		s = word_at(c, i + r.len + k);
		if (o || s.kind != W_SCALE || s.val < 1000 || s.val >= last || g == 0) {
			r.val += g;
			r.len += k;
			r.ord = o;
			r.scale = 0;
			break;
		}
		r.val += g * s.val;
		r.len += k + 1;
		last = s.val;
		r.scale = s.val >= 1000000 ? s.val : 0;
		if ((r.ord = s.ord) != 0) {
			r.scale = 0;
			break;
		}
		if (is(c, i + r.len, "and")) {
			size_t a = p_and(c, i + r.len, &r.val, &r.ord, last);

			if (a)
				r.scale = 0;
			r.len += a;
			break;
		}
	}
	return r;
}

/* Digits, with a comma between thousands from 10,000 up. */
static void
fmt_int(char *buf, size_t size, long long v)
{
	char d[32];
	size_t n, o = 0;

	n = (size_t)snprintf(d, sizeof d, "%lld", v);
	for (size_t i = 0; i < n && o + 2 < size; i++) {
		if (v >= 10000 && i > 0 && (n - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = d[i];
	}
	buf[o] = '\0';
}

static const char *
ord_suffix(long long v)
{
	if (v % 100 >= 11 && v % 100 <= 13)
		return "th";
	switch (v % 10) {
	case 1: return "st";
	case 2: return "nd";
	case 3: return "rd";
	default: return "th";
	}
}

/* An amount: a whole number or a decimal, written as digits, with a
 * trailing million or billion kept as a word ("2.5 million"). */
struct amount {
	size_t len;
	int decimal;
	long long ival;	/* the whole number, when not decimal */
	char digits[64];
	const char *scale;	/* "million", "billion" or NULL */
};

static const char *
scale_name(long long s)
{
	return s == 1000000 ? "million" : s == 1000000000 ? "billion" : NULL;
}

static struct amount
pamount(const struct cur *c, size_t i)
{
	struct amount a = {0, 0, 0, "", NULL};
	struct num n = pnum(c, i);
	size_t k, o;
	struct wv s;
	int d;

	if (n.len == 0 || n.ord)
		return a;
	a.len = n.len;
	a.ival = n.val;
	if (n.scale && n.val / n.scale < 1000) {
		fmt_int(a.digits, sizeof a.digits, n.val / n.scale);
		a.scale = scale_name(n.scale);
		return a;
	}
	fmt_int(a.digits, sizeof a.digits, n.val);
	if (!is(c, i + n.len, "point") || digit_at(c, i + n.len + 1) < 0)
		return a;
	/* "point" and single digits; a million or billion may follow */
	a.decimal = 1;
	o = strlen(a.digits);
	a.digits[o++] = '.';
	for (k = n.len + 1; (d = digit_at(c, i + k)) >= 0 && o + 1 < sizeof a.digits; k++)
		a.digits[o++] = (char)('0' + d);
	a.digits[o] = '\0';
	a.len = k;
	s = word_at(c, i + k);
	if (s.kind == W_SCALE && !s.ord && scale_name(s.val)) {
		a.scale = scale_name(s.val);
		a.len++;
	}
	return a;
}

static void __attribute__((format(printf, 4, 5)))
set(struct cand *r, const char *cls, size_t len, const char *fmt, ...)
{
	va_list ap;

	r->cls = cls;
	r->len = len;
	va_start(ap, fmt);
	vsnprintf(r->text, sizeof r->text, fmt, ap);
	va_end(ap);
}

/* ---- readers, one per class ------------------------------------------ */

/* A cardinal or an ordinal; the original leaves numbers up to ten as
 * words, and so first to tenth (checked by the caller). */
static int
r_number(const struct cur *c, size_t i, struct cand *r)
{
	struct num n = pnum(c, i);
	struct amount a;
	int minus = is(c, i, "minus");
	char d[48];

	if (minus) {
		a = pamount(c, i + 1);
		if (a.len == 0)
			return 0;
		set(r, a.decimal ? "decimal" : "cardinal", a.len + 1, "-%s%s%s",
		    a.digits, a.scale ? " " : "", a.scale ? a.scale : "");
		return 1;
	}
	if (n.len == 0)
		return 0;
	if (n.ord) {
		fmt_int(d, sizeof d, n.val);
		set(r, "ordinal", n.len, "%s%s", d, ord_suffix(n.val));
		return n.val > 10;
	}
	a = pamount(c, i);
	set(r, a.decimal ? "decimal" : "cardinal", a.len, "%s%s%s", a.digits,
	    a.scale ? " " : "", a.scale ? a.scale : "");
	return a.decimal || a.scale || a.ival > 10;
}

static const struct currency {
	const char *one, *many, *symbol;
	const char *sub_one, *sub_many, *sub_after;	/* 50 cents: "50¢" */
} currencies[] = {
	{"dollar", "dollars", "$", "cent", "cents", "\xc2\xa2"},
	{"pound", "pounds", "\xc2\xa3", "penny", "pence", "p"},
	{"euro", "euros", "\xe2\x82\xac", "cent", "cents", "\xc2\xa2"},
};

static const struct currency *
currency_at(const struct cur *c, size_t i, int sub)
{
	for (size_t k = 0; k < NELEM(currencies); k++) {
		const struct currency *m = &currencies[k];

		if (is(c, i, sub ? m->sub_one : m->one) ||
		    is(c, i, sub ? m->sub_many : m->many))
			return m;
	}
	return NULL;
}

/* Whether w[i] names the hundredth part of M ("cents", "pence"). */
static int
sub_of(const struct cur *c, size_t i, const struct currency *m)
{
	return is(c, i, m->sub_one) || is(c, i, m->sub_many);
}

/* "twenty dollars", "a hundred million dollars", "five pounds fifty",
 * "ten dollars and five cents", "fifty cents". */
static int
r_money(const struct cur *c, size_t i, struct cand *r)
{
	struct amount a = pamount(c, i);
	const struct currency *m;
	long long sub;
	size_t k, a2;
	int o;

	if (a.len == 0)
		return 0;
	if ((m = currency_at(c, i + a.len, 0)) == NULL) {
		if (a.decimal || a.scale || a.ival < 1 || a.ival > 99 ||
		    (m = currency_at(c, i + a.len, 1)) == NULL)
			return 0;
		set(r, "money", a.len + 1, "%s%s", a.digits, m->sub_after);
		return 1;
	}
	k = a.len + 1;
	if (!a.decimal && !a.scale) {
		/* the pence or cents: "and five cents", "fifty" */
		size_t l;

		a2 = is(c, i + k, "and");
		if ((l = p99(c, i + k + a2, &sub, &o)) > 0 && !o && sub > 0) {
			if (sub_of(c, i + k + a2 + l, m)) {
				set(r, "money", k + a2 + l + 1, "%s%s.%02lld", m->symbol,
				    a.digits, sub);
				return 1;
			}
			if (!a2 && sub >= 10 && word_at(c, i + k + l).kind != W_SCALE &&
			    !currency_at(c, i + k + l, 0)) {
				set(r, "money", k + l, "%s%s.%02lld", m->symbol, a.digits, sub);
				return 1;
			}
		}
	}
	set(r, "money", k, "%s%s%s%s", m->symbol, a.digits, a.scale ? " " : "",
	    a.scale ? a.scale : "");
	return 1;
}

/* "twenty five percent", "two point five per cent". */
static int
r_percentage(const struct cur *c, size_t i, struct cand *r)
{
	struct amount a = pamount(c, i);
	size_t k;

	if (a.len == 0 || a.scale)
		return 0;
	if (is(c, i + a.len, "percent"))
		k = 1;
	else if (is(c, i + a.len, "per") && is(c, i + a.len + 1, "cent"))
		k = 2;
	else
		return 0;
	set(r, "percentage", a.len + k, "%s%%", a.digits);
	return 1;
}

/* The minutes of a time: "oh five", "fifteen", "forty five"; -1 if none. */
static long long
minutes(const struct cur *c, size_t i, size_t *len)
{
	long long v;
	int o;

	if (is_oh(c, i) && word_at(c, i + 1).kind == W_UNIT &&
	    !word_at(c, i + 1).ord && word_at(c, i + 1).val > 0) {
		*len = 2;
		return word_at(c, i + 1).val;
	}
	if ((*len = p99(c, i, &v, &o)) == 0 || o || v < 10 || v > 59 ||
	    word_at(c, i + *len).kind == W_SCALE)
		return -1;
	return v;
}

/* "a.m.", "am" or "a m" (and p.m.); returns the words and the mark. */
static size_t
meridiem(const struct cur *c, size_t i, const char **mark)
{
	static const char *const am[] = {"a.m.", "am"}, *const pm[] = {"p.m.", "pm"};

	for (int k = 0; k < 2; k++) {
		if (is(c, i, am[k]) || is(c, i, pm[k])) {
			*mark = is(c, i, am[k]) ? "a.m." : "p.m.";
			return 1;
		}
	}
	if ((is(c, i, "a") || is(c, i, "p")) && is(c, i + 1, "m")) {
		*mark = is(c, i, "a") ? "a.m." : "p.m.";
		return 2;
	}
	return 0;
}

/* "eleven forty a m", "ten o'clock", "seven p.m.", and after "at" a bare
 * "ten thirty". */
static int
r_time(const struct cur *c, size_t i, struct cand *r)
{
	struct wv h = word_at(c, i);
	const char *mark;
	long long mm;
	size_t ml = 0, k;

	if ((h.kind != W_UNIT && h.kind != W_TEEN) || h.ord || h.val < 1 || h.val > 12)
		return 0;
	mm = minutes(c, i + 1, &ml);
	if (mm < 0)
		ml = 0;
	k = meridiem(c, i + 1 + ml, &mark);
	/* "am" alone is also the verb ("which one am i"): a time only with
	 * minutes before it or "at" before the hour. */
	if (k == 1 && mm < 0 && is(c, i + 1, "am") &&
	    !(i == 0 && c->prev && strcmp(c->prev, "at") == 0))
		k = 0;
	if (k > 0) {
		if (mm >= 0)
			set(r, "time", 1 + ml + k, "%lld:%02lld %s", h.val, mm, mark);
		else
			set(r, "time", 1 + k, "%lld %s", h.val, mark);
		return 1;
	}
	if (mm < 0 && is(c, i + 1, "o'clock")) {
		set(r, "time", 2, "%lld o'clock", h.val);
		return 1;
	}
	if (mm >= 0 && i == 0 && c->prev && strcmp(c->prev, "at") == 0) {
		set(r, "time", 1 + ml, "%lld:%02lld", h.val, mm);
		return 1;
	}
	return 0;
}

/* A year: "nineteen ninety nine", "twenty oh five", "twenty twenty two";
 * within a date also "nineteen hundred" and "two thousand and one". */
static size_t
year(const struct cur *c, size_t i, int in_date, long long *y)
{
	struct wv a = word_at(c, i);
	struct num n;
	long long lo;
	size_t k;
	int o;

	if (in_date) {
		n = pnum(c, i);
		if (n.len > 1 && !n.ord && n.val >= 1000 && n.val <= 2999) {
			*y = n.val;
			return n.len;
		}
	}
	if (a.ord || !((a.kind == W_TEEN && a.val >= (in_date ? 10 : 15)) ||
		       (a.kind == W_TENS && a.val == 20)))
		return 0;
	if (is_oh(c, i + 1) && digit_at(c, i + 2) > 0) {
		*y = a.val * 100 + digit_at(c, i + 2);
		return 3;
	}
	if ((k = p99(c, i + 1, &lo, &o)) == 0 || o || lo < 10 ||
	    word_at(c, i + 1 + k).kind == W_SCALE)
		return 0;
	*y = a.val * 100 + lo;
	return 1 + k;
}

/* Whether the word before position i is a subject pronoun, after which
 * "may" and "march" are verbs. */
static int
after_subject(const struct cur *c, size_t i)
{
	static const char *const subj[] = {"i", "you", "he", "she", "it", "we",
		"they", "who", "which", "that", "this", "one", "there", NULL};
	const char *p = i > 0 ? c->w[i - 1] : c->prev;

	for (int k = 0; p && subj[k]; k++)
		if (strcmp(p, subj[k]) == 0)
			return 1;
	return 0;
}

static int
month_at(const struct cur *c, size_t i)
{
	return i < c->n ? find(months, NELEM(months), c->w[i]) : -1;
}

/* A day of the month as an ordinal: "third", "twenty first". */
static size_t
day(const struct cur *c, size_t i, long long *d)
{
	int o;
	size_t k = p99(c, i, d, &o);

	return k && o && *d >= 1 && *d <= 31 ? k : 0;
}

static void
put_date(struct cand *r, const struct cur *c, size_t len, int mon, long long d,
	 long long y)
{
	char name[16], ys[16] = "";

	snprintf(name, sizeof name, "%s", months[mon]);
	name[0] = (char)toupper((unsigned char)name[0]);
	if (y)
		snprintf(ys, sizeof ys, " %lld", y);
	if (d == 0)
		set(r, "date", len, "%s%s", name, ys);
	else if (c->loc == LOC_US)
		set(r, "date", len, "%s %lld%s%s", name, d, ord_suffix(d), ys);
	else
		set(r, "date", len, "%lld%s of %s%s", d, ord_suffix(d), name, ys);
}

/* "may third [twenty twenty two]", "may the third", "[the] third of may
 * [...]", "may nineteen ninety nine", or a year alone.  en-US writes
 * "May 3rd" (taking a spoken "the" before "third of may" with it), en-GB
 * and en-AU "3rd of May". */
static int
r_date(const struct cur *c, size_t i, struct cand *r)
{
	long long d = 0, y = 0;
	size_t k, the, yl;
	int mon;

	if ((mon = month_at(c, i)) >= 0) {
		/* "you may first ...", "they march second": the verbs. */
		if ((is(c, i, "may") || is(c, i, "march")) && after_subject(c, i))
			return 0;
		the = is(c, i + 1, "the");
		if ((k = day(c, i + 1 + the, &d)) > 0) {
			k += 1 + the;
		} else {
			if ((yl = year(c, i + 1, 1, &y)) == 0)
				return 0;
			put_date(r, c, 1 + yl, mon, 0, y);
			return 1;
		}
	} else {
		the = c->loc == LOC_US && is(c, i, "the");
		if ((k = day(c, i + the, &d)) == 0 || !is(c, i + the + k, "of") ||
		    (mon = month_at(c, i + the + k + 1)) < 0) {
			if (the || (yl = year(c, i, 0, &y)) == 0)
				return 0;
			set(r, "date", yl, "%lld", y);
			return 1;
		}
		k += the + 2;
	}
	yl = year(c, i + k, 1, &y);
	put_date(r, c, k + yl, mon, d, y);
	return 1;
}

/* Spoken digits ("five five five ...", "double oh seven"): a telephone
 * number when the locale has one of that length, else an alphanum. */
static int
r_digits(const struct cur *c, size_t i, struct cand *r)
{
	char d[40], g[64];
	size_t n = 0, k = i;
	int x, rep;

	while (n + 3 < sizeof d) {
		rep = is(c, k, "double") ? 2 : is(c, k, "triple") ? 3 : 1;
		if ((x = digit_at(c, k + (rep > 1))) < 0)
			break;
		k += 1 + (rep > 1);
		while (rep--)
			d[n++] = (char)('0' + x);
	}
	d[n] = '\0';
	if (n < 3)
		return 0;
	g[0] = '\0';
	if (c->loc == LOC_US && n == 10)
		snprintf(g, sizeof g, "(%.3s) %.3s-%s", d, d + 3, d + 6);
	else if (c->loc == LOC_US && n == 11 && d[0] == '1')
		snprintf(g, sizeof g, "1 (%.3s) %.3s-%s", d + 1, d + 4, d + 7);
	else if (c->loc == LOC_US && n == 7)
		snprintf(g, sizeof g, "%.3s-%s", d, d + 3);
	else if (c->loc == LOC_GB && n == 11 && d[0] == '0' && d[1] == '2')
		snprintf(g, sizeof g, "%.3s %.4s %s", d, d + 3, d + 7);
	else if (c->loc == LOC_GB && n == 11 && d[0] == '0')
		snprintf(g, sizeof g, "%.5s %s", d, d + 5);
	else if (c->loc == LOC_AU && n == 10 && d[0] == '0' && d[1] == '4')
		snprintf(g, sizeof g, "%.4s %.3s %s", d, d + 4, d + 7);
	else if (c->loc == LOC_AU && n == 10 && d[0] == '0')
		snprintf(g, sizeof g, "%.2s %.4s %s", d, d + 2, d + 6);
	else if (c->loc == LOC_AU && n == 8)
		snprintf(g, sizeof g, "%.4s %s", d, d + 4);
	if (g[0])
		set(r, "telephone", k - i, "%s", g);
	else
		set(r, "alphanum", k - i, "%s", d);
	return 1;
}

/* In order of preference when two readings take as many words. */
static int (*const readers[])(const struct cur *, size_t, struct cand *) = {
	r_date, r_time, r_money, r_percentage, r_digits, r_number
};

/* The best entity starting at w[i]; its length, or 0 for none. */
static size_t
best(const struct cur *c, size_t i, struct cand *out)
{
	struct cand r;
	size_t len = 0;

	for (size_t k = 0; k < NELEM(readers); k++) {
		r.len = 0;
		if (readers[k](c, i, &r) && r.len > len) {
			len = r.len;
			*out = r;
		}
	}
	return len;
}

/* ---- the transcript ------------------------------------------------- */

int
entity_locale_ok(const char *name)
{
	return strcmp(name, "en-US") == 0 || strcmp(name, "en-GB") == 0 ||
	       strcmp(name, "en-AU") == 0;
}

static char *
lower(const char *s)
{
	char *d = sm_xstrdup(s);

	for (char *p = d; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return d;
}

/* The entity item made of the words v[0..n). */
static struct item
make_entity(struct item *v, size_t n, const struct cand *r)
{
	struct entity *e = sm_xcalloc(1, sizeof *e);
	struct item it = v[0];
	char *tok, *copy;

	e->cls = r->cls;
	e->nspoken = n;
	e->spoken = sm_xcalloc(n, sizeof *e->spoken);
	memcpy(e->spoken, v, n * sizeof *v);
	copy = sm_xstrdup(r->text);
	e->written = sm_xcalloc(strlen(copy) + 1, sizeof *e->written);
	for (tok = strtok(copy, " "); tok; tok = strtok(NULL, " "))
		e->written[e->nwritten++] = sm_xstrdup(tok);
	free(copy);
	for (size_t k = 1; k < n; k++)
		if (v[k].confidence < it.confidence)
			it.confidence = v[k].confidence;
	it.end_ms = v[n - 1].end_ms;
	it.gap_ms = v[n - 1].gap_ms;
	it.content = sm_xstrdup(r->text);
	it.entity = e;
	return it;
}

/* Whether a run of words may go on from v[k - 1] to v[k]. */
static int
joins(const struct item *v, size_t k, long pause_ms)
{
	return v[k].type == ITEM_WORD && !v[k].entity && hyp_same_turn(&v[k - 1], &v[k]) &&
	       v[k - 1].gap_ms >= 0 && v[k - 1].gap_ms < pause_ms;
}

void
entity_apply(struct transcript *t, const char *locale, long pause_ms)
{
	struct cur c = {NULL, 0, NULL, LOC_US};
	char **lw = sm_xcalloc(t->n, sizeof *lw);
	size_t i = 0, o = 0, end = 0;

	if (locale && strcmp(locale, "en-GB") == 0)
		c.loc = LOC_GB;
	else if (locale && strcmp(locale, "en-AU") == 0)
		c.loc = LOC_AU;
	for (size_t k = 0; k < t->n; k++)
		lw[k] = lower(t->v[k].content);
	while (i < t->n) {
		struct cand r;
		size_t len = 0;

		if (end <= i)
			for (end = i + 1; end < t->n && joins(t->v, end, pause_ms); end++)
				;
		if (t->v[i].type == ITEM_WORD && !t->v[i].entity) {
			c.w = lw + i;
			c.n = end - i;
			c.prev = i > 0 && t->v[i - 1].type == ITEM_WORD ? lw[i - 1] : NULL;
			len = best(&c, 0, &r);
		}
		if (len > 0) {
			t->v[o++] = make_entity(t->v + i, len, &r);
			i += len;
		} else {
			t->v[o++] = t->v[i++];
		}
	}
	for (size_t k = 0; k < t->n; k++)
		free(lw[k]);
	free(lw);
	t->n = o;
}

/* ---- json-v2 -------------------------------------------------------- */

static void
put_alt(FILE *out, const char *content, double conf, const char *language,
	const char *speaker)
{
	fputs("\"alternatives\": [{\"content\": ", out);
	sm_json_str(out, content);
	fprintf(out, ", \"confidence\": %.2f, \"language\": ", conf);
	sm_json_str(out, language);
	fputs(", \"speaker\": ", out);
	sm_json_str(out, speaker ? speaker : "UU");
	fputs("}]", out);
}

/* A word of an entity's spoken or written form; VOLUME < 0: none. */
static void
put_word(FILE *out, long start, long end, const char *content, double conf,
	 const char *language, const char *speaker, double volume)
{
	fputs("{\"type\": \"word\", \"start_time\": ", out);
	put_time(out, start);
	fputs(", \"end_time\": ", out);
	put_time(out, end);
	if (volume >= 0)
		fprintf(out, ", \"volume\": %.2f", volume);
	fputs(", ", out);
	put_alt(out, content, conf, language, speaker);
	fputs("}", out);
}

void
entity_token_span(const struct item *it, size_t k, long *a, long *b)
{
	long span = it->end_ms - it->start_ms;
	size_t n = it->entity->nwritten;

	*a = it->start_ms + (long)((double)span * k / n + 0.5);
	*b = it->start_ms + (long)((double)span * (k + 1) / n + 0.5);
}

/*
 * The written form's tokens share the entity's time evenly, as the
 * original's do (their times are estimates: "$100 million" is not in the
 * order of "one hundred million dollars").
 */
void
entity_json(FILE *out, const struct item *it, const char *language)
{
	const struct entity *e = it->entity;

	fputs("{", out);
	if (it->channel) {
		fputs("\"channel\": ", out);
		sm_json_str(out, it->channel);
		fputs(", ", out);
	}
	fputs("\"type\": \"entity\", \"start_time\": ", out);
	put_time(out, it->start_ms);
	fputs(", \"end_time\": ", out);
	put_time(out, it->end_ms);
	fputs(", \"entity_class\": ", out);
	sm_json_str(out, e->cls);
	fputs(", ", out);
	put_alt(out, it->content, it->confidence, language, it->speaker);
	fputs(",\n      \"spoken_form\": [", out);
	for (size_t k = 0; k < e->nspoken; k++) {
		const struct item *s = &e->spoken[k];

		fputs(k ? ",\n        " : "\n        ", out);
		put_word(out, s->start_ms, s->end_ms, s->content, s->confidence,
			 language, s->speaker, s->has_volume ? s->volume : -1);
	}
	fputs("],\n      \"written_form\": [", out);
	for (size_t k = 0; k < e->nwritten; k++) {
		long a, b;

		entity_token_span(it, k, &a, &b);
		fputs(k ? ",\n        " : "\n        ", out);
		put_word(out, a, b, e->written[k], it->confidence, language, it->speaker, -1);
	}
	fputs("]}", out);
}
