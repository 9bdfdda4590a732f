/*
 * Unit tests for the approved-credentials check.  Values are passed with
 * explicit lengths, so embedded NUL bytes and long values are covered.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>

#include <cmocka.h>

#include "credentials.h"

#define USER		"twilio"
#define PASS		"ahoy"

static struct credentials	cred;

/* Returns 1 when the len bytes of needle occur in the size bytes at p. */
static int
contains(const void *p, size_t size, const char *needle, size_t len)
{
	const uint8_t	*b = p;
	size_t		i;

	for (i = 0; i + len <= size; i++) {
		if (memcmp(b + i, needle, len) == 0)
			return (1);
	}

	return (0);
}

static int
setup(void **state)
{
	(void)state;

	return (credentials_init(&cred, USER, strlen(USER), PASS,
	    strlen(PASS)));
}

static int
teardown(void **state)
{
	(void)state;

	credentials_clear(&cred);
	return (0);
}

static int
check(const char *user, const char *pass)
{
	return (credentials_check(&cred, user, strlen(user), pass,
	    strlen(pass)));
}

static void
credentials_right_pair(void **state)
{
	(void)state;

	assert_int_equal(check(USER, PASS), 1);
}

/* The check has no state: the right pair still passes after failures. */
static void
credentials_repeatable(void **state)
{
	(void)state;

	assert_int_equal(check("x", "y"), 0);
	assert_int_equal(check(USER, PASS), 1);
	assert_int_equal(check(USER, PASS), 1);
}

static void
credentials_wrong_user(void **state)
{
	(void)state;

	assert_int_equal(check("admin", PASS), 0);
	assert_int_equal(check("Twilio", PASS), 0);
}

static void
credentials_wrong_password(void **state)
{
	(void)state;

	assert_int_equal(check(USER, "ahoj"), 0);
	assert_int_equal(check(USER, "AHOY"), 0);
}

static void
credentials_both_wrong(void **state)
{
	(void)state;

	assert_int_equal(check("admin", "admin"), 0);
}

static void
credentials_swapped(void **state)
{
	(void)state;

	assert_int_equal(check(PASS, USER), 0);
}

static void
credentials_user_prefix(void **state)
{
	(void)state;

	assert_int_equal(check("twili", PASS), 0);
	assert_int_equal(check("t", PASS), 0);
}

static void
credentials_user_extension(void **state)
{
	(void)state;

	assert_int_equal(check("twilio1", PASS), 0);
	assert_int_equal(check("twilio ", PASS), 0);
}

static void
credentials_password_prefix(void **state)
{
	(void)state;

	assert_int_equal(check(USER, "aho"), 0);
	assert_int_equal(check(USER, "a"), 0);
}

static void
credentials_password_extension(void **state)
{
	(void)state;

	assert_int_equal(check(USER, "ahoy!"), 0);
	assert_int_equal(check(USER, "ahoyahoy"), 0);
}

static void
credentials_empty_user(void **state)
{
	(void)state;

	assert_int_equal(check("", PASS), 0);
}

static void
credentials_empty_password(void **state)
{
	(void)state;

	assert_int_equal(check(USER, ""), 0);
	assert_int_equal(check("", ""), 0);
}

/* The lengths passed count, not the C strings: NUL is an ordinary byte. */
static void
credentials_embedded_nul(void **state)
{
	(void)state;

	assert_int_equal(credentials_check(&cred, USER "\0x", 8, PASS, 4), 0);
	assert_int_equal(credentials_check(&cred, USER, 6, PASS "\0", 5), 0);
	assert_int_equal(credentials_check(&cred, USER "\0x", 6, PASS "\0x", 4),
	    1);
}

static void
credentials_nul_in_approved(void **state)
{
	struct credentials	c;

	(void)state;

	assert_int_equal(credentials_init(&c, "a\0b", 3, "p\0q", 3), 0);
	assert_int_equal(credentials_check(&c, "a\0b", 3, "p\0q", 3), 1);
	assert_int_equal(credentials_check(&c, "a", 1, "p\0q", 3), 0);
	assert_int_equal(credentials_check(&c, "a\0c", 3, "p\0q", 3), 0);
	assert_int_equal(credentials_check(&c, "a\0b", 3, "p", 1), 0);
	assert_int_equal(credentials_check(&c, "a\0b", 3, "p\0r", 3), 0);
	credentials_clear(&c);
}

/*
 * Values that agree on their first 32 bytes (and on more) differ only
 * later; a comparison of a fixed-size prefix would take them as equal.
 */
static void
credentials_differ_after_32(void **state)
{
	struct credentials	c;
	char			user[100], pass[100], other[100];

	(void)state;

	memset(user, 'u', sizeof(user));
	memset(pass, 'p', sizeof(pass));
	assert_int_equal(credentials_init(&c, user, sizeof(user), pass,
	    sizeof(pass)), 0);
	assert_int_equal(credentials_check(&c, user, sizeof(user), pass,
	    sizeof(pass)), 1);

	memcpy(other, user, sizeof(other));
	other[32] = 'x';
	assert_int_equal(credentials_check(&c, other, sizeof(other), pass,
	    sizeof(pass)), 0);
	memcpy(other, user, sizeof(other));
	other[99] = 'x';
	assert_int_equal(credentials_check(&c, other, sizeof(other), pass,
	    sizeof(pass)), 0);
	assert_int_equal(credentials_check(&c, user, 33, pass, sizeof(pass)),
	    0);

	memcpy(other, pass, sizeof(other));
	other[32] = 'x';
	assert_int_equal(credentials_check(&c, user, sizeof(user), other,
	    sizeof(other)), 0);
	memcpy(other, pass, sizeof(other));
	other[99] = 'x';
	assert_int_equal(credentials_check(&c, user, sizeof(user), other,
	    sizeof(other)), 0);
	assert_int_equal(credentials_check(&c, user, sizeof(user), pass, 32),
	    0);

	credentials_clear(&c);
}

/* Two starts draw two random keys, so equal values give other digests. */
static void
credentials_random_key(void **state)
{
	struct credentials	a, b;

	(void)state;

	assert_int_equal(credentials_init(&a, USER, 6, PASS, 4), 0);
	assert_int_equal(credentials_init(&b, USER, 6, PASS, 4), 0);
	assert_memory_not_equal(&a.key, &b.key, sizeof(a.key));
	assert_memory_not_equal(a.username, b.username, sizeof(a.username));
	assert_memory_not_equal(a.password, b.password, sizeof(a.password));
	credentials_clear(&a);
	credentials_clear(&b);
}

/* The struct stores digests, never the values themselves. */
static void
credentials_no_plaintext(void **state)
{
	struct credentials	c;
	const char		*user = "plain-username-value";
	const char		*pass = "plain-password-value";

	(void)state;

	assert_int_equal(credentials_init(&c, user, strlen(user), pass,
	    strlen(pass)), 0);
	assert_int_equal(contains(&c, sizeof(c), user, strlen(user)), 0);
	assert_int_equal(contains(&c, sizeof(c), pass, strlen(pass)), 0);
	credentials_clear(&c);
}

static void
credentials_clear_wipes(void **state)
{
	struct credentials	c;
	size_t			i;

	(void)state;

	assert_int_equal(credentials_init(&c, USER, 6, PASS, 4), 0);
	credentials_clear(&c);
	for (i = 0; i < sizeof(c.key); i++)
		assert_int_equal(((const uint8_t *)&c.key)[i], 0);
	for (i = 0; i < sizeof(c.username); i++)
		assert_int_equal(c.username[i], 0);
	for (i = 0; i < sizeof(c.password); i++)
		assert_int_equal(c.password[i], 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(credentials_right_pair),
		cmocka_unit_test(credentials_repeatable),
		cmocka_unit_test(credentials_wrong_user),
		cmocka_unit_test(credentials_wrong_password),
		cmocka_unit_test(credentials_both_wrong),
		cmocka_unit_test(credentials_swapped),
		cmocka_unit_test(credentials_user_prefix),
		cmocka_unit_test(credentials_user_extension),
		cmocka_unit_test(credentials_password_prefix),
		cmocka_unit_test(credentials_password_extension),
		cmocka_unit_test(credentials_empty_user),
		cmocka_unit_test(credentials_empty_password),
		cmocka_unit_test(credentials_embedded_nul),
		cmocka_unit_test(credentials_nul_in_approved),
		cmocka_unit_test(credentials_differ_after_32),
		cmocka_unit_test(credentials_random_key),
		cmocka_unit_test(credentials_no_plaintext),
		cmocka_unit_test(credentials_clear_wipes),
	};

	return (cmocka_run_group_tests(tests, setup, teardown));
}
