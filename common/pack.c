/* pack.c: find and read a language pack's pack.conf. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sm.h"

#ifndef SM_MODELS_DIR
#define SM_MODELS_DIR "/usr/local/share/sm/models"
#endif

const char *
sm_models_root(void)
{
	const char *e = getenv("SM_MODELS");

	return (e && *e) ? e : SM_MODELS_DIR;
}

static char *
trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	/* Optional double quotes keep leading or trailing blanks. */
	if (e - s >= 2 && s[0] == '"' && e[-1] == '"') {
		e[-1] = '\0';
		s++;
	}
	return s;
}

/* Resolve a path relative to the pack directory. */
static int
set_path(char *dst, size_t len, const char *dir, const char *val)
{
	int n = val[0] == '/' ? snprintf(dst, len, "%s", val)
			      : snprintf(dst, len, "%s/%s", dir, val);
	return (n < 0 || (size_t)n >= len) ? -1 : 0;
}

void
sm_pack_list(char *buf, size_t len)
{
	const char *root = sm_models_root();
	DIR *d = opendir(root);
	struct dirent *e;
	char conf[4096];
	struct stat st;
	size_t used = strlen(buf);
	int first = 1;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(conf, sizeof conf, "%s/%s/pack.conf", root, e->d_name);
		if (stat(conf, &st) != 0)
			continue;
		used += snprintf(buf + used, used < len ? len - used : 0, "%s%s",
				 first ? "" : ", ", e->d_name);
		if (used >= len)
			break;
		first = 0;
	}
	closedir(d);
}

int
sm_pack_load(struct sm_pack *p, const char *dir, const char *lang,
	     char *err, size_t errlen)
{
	char conf[4200], line[4096];
	FILE *f;
	int lineno = 0;

	memset(p, 0, sizeof *p);
	if (dir == NULL) {
		if (lang == NULL || *lang == '\0')
			lang = "en";
		if (strchr(lang, '/') || strcmp(lang, "..") == 0 || strcmp(lang, ".") == 0) {
			snprintf(err, errlen, "bad language name '%s'", sm_clip(lang));
			return -1;
		}
		snprintf(p->dir, sizeof p->dir, "%s/%s", sm_models_root(), lang);
	} else {
		snprintf(p->dir, sizeof p->dir, "%s", dir);
	}
	snprintf(conf, sizeof conf, "%s/pack.conf", p->dir);
	f = fopen(conf, "r");
	if (f == NULL) {
		if (dir == NULL && errno == ENOENT) {
			char list[512] = "";

			sm_pack_list(list, sizeof list);
			snprintf(err, errlen,
				 "no language pack for '%s' in %s (installed: %s)",
				 sm_clip(lang), sm_models_root(), *list ? list : "none");
		} else {
			snprintf(err, errlen, "%s: %s", conf, strerror(errno));
		}
		return -1;
	}
	p->sample_rate = 16000;
	snprintf(p->word_delimiter, sizeof p->word_delimiter, " ");
	while (fgets(line, sizeof line, f)) {
		char *eq, *key, *val;
		int bad = 0;

		lineno++;
		key = trim(line);
		if (*key == '\0' || *key == '#')
			continue;
		eq = strchr(key, '=');
		if (eq == NULL) {
			snprintf(err, errlen, "%s:%d: expected key = value", conf, lineno);
			fclose(f);
			return -1;
		}
		*eq = '\0';
		val = trim(eq + 1);
		key = trim(key);
		if (strcmp(key, "language") == 0)
			bad = snprintf(p->language, sizeof p->language, "%s", val) >= (int)sizeof p->language;
		else if (strcmp(key, "description") == 0)
			bad = snprintf(p->description, sizeof p->description, "%s", val) >= (int)sizeof p->description;
		else if (strcmp(key, "word_delimiter") == 0)
			bad = snprintf(p->word_delimiter, sizeof p->word_delimiter, "%s", val) >= (int)sizeof p->word_delimiter;
		else if (strcmp(key, "sample_rate") == 0) {
			char *end;
			long v = strtol(val, &end, 10);

			bad = *end != '\0' || v < 8000 || v > 192000;
			p->sample_rate = (unsigned)v;
		} else if (strcmp(key, "hmm") == 0)
			bad = set_path(p->hmm, sizeof p->hmm, p->dir, val);
		else if (strcmp(key, "dict") == 0)
			bad = set_path(p->dict, sizeof p->dict, p->dir, val);
		else if (strcmp(key, "lm") == 0)
			bad = set_path(p->lm, sizeof p->lm, p->dir, val);
		else if (strcmp(key, "image") == 0)
			bad = set_path(p->image, sizeof p->image, p->dir, val);
		else if (strcmp(key, "am_image") == 0)
			bad = set_path(p->am_image, sizeof p->am_image, p->dir, val);
		else if (strcmp(key, "adapt_image") == 0)
			bad = set_path(p->adapt_image, sizeof p->adapt_image, p->dir, val);
		else if (strcmp(key, "lts") == 0)
			bad = set_path(p->lts, sizeof p->lts, p->dir, val);
		else if (strcmp(key, "narrowband") == 0)
			bad = set_path(p->narrowband, sizeof p->narrowband, p->dir, val);
		/* Unknown keys are for other tools; ignore them. */
		if (bad) {
			snprintf(err, errlen, "%s:%d: bad value for %s", conf, lineno, sm_clip(key));
			fclose(f);
			return -1;
		}
	}
	fclose(f);
	if (p->language[0] == '\0' || p->hmm[0] == '\0') {
		snprintf(err, errlen, "%s: needs at least language and hmm", conf);
		return -1;
	}
	return 0;
}

void
sm_pack_load_or_die(struct sm_pack *p, const char *dir, const char *lang)
{
	char err[1024];

	if (sm_pack_load(p, dir, lang, err, sizeof err) != 0)
		sm_die(SM_EX_CONFIG, "%s", err);
}
