/*
 * Unit tests for the audit lines: each line is parsed back with yajl's
 * tree parser and its members are checked one by one.  Fingerprints are
 * checked against the SHA-256 test vector of FIPS 180-2 appendix B.1 and
 * against OpenSSL's SHA256().
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/sha.h>
#include <yajl/yajl_tree.h>

#include "audit.h"

#define TOKEN	"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ4In0.c2ln"

static char		line[AUDIT_LINE_MAX + 1];
static size_t		line_len;

/* A rejection on /bearer with every member set. */
static struct audit_event
event(void)
{
	struct audit_event	ev;

	memset(&ev, 0, sizeof(ev));
	ev.time.tv_sec = 1700000000;		/* 2023-11-14T22:13:20Z */
	ev.time.tv_nsec = 123456789;
	ev.route = "/bearer";
	ev.result = AUDIT_RESULT_REJECTED;
	ev.status = 401;
	ev.reason = "expired";
	ev.subject = "alice";
	ev.subject_len = 5;
	ev.client = "127.0.0.1";
	ev.token = TOKEN;
	ev.token_len = strlen(TOKEN);

	return (ev);
}

/* Formats ev and parses the line back; the caller frees the tree. */
static yajl_val
format_parse(const struct audit_event *ev)
{
	char		err[256];
	yajl_val	tree;

	assert_int_equal(audit_format(ev, line, sizeof(line), &line_len), 0);
	assert_int_equal(line_len, strlen(line));
	assert_null(strchr(line, '\n'));

	tree = yajl_tree_parse(line, err, sizeof(err));
	if (tree == NULL)
		fail_msg("not JSON: %s: %s", err, line);
	assert_true(YAJL_IS_OBJECT(tree));

	return (tree);
}

static yajl_val
member(yajl_val tree, const char *name)
{
	const char	*path[2];

	path[0] = name;
	path[1] = NULL;
	return (yajl_tree_get(tree, path, yajl_t_any));
}

static void
assert_member_string(yajl_val tree, const char *name, const char *want)
{
	yajl_val	v;

	v = member(tree, name);
	if (v == NULL)
		fail_msg("member %s missing: %s", name, line);
	assert_true(YAJL_IS_STRING(v));
	assert_string_equal(YAJL_GET_STRING(v), want);
}

/* The object has exactly the members named, in any order. */
static void
assert_members(yajl_val tree, const char **names, size_t count)
{
	size_t		i;

	assert_int_equal(YAJL_GET_OBJECT(tree)->len, count);
	for (i = 0; i < count; i++) {
		if (member(tree, names[i]) == NULL)
			fail_msg("member %s missing: %s", names[i], line);
	}
}

/* The first 12 hex characters of SHA-256(text), from OpenSSL's SHA256(). */
static void
expected_fingerprint(const char *text, char out[13])
{
	unsigned char	digest[SHA256_DIGEST_LENGTH];
	int		i;

	SHA256((const unsigned char *)text, strlen(text), digest);
	for (i = 0; i < 6; i++)
		(void)snprintf(out + 2 * i, 3, "%02x", digest[i]);
}

static void
audit_rejection_fields(void **state)
{
	struct audit_event	ev;
	yajl_val		tree, status;
	char			fp[13];
	const char		*names[] = { "time", "event", "route",
				    "result", "status", "reason", "subject",
				    "client", "token_fingerprint" };

	(void)state;

	ev = event();
	tree = format_parse(&ev);
	assert_members(tree, names, sizeof(names) / sizeof(names[0]));
	assert_member_string(tree, "time", "2023-11-14T22:13:20.123Z");
	assert_member_string(tree, "event", "auth");
	assert_member_string(tree, "route", "/bearer");
	assert_member_string(tree, "result", "rejected");
	assert_member_string(tree, "reason", "expired");
	assert_member_string(tree, "subject", "alice");
	assert_member_string(tree, "client", "127.0.0.1");

	status = member(tree, "status");
	assert_non_null(status);
	assert_true(YAJL_IS_INTEGER(status));
	assert_int_equal(YAJL_GET_INTEGER(status), 401);

	expected_fingerprint(TOKEN, fp);
	assert_member_string(tree, "token_fingerprint", fp);
	yajl_tree_free(tree);
}

/* Neither the token nor any of its three parts is written. */
static void
audit_no_token(void **state)
{
	struct audit_event	ev;
	yajl_val		tree;

	(void)state;

	ev = event();
	tree = format_parse(&ev);
	assert_null(strstr(line, TOKEN));
	assert_null(strstr(line, "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"));
	assert_null(strstr(line, "eyJzdWIiOiJ4In0"));
	assert_null(strstr(line, "c2ln"));
	yajl_tree_free(tree);
}

/* FIPS 180-2 B.1: SHA-256("abc") = ba7816bf 8f01cfea ... */
static void
audit_fingerprint_vector(void **state)
{
	char	fp[AUDIT_FINGERPRINT_LEN + 1];

	(void)state;

	assert_int_equal(audit_fingerprint("abc", 3, fp), 0);
	assert_string_equal(fp, "ba7816bf8f01");
}

/* A line without a known subject, client or token leaves them out. */
static void
audit_optional_members(void **state)
{
	struct audit_event	ev;
	yajl_val		tree;
	const char		*names[] = { "time", "event", "route",
				    "result", "status", "reason" };

	(void)state;

	ev = event();
	ev.route = "/jwt";
	ev.reason = "bad_credentials";
	ev.subject = NULL;
	ev.client = NULL;
	ev.token = NULL;
	tree = format_parse(&ev);
	assert_members(tree, names, sizeof(names) / sizeof(names[0]));
	assert_member_string(tree, "route", "/jwt");
	assert_member_string(tree, "reason", "bad_credentials");
	yajl_tree_free(tree);
}

static void
audit_issued_ipv6(void **state)
{
	struct audit_event	ev;
	yajl_val		tree;

	(void)state;

	ev = event();
	ev.route = "/jwt";
	ev.result = AUDIT_RESULT_ISSUED;
	ev.status = 200;
	ev.reason = "ok";
	ev.client = "2001:db8::1";
	tree = format_parse(&ev);
	assert_member_string(tree, "result", "issued");
	assert_member_string(tree, "reason", "ok");
	assert_member_string(tree, "client", "2001:db8::1");
	yajl_tree_free(tree);
}

/* Quotes, backslashes and control characters stay inside one line. */
static void
audit_subject_escaped(void **state)
{
	struct audit_event	ev;
	yajl_val		tree;
	const char		*subject = "a\"b\\c\nd\re\x01" "f";

	(void)state;

	ev = event();
	ev.subject = subject;
	ev.subject_len = strlen(subject);
	tree = format_parse(&ev);
	assert_null(strchr(line, '\r'));
	assert_member_string(tree, "subject", subject);
	assert_null(member(tree, "subject_truncated"));
	yajl_tree_free(tree);
}

/* A long subject is cut at a character boundary, and the line says so. */
static void
audit_subject_truncated(void **state)
{
	struct audit_event	ev;
	yajl_val		tree, flag;
	char			subject[301], want[127];
	int			i;

	(void)state;

	/* 100 three-byte characters; 128 bytes would end mid-character. */
	for (i = 0; i < 100; i++)
		memcpy(subject + 3 * i, "\xe2\x82\xac", 3);
	subject[300] = '\0';
	memcpy(want, subject, 126);
	want[126] = '\0';

	ev = event();
	ev.subject = subject;
	ev.subject_len = 300;
	tree = format_parse(&ev);
	assert_member_string(tree, "subject", want);
	flag = member(tree, "subject_truncated");
	assert_non_null(flag);
	assert_true(YAJL_IS_TRUE(flag));
	yajl_tree_free(tree);
}

/* The worst case, every byte escaped as \u00XX, still fits the line. */
static void
audit_subject_worst_case(void **state)
{
	struct audit_event	ev;
	yajl_val		tree;
	char			subject[4096];

	(void)state;

	memset(subject, 0x01, sizeof(subject));
	ev = event();
	ev.subject = subject;
	ev.subject_len = sizeof(subject);
	ev.client = "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255";
	ev.reason = "too_many_header_fields";
	tree = format_parse(&ev);
	assert_true(line_len <= AUDIT_LINE_MAX);
	assert_non_null(member(tree, "subject_truncated"));
	yajl_tree_free(tree);
}

/* A subject that is not UTF-8 is left out; the decision is still logged. */
static void
audit_subject_invalid_utf8(void **state)
{
	struct audit_event	ev;
	yajl_val		tree, flag;

	(void)state;

	ev = event();
	ev.subject = "ab\xff";
	ev.subject_len = 3;
	tree = format_parse(&ev);
	assert_null(member(tree, "subject"));
	flag = member(tree, "subject_invalid");
	assert_non_null(flag);
	assert_true(YAJL_IS_TRUE(flag));
	assert_member_string(tree, "reason", "expired");
	yajl_tree_free(tree);
}

static void
audit_buffer_too_small(void **state)
{
	struct audit_event	ev;
	char			small[64];
	size_t			len;

	(void)state;

	ev = event();
	assert_int_equal(audit_format(&ev, small, sizeof(small), &len), -1);
}

static void
audit_suppressed_line(void **state)
{
	struct timespec		ts;
	char			err[256];
	yajl_val		tree, count;
	const char		*names[] = { "time", "event", "suppressed" };

	(void)state;

	ts.tv_sec = 0;
	ts.tv_nsec = 999999999;
	assert_int_equal(audit_format_suppressed(&ts, 1234, line,
	    sizeof(line), &line_len), 0);
	tree = yajl_tree_parse(line, err, sizeof(err));
	assert_non_null(tree);
	assert_members(tree, names, 3);
	assert_member_string(tree, "time", "1970-01-01T00:00:00.999Z");
	assert_member_string(tree, "event", "audit_suppressed");
	count = member(tree, "suppressed");
	assert_non_null(count);
	assert_true(YAJL_IS_INTEGER(count));
	assert_int_equal(YAJL_GET_INTEGER(count), 1234);
	yajl_tree_free(tree);
}

static void
audit_time_text(void **state)
{
	struct timespec	ts;
	char		out[25];

	(void)state;

	/* 951782400 is 2000-02-29T00:00:00Z, a leap day. */
	ts.tv_sec = 951782400 + 86399;
	ts.tv_nsec = 1000000;
	assert_int_equal(audit_time_format(&ts, out, sizeof(out)), 0);
	assert_string_equal(out, "2000-02-29T23:59:59.001Z");

	assert_int_equal(audit_time_format(&ts, out, 24), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(audit_rejection_fields),
		cmocka_unit_test(audit_no_token),
		cmocka_unit_test(audit_fingerprint_vector),
		cmocka_unit_test(audit_optional_members),
		cmocka_unit_test(audit_issued_ipv6),
		cmocka_unit_test(audit_subject_escaped),
		cmocka_unit_test(audit_subject_truncated),
		cmocka_unit_test(audit_subject_worst_case),
		cmocka_unit_test(audit_subject_invalid_utf8),
		cmocka_unit_test(audit_buffer_too_small),
		cmocka_unit_test(audit_suppressed_line),
		cmocka_unit_test(audit_time_text),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
