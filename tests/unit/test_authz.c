/*
 * Unit tests for reading Bearer credentials from an Authorization value
 * (RFC 6750 section 2.1: "Bearer" 1*SP b64token).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>

#include <cmocka.h>

#include "authz.h"

static const char	*token;
static size_t		len;

static enum authz_result
parse(const char *value)
{
	token = NULL;
	len = 0;
	return (authz_bearer_parse(value, &token, &len));
}

/* Asserts that value carries exactly the token want. */
static void
assert_token(const char *value, const char *want)
{
	assert_int_equal(parse(value), AUTHZ_TOKEN);
	assert_non_null(token);
	assert_int_equal(len, strlen(want));
	assert_memory_equal(token, want, len);
}

static void
authz_bearer(void **state)
{
	(void)state;

	assert_token("Bearer abc", "abc");
}

/* The token points into the value; nothing is copied. */
static void
authz_token_in_value(void **state)
{
	const char	*value = "Bearer abc";

	(void)state;

	assert_int_equal(parse(value), AUTHZ_TOKEN);
	assert_ptr_equal(token, value + 7);
}

/* RFC 9110 section 11.1: the scheme is case-insensitive. */
static void
authz_scheme_case(void **state)
{
	(void)state;

	assert_token("bearer abc", "abc");
	assert_token("BEARER abc", "abc");
	assert_token("bEaReR abc", "abc");
}

static void
authz_many_spaces(void **state)
{
	(void)state;

	assert_token("Bearer   abc", "abc");
}

static void
authz_trailing_spaces(void **state)
{
	(void)state;

	assert_token("Bearer abc ", "abc");
	assert_token("Bearer abc    ", "abc");
}

/* Only spaces separate the scheme from the token. */
static void
authz_tab_separator(void **state)
{
	(void)state;

	assert_int_equal(parse("Bearer\tabc"), AUTHZ_MALFORMED);
}

/* Only trailing spaces are ignored. */
static void
authz_trailing_tab(void **state)
{
	(void)state;

	assert_int_equal(parse("Bearer abc\t"), AUTHZ_MALFORMED);
	assert_int_equal(parse("Bearer abc \t"), AUTHZ_MALFORMED);
	assert_int_equal(parse("Bearer abc\r\n"), AUTHZ_MALFORMED);
}

static void
authz_scheme_alone(void **state)
{
	(void)state;

	assert_int_equal(parse("Bearer"), AUTHZ_MALFORMED);
	assert_int_equal(parse("bearer"), AUTHZ_MALFORMED);
}

static void
authz_scheme_space(void **state)
{
	(void)state;

	assert_int_equal(parse("Bearer "), AUTHZ_MALFORMED);
	assert_int_equal(parse("Bearer     "), AUTHZ_MALFORMED);
}

/* "Bearerx" is another scheme, not Bearer with a bad token. */
static void
authz_scheme_longer(void **state)
{
	(void)state;

	assert_int_equal(parse("Bearerx"), AUTHZ_NONE);
	assert_int_equal(parse("Bearerabc def"), AUTHZ_NONE);
	assert_int_equal(parse("Bearer-x abc"), AUTHZ_NONE);
}

static void
authz_scheme_shorter(void **state)
{
	(void)state;

	assert_int_equal(parse("Beare abc"), AUTHZ_NONE);
	assert_int_equal(parse("B"), AUTHZ_NONE);
}

static void
authz_other_scheme(void **state)
{
	(void)state;

	assert_int_equal(parse("Basic dHdpbGlvOmFob3k="), AUTHZ_NONE);
	assert_int_equal(parse("Digest username=\"x\""), AUTHZ_NONE);
}

static void
authz_empty(void **state)
{
	(void)state;

	assert_int_equal(parse(""), AUTHZ_NONE);
}

static void
authz_two_tokens(void **state)
{
	(void)state;

	assert_int_equal(parse("Bearer a b"), AUTHZ_MALFORMED);
}

static void
authz_scheme_twice(void **state)
{
	(void)state;

	assert_int_equal(parse("Bearer Bearer x"), AUTHZ_MALFORMED);
}

/* Two Authorization headers folded into one value (RFC 9110 section 5.3). */
static void
authz_comma_joined(void **state)
{
	(void)state;

	assert_int_equal(parse("Bearer abc, Bearer def"), AUTHZ_MALFORMED);
	assert_int_equal(parse("Bearer abc,Bearer def"), AUTHZ_MALFORMED);
	assert_int_equal(parse("Bearer abc, Basic def"), AUTHZ_MALFORMED);
}

/* Every b64token character of RFC 6750 section 2.1. */
static void
authz_b64token_chars(void **state)
{
	(void)state;

	assert_token("Bearer AZaz09-._~+/", "AZaz09-._~+/");
	assert_token("Bearer ~", "~");
	assert_token("Bearer +", "+");
	assert_token("Bearer /", "/");
}

static void
authz_trailing_equals(void **state)
{
	(void)state;

	assert_token("Bearer abc=", "abc=");
	assert_token("Bearer abc==", "abc==");
	assert_token("Bearer abc== ", "abc==");
}

/* '=' may only end the token, after at least one other character. */
static void
authz_equals_misplaced(void **state)
{
	(void)state;

	assert_int_equal(parse("Bearer ="), AUTHZ_MALFORMED);
	assert_int_equal(parse("Bearer =abc"), AUTHZ_MALFORMED);
	assert_int_equal(parse("Bearer a=b"), AUTHZ_MALFORMED);
}

static void
authz_bad_chars(void **state)
{
	(void)state;

	assert_int_equal(parse("Bearer a\"b"), AUTHZ_MALFORMED);
	assert_int_equal(parse("Bearer a,b"), AUTHZ_MALFORMED);
	assert_int_equal(parse("Bearer a;b"), AUTHZ_MALFORMED);
	assert_int_equal(parse("Bearer a*b"), AUTHZ_MALFORMED);
	assert_int_equal(parse("Bearer a%2Eb"), AUTHZ_MALFORMED);
	assert_int_equal(parse("Bearer \"abc\""), AUTHZ_MALFORMED);
	assert_int_equal(parse("Bearer a\xc3\xa9"), AUTHZ_MALFORMED);
	assert_int_equal(parse("Bearer a\x7f"), AUTHZ_MALFORMED);
}

static void
authz_jwt_shape(void **state)
{
	const char	*jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0."
			    "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
	char		value[256];

	(void)state;

	strcpy(value, "Bearer ");
	strcat(value, jwt);
	assert_token(value, jwt);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(authz_bearer),
		cmocka_unit_test(authz_token_in_value),
		cmocka_unit_test(authz_scheme_case),
		cmocka_unit_test(authz_many_spaces),
		cmocka_unit_test(authz_trailing_spaces),
		cmocka_unit_test(authz_tab_separator),
		cmocka_unit_test(authz_trailing_tab),
		cmocka_unit_test(authz_scheme_alone),
		cmocka_unit_test(authz_scheme_space),
		cmocka_unit_test(authz_scheme_longer),
		cmocka_unit_test(authz_scheme_shorter),
		cmocka_unit_test(authz_other_scheme),
		cmocka_unit_test(authz_empty),
		cmocka_unit_test(authz_two_tokens),
		cmocka_unit_test(authz_scheme_twice),
		cmocka_unit_test(authz_comma_joined),
		cmocka_unit_test(authz_b64token_chars),
		cmocka_unit_test(authz_trailing_equals),
		cmocka_unit_test(authz_equals_misplaced),
		cmocka_unit_test(authz_bad_chars),
		cmocka_unit_test(authz_jwt_shape),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
