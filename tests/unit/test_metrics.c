/*
 * Unit tests for the shared decision counters, their Prometheus text
 * rendering (exposition format 0.0.4) and the METRICS_ALLOW address list.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "metrics.h"
#include "token.h"

#define RENDER_SIZE	16384

static char	text[RENDER_SIZE];

static struct metrics *
create(void)
{
	struct metrics	*m;

	m = metrics_create(1700000000);
	assert_non_null(m);
	return (m);
}

static void
render(const struct metrics *m)
{
	size_t		len;

	assert_int_equal(metrics_render(m, text, sizeof(text), &len), 0);
	assert_int_equal(len, strlen(text));
}

/* The rendered text has exactly this line. */
static void
assert_line(const char *want)
{
	const char	*p;
	size_t		n;

	n = strlen(want);
	for (p = text; (p = strstr(p, want)) != NULL; p++) {
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return;
	}
	fail_msg("line not rendered: %s", want);
}

static void
assert_no_line_with(const char *part)
{
	if (strstr(text, part) != NULL)
		fail_msg("rendered unexpectedly: %s", part);
}

static void
metrics_counts_decisions(void **state)
{
	struct metrics	*m;

	(void)state;

	m = create();
	assert_int_equal(metrics_value(m, "/bearer", "expired"), 0);
	assert_int_equal(metrics_count(m, "/bearer", "expired"), 0);
	assert_int_equal(metrics_count(m, "/bearer", "expired"), 0);
	assert_int_equal(metrics_count(m, "/jwt", METRICS_REASON_OK), 0);
	assert_int_equal(metrics_value(m, "/bearer", "expired"), 2);
	assert_int_equal(metrics_value(m, "/jwt", "expired"), 0);
	assert_int_equal(metrics_value(m, "/jwt", METRICS_REASON_OK), 1);
	assert_int_equal(metrics_value(m, "/bearer", METRICS_REASON_OK), 0);
	metrics_destroy(m);
}

/* Routes are a fixed set: another path is not counted at all. */
static void
metrics_unknown_route(void **state)
{
	struct metrics	*m;

	(void)state;

	m = create();
	assert_int_equal(metrics_count(m, "/health", "method"), -1);
	assert_int_equal(metrics_count(m, "/bearer/", "method"), -1);
	render(m);
	assert_no_line_with("/health");
	assert_no_line_with("/bearer/");
	metrics_destroy(m);
}

/* A reason outside the fixed set is counted as "other". */
static void
metrics_unknown_reason(void **state)
{
	struct metrics	*m;

	(void)state;

	m = create();
	render(m);
	assert_no_line_with("reason=\"other\"");

	assert_int_equal(metrics_count(m, "/jwt", "made_up\"reason"), 0);
	assert_int_equal(metrics_value(m, "/jwt", "other"), 1);
	render(m);
	assert_line("jwt_auth_decisions_total{route=\"/jwt\","
	    "result=\"rejected\",reason=\"other\"} 1");
	assert_no_line_with("made_up");
	metrics_destroy(m);
}

/* Every reason token_result_reason() gives has its own counter. */
static void
metrics_token_reasons_known(void **state)
{
	struct metrics	*m;
	int		r;

	(void)state;

	m = create();
	for (r = TOKEN_OK + 1; r <= TOKEN_ERR_INTERNAL; r++) {
		assert_int_equal(metrics_count(m, "/bearer",
		    token_result_reason(r)), 0);
		assert_int_equal(metrics_value(m, "/bearer",
		    token_result_reason(r)), 1);
	}
	assert_int_equal(metrics_value(m, "/bearer", "other"), 0);
	metrics_destroy(m);
}

/*
 * Processes forked after metrics_create() add to the same counters, as
 * Kore's workers do.
 */
static void
metrics_shared_across_fork(void **state)
{
	struct metrics	*m;
	pid_t		pids[4];
	int		i, j, status;

	(void)state;

	m = create();
	for (i = 0; i < 4; i++) {
		pids[i] = fork();
		assert_true(pids[i] != -1);
		if (pids[i] == 0) {
			for (j = 0; j < 10000; j++)
				(void)metrics_count(m, "/bearer", "signature");
			_exit(0);
		}
	}
	for (i = 0; i < 4; i++) {
		assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}

	assert_int_equal(metrics_value(m, "/bearer", "signature"), 40000);
	metrics_destroy(m);
}

static void
metrics_render_format(void **state)
{
	struct metrics	*m;

	(void)state;

	m = create();
	(void)metrics_count(m, "/bearer", "expired");
	(void)metrics_count(m, "/bearer", "expired");
	(void)metrics_count(m, "/bearer", "expired");
	(void)metrics_count(m, "/bearer", METRICS_REASON_OK);
	(void)metrics_count(m, "/jwt", "bad_credentials");
	metrics_count_suppressed(m, 7);
	render(m);

	/* HELP and TYPE come first, once per metric. */
	assert_true(strncmp(text, "# HELP jwt_auth_decisions_total ", 32) == 0);
	assert_line("# TYPE jwt_auth_decisions_total counter");
	assert_line("jwt_auth_decisions_total{route=\"/bearer\","
	    "result=\"rejected\",reason=\"expired\"} 3");
	assert_line("jwt_auth_decisions_total{route=\"/bearer\","
	    "result=\"granted\",reason=\"ok\"} 1");
	assert_line("jwt_auth_decisions_total{route=\"/jwt\","
	    "result=\"issued\",reason=\"ok\"} 0");
	assert_line("jwt_auth_decisions_total{route=\"/jwt\","
	    "result=\"rejected\",reason=\"bad_credentials\"} 1");
	assert_line("# TYPE jwt_audit_lines_suppressed_total counter");
	assert_line("jwt_audit_lines_suppressed_total 7");
	assert_line("# TYPE process_start_time_seconds gauge");
	assert_line("process_start_time_seconds 1700000000");

	/* A reason of the other route shows only once counted there. */
	assert_no_line_with("route=\"/jwt\",result=\"rejected\","
	    "reason=\"expired\"");
	assert_no_line_with("route=\"/bearer\",result=\"rejected\","
	    "reason=\"bad_credentials\"");

	assert_int_equal(text[strlen(text) - 1], '\n');
	metrics_destroy(m);
}

/* Each sample line is name{labels} value, and each name has its TYPE. */
static void
metrics_render_lines(void **state)
{
	struct metrics	*m;
	char		*copy, *line, *save, name[128], type[160];
	size_t		samples;

	(void)state;

	m = create();
	render(m);
	copy = strdup(text);
	assert_non_null(copy);

	samples = 0;
	for (line = strtok_r(copy, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if (line[0] == '#')
			continue;
		samples++;
		assert_int_equal(sscanf(line, "%127[a-z_]", name), 1);
		if (strstr(line, "_total") != NULL)
			assert_non_null(strstr(name, "_total"));
		(void)snprintf(type, sizeof(type), "# TYPE %s ", name);
		if (strstr(text, type) == NULL)
			fail_msg("no TYPE line for %s", name);
		if (strchr(line, '{') != NULL) {
			assert_non_null(strstr(line, "{route=\""));
			assert_non_null(strstr(line, "\",result=\""));
			assert_non_null(strstr(line, "\",reason=\""));
			assert_non_null(strstr(line, "\"} "));
		}
		assert_true(line[strlen(line) - 1] >= '0' &&
		    line[strlen(line) - 1] <= '9');
	}
	/*
	 * /jwt: "ok", the 7 reasons of both routes, its own 5 and the 5 of
	 * the login check.  /bearer: "ok", the same 7, its own 5, the 2 of
	 * the data store and the 19 token reasons.  Then the suppressed
	 * lines and the start time.
	 */
	assert_int_equal(samples,
	    (1 + 7 + 5 + 5) + (1 + 7 + 5 + 2 + 19) + 2);
	free(copy);
	metrics_destroy(m);
}

static void
metrics_render_too_small(void **state)
{
	struct metrics	*m;
	char		small[256];
	size_t		len;

	(void)state;

	m = create();
	assert_int_equal(metrics_render(m, small, sizeof(small), &len), -1);
	metrics_destroy(m);
}

static void
metrics_label_escaping(void **state)
{
	char	out[32];

	(void)state;

	assert_int_equal(metrics_label_escape("/bearer", out, sizeof(out)), 7);
	assert_string_equal(out, "/bearer");
	assert_int_equal(metrics_label_escape("a\"b\\c\nd", out, sizeof(out)),
	    10);
	assert_string_equal(out, "a\\\"b\\\\c\\nd");
	assert_int_equal(metrics_label_escape("abcd", out, 4), -1);
	assert_int_equal(metrics_label_escape("ab\"", out, 4), -1);
	assert_int_equal(metrics_label_escape("ab\"", out, 5), 4);
}

/* Builds a socket address for text, IPv4 or IPv6. */
static struct sockaddr_storage
address(const char *textaddr)
{
	struct sockaddr_storage	 ss;
	struct sockaddr_in	*sin;
	struct sockaddr_in6	*sin6;

	memset(&ss, 0, sizeof(ss));
	sin = (struct sockaddr_in *)&ss;
	sin6 = (struct sockaddr_in6 *)&ss;
	if (inet_pton(AF_INET, textaddr, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
	} else {
		assert_int_equal(inet_pton(AF_INET6, textaddr,
		    &sin6->sin6_addr), 1);
		sin6->sin6_family = AF_INET6;
	}

	return (ss);
}

static int
allowed(const struct metrics_allow *allow, const char *textaddr)
{
	struct sockaddr_storage	ss;

	ss = address(textaddr);
	return (metrics_allow_match(allow, (struct sockaddr *)&ss));
}

static void
metrics_allow_loopback_default(void **state)
{
	struct metrics_allow	allow;

	(void)state;

	metrics_allow_default(&allow);
	assert_true(allowed(&allow, "127.0.0.1"));
	assert_true(allowed(&allow, "127.255.0.2"));
	assert_true(allowed(&allow, "::1"));
	assert_true(allowed(&allow, "::ffff:127.0.0.1"));
	assert_false(allowed(&allow, "128.0.0.1"));
	assert_false(allowed(&allow, "10.0.0.1"));
	assert_false(allowed(&allow, "::2"));
	assert_false(allowed(&allow, "::"));
}

static void
metrics_allow_host(void **state)
{
	struct metrics_allow	allow;
	char			err[256];

	(void)state;

	assert_int_equal(metrics_allow_parse(&allow, "127.0.0.1/32", err,
	    sizeof(err)), 0);
	assert_int_equal(allow.count, 1);
	assert_true(allowed(&allow, "127.0.0.1"));
	assert_false(allowed(&allow, "127.0.0.2"));
	assert_false(allowed(&allow, "::1"));

	assert_int_equal(metrics_allow_parse(&allow, "192.0.2.7", err,
	    sizeof(err)), 0);
	assert_true(allowed(&allow, "192.0.2.7"));
	assert_false(allowed(&allow, "192.0.2.6"));
}

static void
metrics_allow_prefixes(void **state)
{
	struct metrics_allow	allow;
	char			err[256];

	(void)state;

	assert_int_equal(metrics_allow_parse(&allow,
	    "10.0.0.0/8,192.168.16.0/20,2001:db8::/32,fe80::1", err,
	    sizeof(err)), 0);
	assert_int_equal(allow.count, 4);
	assert_true(allowed(&allow, "10.255.1.2"));
	assert_false(allowed(&allow, "11.0.0.0"));
	assert_true(allowed(&allow, "192.168.16.0"));
	assert_true(allowed(&allow, "192.168.31.255"));
	assert_false(allowed(&allow, "192.168.32.0"));
	assert_false(allowed(&allow, "192.168.15.255"));
	assert_true(allowed(&allow, "2001:db8:ffff::1"));
	assert_false(allowed(&allow, "2001:db9::1"));
	assert_true(allowed(&allow, "fe80::1"));
	assert_false(allowed(&allow, "fe80::2"));
	/* An IPv4 client on a dual-stack socket. */
	assert_true(allowed(&allow, "::ffff:10.1.2.3"));
	assert_false(allowed(&allow, "127.0.0.1"));
}

static void
metrics_allow_everything(void **state)
{
	struct metrics_allow	allow;
	char			err[256];

	(void)state;

	assert_int_equal(metrics_allow_parse(&allow, "0.0.0.0/0,::/0", err,
	    sizeof(err)), 0);
	assert_true(allowed(&allow, "203.0.113.9"));
	assert_true(allowed(&allow, "2001:db8::9"));
}

static void
metrics_allow_invalid(void **state)
{
	static const char	*bad[] = {
		"", "localhost", "1.2.3", "10.0.0.1/33", "::1/129",
		"10.0.0.1/", "10.0.0.1/08", "10.0.0.1/-1", "10.0.0.1/+8",
		"10.0.0.1/8x", "10.1.0.0/8", "2001:db8::1/32", "10.0.0.1,",
		",10.0.0.1", "10.0.0.1,,::1", "10.0.0.1, ::1", " 10.0.0.1",
		"10.0.0.1/32/32", "::1/1000", "10.0.0.1 ",
	};
	struct metrics_allow	allow;
	char			err[256];
	size_t			i;

	(void)state;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		if (metrics_allow_parse(&allow, bad[i], err, sizeof(err)) != -1)
			fail_msg("accepted METRICS_ALLOW=\"%s\"", bad[i]);
		if (err[0] == '\0')
			fail_msg("no message for \"%s\"", bad[i]);
	}
}

static void
metrics_allow_too_many(void **state)
{
	struct metrics_allow	allow;
	char			list[METRICS_ALLOW_TEXT_MAX], err[256];
	size_t			len;
	int			i;

	(void)state;

	len = 0;
	for (i = 0; i < METRICS_ALLOW_MAX; i++)
		len += (size_t)snprintf(list + len, sizeof(list) - len,
		    "%s10.0.0.%d", i == 0 ? "" : ",", i);
	assert_int_equal(metrics_allow_parse(&allow, list, err, sizeof(err)),
	    0);
	assert_int_equal(allow.count, METRICS_ALLOW_MAX);
	assert_true(allowed(&allow, "10.0.0.31"));

	(void)snprintf(list + len, sizeof(list) - len, ",10.0.0.99");
	assert_int_equal(metrics_allow_parse(&allow, list, err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "entries"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(metrics_counts_decisions),
		cmocka_unit_test(metrics_unknown_route),
		cmocka_unit_test(metrics_unknown_reason),
		cmocka_unit_test(metrics_token_reasons_known),
		cmocka_unit_test(metrics_shared_across_fork),
		cmocka_unit_test(metrics_render_format),
		cmocka_unit_test(metrics_render_lines),
		cmocka_unit_test(metrics_render_too_small),
		cmocka_unit_test(metrics_label_escaping),
		cmocka_unit_test(metrics_allow_loopback_default),
		cmocka_unit_test(metrics_allow_host),
		cmocka_unit_test(metrics_allow_prefixes),
		cmocka_unit_test(metrics_allow_everything),
		cmocka_unit_test(metrics_allow_invalid),
		cmocka_unit_test(metrics_allow_too_many),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
