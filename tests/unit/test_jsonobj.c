/*
 * Unit tests for the flat JSON object parser.  Each malformation has its
 * own test.  yajl 2.1.0 (Debian 12) alone accepts some inputs that the
 * header rejects, and the comments above those tests name them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "jsonobj.h"

static struct jsonobj	obj;
static char		*arena;

/*
 * Parses len bytes of json into obj with an arena of exactly
 * JSONOBJ_ARENA_LEN(len) bytes, so an overrun shows under a sanitizer.
 */
static int
parse_len(const char *json, size_t len)
{
	free(arena);
	if ((arena = malloc(JSONOBJ_ARENA_LEN(len))) == NULL)
		fail_msg("malloc failed");

	return (jsonobj_parse(&obj, (const uint8_t *)json, len, arena,
	    JSONOBJ_ARENA_LEN(len)));
}

static int
parse(const char *json)
{
	return (parse_len(json, strlen(json)));
}

static int
teardown(void **state)
{
	(void)state;

	free(arena);
	arena = NULL;
	return (0);
}

/* Returns the member called name, failing the test when it is absent. */
static const struct jsonobj_value *
member(const char *name)
{
	const struct jsonobj_member	*m;

	if ((m = jsonobj_get(&obj, name)) == NULL)
		fail_msg("member \"%s\" not found", name);

	return (&m->value);
}

/* Writes an object whose member "a" is nested in extra arrays. */
static void
nested_arrays(char *buf, size_t size, int extra)
{
	int	i;
	size_t	n;

	n = (size_t)snprintf(buf, size, "{\"a\":");
	for (i = 0; i < extra; i++)
		buf[n++] = '[';
	for (i = 0; i < extra; i++)
		buf[n++] = ']';
	buf[n++] = '}';
	buf[n] = '\0';
	assert_true(n < size);
}

/* Writes an object whose member "a" is nested in extra objects. */
static void
nested_objects(char *buf, size_t size, int extra)
{
	int	i;
	size_t	n;

	n = (size_t)snprintf(buf, size, "{");
	for (i = 0; i < extra; i++)
		n += (size_t)snprintf(buf + n, size - n, "\"a\":{");
	n += (size_t)snprintf(buf + n, size - n, "\"b\":1");
	for (i = 0; i <= extra; i++)
		buf[n++] = '}';
	buf[n] = '\0';
	assert_true(n < size);
}

/* Writes {"m0":0,"m1":1,...} with count members. */
static void
many_members(char *buf, size_t size, int count)
{
	int	i;
	size_t	n;

	n = (size_t)snprintf(buf, size, "{");
	for (i = 0; i < count; i++)
		n += (size_t)snprintf(buf + n, size - n, "%s\"m%d\":%d",
		    i ? "," : "", i, i);
	n += (size_t)snprintf(buf + n, size - n, "}");
	assert_true(n < size);
}

/* Writes a JSON array of count numbers into buf. */
static void
number_array(char *buf, size_t size, int count)
{
	int	i;
	size_t	n;

	n = (size_t)snprintf(buf, size, "[");
	for (i = 0; i < count; i++)
		n += (size_t)snprintf(buf + n, size - n, "%s%d",
		    i ? "," : "", i);
	n += (size_t)snprintf(buf + n, size - n, "]");
	assert_true(n < size);
}

static void
jsonobj_each_member_type(void **state)
{
	const struct jsonobj_value	*v;

	(void)state;

	assert_int_equal(parse("{\"n\":null,\"f\":false,\"t\":true,\"i\":42,"
	    "\"d\":-1.5,\"s\":\"str\",\"a\":[1,\"x\",null],"
	    "\"o\":{\"k\":\"v\"}}"), JSONOBJ_OK);
	assert_int_equal(obj.nmembers, 8);

	assert_string_equal(obj.members[0].name, "n");
	assert_int_equal(obj.members[0].name_len, 1);
	assert_int_equal(member("n")->type, JSONOBJ_NULL);
	assert_int_equal(member("f")->type, JSONOBJ_FALSE);
	assert_int_equal(member("t")->type, JSONOBJ_TRUE);

	v = member("i");
	assert_int_equal(v->type, JSONOBJ_NUMBER);
	assert_true(v->num == 42.0);
	assert_int_equal(v->len, 2);
	assert_memory_equal(v->str, "42", 2);

	v = member("d");
	assert_int_equal(v->type, JSONOBJ_NUMBER);
	assert_true(v->num == -1.5);

	v = member("s");
	assert_int_equal(v->type, JSONOBJ_STRING);
	assert_int_equal(v->len, 3);
	assert_string_equal(v->str, "str");

	v = member("a");
	assert_int_equal(v->type, JSONOBJ_ARRAY);
	assert_int_equal(v->count, 3);
	assert_int_equal(obj.elems[v->first].type, JSONOBJ_NUMBER);
	assert_true(obj.elems[v->first].num == 1.0);
	assert_int_equal(obj.elems[v->first + 1].type, JSONOBJ_STRING);
	assert_int_equal(obj.elems[v->first + 1].len, 1);
	assert_string_equal(obj.elems[v->first + 1].str, "x");
	assert_int_equal(obj.elems[v->first + 2].type, JSONOBJ_NULL);

	assert_int_equal(member("o")->type, JSONOBJ_OBJECT);
}

static void
jsonobj_two_arrays(void **state)
{
	const struct jsonobj_value	*a, *b;

	(void)state;

	assert_int_equal(parse("{\"a\":[\"x\",\"y\"],\"e\":[],\"b\":[\"z\"]}"),
	    JSONOBJ_OK);
	a = member("a");
	b = member("b");
	assert_int_equal(a->count, 2);
	assert_int_equal(member("e")->count, 0);
	assert_int_equal(b->count, 1);
	assert_string_equal(obj.elems[a->first].str, "x");
	assert_string_equal(obj.elems[a->first + 1].str, "y");
	assert_string_equal(obj.elems[b->first].str, "z");
}

static void
jsonobj_empty_object(void **state)
{
	(void)state;

	assert_int_equal(parse("{}"), JSONOBJ_OK);
	assert_int_equal(obj.nmembers, 0);
	assert_int_equal(parse(" \t\r\n{ }\n"), JSONOBJ_OK);
	assert_int_equal(obj.nmembers, 0);
}

/* A second parse into the same struct replaces the first one's members. */
static void
jsonobj_reparse_resets(void **state)
{
	(void)state;

	assert_int_equal(parse("{\"a\":[1,2],\"b\":2}"), JSONOBJ_OK);
	assert_int_equal(parse("{\"c\":3}"), JSONOBJ_OK);
	assert_int_equal(obj.nmembers, 1);
	assert_int_equal(obj.nelems, 0);
	assert_null(jsonobj_get(&obj, "a"));
}

static void
jsonobj_top_array(void **state)
{
	(void)state;

	assert_int_equal(parse("[]"), JSONOBJ_ERR_NOT_OBJECT);
	assert_int_equal(parse("[{\"a\":1}]"), JSONOBJ_ERR_NOT_OBJECT);
}

static void
jsonobj_top_null(void **state)
{
	(void)state;

	assert_int_equal(parse("null"), JSONOBJ_ERR_NOT_OBJECT);
}

static void
jsonobj_top_number(void **state)
{
	(void)state;

	assert_int_equal(parse("1"), JSONOBJ_ERR_NOT_OBJECT);
	assert_int_equal(parse("-2.5e3"), JSONOBJ_ERR_NOT_OBJECT);
}

static void
jsonobj_top_string(void **state)
{
	(void)state;

	assert_int_equal(parse("\"{}\""), JSONOBJ_ERR_NOT_OBJECT);
}

static void
jsonobj_top_true(void **state)
{
	(void)state;

	assert_int_equal(parse("true"), JSONOBJ_ERR_NOT_OBJECT);
	assert_int_equal(parse("false"), JSONOBJ_ERR_NOT_OBJECT);
}

static void
jsonobj_trailing_garbage(void **state)
{
	(void)state;

	assert_int_equal(parse("{\"a\":1}x"), JSONOBJ_ERR_SYNTAX);
	assert_int_equal(parse("{\"a\":1}{\"b\":2}"), JSONOBJ_ERR_SYNTAX);
	assert_int_equal(parse("{\"a\":1} 1"), JSONOBJ_ERR_SYNTAX);
	assert_int_equal(parse("{\"a\":1},"), JSONOBJ_ERR_SYNTAX);
}

/* A NUL byte inside len is data, not the end of the input. */
static void
jsonobj_trailing_nul(void **state)
{
	(void)state;

	assert_int_equal(parse_len("{\"a\":1}\0", 8), JSONOBJ_ERR_SYNTAX);
}

static void
jsonobj_comments(void **state)
{
	(void)state;

	assert_int_equal(parse("{/* c */\"a\":1}"), JSONOBJ_ERR_SYNTAX);
	assert_int_equal(parse("{\"a\":1}// c"), JSONOBJ_ERR_SYNTAX);
	assert_int_equal(parse("{\"a\":1 /* c */}"), JSONOBJ_ERR_SYNTAX);
}

static void
jsonobj_truncated(void **state)
{
	(void)state;

	assert_int_equal(parse("{"), JSONOBJ_ERR_SYNTAX);
	assert_int_equal(parse("{\"a"), JSONOBJ_ERR_SYNTAX);
	assert_int_equal(parse("{\"a\""), JSONOBJ_ERR_SYNTAX);
	assert_int_equal(parse("{\"a\":"), JSONOBJ_ERR_SYNTAX);
	assert_int_equal(parse("{\"a\":1"), JSONOBJ_ERR_SYNTAX);
	assert_int_equal(parse("{\"a\":1,"), JSONOBJ_ERR_SYNTAX);
	assert_int_equal(parse("{\"a\":[1,2"), JSONOBJ_ERR_SYNTAX);
	assert_int_equal(parse("{\"a\":\"x"), JSONOBJ_ERR_SYNTAX);
}

static void
jsonobj_empty_input(void **state)
{
	(void)state;

	assert_int_equal(parse(""), JSONOBJ_ERR_SYNTAX);
	assert_int_equal(parse(" \n\t "), JSONOBJ_ERR_SYNTAX);
}

static void
jsonobj_bad_tokens(void **state)
{
	(void)state;

	assert_int_equal(parse("{\"a\":1,}"), JSONOBJ_ERR_SYNTAX);
	assert_int_equal(parse("{\"a\":[1,]}"), JSONOBJ_ERR_SYNTAX);
	assert_int_equal(parse("{'a':1}"), JSONOBJ_ERR_SYNTAX);
	assert_int_equal(parse("{a:1}"), JSONOBJ_ERR_SYNTAX);
	assert_int_equal(parse("{\"a\" 1}"), JSONOBJ_ERR_SYNTAX);
	assert_int_equal(parse("{\"a\":TRUE}"), JSONOBJ_ERR_SYNTAX);
	assert_int_equal(parse("{\"a\":\"\\x41\"}"), JSONOBJ_ERR_SYNTAX);
}

static void
jsonobj_bad_number_syntax(void **state)
{
	(void)state;

	assert_int_equal(parse("{\"a\":01}"), JSONOBJ_ERR_SYNTAX);
	assert_int_equal(parse("{\"a\":1.}"), JSONOBJ_ERR_SYNTAX);
	assert_int_equal(parse("{\"a\":.5}"), JSONOBJ_ERR_SYNTAX);
	assert_int_equal(parse("{\"a\":+1}"), JSONOBJ_ERR_SYNTAX);
	assert_int_equal(parse("{\"a\":1e}"), JSONOBJ_ERR_SYNTAX);
	assert_int_equal(parse("{\"a\":NaN}"), JSONOBJ_ERR_SYNTAX);
	assert_int_equal(parse("{\"a\":Infinity}"), JSONOBJ_ERR_SYNTAX);
	assert_int_equal(parse("{\"a\":0x10}"), JSONOBJ_ERR_SYNTAX);
}

/* RFC 8259 section 7: control characters must be escaped in strings. */
static void
jsonobj_raw_control_char(void **state)
{
	(void)state;

	assert_int_equal(parse("{\"a\":\"x\ty\"}"), JSONOBJ_ERR_SYNTAX);
	assert_int_equal(parse("{\"a\":\"x\ny\"}"), JSONOBJ_ERR_SYNTAX);
	assert_int_equal(parse_len("{\"a\":\"x\0y\"}", 11),
	    JSONOBJ_ERR_SYNTAX);
}

/* yajl rejects this byte itself. */
static void
jsonobj_utf8_invalid_byte(void **state)
{
	(void)state;

	assert_int_equal(parse("{\"a\":\"\xff\"}"), JSONOBJ_ERR_SYNTAX);
	assert_int_equal(parse("{\"a\":\"x\x80\"}"), JSONOBJ_ERR_SYNTAX);
	assert_int_equal(parse("{\"\xfe\":1}"), JSONOBJ_ERR_SYNTAX);
}

static void
jsonobj_utf8_truncated(void **state)
{
	(void)state;

	assert_int_equal(parse("{\"a\":\"\xe2\x82\"}"), JSONOBJ_ERR_SYNTAX);
	assert_int_equal(parse("{\"a\":\"\xc3\"}"), JSONOBJ_ERR_SYNTAX);
}

/*
 * RFC 3629 section 3 forbids overlong forms.  yajl 2.1.0 accepts C0 AF
 * (an overlong '/'), so this must be checked beyond yajl.
 */
static void
jsonobj_utf8_overlong(void **state)
{
	(void)state;

	assert_int_equal(parse("{\"a\":\"\xc0\xaf\"}"), JSONOBJ_ERR_SYNTAX);
	assert_int_equal(parse("{\"a\":\"\xe0\x80\xaf\"}"),
	    JSONOBJ_ERR_SYNTAX);
	assert_int_equal(parse("{\"\xc0\xaf\":1}"), JSONOBJ_ERR_SYNTAX);
}

/*
 * RFC 3629 section 3: U+D800..U+DFFF are not encoded.  yajl 2.1.0
 * accepts the bytes ED A0 80 (U+D800).
 */
static void
jsonobj_utf8_surrogate_bytes(void **state)
{
	(void)state;

	assert_int_equal(parse("{\"a\":\"\xed\xa0\x80\"}"),
	    JSONOBJ_ERR_SYNTAX);
	assert_int_equal(parse("{\"a\":\"\xed\xbf\xbf\"}"),
	    JSONOBJ_ERR_SYNTAX);
}

/* RFC 3629 section 3 ends UTF-8 at U+10FFFF, but yajl 2.1.0 takes F4 90 80 80. */
static void
jsonobj_utf8_above_max(void **state)
{
	(void)state;

	assert_int_equal(parse("{\"a\":\"\xf4\x90\x80\x80\"}"),
	    JSONOBJ_ERR_SYNTAX);
}

static void
jsonobj_utf8_valid(void **state)
{
	const struct jsonobj_value	*v;

	(void)state;

	assert_int_equal(parse("{\"\xc3\xa9\":\"\xe2\x82\xac\xf0\x9f\x98\x80"
	    "\xf4\x8f\xbf\xbf\"}"), JSONOBJ_OK);
	v = member("\xc3\xa9");
	assert_int_equal(v->len, 11);
	assert_memory_equal(v->str, "\xe2\x82\xac\xf0\x9f\x98\x80"
	    "\xf4\x8f\xbf\xbf", 11);
}

static void
jsonobj_surrogate_pair(void **state)
{
	const struct jsonobj_value	*v;

	(void)state;

	assert_int_equal(parse("{\"a\":\"\\ud83d\\ude00\",\"b\":\"\\uD83D\\uDE00\"}"),
	    JSONOBJ_OK);
	v = member("a");
	assert_int_equal(v->len, 4);
	assert_memory_equal(v->str, "\xf0\x9f\x98\x80", 4);
	v = member("b");
	assert_int_equal(v->len, 4);
	assert_memory_equal(v->str, "\xf0\x9f\x98\x80", 4);
}

/*
 * A high surrogate escape with no low one.  yajl 2.1.0 accepts it and
 * passes "?" in its place, so two different texts would decode to the
 * same string.  The header requires valid UTF-8, so it is SYNTAX.
 */
static void
jsonobj_lone_high_surrogate(void **state)
{
	(void)state;

	assert_int_equal(parse("{\"a\":\"\\ud800\"}"), JSONOBJ_ERR_SYNTAX);
	assert_int_equal(parse("{\"a\":\"\\ud800x\"}"), JSONOBJ_ERR_SYNTAX);
	assert_int_equal(parse("{\"\\udbff\":1}"), JSONOBJ_ERR_SYNTAX);
}

/* yajl 2.1.0 passes a lone low surrogate as the bytes ED B0 80. */
static void
jsonobj_lone_low_surrogate(void **state)
{
	(void)state;

	assert_int_equal(parse("{\"a\":\"\\udc00\"}"), JSONOBJ_ERR_SYNTAX);
	assert_int_equal(parse("{\"a\":\"\\udc00\\ud800\"}"),
	    JSONOBJ_ERR_SYNTAX);
}

/*
 * A high surrogate followed by an escape that is not a low surrogate.
 * yajl 2.1.0 combines them anyway (\ud800\u0041 becomes U+10041).
 */
static void
jsonobj_high_then_non_low(void **state)
{
	(void)state;

	assert_int_equal(parse("{\"a\":\"\\ud800\\u0041\"}"),
	    JSONOBJ_ERR_SYNTAX);
	assert_int_equal(parse("{\"a\":\"\\ud800\\ud800\"}"),
	    JSONOBJ_ERR_SYNTAX);
}

static void
jsonobj_duplicate(void **state)
{
	(void)state;

	assert_int_equal(parse("{\"a\":1,\"a\":2}"), JSONOBJ_ERR_DUPLICATE);
	assert_int_equal(parse("{\"a\":1,\"b\":2,\"a\":1}"),
	    JSONOBJ_ERR_DUPLICATE);
	assert_int_equal(parse("{\"a\":null,\"a\":\"x\"}"),
	    JSONOBJ_ERR_DUPLICATE);
	assert_int_equal(parse("{\"a\":[1],\"a\":{}}"), JSONOBJ_ERR_DUPLICATE);
}

/* "a" and "\u0061" are the same name after unescaping, in either order. */
static void
jsonobj_duplicate_escaped(void **state)
{
	(void)state;

	assert_int_equal(parse("{\"a\":1,\"\\u0061\":2}"),
	    JSONOBJ_ERR_DUPLICATE);
	assert_int_equal(parse("{\"\\u0061\":1,\"a\":2}"),
	    JSONOBJ_ERR_DUPLICATE);
	assert_int_equal(parse("{\"\\u0061\":1,\"\\u0061\":2}"),
	    JSONOBJ_ERR_DUPLICATE);
	assert_int_equal(parse("{\"\\/\":1,\"/\":2}"), JSONOBJ_ERR_DUPLICATE);
}

/* Names are compared over their whole length, NUL bytes included. */
static void
jsonobj_names_with_nul_differ(void **state)
{
	(void)state;

	assert_int_equal(parse("{\"a\":1,\"a\\u0000\":2}"), JSONOBJ_OK);
	assert_int_equal(obj.nmembers, 2);
	assert_int_equal(parse("{\"a\\u0000b\":1,\"a\\u0000c\":2}"),
	    JSONOBJ_OK);
	assert_int_equal(obj.nmembers, 2);
}

/* The object itself counts as one level. */
static void
jsonobj_depth_max(void **state)
{
	char	buf[256];

	(void)state;

	nested_arrays(buf, sizeof(buf), JSONOBJ_DEPTH_MAX - 1);
	assert_int_equal(parse(buf), JSONOBJ_OK);
	nested_objects(buf, sizeof(buf), JSONOBJ_DEPTH_MAX - 1);
	assert_int_equal(parse(buf), JSONOBJ_OK);
}

static void
jsonobj_depth_over(void **state)
{
	char	buf[256];

	(void)state;

	nested_arrays(buf, sizeof(buf), JSONOBJ_DEPTH_MAX);
	assert_int_equal(parse(buf), JSONOBJ_ERR_DEPTH);
	nested_objects(buf, sizeof(buf), JSONOBJ_DEPTH_MAX);
	assert_int_equal(parse(buf), JSONOBJ_ERR_DEPTH);
}

static void
jsonobj_members_max(void **state)
{
	char	buf[1024];

	(void)state;

	many_members(buf, sizeof(buf), JSONOBJ_MEMBERS_MAX);
	assert_int_equal(parse(buf), JSONOBJ_OK);
	assert_int_equal(obj.nmembers, JSONOBJ_MEMBERS_MAX);
}

static void
jsonobj_members_over(void **state)
{
	char	buf[1024];

	(void)state;

	many_members(buf, sizeof(buf), JSONOBJ_MEMBERS_MAX + 1);
	assert_int_equal(parse(buf), JSONOBJ_ERR_TOO_MANY);
}

/* Members of nested objects are not recorded, so they are not counted. */
static void
jsonobj_nested_members_free(void **state)
{
	char	inner[1024], buf[1100];

	(void)state;

	many_members(inner, sizeof(inner), JSONOBJ_MEMBERS_MAX + 8);
	snprintf(buf, sizeof(buf), "{\"o\":%s}", inner);
	assert_int_equal(parse(buf), JSONOBJ_OK);
	assert_int_equal(obj.nmembers, 1);
}

static void
jsonobj_elems_max(void **state)
{
	char	arr[512], buf[600];

	(void)state;

	number_array(arr, sizeof(arr), JSONOBJ_ELEMS_MAX);
	snprintf(buf, sizeof(buf), "{\"a\":%s}", arr);
	assert_int_equal(parse(buf), JSONOBJ_OK);
	assert_int_equal(member("a")->count, JSONOBJ_ELEMS_MAX);
}

static void
jsonobj_elems_over(void **state)
{
	char	arr[512], buf[600];

	(void)state;

	number_array(arr, sizeof(arr), JSONOBJ_ELEMS_MAX + 1);
	snprintf(buf, sizeof(buf), "{\"a\":%s}", arr);
	assert_int_equal(parse(buf), JSONOBJ_ERR_TOO_MANY);
}

/* The element limit is shared by all top-level arrays. */
static void
jsonobj_elems_shared(void **state)
{
	char	a[512], b[512], buf[1100];

	(void)state;

	number_array(a, sizeof(a), JSONOBJ_ELEMS_MAX / 2);
	number_array(b, sizeof(b), JSONOBJ_ELEMS_MAX / 2);
	snprintf(buf, sizeof(buf), "{\"a\":%s,\"b\":%s}", a, b);
	assert_int_equal(parse(buf), JSONOBJ_OK);

	number_array(b, sizeof(b), JSONOBJ_ELEMS_MAX / 2 + 1);
	snprintf(buf, sizeof(buf), "{\"a\":%s,\"b\":%s}", a, b);
	assert_int_equal(parse(buf), JSONOBJ_ERR_TOO_MANY);
}

/* Elements of nested arrays are not recorded, so they are not counted. */
static void
jsonobj_nested_elems_free(void **state)
{
	char	arr[512], buf[600];

	(void)state;

	number_array(arr, sizeof(arr), JSONOBJ_ELEMS_MAX + 8);
	snprintf(buf, sizeof(buf), "{\"a\":[%s]}", arr);
	assert_int_equal(parse(buf), JSONOBJ_OK);
	assert_int_equal(member("a")->count, 1);
	assert_int_equal(obj.elems[member("a")->first].type, JSONOBJ_ARRAY);
}

static void
jsonobj_number_fraction(void **state)
{
	const struct jsonobj_value	*v;

	(void)state;

	assert_int_equal(parse("{\"a\":0.5,\"b\":1700000000.25}"), JSONOBJ_OK);
	assert_true(member("a")->num == 0.5);
	v = member("b");
	assert_true(v->num == 1700000000.25);
	assert_int_equal(v->len, 13);
	assert_string_equal(v->str, "1700000000.25");
}

static void
jsonobj_number_exponent(void **state)
{
	const struct jsonobj_value	*v;

	(void)state;

	assert_int_equal(parse("{\"a\":1.5e3,\"b\":1E+2,\"c\":25e-1}"),
	    JSONOBJ_OK);
	v = member("a");
	assert_true(v->num == 1500.0);
	assert_string_equal(v->str, "1.5e3");
	assert_true(member("b")->num == 100.0);
	assert_true(member("c")->num == 2.5);
}

static void
jsonobj_number_overflow(void **state)
{
	(void)state;

	assert_int_equal(parse("{\"a\":1e400}"), JSONOBJ_ERR_NUMBER);
	assert_int_equal(parse("{\"a\":-1e400}"), JSONOBJ_ERR_NUMBER);
	assert_int_equal(parse("{\"a\":[1,1e400]}"), JSONOBJ_ERR_NUMBER);
}

static void
jsonobj_number_minus_zero(void **state)
{
	const struct jsonobj_value	*v;

	(void)state;

	assert_int_equal(parse("{\"a\":-0}"), JSONOBJ_OK);
	v = member("a");
	assert_int_equal(v->type, JSONOBJ_NUMBER);
	assert_true(v->num == 0.0);
	assert_int_equal(v->len, 2);
	assert_string_equal(v->str, "-0");
}

/* An integer beyond 64 bits is still a finite double. */
static void
jsonobj_number_big_integer(void **state)
{
	(void)state;

	assert_int_equal(parse("{\"a\":99999999999999999999}"), JSONOBJ_OK);
	assert_true(member("a")->num == 1e20);
}

/* Number texts of up to 63 characters are read; longer ones rejected. */
static void
jsonobj_number_long_text(void **state)
{
	char	buf[128];

	(void)state;

	snprintf(buf, sizeof(buf), "{\"a\":1%062d}", 0);
	assert_int_equal(parse(buf), JSONOBJ_OK);
	assert_true(member("a")->num == 1e62);
	assert_int_equal(member("a")->len, 63);

	snprintf(buf, sizeof(buf), "{\"a\":1%063d}", 0);
	assert_int_equal(parse(buf), JSONOBJ_ERR_NUMBER);
}

static void
jsonobj_string_escapes(void **state)
{
	const struct jsonobj_value	*v;

	(void)state;

	assert_int_equal(parse("{\"s\":\"a\\\"b\\\\c\\/d\\n\\t\\u00e9\"}"),
	    JSONOBJ_OK);
	v = member("s");
	assert_int_equal(v->len, 11);
	assert_memory_equal(v->str, "a\"b\\c/d\n\t\xc3\xa9", 11);
	assert_int_equal(jsonobj_is_text(v), 1);
}

static void
jsonobj_string_nul_kept(void **state)
{
	const struct jsonobj_value	*v;

	(void)state;

	assert_int_equal(parse("{\"s\":\"a\\u0000b\"}"), JSONOBJ_OK);
	v = member("s");
	assert_int_equal(v->type, JSONOBJ_STRING);
	assert_int_equal(v->len, 3);
	assert_memory_equal(v->str, "a\0b", 3);
	assert_int_equal(jsonobj_is_text(v), 0);
}

static void
jsonobj_string_nul_at_end(void **state)
{
	const struct jsonobj_value	*v;

	(void)state;

	assert_int_equal(parse("{\"s\":\"ab\\u0000\"}"), JSONOBJ_OK);
	v = member("s");
	assert_int_equal(v->len, 3);
	assert_int_equal(jsonobj_is_text(v), 0);
}

static void
jsonobj_is_text_cases(void **state)
{
	(void)state;

	assert_int_equal(parse("{\"s\":\"abc\",\"e\":\"\",\"n\":1,"
	    "\"z\":null,\"a\":[\"x\"]}"), JSONOBJ_OK);
	assert_int_equal(jsonobj_is_text(member("s")), 1);
	assert_int_equal(jsonobj_is_text(member("e")), 1);
	assert_int_equal(jsonobj_is_text(member("n")), 0);
	assert_int_equal(jsonobj_is_text(member("z")), 0);
	assert_int_equal(jsonobj_is_text(member("a")), 0);
}

static void
jsonobj_get_exact_name(void **state)
{
	(void)state;

	assert_int_equal(parse("{\"exp\":1,\"iat\":2}"), JSONOBJ_OK);
	assert_non_null(jsonobj_get(&obj, "exp"));
	assert_null(jsonobj_get(&obj, "ex"));
	assert_null(jsonobj_get(&obj, "e"));
	assert_null(jsonobj_get(&obj, ""));
	assert_null(jsonobj_get(&obj, "expx"));
	assert_null(jsonobj_get(&obj, "EXP"));
	assert_true(jsonobj_get(&obj, "iat")->value.num == 2.0);
}

/* A name holding NUL is not found by the C string before the NUL. */
static void
jsonobj_get_name_with_nul(void **state)
{
	(void)state;

	assert_int_equal(parse("{\"alg\\u0000x\":\"HS256\"}"), JSONOBJ_OK);
	assert_null(jsonobj_get(&obj, "alg"));
}

static void
jsonobj_get_empty_name(void **state)
{
	(void)state;

	assert_int_equal(parse("{\"\":1}"), JSONOBJ_OK);
	assert_non_null(jsonobj_get(&obj, ""));
	assert_null(jsonobj_get(&obj, "a"));
}

static void
jsonobj_arena_too_small(void **state)
{
	const char	*json = "{\"abc\":\"def\"}";
	char		small[JSONOBJ_ARENA_LEN(13)];

	(void)state;

	assert_int_equal(strlen(json), 13);
	assert_int_not_equal(jsonobj_parse(&obj, (const uint8_t *)json, 13,
	    small, sizeof(small) - 1), JSONOBJ_OK);
}

/* Asserts that two parses gave the same members, values and elements. */
static void
assert_same_object(const struct jsonobj *a, const struct jsonobj *b,
    const char *input)
{
	const struct jsonobj_value	*va, *vb;
	size_t				i;

	if (a->nmembers != b->nmembers || a->nelems != b->nelems)
		fail_msg("%s: %zu/%zu members, %zu/%zu elements", input,
		    a->nmembers, b->nmembers, a->nelems, b->nelems);

	for (i = 0; i < a->nmembers + a->nelems; i++) {
		if (i < a->nmembers) {
			assert_int_equal(a->members[i].name_len,
			    b->members[i].name_len);
			assert_memory_equal(a->members[i].name,
			    b->members[i].name, a->members[i].name_len + 1);
			va = &a->members[i].value;
			vb = &b->members[i].value;
		} else {
			va = &a->elems[i - a->nmembers];
			vb = &b->elems[i - a->nmembers];
		}
		if (va->type != vb->type)
			fail_msg("%s: value %zu has type %d and %d", input, i,
			    va->type, vb->type);
		assert_true(va->num == vb->num);
		assert_int_equal(va->first, vb->first);
		assert_int_equal(va->count, vb->count);
		assert_int_equal(va->len, vb->len);
		if (va->str == NULL || vb->str == NULL)
			assert_ptr_equal(va->str, vb->str);
		else
			assert_memory_equal(va->str, vb->str, va->len + 1);
	}
}

/*
 * jsonobj_parse() reads compact input with its own reader and falls back
 * to yajl; both must give the same result for every input.
 */
static void
jsonobj_fast_path_matches_yajl(void **state)
{
	static const char *inputs[] = {
		"{}",
		"{\"a\":\"b\"}",
		"{\"sub\":\"twilio\",\"iss\":\"twil.io\",\"org\":\"twilio\","
		    "\"perms\":[\"read\"],\"iat\":1700000000,\"exp\":1700086400}",
		"{\"perms\":[],\"x\":[\"a\",\"b\",\"c\"]}",
		"{\"n\":0,\"m\":123456789012345,\"t\":true,\"f\":false,"
		    "\"z\":null}",
		"{\"big\":1234567890123456}",
		"{\"neg\":-1}",
		"{\"frac\":1.5,\"e\":1e3}",
		"{\"lead\":01}",
		"{\"esc\":\"a\\\"b\",\"u\":\"\\u0041\"}",
		"{\"ctl\":\"a\tb\"}",
		"{\"utf8\":\"\xc3\xa9\"}",
		"{\"del\":\"a\x7f\"}",
		"{ \"space\":1}",
		"{\"a\":1 }",
		"{\"a\":1,\"a\":2}",
		"{\"a\":1,\"b\":{\"c\":2}}",
		"{\"a\":[1,2]}",
		"{\"a\":[\"x\",1]}",
		"{\"a\":[[\"x\"]]}",
		"{\"a\":1,}",
		"{\"a\":1}x",
		"{\"a\":tru}",
		"{\"a\":truex}",
		"{\"a\"1}",
		"{\"\":\"\"}",
		"[1]",
		"{\"a\":\"b\"",
	};
	struct jsonobj	fast, slow;
	char		arena_fast[256], arena_slow[256];
	size_t		i, len;
	int		rf, rs;

	(void)state;

	for (i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		len = strlen(inputs[i]);
		rf = jsonobj_parse(&fast, (const uint8_t *)inputs[i], len,
		    arena_fast, sizeof(arena_fast));
		rs = jsonobj_parse_yajl(&slow, (const uint8_t *)inputs[i], len,
		    arena_slow, sizeof(arena_slow));
		if (rf != rs)
			fail_msg("%s: %d from jsonobj_parse, %d from yajl",
			    inputs[i], rf, rs);
		if (rf == JSONOBJ_OK)
			assert_same_object(&fast, &slow, inputs[i]);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(jsonobj_each_member_type),
		cmocka_unit_test(jsonobj_two_arrays),
		cmocka_unit_test(jsonobj_empty_object),
		cmocka_unit_test(jsonobj_reparse_resets),
		cmocka_unit_test(jsonobj_top_array),
		cmocka_unit_test(jsonobj_top_null),
		cmocka_unit_test(jsonobj_top_number),
		cmocka_unit_test(jsonobj_top_string),
		cmocka_unit_test(jsonobj_top_true),
		cmocka_unit_test(jsonobj_trailing_garbage),
		cmocka_unit_test(jsonobj_trailing_nul),
		cmocka_unit_test(jsonobj_comments),
		cmocka_unit_test(jsonobj_truncated),
		cmocka_unit_test(jsonobj_empty_input),
		cmocka_unit_test(jsonobj_bad_tokens),
		cmocka_unit_test(jsonobj_bad_number_syntax),
		cmocka_unit_test(jsonobj_raw_control_char),
		cmocka_unit_test(jsonobj_utf8_invalid_byte),
		cmocka_unit_test(jsonobj_utf8_truncated),
		cmocka_unit_test(jsonobj_utf8_overlong),
		cmocka_unit_test(jsonobj_utf8_surrogate_bytes),
		cmocka_unit_test(jsonobj_utf8_above_max),
		cmocka_unit_test(jsonobj_utf8_valid),
		cmocka_unit_test(jsonobj_surrogate_pair),
		cmocka_unit_test(jsonobj_lone_high_surrogate),
		cmocka_unit_test(jsonobj_lone_low_surrogate),
		cmocka_unit_test(jsonobj_high_then_non_low),
		cmocka_unit_test(jsonobj_duplicate),
		cmocka_unit_test(jsonobj_duplicate_escaped),
		cmocka_unit_test(jsonobj_names_with_nul_differ),
		cmocka_unit_test(jsonobj_depth_max),
		cmocka_unit_test(jsonobj_depth_over),
		cmocka_unit_test(jsonobj_members_max),
		cmocka_unit_test(jsonobj_members_over),
		cmocka_unit_test(jsonobj_nested_members_free),
		cmocka_unit_test(jsonobj_elems_max),
		cmocka_unit_test(jsonobj_elems_over),
		cmocka_unit_test(jsonobj_elems_shared),
		cmocka_unit_test(jsonobj_nested_elems_free),
		cmocka_unit_test(jsonobj_number_fraction),
		cmocka_unit_test(jsonobj_number_exponent),
		cmocka_unit_test(jsonobj_number_overflow),
		cmocka_unit_test(jsonobj_number_minus_zero),
		cmocka_unit_test(jsonobj_number_big_integer),
		cmocka_unit_test(jsonobj_number_long_text),
		cmocka_unit_test(jsonobj_fast_path_matches_yajl),
		cmocka_unit_test(jsonobj_string_escapes),
		cmocka_unit_test(jsonobj_string_nul_kept),
		cmocka_unit_test(jsonobj_string_nul_at_end),
		cmocka_unit_test(jsonobj_is_text_cases),
		cmocka_unit_test(jsonobj_get_exact_name),
		cmocka_unit_test(jsonobj_get_name_with_nul),
		cmocka_unit_test(jsonobj_get_empty_name),
		cmocka_unit_test(jsonobj_arena_too_small),
	};

	return (cmocka_run_group_tests(tests, NULL, teardown));
}
