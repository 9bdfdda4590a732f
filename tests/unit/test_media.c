/*
 * Unit tests for Content-Type and Accept handling (RFC 9110 sections 8.3
 * and 12.5.1).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>

#include <cmocka.h>

#include "media.h"

static void
media_body_json(void **state)
{
	(void)state;

	assert_int_equal(media_body_type("application/json"), MEDIA_BODY_JSON);
}

static void
media_body_form(void **state)
{
	(void)state;

	assert_int_equal(media_body_type("application/x-www-form-urlencoded"),
	    MEDIA_BODY_FORM);
}

/* RFC 9110 section 8.3.1: type and subtype are case-insensitive. */
static void
media_body_case(void **state)
{
	(void)state;

	assert_int_equal(media_body_type("Application/JSON"), MEDIA_BODY_JSON);
	assert_int_equal(media_body_type("APPLICATION/JSON"), MEDIA_BODY_JSON);
	assert_int_equal(media_body_type("application/X-WWW-Form-Urlencoded"),
	    MEDIA_BODY_FORM);
}

static void
media_body_charset_utf8(void **state)
{
	(void)state;

	assert_int_equal(media_body_type("application/json; charset=utf-8"),
	    MEDIA_BODY_JSON);
	assert_int_equal(media_body_type("application/json;charset=utf-8"),
	    MEDIA_BODY_JSON);
	assert_int_equal(media_body_type(
	    "application/x-www-form-urlencoded; charset=utf-8"),
	    MEDIA_BODY_FORM);
}

/* RFC 9110 section 8.3.2: charset names and parameter names ignore case. */
static void
media_body_charset_case(void **state)
{
	(void)state;

	assert_int_equal(media_body_type("application/json; charset=UTF-8"),
	    MEDIA_BODY_JSON);
	assert_int_equal(media_body_type("application/json; CharSet=Utf-8"),
	    MEDIA_BODY_JSON);
}

/* RFC 9110 section 5.6.6: a quoted value equals the same token. */
static void
media_body_charset_quoted(void **state)
{
	(void)state;

	assert_int_equal(media_body_type("application/json; charset=\"utf-8\""),
	    MEDIA_BODY_JSON);
	assert_int_equal(media_body_type("application/json; charset=\"UTF-8\""),
	    MEDIA_BODY_JSON);
}

/* RFC 9110 section 8.3.1 allows whitespace around the semicolon. */
static void
media_body_charset_ows(void **state)
{
	(void)state;

	assert_int_equal(media_body_type("application/json ; charset=utf-8"),
	    MEDIA_BODY_JSON);
	assert_int_equal(media_body_type("application/json;\tcharset=utf-8"),
	    MEDIA_BODY_JSON);
}

static void
media_body_other_charset(void **state)
{
	(void)state;

	assert_int_equal(media_body_type("application/json; charset=iso-8859-1"),
	    MEDIA_BODY_UNSUPPORTED);
	assert_int_equal(media_body_type("application/json; charset=utf-16"),
	    MEDIA_BODY_UNSUPPORTED);
	assert_int_equal(media_body_type("application/json; charset=utf-8x"),
	    MEDIA_BODY_UNSUPPORTED);
	assert_int_equal(media_body_type(
	    "application/x-www-form-urlencoded; charset=us-ascii"),
	    MEDIA_BODY_UNSUPPORTED);
}

static void
media_body_bad_charset(void **state)
{
	(void)state;

	assert_int_equal(media_body_type("application/json; charset="),
	    MEDIA_BODY_UNSUPPORTED);
	assert_int_equal(media_body_type("application/json; charset=\"utf-8"),
	    MEDIA_BODY_UNSUPPORTED);
	assert_int_equal(media_body_type("application/json; charset"),
	    MEDIA_BODY_UNSUPPORTED);
	assert_int_equal(media_body_type("application/json; charset=utf-8 x"),
	    MEDIA_BODY_UNSUPPORTED);
}

/* The only parameter accepted is charset. */
static void
media_body_extra_param(void **state)
{
	(void)state;

	assert_int_equal(media_body_type("application/json; foo=bar"),
	    MEDIA_BODY_UNSUPPORTED);
	assert_int_equal(media_body_type(
	    "application/json; charset=utf-8; foo=bar"),
	    MEDIA_BODY_UNSUPPORTED);
	assert_int_equal(media_body_type(
	    "application/json; boundary=x; charset=utf-8"),
	    MEDIA_BODY_UNSUPPORTED);
}

static void
media_body_missing(void **state)
{
	(void)state;

	assert_int_equal(media_body_type(NULL), MEDIA_BODY_UNSUPPORTED);
	assert_int_equal(media_body_type(""), MEDIA_BODY_UNSUPPORTED);
}

static void
media_body_near_miss(void **state)
{
	(void)state;

	assert_int_equal(media_body_type("application/jsonx"),
	    MEDIA_BODY_UNSUPPORTED);
	assert_int_equal(media_body_type("application/jso"),
	    MEDIA_BODY_UNSUPPORTED);
	assert_int_equal(media_body_type("application/json-patch+json"),
	    MEDIA_BODY_UNSUPPORTED);
	assert_int_equal(media_body_type("application/x-www-form-urlencodedx"),
	    MEDIA_BODY_UNSUPPORTED);
	assert_int_equal(media_body_type("xapplication/json"),
	    MEDIA_BODY_UNSUPPORTED);
	assert_int_equal(media_body_type("application/json/x"),
	    MEDIA_BODY_UNSUPPORTED);
}

static void
media_body_other_types(void **state)
{
	(void)state;

	assert_int_equal(media_body_type("text/json"), MEDIA_BODY_UNSUPPORTED);
	assert_int_equal(media_body_type("text/plain"), MEDIA_BODY_UNSUPPORTED);
	assert_int_equal(media_body_type("multipart/form-data; boundary=x"),
	    MEDIA_BODY_UNSUPPORTED);
	assert_int_equal(media_body_type("application/*"),
	    MEDIA_BODY_UNSUPPORTED);
	assert_int_equal(media_body_type("*/*"), MEDIA_BODY_UNSUPPORTED);
}

static void
media_body_malformed(void **state)
{
	(void)state;

	assert_int_equal(media_body_type("application"), MEDIA_BODY_UNSUPPORTED);
	assert_int_equal(media_body_type("/json"), MEDIA_BODY_UNSUPPORTED);
	assert_int_equal(media_body_type("application/"),
	    MEDIA_BODY_UNSUPPORTED);
	assert_int_equal(media_body_type("application/json, text/plain"),
	    MEDIA_BODY_UNSUPPORTED);
	assert_int_equal(media_body_type("application/json x"),
	    MEDIA_BODY_UNSUPPORTED);
	assert_int_equal(media_body_type("application /json"),
	    MEDIA_BODY_UNSUPPORTED);
}

/* No Accept header means any type, so neither is preferred. */
static void
media_accept_absent(void **state)
{
	(void)state;

	assert_int_equal(media_prefers_json(NULL), 0);
}

static void
media_accept_any(void **state)
{
	(void)state;

	assert_int_equal(media_prefers_json("*/*"), 0);
}

static void
media_accept_json(void **state)
{
	(void)state;

	assert_int_equal(media_prefers_json("application/json"), 1);
	assert_int_equal(media_prefers_json("Application/JSON"), 1);
}

static void
media_accept_text(void **state)
{
	(void)state;

	assert_int_equal(media_prefers_json("text/plain"), 0);
}

/* Equal quality is no preference. */
static void
media_accept_both_equal(void **state)
{
	(void)state;

	assert_int_equal(media_prefers_json("application/json, text/plain"), 0);
	assert_int_equal(media_prefers_json("text/plain, application/json"), 0);
}

static void
media_accept_q_json_higher(void **state)
{
	(void)state;

	assert_int_equal(media_prefers_json(
	    "application/json, text/plain;q=0.5"), 1);
	assert_int_equal(media_prefers_json(
	    "text/plain;q=0.9, application/json"), 1);
	assert_int_equal(media_prefers_json(
	    "application/json;q=0.001, text/plain;q=0"), 1);
}

static void
media_accept_q_text_higher(void **state)
{
	(void)state;

	assert_int_equal(media_prefers_json(
	    "application/json;q=0.5, text/plain"), 0);
	assert_int_equal(media_prefers_json(
	    "text/plain, application/json;q=0.9"), 0);
}

/* q=0 means "not acceptable" (RFC 9110 section 12.4.2). */
static void
media_accept_q_zero(void **state)
{
	(void)state;

	assert_int_equal(media_prefers_json("application/json;q=0"), 0);
	assert_int_equal(media_prefers_json("application/json;q=0.000"), 0);
}

static void
media_accept_q_forms(void **state)
{
	(void)state;

	assert_int_equal(media_prefers_json("application/json;q=1"), 1);
	assert_int_equal(media_prefers_json("application/json;q=1.000"), 1);
	assert_int_equal(media_prefers_json("application/json; q=0.8"), 1);
	assert_int_equal(media_prefers_json(
	    "application/json;q=0.51, text/plain;q=0.5"), 1);
}

static void
media_accept_application_wildcard(void **state)
{
	(void)state;

	assert_int_equal(media_prefers_json("application/*"), 1);
	assert_int_equal(media_prefers_json(
	    "application/*, text/*;q=0.5"), 1);
}

static void
media_accept_text_wildcard(void **state)
{
	(void)state;

	assert_int_equal(media_prefers_json("text/*"), 0);
	assert_int_equal(media_prefers_json(
	    "text/*, application/json;q=0.5"), 0);
	assert_int_equal(media_prefers_json("text/*, application/*"), 0);
}

/*
 * RFC 9110 section 12.5.1: the most specific range that matches a type
 * gives its quality, whatever the order of the ranges.
 */
static void
media_accept_specific_wins(void **state)
{
	(void)state;

	assert_int_equal(media_prefers_json("application/json;q=0.2, */*"), 0);
	assert_int_equal(media_prefers_json("*/*, application/json;q=0.2"), 0);
	assert_int_equal(media_prefers_json("text/plain;q=0.2, */*"), 1);
	assert_int_equal(media_prefers_json("*/*;q=0.1, application/json"), 1);
	assert_int_equal(media_prefers_json("*/*, text/plain;q=0"), 1);
	assert_int_equal(media_prefers_json(
	    "application/json;q=0, application/*, text/plain;q=0.5"), 0);
	assert_int_equal(media_prefers_json(
	    "text/*;q=0.3, text/plain;q=0.9, application/*;q=0.5"), 0);
}

/* A browser's default Accept prefers text/html, then anything. */
static void
media_accept_browser(void **state)
{
	(void)state;

	assert_int_equal(media_prefers_json("text/html,application/xhtml+xml,"
	    "application/xml;q=0.9,*/*;q=0.8"), 0);
}

/* Other types in the list do not disturb the comparison. */
static void
media_accept_other_types(void **state)
{
	(void)state;

	assert_int_equal(media_prefers_json(
	    "image/png, application/json;q=0.9, text/html"), 1);
	assert_int_equal(media_prefers_json("image/png"), 0);
}

static void
media_accept_bad_qvalue(void **state)
{
	(void)state;

	assert_int_equal(media_prefers_json("application/json;q=2"), 0);
	assert_int_equal(media_prefers_json("application/json;q=1.5"), 0);
	assert_int_equal(media_prefers_json("application/json;q=abc"), 0);
	assert_int_equal(media_prefers_json("application/json;q="), 0);
	assert_int_equal(media_prefers_json("application/json;q=0.1234"), 0);
	assert_int_equal(media_prefers_json("application/json;q=-1"), 0);
}

static void
media_accept_malformed(void **state)
{
	(void)state;

	assert_int_equal(media_prefers_json("application"), 0);
	assert_int_equal(media_prefers_json("application/json, garbage"), 0);
	assert_int_equal(media_prefers_json("/json"), 0);
	assert_int_equal(media_prefers_json("application/"), 0);
	assert_int_equal(media_prefers_json("application/json x"), 0);
	assert_int_equal(media_prefers_json("application/json;q=\"0.5"), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(media_body_json),
		cmocka_unit_test(media_body_form),
		cmocka_unit_test(media_body_case),
		cmocka_unit_test(media_body_charset_utf8),
		cmocka_unit_test(media_body_charset_case),
		cmocka_unit_test(media_body_charset_quoted),
		cmocka_unit_test(media_body_charset_ows),
		cmocka_unit_test(media_body_other_charset),
		cmocka_unit_test(media_body_bad_charset),
		cmocka_unit_test(media_body_extra_param),
		cmocka_unit_test(media_body_missing),
		cmocka_unit_test(media_body_near_miss),
		cmocka_unit_test(media_body_other_types),
		cmocka_unit_test(media_body_malformed),
		cmocka_unit_test(media_accept_absent),
		cmocka_unit_test(media_accept_any),
		cmocka_unit_test(media_accept_json),
		cmocka_unit_test(media_accept_text),
		cmocka_unit_test(media_accept_both_equal),
		cmocka_unit_test(media_accept_q_json_higher),
		cmocka_unit_test(media_accept_q_text_higher),
		cmocka_unit_test(media_accept_q_zero),
		cmocka_unit_test(media_accept_q_forms),
		cmocka_unit_test(media_accept_application_wildcard),
		cmocka_unit_test(media_accept_text_wildcard),
		cmocka_unit_test(media_accept_specific_wins),
		cmocka_unit_test(media_accept_browser),
		cmocka_unit_test(media_accept_other_types),
		cmocka_unit_test(media_accept_bad_qvalue),
		cmocka_unit_test(media_accept_malformed),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
