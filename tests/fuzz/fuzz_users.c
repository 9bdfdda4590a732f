/*
 * libFuzzer harness for the users file and the encoded password hashes.
 *
 * The input is parsed as a users file.  A file that loads must keep every
 * rule the README states: each name passes userstore_name_check(), each
 * perms list is at most USERSTORE_PERMS_MAX valid perms, lookup finds
 * every user, and each hash encodes back to exactly the text of its line
 * (the parser accepts one spelling of each hash).  A rejected file must
 * come with a one-line message.  The input is also parsed as one encoded
 * hash, with the same round-trip check.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "passhash.h"
#include "userstore.h"

#define FUZZ_CHECK(cond)	do {					\
	if (!(cond))							\
		fuzz_fail(#cond, __LINE__);				\
} while (0)

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void	fuzz_fail(const char *, int) __attribute__((noreturn));
static void	fuzz_file(const char *, size_t);
static void	fuzz_hash(const char *, size_t);
static const char *fuzz_hash_field(const char *, size_t, size_t,
		    size_t *);

static void
fuzz_fail(const char *cond, int line)
{
	fprintf(stderr, "fuzz_users.c:%d: check failed: %s\n", line, cond);
	abort();
}

/*
 * Returns the second ':'-separated field of line number lineno (1-based,
 * LF-separated) of text, and its length in *len.
 */
static const char *
fuzz_hash_field(const char *text, size_t len, size_t lineno, size_t *flen)
{
	const char	*p, *end, *line, *colon, *colon2;
	size_t		n;

	p = text;
	end = text + len;
	for (n = 1; n < lineno; n++) {
		p = memchr(p, '\n', (size_t)(end - p));
		FUZZ_CHECK(p != NULL);
		p++;
	}
	line = p;
	if ((p = memchr(line, '\n', (size_t)(end - line))) == NULL)
		p = end;
	colon = memchr(line, ':', (size_t)(p - line));
	FUZZ_CHECK(colon != NULL);
	colon2 = memchr(colon + 1, ':', (size_t)(p - colon - 1));
	FUZZ_CHECK(colon2 != NULL);

	*flen = (size_t)(colon2 - colon - 1);
	return (colon + 1);
}

static void
fuzz_file(const char *text, size_t len)
{
	struct userstore		st;
	const struct userstore_user	*u, *found;
	const char			*field;
	char				err[256], out[PASSHASH_ENCODED_MAX + 1];
	size_t				i, j, flen;

	memset(&st, 0, sizeof(st));
	err[0] = '\0';
	if (userstore_parse(&st, text, len, err, sizeof(err)) == -1) {
		FUZZ_CHECK(err[0] != '\0');
		FUZZ_CHECK(strchr(err, '\n') == NULL);
		userstore_free(&st);
		return;
	}

	FUZZ_CHECK(st.nusers <= USERSTORE_USERS_MAX);
	for (i = 0; i < st.nusers; i++) {
		u = &st.users[i];
		FUZZ_CHECK(strlen(u->name) == u->name_len);
		FUZZ_CHECK(userstore_name_check(u->name, u->name_len) == NULL);
		FUZZ_CHECK(u->nperms <= USERSTORE_PERMS_MAX);
		for (j = 0; j < u->nperms; j++) {
			FUZZ_CHECK(userstore_perms_check(u->perms[j],
			    strlen(u->perms[j])) == NULL);
		}

		found = userstore_lookup(&st, u->name, u->name_len);
		FUZZ_CHECK(found == u);

		/* Lines end in LF or CRLF; a CR is not part of the hash. */
		FUZZ_CHECK(passhash_encode(&u->hash, out, sizeof(out)) == 0);
		field = fuzz_hash_field(text, len, u->line, &flen);
		FUZZ_CHECK(strlen(out) == flen);
		FUZZ_CHECK(memcmp(out, field, flen) == 0);
	}

	userstore_free(&st);
}

static void
fuzz_hash(const char *text, size_t len)
{
	struct passhash	ph, again;
	char		out[PASSHASH_ENCODED_MAX + 1];

	if (passhash_parse(&ph, text, len) != PASSHASH_OK)
		return;

	FUZZ_CHECK(passhash_params_check(&ph.params) == PASSHASH_OK);
	FUZZ_CHECK(passhash_encode(&ph, out, sizeof(out)) == 0);
	FUZZ_CHECK(strlen(out) == len);
	FUZZ_CHECK(memcmp(out, text, len) == 0);
	FUZZ_CHECK(passhash_parse(&again, out, strlen(out)) == PASSHASH_OK);
	FUZZ_CHECK(memcmp(&again.params, &ph.params, sizeof(ph.params)) == 0);
	FUZZ_CHECK(again.salt_len == ph.salt_len);
	FUZZ_CHECK(memcmp(again.salt, ph.salt, ph.salt_len) == 0);
	FUZZ_CHECK(memcmp(again.hash, ph.hash, sizeof(ph.hash)) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_file((const char *)data, size);
	fuzz_hash((const char *)data, size);
	return (0);
}
