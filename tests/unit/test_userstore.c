/*
 * Unit tests for the users file: parsing, every rejection with its line
 * number, lookups, password checks and the atomic rewrite.
 */
#include <sys/stat.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <setjmp.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "userstore.h"

/* 16 bytes of 0x01 as salt and 32 bytes of 0x02 as hash, in base64url. */
#define H	"$scrypt$ln=4,r=8,p=1$AQEBAQEBAQEBAQEBAQEBAQ" \
		"$AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI"
#define HP	"$pbkdf2-sha256$i=1000$AQEBAQEBAQEBAQEBAQEBAQ" \
		"$AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI"

static char	err[256];

static int
setup(void **state)
{
	(void)state;

	return (passhash_init());
}

static int
teardown(void **state)
{
	(void)state;

	passhash_cleanup();
	return (0);
}

static int
parse(struct userstore *st, const char *text)
{
	err[0] = '\0';
	return (userstore_parse(st, text, strlen(text), err, sizeof(err)));
}

/* Checks that text is rejected with exactly the message expect. */
static void
rejects(const char *text, const char *expect)
{
	struct userstore	st;

	if (parse(&st, text) != -1)
		fail_msg("accepted: %s", text);
	assert_string_equal(err, expect);
	assert_null(strstr(err, "AgICAgIC"));
	assert_null(st.users);
}

static const struct userstore_user *
lookup(const struct userstore *st, const char *name)
{
	return (userstore_lookup(st, name, strlen(name)));
}

static void
userstore_good_file(void **state)
{
	struct userstore		st;
	const struct userstore_user	*u;

	(void)state;

	assert_int_equal(parse(&st,
	    "# users\n"
	    "\n"
	    "alice:" H ":read,write\n"
	    "   \n"
	    "bob:" HP ":\n"
	    "# bob has no perms\n"
	    "carol:" H ":read"), 0);
	assert_int_equal(st.nusers, 3);

	u = lookup(&st, "alice");
	assert_non_null(u);
	assert_string_equal(u->name, "alice");
	assert_int_equal(u->name_len, 5);
	assert_int_equal(u->line, 3);
	assert_int_equal(u->nperms, 2);
	assert_string_equal(u->perms[0], "read");
	assert_string_equal(u->perms[1], "write");
	assert_int_equal(u->hash.params.alg, PASSHASH_SCRYPT);
	assert_int_equal(u->hash.params.scrypt_ln, 4);

	u = lookup(&st, "bob");
	assert_non_null(u);
	assert_int_equal(u->line, 5);
	assert_int_equal(u->nperms, 0);
	assert_int_equal(u->hash.params.alg, PASSHASH_PBKDF2_SHA256);
	assert_int_equal(u->hash.params.pbkdf2_iter, 1000);

	u = lookup(&st, "carol");
	assert_non_null(u);
	assert_int_equal(u->line, 7);
	assert_int_equal(u->nperms, 1);
	assert_string_equal(u->perms[0], "read");

	userstore_free(&st);
	assert_null(st.users);
}

static void
userstore_empty_files(void **state)
{
	struct userstore	st;

	(void)state;

	assert_int_equal(parse(&st, ""), 0);
	assert_int_equal(st.nusers, 0);
	assert_null(lookup(&st, "alice"));
	userstore_free(&st);

	assert_int_equal(parse(&st, "# only a comment\n\n\r\n"), 0);
	assert_int_equal(st.nusers, 0);
	userstore_free(&st);
}

static void
userstore_crlf(void **state)
{
	struct userstore		st;
	const struct userstore_user	*u;

	(void)state;

	assert_int_equal(parse(&st,
	    "# comment\r\n\r\nalice:" H ":read,write\r\nbob:" H ":\r\n"), 0);
	assert_int_equal(st.nusers, 2);
	u = lookup(&st, "alice");
	assert_non_null(u);
	assert_int_equal(u->line, 3);
	assert_int_equal(u->nperms, 2);
	assert_string_equal(u->perms[1], "write");
	u = lookup(&st, "bob");
	assert_non_null(u);
	assert_int_equal(u->nperms, 0);
	userstore_free(&st);
}

static void
userstore_lookup_misses(void **state)
{
	struct userstore	st;

	(void)state;

	assert_int_equal(parse(&st, "alice:" H ":\nbob:" H ":\n"), 0);
	assert_null(lookup(&st, "Alice"));
	assert_null(lookup(&st, "alic"));
	assert_null(lookup(&st, "alice "));
	assert_null(lookup(&st, "alicea"));
	assert_null(lookup(&st, ""));
	assert_null(lookup(&st, "carol"));
	assert_null(userstore_lookup(&st, "alice\0", 6));
	assert_non_null(userstore_lookup(&st, "alice\0", 5));
	userstore_free(&st);
}

/* Many users in reverse order: every one is found, and no other name. */
static void
userstore_lookup_many(void **state)
{
	struct userstore		st;
	const struct userstore_user	*u;
	char				*text, name[32];
	size_t				i, off, n = 5000;

	(void)state;

	text = malloc(n * (sizeof(H) + 32));
	assert_non_null(text);
	off = 0;
	for (i = n; i > 0; i--)
		off += (size_t)sprintf(text + off, "user%zu:" H ":p%zu\n", i, i);
	assert_int_equal(userstore_parse(&st, text, off, err, sizeof(err)), 0);
	assert_int_equal(st.nusers, n);

	for (i = 1; i <= n; i++) {
		snprintf(name, sizeof(name), "user%zu", i);
		u = lookup(&st, name);
		assert_non_null(u);
		assert_string_equal(u->name, name);
		assert_int_equal(u->line, n - i + 1);
	}
	assert_null(lookup(&st, "user0"));
	assert_null(lookup(&st, "user5001"));
	assert_null(lookup(&st, "user"));
	userstore_free(&st);
	free(text);
}

static void
userstore_utf8_name(void **state)
{
	struct userstore	st;

	(void)state;

	assert_int_equal(parse(&st, "j\xc3\xb6rg m\xc3\xbcller:" H ":read\n"),
	    0);
	assert_non_null(lookup(&st, "j\xc3\xb6rg m\xc3\xbcller"));
	userstore_free(&st);
}

static void
userstore_limits(void **state)
{
	struct userstore	st;
	char			name[300], line[4096];
	char			perms[2048];
	size_t			i, off;

	(void)state;

	/* A 255-byte name passes, 256 bytes do not. */
	memset(name, 'n', sizeof(name));
	snprintf(line, sizeof(line), "%.*s:" H ":\n", 255, name);
	assert_int_equal(parse(&st, line), 0);
	userstore_free(&st);
	snprintf(line, sizeof(line), "%.*s:" H ":\n", 256, name);
	rejects(line, "line 1: username longer than 255 bytes");

	/* 16 perms of 64 bytes pass; a 17th perm or a 65th byte does not. */
	off = 0;
	for (i = 0; i < 16; i++) {
		off += (size_t)snprintf(perms + off, sizeof(perms) - off,
		    "%s%02zu%.62s", i == 0 ? "" : ",", i,
		    "pppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppp");
	}
	snprintf(line, sizeof(line), "u:" H ":%s\n", perms);
	assert_int_equal(parse(&st, line), 0);
	assert_int_equal(lookup(&st, "u")->nperms, 16);
	assert_int_equal(strlen(lookup(&st, "u")->perms[15]), 64);
	userstore_free(&st);

	snprintf(line, sizeof(line), "u:" H ":%s,x\n", perms);
	rejects(line, "line 1: more than 16 perms");
	snprintf(line, sizeof(line), "u:" H ":read,%.65s\n",
	    "ppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppp");
	rejects(line, "line 1: perm longer than 64 bytes");
}

/* A comment line of 2048 bytes passes, one of 2049 bytes does not. */
static void
userstore_line_too_long(void **state)
{
	struct userstore	st;
	char			*text;
	size_t			prefix;

	(void)state;

	prefix = strlen("ok:" H ":\n");
	text = malloc(prefix + USERSTORE_LINE_MAX + 2);
	assert_non_null(text);
	memcpy(text, "ok:" H ":\n", prefix);
	memset(text + prefix, '#', USERSTORE_LINE_MAX + 1);

	text[prefix + USERSTORE_LINE_MAX] = '\0';
	assert_int_equal(parse(&st, text), 0);
	userstore_free(&st);

	text[prefix + USERSTORE_LINE_MAX] = '#';
	text[prefix + USERSTORE_LINE_MAX + 1] = '\0';
	rejects(text, "line 2: longer than 2048 bytes");
	free(text);
}

static void
userstore_too_many_users(void **state)
{
	struct userstore	st;
	char			*text;
	size_t			i, off;

	(void)state;

	text = malloc((USERSTORE_USERS_MAX + 1) * (sizeof(H) + 16));
	assert_non_null(text);
	off = 0;
	for (i = 0; i < USERSTORE_USERS_MAX; i++)
		off += (size_t)sprintf(text + off, "u%zu:" H ":\n", i);
	assert_int_equal(userstore_parse(&st, text, off, err, sizeof(err)), 0);
	assert_int_equal(st.nusers, USERSTORE_USERS_MAX);
	assert_non_null(lookup(&st, "u99999"));
	userstore_free(&st);

	off += (size_t)sprintf(text + off, "extra:" H ":\n");
	assert_int_equal(userstore_parse(&st, text, off, err, sizeof(err)),
	    -1);
	assert_string_equal(err, "line 100001: more than 100000 users");
	free(text);
}

/* Each bad line, in a file whose earlier lines are fine. */
static void
userstore_rejections(void **state)
{
	static const struct {
		const char	*line;
		const char	*reason;
	} cases[] = {
		{ "alice", "expected username:hash:perms" },
		{ "alice:" H, "expected username:hash:perms" },
		{ "alice:" H ":read:write", "more than three fields" },
		{ ":" H ":read", "empty username" },
		{ "#x:" H ":read\nbad", "expected username:hash:perms" },
		{ "al\x01ice:" H ":read", "username contains a control character" },
		{ "al\tice:" H ":read", "username contains a control character" },
		{ "al\x7f" "ice:" H ":read", "username contains a control character" },
		{ "al\rice:" H ":read", "username contains a control character" },
		{ "al\xc3ice:" H ":read", "username is not valid UTF-8" },
		{ "al\xc0\xafice:" H ":read", "username is not valid UTF-8" },
		{ "al\xed\xa0\x80:" H ":read", "username is not valid UTF-8" },
		{ "alice::read", "malformed password hash" },
		{ "alice:secret:read", "malformed password hash" },
		{ "alice:" "$scrypt$ln=21,r=8,p=1$AQEBAQEBAQEBAQEBAQEBAQ"
		    "$AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI:read",
		    "password hash parameter out of range" },
		{ "alice:" "$scrypt$ln=4,r=8,p=1$AQEB"
		    "$AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI:read",
		    "invalid salt in password hash" },
		{ "alice:" "$scrypt$ln=4,r=8,p=1$AQEBAQEBAQEBAQEBAQEBAQ"
		    "$AgIC:read", "invalid hash in password hash" },
		{ "alice:" H " :read", "invalid hash in password hash" },
		{ "alice: " H ":read", "malformed password hash" },
		{ "alice:" H ":read,", "empty perm" },
		{ "alice:" H ":,read", "empty perm" },
		{ "alice:" H ":read,,write", "empty perm" },
		{ "alice:" H ":read,read", "duplicate perm" },
		{ "alice:" H ":read,write,read", "duplicate perm" },
		{ "alice:" H ":read write",
		    "perm contains a character outside [A-Za-z0-9._-]" },
		{ "alice:" H ":r\xc3\xa9" "ad",
		    "perm contains a character outside [A-Za-z0-9._-]" },
		{ "alice:" H ":read\r\r",
		    "perm contains a character outside [A-Za-z0-9._-]" },
		{ " # indented comment", "expected username:hash:perms" },
		{ "\t", "expected username:hash:perms" },
	};
	char	text[1024], expect[256];
	size_t	i;

	(void)state;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text), "# c\nok:" H ":read\n\n%s\n",
		    cases[i].line);
		snprintf(expect, sizeof(expect), "line %d: %s",
		    strchr(cases[i].line, '\n') != NULL ? 5 : 4,
		    cases[i].reason);
		rejects(text, expect);
	}
}

/* A NUL byte in a line is a control character in any field. */
static void
userstore_nul_byte(void **state)
{
	struct userstore	st;
	static const char	text[] = "ok:" H ":\nal\0ice:" H ":\n";

	(void)state;

	assert_int_equal(userstore_parse(&st, text, sizeof(text) - 1, err,
	    sizeof(err)), -1);
	assert_string_equal(err,
	    "line 2: username contains a control character");
}

static void
userstore_duplicates(void **state)
{
	(void)state;

	rejects("alice:" H ":\nbob:" H ":\nalice:" HP ":read\n",
	    "line 3: duplicate username (first on line 1)");
	rejects("b:" H ":\na:" H ":\nb:" H ":\na:" H ":\n",
	    "line 3: duplicate username (first on line 1)");
	rejects("a:" H ":\nb:" H ":\nb:" H ":\na:" H ":\n",
	    "line 3: duplicate username (first on line 2)");
	/* A bad line is reported before a duplicate that comes earlier. */
	rejects("a:" H ":\na:" H ":\nbad\n", "line 3: expected "
	    "username:hash:perms");
}

/* Names differ by case and by length; all are distinct users. */
static void
userstore_similar_names(void **state)
{
	struct userstore	st;

	(void)state;

	assert_int_equal(parse(&st, "a:" H ":\nA:" H ":\naa:" H ":\n"), 0);
	assert_int_equal(st.nusers, 3);
	assert_int_equal(lookup(&st, "a")->line, 1);
	assert_int_equal(lookup(&st, "A")->line, 2);
	assert_int_equal(lookup(&st, "aa")->line, 3);
	userstore_free(&st);
}

static void
userstore_check_password(void **state)
{
	struct passhash_params		params;
	struct userstore		st;
	const struct userstore_user	*u;
	char				h1[PASSHASH_ENCODED_MAX + 1];
	char				h2[PASSHASH_ENCODED_MAX + 1];
	char				text[1024];

	(void)state;

	passhash_params_default(&params, PASSHASH_SCRYPT);
	params.scrypt_ln = 4;
	assert_int_equal(passhash_create(&params, "pw-alice", 8, h1,
	    sizeof(h1)), 0);
	passhash_params_default(&params, PASSHASH_PBKDF2_SHA256);
	params.pbkdf2_iter = 1000;
	assert_int_equal(passhash_create(&params, "pw-bob", 6, h2,
	    sizeof(h2)), 0);
	snprintf(text, sizeof(text), "alice:%s:read,write\nbob:%s:read\n",
	    h1, h2);
	assert_int_equal(parse(&st, text), 0);

	assert_int_equal(userstore_check(&st, "alice", 5, "pw-alice", 8, &u),
	    1);
	assert_non_null(u);
	assert_string_equal(u->name, "alice");
	assert_int_equal(u->nperms, 2);

	assert_int_equal(userstore_check(&st, "bob", 3, "pw-bob", 6, &u), 1);
	assert_string_equal(u->name, "bob");

	assert_int_equal(userstore_check(&st, "alice", 5, "pw-bob", 6, &u), 0);
	assert_null(u);
	assert_int_equal(userstore_check(&st, "bob", 3, "pw-alice", 8, &u), 0);
	assert_null(u);
	assert_int_equal(userstore_check(&st, "alice", 5, "", 0, &u), 0);
	assert_null(u);

	/* Unknown: the dummy hash at the default parameters is verified. */
	assert_int_equal(userstore_check(&st, "carol", 5, "pw-alice", 8, &u),
	    0);
	assert_null(u);
	userstore_free(&st);
}

static void
userstore_dummy_made(void **state)
{
	struct userstore	a, b;

	(void)state;

	assert_int_equal(parse(&a, ""), 0);
	assert_int_equal(parse(&b, ""), 0);
	assert_int_equal(a.dummy.params.scrypt_ln, PASSHASH_SCRYPT_LN);
	assert_int_equal(a.dummy.params.scrypt_r, PASSHASH_SCRYPT_R);
	assert_int_equal(a.dummy.salt_len, PASSHASH_SALT_LEN);
	assert_memory_not_equal(a.dummy.salt, b.dummy.salt, 16);
	userstore_free(&a);
	userstore_free(&b);
}

static void
userstore_names_and_perms_checks(void **state)
{
	(void)state;

	assert_null(userstore_name_check("alice", 5));
	assert_null(userstore_name_check("a b", 3));
	assert_non_null(userstore_name_check("", 0));
	assert_non_null(userstore_name_check("#a", 2));
	assert_non_null(userstore_name_check("a:b", 3));
	assert_non_null(userstore_name_check("a\nb", 3));

	assert_null(userstore_perms_check("", 0));
	assert_null(userstore_perms_check("read", 4));
	assert_null(userstore_perms_check("a.b_c-D9,x", 10));
	assert_non_null(userstore_perms_check(",", 1));
	assert_non_null(userstore_perms_check("a:b", 3));
}

/* Writes and reads a file in a fresh temporary folder. */
static void
userstore_write_read(void **state)
{
	struct userstore	st;
	struct stat		sb;
	char			dir[] = "/tmp/userstore-test.XXXXXX";
	char			path[128], link[128], *text;
	const char		*data = "alice:" H ":read\n";
	size_t			len;

	(void)state;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/users", dir);
	snprintf(link, sizeof(link), "%s/link", dir);

	/* Created with mode 0600 whatever the umask. */
	umask(022);
	assert_int_equal(userstore_write(path, data, strlen(data)), 0);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0600);
	assert_int_equal(userstore_read(path, &text, &len), 0);
	assert_int_equal(len, strlen(data));
	assert_string_equal(text, data);
	free(text);

	/* A rewrite replaces the contents and brings the mode back to 0600. */
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(userstore_write(path, "", 0), 0);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0600);
	assert_int_equal(sb.st_size, 0);

	assert_int_equal(userstore_write(path, data, strlen(data)), 0);
	assert_int_equal(userstore_load(&st, path, err, sizeof(err)), 0);
	assert_non_null(lookup(&st, "alice"));
	userstore_free(&st);

	/* The writer rejects a symbolic link; the loader follows it. */
	assert_int_equal(symlink(path, link), 0);
	assert_int_equal(userstore_write(link, "", 0), -1);
	assert_int_equal(lstat(link, &sb), 0);
	assert_true(S_ISLNK(sb.st_mode));
	assert_int_equal(userstore_load(&st, link, err, sizeof(err)), 0);
	userstore_free(&st);

	/* A folder, or a missing file, is not loaded. */
	assert_int_equal(userstore_load(&st, dir, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a regular file"));
	assert_int_equal(unlink(link), 0);
	assert_int_equal(userstore_load(&st, link, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "No such file"));

	/* No temporary file is left behind. */
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(userstore_good_file),
		cmocka_unit_test(userstore_empty_files),
		cmocka_unit_test(userstore_crlf),
		cmocka_unit_test(userstore_lookup_misses),
		cmocka_unit_test(userstore_lookup_many),
		cmocka_unit_test(userstore_utf8_name),
		cmocka_unit_test(userstore_limits),
		cmocka_unit_test(userstore_line_too_long),
		cmocka_unit_test(userstore_too_many_users),
		cmocka_unit_test(userstore_rejections),
		cmocka_unit_test(userstore_nul_byte),
		cmocka_unit_test(userstore_duplicates),
		cmocka_unit_test(userstore_similar_names),
		cmocka_unit_test(userstore_check_password),
		cmocka_unit_test(userstore_dummy_made),
		cmocka_unit_test(userstore_names_and_perms_checks),
		cmocka_unit_test(userstore_write_read),
	};

	return (cmocka_run_group_tests(tests, setup, teardown));
}
