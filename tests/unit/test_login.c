/*
 * Unit tests for parsing the POST /jwt body, as JSON or as a form.  Every
 * rejected body must come with a one-line reason that does not repeat the
 * password.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "login.h"
#include "testutil.h"

#define JSON		"application/json"
#define FORM		"application/x-www-form-urlencoded"

/* The password in rejected bodies.  No reason may contain it. */
#define SECRET		"s3cr3t"

static struct login_request	req;

static int
parse_len(const char *ctype, const char *body, size_t len)
{
	return (login_parse(&req, ctype, (const uint8_t *)body, len));
}

static int
parse(const char *ctype, const char *body)
{
	return (parse_len(ctype, body, strlen(body)));
}

/* Asserts a successful parse of the given username and password. */
static void
assert_login(const char *ctype, const char *body, const char *user,
    const char *pass)
{
	assert_int_equal(parse(ctype, body), LOGIN_OK);
	assert_int_equal(req.username_len, strlen(user));
	assert_string_equal(req.username, user);
	assert_int_equal(req.password_len, strlen(pass));
	assert_string_equal(req.password, pass);
}

/* Asserts a 400 with a one-line reason that does not show the password. */
static void
assert_malformed_len(const char *ctype, const char *body, size_t len)
{
	assert_int_equal(parse_len(ctype, body, len), LOGIN_ERR_MALFORMED);
	assert_non_null(req.error);
	assert_true(tu_one_line(req.error));
	assert_null(strstr(req.error, SECRET));
}

static void
assert_malformed(const char *ctype, const char *body)
{
	assert_malformed_len(ctype, body, strlen(body));
}

static void
login_json_ok(void **state)
{
	(void)state;

	assert_login(JSON, "{\"username\":\"twilio\",\"password\":\"ahoy\"}",
	    "twilio", "ahoy");
	assert_int_equal(req.username[req.username_len], '\0');
	assert_int_equal(req.password[req.password_len], '\0');
}

static void
login_json_order(void **state)
{
	(void)state;

	assert_login(JSON, "{\"password\":\"ahoy\",\"username\":\"twilio\"}",
	    "twilio", "ahoy");
}

static void
login_json_whitespace(void **state)
{
	(void)state;

	assert_login(JSON, " \n{ \"username\" : \"twilio\" ,\r\n\t\"password\""
	    ":\"ahoy\" }\n", "twilio", "ahoy");
}

static void
login_json_charset(void **state)
{
	(void)state;

	assert_login(JSON "; charset=utf-8",
	    "{\"username\":\"twilio\",\"password\":\"ahoy\"}", "twilio", "ahoy");
	assert_login("Application/JSON;charset=\"UTF-8\"",
	    "{\"username\":\"twilio\",\"password\":\"ahoy\"}", "twilio", "ahoy");
}

/* Client-supplied claims and any other members are ignored. */
static void
login_json_extra_members(void **state)
{
	(void)state;

	assert_login(JSON, "{\"sub\":\"admin\",\"username\":\"twilio\","
	    "\"perms\":[\"admin\"],\"password\":\"ahoy\",\"exp\":1e300,"
	    "\"nested\":{\"username\":\"x\"}}", "twilio", "ahoy");
}

static void
login_json_escapes(void **state)
{
	(void)state;

	assert_login(JSON, "{\"username\":\"a\\\"b\\\\c\","
	    "\"password\":\"p\\/q\\u0041\"}", "a\"b\\c", "p/qA");
}

static void
login_json_utf8(void **state)
{
	(void)state;

	assert_login(JSON, "{\"username\":\"\xc3\xa9t\xc3\xa9\","
	    "\"password\":\"\\u00e9\"}", "\xc3\xa9t\xc3\xa9", "\xc3\xa9");
}

/* Empty strings are strings: the credential check rejects them later. */
static void
login_json_empty_strings(void **state)
{
	(void)state;

	assert_login(JSON, "{\"username\":\"\",\"password\":\"\"}", "", "");
}

static void
login_json_empty_body(void **state)
{
	(void)state;

	assert_malformed(JSON, "");
}

static void
login_json_whitespace_body(void **state)
{
	(void)state;

	assert_malformed(JSON, "  \r\n\t ");
}

static void
login_json_empty_object(void **state)
{
	(void)state;

	assert_malformed(JSON, "{}");
}

static void
login_json_null(void **state)
{
	(void)state;

	assert_malformed(JSON, "null");
}

static void
login_json_array(void **state)
{
	(void)state;

	assert_malformed(JSON, "[{\"username\":\"twilio\","
	    "\"password\":\"" SECRET "\"}]");
}

static void
login_json_scalar(void **state)
{
	(void)state;

	assert_malformed(JSON, "\"twilio\"");
	assert_malformed(JSON, "1");
	assert_malformed(JSON, "true");
}

static void
login_json_truncated(void **state)
{
	(void)state;

	assert_malformed(JSON, "{\"username\":\"twilio\",\"password\":\""
	    SECRET);
	assert_malformed(JSON, "{\"username\":\"twilio\",\"password\":\""
	    SECRET "\"");
	assert_malformed(JSON, "{\"username\":");
}

static void
login_json_trailing_garbage(void **state)
{
	(void)state;

	assert_malformed(JSON, "{\"username\":\"twilio\",\"password\":\""
	    SECRET "\"}x");
	assert_malformed(JSON, "{\"username\":\"twilio\",\"password\":\""
	    SECRET "\"}{}");
}

static void
login_json_wrong_names(void **state)
{
	(void)state;

	assert_malformed(JSON, "{\"user\":\"twilio\",\"pass\":\"" SECRET "\"}");
	assert_malformed(JSON, "{\"Username\":\"twilio\",\"Password\":\""
	    SECRET "\"}");
	assert_malformed(JSON, "{\"username \":\"twilio\",\"password\":\""
	    SECRET "\"}");
}

static void
login_json_missing_username(void **state)
{
	(void)state;

	assert_malformed(JSON, "{\"password\":\"" SECRET "\"}");
}

static void
login_json_missing_password(void **state)
{
	(void)state;

	assert_malformed(JSON, "{\"username\":\"twilio\"}");
}

static void
login_json_username_number(void **state)
{
	(void)state;

	assert_malformed(JSON, "{\"username\":1,\"password\":\"" SECRET "\"}");
}

static void
login_json_password_number(void **state)
{
	(void)state;

	assert_malformed(JSON, "{\"username\":\"twilio\",\"password\":1234}");
}

static void
login_json_username_array(void **state)
{
	(void)state;

	assert_malformed(JSON, "{\"username\":[\"twilio\"],\"password\":\""
	    SECRET "\"}");
}

static void
login_json_password_array(void **state)
{
	(void)state;

	assert_malformed(JSON, "{\"username\":\"twilio\",\"password\":[\""
	    SECRET "\"]}");
}

static void
login_json_other_types(void **state)
{
	(void)state;

	assert_malformed(JSON, "{\"username\":null,\"password\":\"" SECRET
	    "\"}");
	assert_malformed(JSON, "{\"username\":true,\"password\":\"" SECRET
	    "\"}");
	assert_malformed(JSON, "{\"username\":{},\"password\":\"" SECRET
	    "\"}");
	assert_malformed(JSON, "{\"username\":\"twilio\",\"password\":false}");
}

static void
login_json_duplicate_username(void **state)
{
	(void)state;

	assert_malformed(JSON, "{\"username\":\"twilio\",\"password\":\""
	    SECRET "\",\"username\":\"admin\"}");
}

static void
login_json_duplicate_password(void **state)
{
	(void)state;

	assert_malformed(JSON, "{\"username\":\"twilio\",\"password\":\"x\","
	    "\"password\":\"" SECRET "\"}");
}

static void
login_json_duplicate_escaped(void **state)
{
	(void)state;

	assert_malformed(JSON, "{\"username\":\"twilio\",\"password\":\""
	    SECRET "\",\"usern\\u0061me\":\"admin\"}");
}

static void
login_json_nul_username(void **state)
{
	(void)state;

	assert_malformed(JSON, "{\"username\":\"twilio\\u0000admin\","
	    "\"password\":\"" SECRET "\"}");
}

static void
login_json_nul_password(void **state)
{
	(void)state;

	assert_malformed(JSON, "{\"username\":\"twilio\","
	    "\"password\":\"" SECRET "\\u0000x\"}");
}

static void
login_json_bad_utf8(void **state)
{
	(void)state;

	assert_malformed(JSON, "{\"username\":\"\xff\",\"password\":\""
	    SECRET "\"}");
}

/* A raw NUL byte in the body, outside any string. */
static void
login_json_raw_nul(void **state)
{
	const char	body[] = "{\"username\":\"twilio\",\"password\":\""
			    SECRET "\"}\0";

	(void)state;

	assert_malformed_len(JSON, body, sizeof(body) - 1);
}

static void
login_form_ok(void **state)
{
	(void)state;

	assert_login(FORM, "username=twilio&password=ahoy", "twilio", "ahoy");
}

static void
login_form_order(void **state)
{
	(void)state;

	assert_login(FORM, "password=ahoy&username=twilio", "twilio", "ahoy");
}

static void
login_form_charset(void **state)
{
	(void)state;

	assert_login(FORM "; charset=utf-8", "username=twilio&password=ahoy",
	    "twilio", "ahoy");
}

/* WHATWG URL, application/x-www-form-urlencoded: '+' decodes to space. */
static void
login_form_plus_space(void **state)
{
	(void)state;

	assert_login(FORM, "username=a+b&password=+x+", "a b", " x ");
}

static void
login_form_percent(void **state)
{
	(void)state;

	assert_login(FORM, "username=%2B%26%3D%25&password=%c3%A9%20",
	    "+&=%", "\xc3\xa9 ");
}

static void
login_form_extra_fields(void **state)
{
	(void)state;

	assert_login(FORM, "sub=admin&username=twilio&perms=admin"
	    "&password=ahoy&exp=1", "twilio", "ahoy");
}

static void
login_form_empty_values(void **state)
{
	(void)state;

	assert_login(FORM, "username=&password=", "", "");
}

static void
login_form_empty_body(void **state)
{
	(void)state;

	assert_malformed(FORM, "");
}

static void
login_form_missing_username(void **state)
{
	(void)state;

	assert_malformed(FORM, "password=" SECRET);
	assert_malformed(FORM, "user=twilio&password=" SECRET);
}

static void
login_form_missing_password(void **state)
{
	(void)state;

	assert_malformed(FORM, "username=twilio");
	assert_malformed(FORM, "username=twilio&pass=" SECRET);
}

static void
login_form_duplicate_username(void **state)
{
	(void)state;

	assert_malformed(FORM, "username=twilio&password=" SECRET
	    "&username=admin");
	assert_malformed(FORM, "username=twilio&username=twilio&password="
	    SECRET);
}

static void
login_form_duplicate_password(void **state)
{
	(void)state;

	assert_malformed(FORM, "username=twilio&password=x&password=" SECRET);
}

static void
login_form_nul_username(void **state)
{
	(void)state;

	assert_malformed(FORM, "username=twilio%00admin&password=" SECRET);
}

static void
login_form_nul_password(void **state)
{
	(void)state;

	assert_malformed(FORM, "username=twilio&password=" SECRET "%00");
}

static void
login_form_bad_percent(void **state)
{
	(void)state;

	assert_malformed(FORM, "username=twilio%&password=" SECRET);
	assert_malformed(FORM, "username=twilio%4&password=" SECRET);
	assert_malformed(FORM, "username=twilio&password=" SECRET "%4");
	assert_malformed(FORM, "username=twilio&password=" SECRET "%");
	assert_malformed(FORM, "username=%zz&password=" SECRET);
	assert_malformed(FORM, "username=%G0&password=" SECRET);
	assert_malformed(FORM, "username=%4g&password=" SECRET);
}

/* A raw NUL byte in a form body is neither data nor a separator. */
static void
login_form_raw_nul(void **state)
{
	const char	body[] = "username=twilio\0&password=" SECRET;

	(void)state;

	assert_malformed_len(FORM, body, sizeof(body) - 1);
}

/* A JSON body sent as a form has no username field. */
static void
login_form_json_body(void **state)
{
	(void)state;

	assert_malformed(FORM, "{\"username\":\"twilio\",\"password\":\""
	    SECRET "\"}");
}

static void
login_json_form_body(void **state)
{
	(void)state;

	assert_malformed(JSON, "username=twilio&password=" SECRET);
}

static void
login_media_missing(void **state)
{
	(void)state;

	assert_int_equal(parse(NULL, "{\"username\":\"twilio\","
	    "\"password\":\"ahoy\"}"), LOGIN_ERR_MEDIA_TYPE);
}

static void
login_media_other(void **state)
{
	(void)state;

	assert_int_equal(parse("text/plain", "{\"username\":\"twilio\","
	    "\"password\":\"ahoy\"}"), LOGIN_ERR_MEDIA_TYPE);
	assert_int_equal(parse("application/jsonx", "{\"username\":\"twilio\","
	    "\"password\":\"ahoy\"}"), LOGIN_ERR_MEDIA_TYPE);
	assert_int_equal(parse("multipart/form-data; boundary=x",
	    "username=twilio&password=ahoy"), LOGIN_ERR_MEDIA_TYPE);
	assert_int_equal(parse(JSON "; charset=iso-8859-1",
	    "{\"username\":\"twilio\",\"password\":\"ahoy\"}"),
	    LOGIN_ERR_MEDIA_TYPE);
}

/* Writes a JSON login body padded with spaces to exactly len bytes. */
static void
padded_json(char *buf, size_t len)
{
	const char	*json = "{\"username\":\"twilio\",\"password\":\"ahoy\"}";
	size_t		n;

	n = strlen(json);
	assert_true(len >= n);
	memset(buf, ' ', len - n);
	memcpy(buf + len - n, json, n);
	buf[len] = '\0';
}

static void
login_body_max(void **state)
{
	static char	buf[LOGIN_BODY_MAX + 2];

	(void)state;

	padded_json(buf, LOGIN_BODY_MAX);
	assert_int_equal(parse_len(JSON, buf, LOGIN_BODY_MAX), LOGIN_OK);
	assert_string_equal(req.username, "twilio");
}

static void
login_body_too_large(void **state)
{
	static char	buf[LOGIN_BODY_MAX + 2];

	(void)state;

	padded_json(buf, LOGIN_BODY_MAX + 1);
	assert_int_equal(parse_len(JSON, buf, LOGIN_BODY_MAX + 1),
	    LOGIN_ERR_TOO_LARGE);
}

static void
login_form_too_large(void **state)
{
	static char	buf[LOGIN_BODY_MAX + 2];
	size_t		n;

	(void)state;

	n = (size_t)snprintf(buf, sizeof(buf), "username=twilio&password=");
	memset(buf + n, 'a', LOGIN_BODY_MAX + 1 - n);
	buf[LOGIN_BODY_MAX + 1] = '\0';
	assert_int_equal(parse_len(FORM, buf, LOGIN_BODY_MAX + 1),
	    LOGIN_ERR_TOO_LARGE);
}

/* A form of exactly LOGIN_BODY_MAX bytes, nearly all password, is accepted. */
static void
login_form_long_password(void **state)
{
	static char	buf[LOGIN_BODY_MAX + 2];
	size_t		n;

	(void)state;

	n = (size_t)snprintf(buf, sizeof(buf), "username=twilio&password=");
	memset(buf + n, 'a', LOGIN_BODY_MAX - n);
	buf[LOGIN_BODY_MAX] = '\0';
	assert_int_equal(parse_len(FORM, buf, LOGIN_BODY_MAX), LOGIN_OK);
	assert_int_equal(req.password_len, LOGIN_BODY_MAX - n);
}

/* Wipes every byte the input could reach: up to the body's length. */
static void
login_clear_wipes(void **state)
{
	size_t	i;

	(void)state;

	memset(&req, 0, sizeof(req));
	assert_int_equal(parse(JSON, "{\"username\":\"twilio\","
	    "\"password\":\"ahoy\"}"), LOGIN_OK);
	login_request_clear(&req);
	for (i = 0; i < sizeof(req.username); i++)
		assert_int_equal(req.username[i], 0);
	for (i = 0; i < sizeof(req.password); i++)
		assert_int_equal(req.password[i], 0);
}

/* A malformed body is wiped too, as far as its length reaches. */
static void
login_clear_wipes_after_error(void **state)
{
	static const char	body[] = "username=secret-name&password=a%00b";
	size_t			i;

	(void)state;

	memset(&req, 0x5a, sizeof(req));
	assert_int_equal(parse(FORM, body), LOGIN_ERR_MALFORMED);
	assert_true(req.dirty >= sizeof(body));
	for (i = 0; i < sizeof(body); i++) {
		assert_int_equal(req.username[i], 0);
		assert_int_equal(req.password[i], 0);
	}
}

/* Ignored fields are still checked: a bad escape anywhere is malformed. */
static void
login_form_ignored_field_escape(void **state)
{
	(void)state;

	assert_int_equal(parse(FORM, "x=%zz&username=a&password=b"),
	    LOGIN_ERR_MALFORMED);
	assert_non_null(req.error);
	assert_int_equal(parse(FORM, "username=a&password=b&x=%4"),
	    LOGIN_ERR_MALFORMED);
	assert_int_equal(parse(FORM, "x=%41&username=a&password=b"),
	    LOGIN_OK);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(login_json_ok),
		cmocka_unit_test(login_json_order),
		cmocka_unit_test(login_json_whitespace),
		cmocka_unit_test(login_json_charset),
		cmocka_unit_test(login_json_extra_members),
		cmocka_unit_test(login_json_escapes),
		cmocka_unit_test(login_json_utf8),
		cmocka_unit_test(login_json_empty_strings),
		cmocka_unit_test(login_json_empty_body),
		cmocka_unit_test(login_json_whitespace_body),
		cmocka_unit_test(login_json_empty_object),
		cmocka_unit_test(login_json_null),
		cmocka_unit_test(login_json_array),
		cmocka_unit_test(login_json_scalar),
		cmocka_unit_test(login_json_truncated),
		cmocka_unit_test(login_json_trailing_garbage),
		cmocka_unit_test(login_json_wrong_names),
		cmocka_unit_test(login_json_missing_username),
		cmocka_unit_test(login_json_missing_password),
		cmocka_unit_test(login_json_username_number),
		cmocka_unit_test(login_json_password_number),
		cmocka_unit_test(login_json_username_array),
		cmocka_unit_test(login_json_password_array),
		cmocka_unit_test(login_json_other_types),
		cmocka_unit_test(login_json_duplicate_username),
		cmocka_unit_test(login_json_duplicate_password),
		cmocka_unit_test(login_json_duplicate_escaped),
		cmocka_unit_test(login_json_nul_username),
		cmocka_unit_test(login_json_nul_password),
		cmocka_unit_test(login_json_bad_utf8),
		cmocka_unit_test(login_json_raw_nul),
		cmocka_unit_test(login_form_ok),
		cmocka_unit_test(login_form_ignored_field_escape),
		cmocka_unit_test(login_clear_wipes_after_error),
		cmocka_unit_test(login_form_order),
		cmocka_unit_test(login_form_charset),
		cmocka_unit_test(login_form_plus_space),
		cmocka_unit_test(login_form_percent),
		cmocka_unit_test(login_form_extra_fields),
		cmocka_unit_test(login_form_empty_values),
		cmocka_unit_test(login_form_empty_body),
		cmocka_unit_test(login_form_missing_username),
		cmocka_unit_test(login_form_missing_password),
		cmocka_unit_test(login_form_duplicate_username),
		cmocka_unit_test(login_form_duplicate_password),
		cmocka_unit_test(login_form_nul_username),
		cmocka_unit_test(login_form_nul_password),
		cmocka_unit_test(login_form_bad_percent),
		cmocka_unit_test(login_form_raw_nul),
		cmocka_unit_test(login_form_json_body),
		cmocka_unit_test(login_json_form_body),
		cmocka_unit_test(login_media_missing),
		cmocka_unit_test(login_media_other),
		cmocka_unit_test(login_body_max),
		cmocka_unit_test(login_body_too_large),
		cmocka_unit_test(login_form_too_large),
		cmocka_unit_test(login_form_long_password),
		cmocka_unit_test(login_clear_wipes),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
