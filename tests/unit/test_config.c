/*
 * Unit tests for reading the configuration from the environment.  Each
 * test starts from an environment without any of the variables, sets the
 * ones it needs, and checks that a rejection names the variable without
 * showing the secret or the password.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "testutil.h"

/* Test-only values.  SECRET32 is exactly CONFIG_SECRET_MIN bytes long. */
#define SECRET32	"test-secret-value-32-bytes-long!"
#define SECRET31	"test-secret-value-31-bytes-long"
#define PREVIOUS32	"test-previous-secret-32-bytes-ok"
#define PREVIOUS31	"test-previous-secret-31-bytes-x"
#define USERNAME	"test-user"
#define PASSWORD	"test-password-value"

static const char	*variables[] = {
	"JWT_SECRET", "JWT_SECRET_FILE", "JWT_ALLOW_SHORT_SECRET",
	"JWT_SECRET_PREVIOUS", "JWT_SECRET_PREVIOUS_FILE", "JWT_KID",
	"JWT_KID_PREVIOUS",
	"AUTH_USERNAME", "AUTH_PASSWORD", "JWT_ISSUER", "JWT_ORG", "JWT_TTL",
	"JWT_LEEWAY", "AUTH_USERS_STORE", "AUTH_USERS_FILE", "DATA_STORE",
	"THROTTLE_STORE", "PGSQL_DSN", "THROTTLE_USER_LIMIT",
	"THROTTLE_ADDR_LIMIT", "THROTTLE_DELAY", "THROTTLE_DELAY_MAX",
	"THROTTLE_WINDOW"
};

#define DSN	"host=/tmp/pg dbname=jwt user=svc password=test-dsn-password"

static struct config	cfg;
static char		err[512];
static char		secret_path[64];
static char		previous_path[64];

/* Clears every variable config_load() reads, then sets a valid minimum. */
static int
setup(void **state)
{
	size_t	i;

	(void)state;

	for (i = 0; i < sizeof(variables) / sizeof(variables[0]); i++)
		unsetenv(variables[i]);
	setenv("JWT_SECRET", SECRET32, 1);
	setenv("AUTH_USERNAME", USERNAME, 1);
	setenv("AUTH_PASSWORD", PASSWORD, 1);

	memset(&cfg, 0xa5, sizeof(cfg));
	memset(err, 0, sizeof(err));
	secret_path[0] = '\0';
	previous_path[0] = '\0';

	return (0);
}

static int
teardown(void **state)
{
	(void)state;

	if (secret_path[0] != '\0')
		unlink(secret_path);
	if (previous_path[0] != '\0')
		unlink(previous_path);
	config_clear(&cfg);
	return (0);
}

/* Writes len bytes to a new temporary file named in path (64 bytes). */
static void
temp_file(char *path, const char *data, size_t len)
{
	FILE	*fp;
	int	fd;

	snprintf(path, 64, "/tmp/test_config.XXXXXX");
	if ((fd = mkstemp(path)) == -1)
		fail_msg("mkstemp failed");
	if ((fp = fdopen(fd, "w")) == NULL)
		fail_msg("fdopen failed");
	if (fwrite(data, 1, len, fp) != len || fclose(fp) != 0)
		fail_msg("cannot write %s", path);
}

/* Writes len bytes to a new temporary file and points JWT_SECRET_FILE at it. */
static void
secret_file(const char *data, size_t len)
{
	temp_file(secret_path, data, len);
	unsetenv("JWT_SECRET");
	setenv("JWT_SECRET_FILE", secret_path, 1);
}

/* The same for JWT_SECRET_PREVIOUS_FILE. */
static void
previous_file(const char *data, size_t len)
{
	temp_file(previous_path, data, len);
	setenv("JWT_SECRET_PREVIOUS_FILE", previous_path, 1);
}

/* Sets the secret and password again after a load consumed them. */
static void
restore_secrets(void)
{
	setenv("JWT_SECRET", SECRET32, 1);
	setenv("AUTH_PASSWORD", PASSWORD, 1);
}

static int
load(void)
{
	return (config_load(&cfg, err, sizeof(err)));
}

/* Returns 1 when every one of the len bytes at p is zero. */
static int
is_zero(const void *p, size_t len)
{
	const uint8_t	*b = p;
	size_t		i;

	for (i = 0; i < len; i++) {
		if (b[i] != 0)
			return (0);
	}

	return (1);
}

/*
 * Asserts a rejection: -1, a one-line message naming variable, neither the
 * secret nor the password nor value (when given) in it, and the secret
 * and the password wiped from cfg.
 */
static void
assert_rejected(const char *variable, const char *value)
{
	assert_int_equal(load(), -1);
	assert_true(tu_one_line(err));
	assert_non_null(strstr(err, variable));
	assert_null(strstr(err, SECRET32));
	assert_null(strstr(err, SECRET31));
	assert_null(strstr(err, PREVIOUS32));
	assert_null(strstr(err, PREVIOUS31));
	assert_null(strstr(err, PASSWORD));
	if (value != NULL)
		assert_null(strstr(err, value));

	assert_int_equal(cfg.secret_len, 0);
	assert_true(is_zero(cfg.secret, sizeof(cfg.secret)));
	assert_int_equal(cfg.secret_previous_len, 0);
	assert_true(is_zero(cfg.secret_previous, sizeof(cfg.secret_previous)));
	assert_true(is_zero(cfg.password, sizeof(cfg.password)));
}

static void
config_values(void **state)
{
	(void)state;

	assert_int_equal(strlen(SECRET32), CONFIG_SECRET_MIN);
	assert_int_equal(load(), 0);
	assert_int_equal(cfg.secret_len, 32);
	assert_memory_equal(cfg.secret, SECRET32, 32);
	assert_int_equal(cfg.secret_short, 0);
	assert_string_equal(cfg.username, USERNAME);
	assert_string_equal(cfg.password, PASSWORD);
}

/* Defaults: iss twil.io, org twilio, TTL 86400 s, leeway 0 s. */
static void
config_defaults(void **state)
{
	(void)state;

	assert_int_equal(load(), 0);
	assert_string_equal(cfg.issuer, "twil.io");
	assert_string_equal(cfg.org, "twilio");
	assert_int_equal(cfg.ttl, 86400);
	assert_int_equal(cfg.leeway, 0);
}

static void
config_overrides(void **state)
{
	(void)state;

	setenv("JWT_ISSUER", "issuer.example", 1);
	setenv("JWT_ORG", "example", 1);
	setenv("JWT_TTL", "3600", 1);
	setenv("JWT_LEEWAY", "30", 1);
	assert_int_equal(load(), 0);
	assert_string_equal(cfg.issuer, "issuer.example");
	assert_string_equal(cfg.org, "example");
	assert_int_equal(cfg.ttl, 3600);
	assert_int_equal(cfg.leeway, 30);
}

static void
config_secret_missing(void **state)
{
	(void)state;

	unsetenv("JWT_SECRET");
	assert_rejected("JWT_SECRET", NULL);
}

static void
config_secret_empty(void **state)
{
	(void)state;

	setenv("JWT_SECRET", "", 1);
	assert_rejected("JWT_SECRET", NULL);
}

/* RFC 7518 section 3.2: an HS256 key has at least 256 bits. */
static void
config_secret_short(void **state)
{
	(void)state;

	assert_int_equal(strlen(SECRET31), CONFIG_SECRET_MIN - 1);
	setenv("JWT_SECRET", SECRET31, 1);
	assert_rejected("JWT_SECRET", NULL);
}

static void
config_secret_short_allowed(void **state)
{
	(void)state;

	setenv("JWT_SECRET", SECRET31, 1);
	setenv("JWT_ALLOW_SHORT_SECRET", "1", 1);
	assert_int_equal(load(), 0);
	assert_int_equal(cfg.secret_len, 31);
	assert_memory_equal(cfg.secret, SECRET31, 31);
	assert_int_equal(cfg.secret_short, 1);
}

static void
config_secret_short_allow_0(void **state)
{
	(void)state;

	setenv("JWT_SECRET", SECRET31, 1);
	setenv("JWT_ALLOW_SHORT_SECRET", "0", 1);
	assert_rejected("JWT_SECRET", NULL);
}

/* Allowing a short secret does not allow an empty one. */
static void
config_secret_empty_allowed(void **state)
{
	(void)state;

	setenv("JWT_SECRET", "", 1);
	setenv("JWT_ALLOW_SHORT_SECRET", "1", 1);
	assert_rejected("JWT_SECRET", NULL);
}

static void
config_secret_max(void **state)
{
	char	secret[CONFIG_SECRET_MAX + 2];

	(void)state;

	memset(secret, 's', CONFIG_SECRET_MAX);
	secret[CONFIG_SECRET_MAX] = '\0';
	setenv("JWT_SECRET", secret, 1);
	assert_int_equal(load(), 0);
	assert_int_equal(cfg.secret_len, CONFIG_SECRET_MAX);
}

static void
config_secret_too_long(void **state)
{
	char	secret[CONFIG_SECRET_MAX + 2];

	(void)state;

	memset(secret, 's', CONFIG_SECRET_MAX + 1);
	secret[CONFIG_SECRET_MAX + 1] = '\0';
	setenv("JWT_SECRET", secret, 1);
	assert_rejected("JWT_SECRET", secret);
}

/* Files written with echo(1) end in a newline, which is not part of the key. */
static void
config_secret_file(void **state)
{
	(void)state;

	secret_file(SECRET32 "\n", 33);
	assert_int_equal(load(), 0);
	assert_int_equal(cfg.secret_len, 32);
	assert_memory_equal(cfg.secret, SECRET32, 32);
	assert_int_equal(cfg.secret_short, 0);
}

static void
config_secret_file_no_newline(void **state)
{
	(void)state;

	secret_file(SECRET32, 32);
	assert_int_equal(load(), 0);
	assert_int_equal(cfg.secret_len, 32);
	assert_memory_equal(cfg.secret, SECRET32, 32);
}

static void
config_secret_file_crlf(void **state)
{
	(void)state;

	secret_file(SECRET32 "\r\n", 34);
	assert_int_equal(load(), 0);
	assert_int_equal(cfg.secret_len, 32);
	assert_memory_equal(cfg.secret, SECRET32, 32);
}

/* The newline does not count towards the minimum length. */
static void
config_secret_file_short(void **state)
{
	(void)state;

	secret_file(SECRET31 "\n", 32);
	assert_rejected("JWT_SECRET", NULL);
}

static void
config_secret_file_empty(void **state)
{
	(void)state;

	secret_file("", 0);
	assert_rejected("JWT_SECRET_FILE", NULL);
	unlink(secret_path);

	secret_file("\n", 1);
	assert_rejected("JWT_SECRET_FILE", NULL);
}

static void
config_secret_file_missing(void **state)
{
	(void)state;

	unsetenv("JWT_SECRET");
	setenv("JWT_SECRET_FILE", "/nonexistent/jwt-secret", 1);
	assert_rejected("JWT_SECRET_FILE", NULL);
}

/* Two sources for one secret are ambiguous, so neither is chosen. */
static void
config_secret_both(void **state)
{
	(void)state;

	secret_file(SECRET32 "\n", 33);
	setenv("JWT_SECRET", SECRET32, 1);
	assert_rejected("JWT_SECRET_FILE", SECRET32);
}

static void
config_username_missing(void **state)
{
	(void)state;

	unsetenv("AUTH_USERNAME");
	assert_rejected("AUTH_USERNAME", NULL);
}

static void
config_username_empty(void **state)
{
	(void)state;

	setenv("AUTH_USERNAME", "", 1);
	assert_rejected("AUTH_USERNAME", NULL);
}

/* Kore copies the environment into every worker, so load consumes the
 * secrets: overwritten in place and unset. */
static void
config_env_secrets_wiped(void **state)
{
	char	*secret, *password;

	(void)state;

	secret = getenv("JWT_SECRET");
	password = getenv("AUTH_PASSWORD");
	assert_non_null(secret);
	assert_non_null(password);

	assert_int_equal(load(), 0);
	assert_null(getenv("JWT_SECRET"));
	assert_null(getenv("AUTH_PASSWORD"));
	assert_true(is_zero(secret, strlen(SECRET32)));
	assert_true(is_zero(password, strlen(PASSWORD)));
	assert_non_null(getenv("AUTH_USERNAME"));
}

static void
config_username_too_long(void **state)
{
	char	name[CONFIG_VALUE_MAX + 2];

	(void)state;

	memset(name, 'u', CONFIG_VALUE_MAX);
	name[CONFIG_VALUE_MAX] = '\0';
	setenv("AUTH_USERNAME", name, 1);
	assert_int_equal(load(), 0);
	assert_int_equal(strlen(cfg.username), CONFIG_VALUE_MAX);

	name[CONFIG_VALUE_MAX] = 'u';
	name[CONFIG_VALUE_MAX + 1] = '\0';
	restore_secrets();
	setenv("AUTH_USERNAME", name, 1);
	assert_rejected("AUTH_USERNAME", name);
}

static void
config_password_missing(void **state)
{
	(void)state;

	unsetenv("AUTH_PASSWORD");
	assert_rejected("AUTH_PASSWORD", NULL);
}

static void
config_password_empty(void **state)
{
	(void)state;

	setenv("AUTH_PASSWORD", "", 1);
	assert_rejected("AUTH_PASSWORD", NULL);
}

static void
config_password_too_long(void **state)
{
	char	pass[CONFIG_PASSWORD_MAX + 2];

	(void)state;

	memset(pass, 'p', CONFIG_PASSWORD_MAX);
	pass[CONFIG_PASSWORD_MAX] = '\0';
	setenv("AUTH_PASSWORD", pass, 1);
	assert_int_equal(load(), 0);
	assert_int_equal(strlen(cfg.password), CONFIG_PASSWORD_MAX);

	pass[CONFIG_PASSWORD_MAX] = 'p';
	pass[CONFIG_PASSWORD_MAX + 1] = '\0';
	restore_secrets();
	setenv("AUTH_PASSWORD", pass, 1);
	assert_rejected("AUTH_PASSWORD", pass);
}

static void
config_ttl_not_number(void **state)
{
	(void)state;

	setenv("JWT_TTL", "abc", 1);
	assert_rejected("JWT_TTL", "abc");
	restore_secrets();
	setenv("JWT_TTL", "", 1);
	assert_rejected("JWT_TTL", NULL);
	restore_secrets();
	setenv("JWT_TTL", "1.5", 1);
	assert_rejected("JWT_TTL", "1.5");
}

static void
config_ttl_negative(void **state)
{
	(void)state;

	setenv("JWT_TTL", "-60", 1);
	assert_rejected("JWT_TTL", "-60");
}

/* A token that expires when it is issued is never valid. */
static void
config_ttl_zero(void **state)
{
	(void)state;

	setenv("JWT_TTL", "0", 1);
	assert_rejected("JWT_TTL", NULL);
}

static void
config_ttl_max(void **state)
{
	char	value[32];

	(void)state;

	snprintf(value, sizeof(value), "%d", CONFIG_TTL_MAX);
	setenv("JWT_TTL", value, 1);
	assert_int_equal(load(), 0);
	assert_int_equal(cfg.ttl, CONFIG_TTL_MAX);
}

static void
config_ttl_over_max(void **state)
{
	char	value[32];

	(void)state;

	snprintf(value, sizeof(value), "%d", CONFIG_TTL_MAX + 1);
	setenv("JWT_TTL", value, 1);
	assert_rejected("JWT_TTL", value);
	restore_secrets();
	setenv("JWT_TTL", "99999999999999999999999", 1);
	assert_rejected("JWT_TTL", "99999999999999999999999");
}

static void
config_ttl_trailing_garbage(void **state)
{
	(void)state;

	setenv("JWT_TTL", "60s", 1);
	assert_rejected("JWT_TTL", "60s");
	restore_secrets();
	setenv("JWT_TTL", "60 ", 1);
	assert_rejected("JWT_TTL", NULL);
	restore_secrets();
	setenv("JWT_TTL", "0x60", 1);
	assert_rejected("JWT_TTL", "0x60");
}

static void
config_leeway_not_number(void **state)
{
	(void)state;

	setenv("JWT_LEEWAY", "abc", 1);
	assert_rejected("JWT_LEEWAY", "abc");
	restore_secrets();
	setenv("JWT_LEEWAY", "", 1);
	assert_rejected("JWT_LEEWAY", NULL);
}

static void
config_leeway_negative(void **state)
{
	(void)state;

	setenv("JWT_LEEWAY", "-5", 1);
	assert_rejected("JWT_LEEWAY", "-5");
}

static void
config_leeway_zero(void **state)
{
	(void)state;

	setenv("JWT_LEEWAY", "0", 1);
	assert_int_equal(load(), 0);
	assert_int_equal(cfg.leeway, 0);
}

static void
config_leeway_max(void **state)
{
	char	value[32];

	(void)state;

	snprintf(value, sizeof(value), "%d", CONFIG_LEEWAY_MAX);
	setenv("JWT_LEEWAY", value, 1);
	assert_int_equal(load(), 0);
	assert_int_equal(cfg.leeway, CONFIG_LEEWAY_MAX);
}

static void
config_leeway_over_max(void **state)
{
	char	value[32];

	(void)state;

	snprintf(value, sizeof(value), "%d", CONFIG_LEEWAY_MAX + 1);
	setenv("JWT_LEEWAY", value, 1);
	assert_rejected("JWT_LEEWAY", value);
}

static void
config_leeway_trailing_garbage(void **state)
{
	(void)state;

	setenv("JWT_LEEWAY", "5x", 1);
	assert_rejected("JWT_LEEWAY", "5x");
}

/* A rejection found after the secret was read still wipes it. */
/* Values go into tokens as they are: no control characters, strict UTF-8. */
static void
config_text_control_utf8(void **state)
{
	(void)state;

	setenv("AUTH_USERNAME", "ana\tb", 1);
	assert_rejected("AUTH_USERNAME", NULL);

	restore_secrets();
	setenv("AUTH_USERNAME", "ana", 1);
	setenv("JWT_ISSUER", "twil\x7f.io", 1);
	assert_rejected("JWT_ISSUER", NULL);

	restore_secrets();
	unsetenv("JWT_ISSUER");
	setenv("JWT_ORG", "tw\xc0\xafilio", 1);
	assert_rejected("JWT_ORG", NULL);

	restore_secrets();
	setenv("JWT_ORG", "tw\xed\xa0\x80", 1);
	assert_rejected("JWT_ORG", NULL);

	restore_secrets();
	unsetenv("JWT_ORG");
	setenv("AUTH_USERNAME", "jos\xc3\xa9", 1);
	assert_int_equal(load(), 0);
	assert_string_equal(cfg.username, "jos\xc3\xa9");
}

static void
config_wiped_on_late_error(void **state)
{
	(void)state;

	setenv("JWT_LEEWAY", "bad", 1);
	assert_rejected("JWT_LEEWAY", "bad");
}

static void
config_clear_wipes(void **state)
{
	(void)state;

	setenv("JWT_SECRET_PREVIOUS", PREVIOUS32, 1);
	assert_int_equal(load(), 0);
	config_clear(&cfg);
	assert_true(is_zero(cfg.secret, sizeof(cfg.secret)));
	assert_true(is_zero(cfg.secret_previous, sizeof(cfg.secret_previous)));
	assert_int_equal(cfg.secret_previous_len, 0);
	assert_true(is_zero(cfg.password, sizeof(cfg.password)));
}

/* Without the rotation variables there is one secret and derived kids. */
static void
config_previous_absent(void **state)
{
	(void)state;

	assert_int_equal(load(), 0);
	assert_int_equal(cfg.secret_previous_len, 0);
	assert_int_equal(cfg.secret_previous_short, 0);
	assert_string_equal(cfg.kid, "");
	assert_string_equal(cfg.kid_previous, "");
}

static void
config_previous_values(void **state)
{
	(void)state;

	setenv("JWT_SECRET_PREVIOUS", PREVIOUS32, 1);
	setenv("JWT_KID", "key-2", 1);
	setenv("JWT_KID_PREVIOUS", "key-1", 1);
	assert_int_equal(load(), 0);
	assert_int_equal(cfg.secret_previous_len, 32);
	assert_memory_equal(cfg.secret_previous, PREVIOUS32, 32);
	assert_int_equal(cfg.secret_previous_short, 0);
	assert_memory_equal(cfg.secret, SECRET32, 32);
	assert_string_equal(cfg.kid, "key-2");
	assert_string_equal(cfg.kid_previous, "key-1");
}

static void
config_previous_file(void **state)
{
	(void)state;

	previous_file(PREVIOUS32 "\r\n", 34);
	assert_int_equal(load(), 0);
	assert_int_equal(cfg.secret_previous_len, 32);
	assert_memory_equal(cfg.secret_previous, PREVIOUS32, 32);
}

static void
config_previous_short(void **state)
{
	(void)state;

	setenv("JWT_SECRET_PREVIOUS", PREVIOUS31, 1);
	assert_rejected("JWT_SECRET_PREVIOUS", NULL);

	restore_secrets();
	setenv("JWT_SECRET_PREVIOUS", PREVIOUS31, 1);
	setenv("JWT_ALLOW_SHORT_SECRET", "1", 1);
	assert_int_equal(load(), 0);
	assert_int_equal(cfg.secret_previous_len, 31);
	assert_int_equal(cfg.secret_previous_short, 1);
	assert_int_equal(cfg.secret_short, 0);
}

static void
config_previous_empty(void **state)
{
	(void)state;

	setenv("JWT_SECRET_PREVIOUS", "", 1);
	assert_rejected("JWT_SECRET_PREVIOUS", NULL);

	restore_secrets();
	previous_file("\n", 1);
	assert_rejected("JWT_SECRET_PREVIOUS_FILE", NULL);
}

static void
config_previous_both(void **state)
{
	(void)state;

	previous_file(PREVIOUS32, 32);
	setenv("JWT_SECRET_PREVIOUS", PREVIOUS32, 1);
	assert_rejected("JWT_SECRET_PREVIOUS_FILE", NULL);
}

static void
config_previous_too_long(void **state)
{
	char	secret[CONFIG_SECRET_MAX + 2];

	(void)state;

	memset(secret, 'p', CONFIG_SECRET_MAX + 1);
	secret[CONFIG_SECRET_MAX + 1] = '\0';
	setenv("JWT_SECRET_PREVIOUS", secret, 1);
	assert_rejected("JWT_SECRET_PREVIOUS", secret);
}

/* The previous secret must be the one being replaced, not the same. */
static void
config_previous_same(void **state)
{
	(void)state;

	setenv("JWT_SECRET_PREVIOUS", SECRET32, 1);
	assert_rejected("JWT_SECRET_PREVIOUS", NULL);

	/* The same bytes from a file and from the variable. */
	restore_secrets();
	previous_file(SECRET32 "\n", 33);
	assert_rejected("JWT_SECRET_PREVIOUS", NULL);
}

/* A prefix of the current secret is another secret. */
static void
config_previous_prefix(void **state)
{
	(void)state;

	setenv("JWT_ALLOW_SHORT_SECRET", "1", 1);
	setenv("JWT_SECRET_PREVIOUS", SECRET31, 1);
	assert_int_equal(load(), 0);
	assert_int_equal(cfg.secret_previous_len, 31);
}

static void
config_env_previous_wiped(void **state)
{
	char	*previous;

	(void)state;

	setenv("JWT_SECRET_PREVIOUS", PREVIOUS32, 1);
	previous = getenv("JWT_SECRET_PREVIOUS");
	assert_int_equal(load(), 0);
	assert_null(getenv("JWT_SECRET_PREVIOUS"));
	assert_true(is_zero(previous, strlen(PREVIOUS32)));

	/* Also when the load fails. */
	restore_secrets();
	setenv("JWT_SECRET_PREVIOUS", SECRET32, 1);
	previous = getenv("JWT_SECRET_PREVIOUS");
	assert_int_equal(load(), -1);
	assert_null(getenv("JWT_SECRET_PREVIOUS"));
	assert_true(is_zero(previous, strlen(SECRET32)));
}

static void
config_kid_valid(void **state)
{
	char	kid[TOKEN_KID_MAX + 1];

	(void)state;

	memset(kid, 'k', TOKEN_KID_MAX);
	kid[TOKEN_KID_MAX] = '\0';
	setenv("JWT_KID", kid, 1);
	assert_int_equal(load(), 0);
	assert_string_equal(cfg.kid, kid);

	restore_secrets();
	setenv("JWT_KID", "Az09._-", 1);
	assert_int_equal(load(), 0);
	assert_string_equal(cfg.kid, "Az09._-");
}

static void
config_kid_invalid(void **state)
{
	static const char	*bad[] = {
		"", "a b", "a/b", "../../etc/passwd", "k\"", "k\\", "k\xc3\xa9",
		"k\t",
	};
	char			kid[TOKEN_KID_MAX + 2];
	size_t			i;

	(void)state;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		restore_secrets();
		setenv("JWT_KID", bad[i], 1);
		assert_rejected("JWT_KID", NULL);
	}

	memset(kid, 'k', TOKEN_KID_MAX + 1);
	kid[TOKEN_KID_MAX + 1] = '\0';
	restore_secrets();
	setenv("JWT_KID", kid, 1);
	assert_rejected("JWT_KID", NULL);

	restore_secrets();
	unsetenv("JWT_KID");
	setenv("JWT_SECRET_PREVIOUS", PREVIOUS32, 1);
	setenv("JWT_KID_PREVIOUS", "a/b", 1);
	assert_rejected("JWT_KID_PREVIOUS", NULL);
}

static void
config_kid_previous_same(void **state)
{
	(void)state;

	setenv("JWT_SECRET_PREVIOUS", PREVIOUS32, 1);
	setenv("JWT_KID", "key-1", 1);
	setenv("JWT_KID_PREVIOUS", "key-1", 1);
	assert_rejected("JWT_KID_PREVIOUS", NULL);
}

/* A kid for a previous secret that is not there is a mistake. */
static void
config_kid_previous_alone(void **state)
{
	(void)state;

	setenv("JWT_KID_PREVIOUS", "key-1", 1);
	assert_rejected("JWT_KID_PREVIOUS", NULL);
}

/* The pair is the default store, with the default throttling limits. */
static void
config_store_defaults(void **state)
{
	(void)state;

	assert_int_equal(load(), 0);
	assert_int_equal(cfg.users_store, CONFIG_USERS_PAIR);
	assert_int_equal(cfg.data_store, CONFIG_DATA_ASSET);
	assert_int_equal(cfg.throttle_store, CONFIG_THROTTLE_MEMORY);
	assert_string_equal(cfg.pgsql_dsn, "");
	assert_int_equal(cfg.throttle.user_limit, 5);
	assert_int_equal(cfg.throttle.addr_limit, 20);
	assert_int_equal(cfg.throttle.delay, 30);
	assert_int_equal(cfg.throttle.delay_max, 900);
	assert_int_equal(cfg.throttle.window, 3600);
}

static void
config_users_file(void **state)
{
	(void)state;

	unsetenv("AUTH_USERNAME");
	unsetenv("AUTH_PASSWORD");
	setenv("AUTH_USERS_FILE", "/etc/jwt-service/users", 1);
	assert_int_equal(load(), 0);
	assert_int_equal(cfg.users_store, CONFIG_USERS_FILE);
	assert_string_equal(cfg.users_file, "/etc/jwt-service/users");
	assert_string_equal(cfg.username, "");
}

/* A file and a pair together are ambiguous. */
static void
config_users_file_and_pair(void **state)
{
	(void)state;

	setenv("AUTH_USERS_FILE", "/etc/jwt-service/users", 1);
	assert_rejected("AUTH_USERS_FILE", NULL);

	restore_secrets();
	setenv("AUTH_USERS_STORE", "pair", 1);
	assert_rejected("AUTH_USERS_FILE", NULL);
}

static void
config_users_file_missing(void **state)
{
	(void)state;

	unsetenv("AUTH_USERNAME");
	unsetenv("AUTH_PASSWORD");
	setenv("AUTH_USERS_STORE", "file", 1);
	assert_rejected("AUTH_USERS_FILE", NULL);

	setenv("AUTH_USERS_FILE", "", 1);
	restore_secrets();
	unsetenv("AUTH_PASSWORD");
	assert_rejected("AUTH_USERS_FILE", NULL);
}

static void
config_users_store_invalid(void **state)
{
	(void)state;

	setenv("AUTH_USERS_STORE", "ldap", 1);
	assert_rejected("AUTH_USERS_STORE", NULL);
}

/* PostgreSQL users bring PostgreSQL throttling, and need PGSQL_DSN. */
static void
config_users_pgsql(void **state)
{
	(void)state;

	unsetenv("AUTH_USERNAME");
	unsetenv("AUTH_PASSWORD");
	setenv("AUTH_USERS_STORE", "pgsql", 1);
	assert_rejected("PGSQL_DSN", NULL);

	restore_secrets();
	unsetenv("AUTH_PASSWORD");
	setenv("PGSQL_DSN", DSN, 1);
	assert_int_equal(load(), 0);
	assert_int_equal(cfg.users_store, CONFIG_USERS_PGSQL);
	assert_int_equal(cfg.throttle_store, CONFIG_THROTTLE_PGSQL);
	assert_int_equal(cfg.data_store, CONFIG_DATA_ASSET);
	assert_string_equal(cfg.pgsql_dsn, DSN);
	assert_null(getenv("PGSQL_DSN"));
}

static void
config_users_pgsql_with_pair(void **state)
{
	(void)state;

	setenv("AUTH_USERS_STORE", "pgsql", 1);
	setenv("PGSQL_DSN", DSN, 1);
	assert_rejected("AUTH_USERNAME", "test-dsn-password");
}

static void
config_data_pgsql(void **state)
{
	(void)state;

	setenv("DATA_STORE", "pgsql", 1);
	setenv("PGSQL_DSN", DSN, 1);
	setenv("THROTTLE_STORE", "pgsql", 1);
	assert_int_equal(load(), 0);
	assert_int_equal(cfg.users_store, CONFIG_USERS_PAIR);
	assert_int_equal(cfg.data_store, CONFIG_DATA_PGSQL);
	assert_int_equal(cfg.throttle_store, CONFIG_THROTTLE_PGSQL);
	assert_string_equal(cfg.pgsql_dsn, DSN);

	restore_secrets();
	setenv("DATA_STORE", "postgres", 1);
	assert_rejected("DATA_STORE", NULL);

	restore_secrets();
	setenv("DATA_STORE", "asset", 1);
	setenv("THROTTLE_STORE", "redis", 1);
	assert_rejected("THROTTLE_STORE", NULL);
}

/* The connection string may hold a password: never in a message. */
static void
config_dsn_unused_or_long(void **state)
{
	char	long_dsn[CONFIG_DSN_MAX + 2];

	(void)state;

	setenv("PGSQL_DSN", DSN, 1);
	assert_rejected("PGSQL_DSN", "test-dsn-password");
	assert_null(getenv("PGSQL_DSN"));

	memset(long_dsn, 'a', sizeof(long_dsn) - 1);
	long_dsn[sizeof(long_dsn) - 1] = '\0';
	restore_secrets();
	setenv("DATA_STORE", "pgsql", 1);
	setenv("PGSQL_DSN", long_dsn, 1);
	assert_rejected("PGSQL_DSN", NULL);
	assert_true(is_zero(cfg.pgsql_dsn, sizeof(cfg.pgsql_dsn)));
}

static void
config_throttle_values(void **state)
{
	(void)state;

	setenv("THROTTLE_USER_LIMIT", "0", 1);
	setenv("THROTTLE_ADDR_LIMIT", "1000000", 1);
	setenv("THROTTLE_DELAY", "1", 1);
	setenv("THROTTLE_DELAY_MAX", "86400", 1);
	setenv("THROTTLE_WINDOW", "60", 1);
	assert_int_equal(load(), 0);
	assert_int_equal(cfg.throttle.user_limit, 0);
	assert_int_equal(cfg.throttle.addr_limit, 1000000);
	assert_int_equal(cfg.throttle.delay, 1);
	assert_int_equal(cfg.throttle.delay_max, 86400);
	assert_int_equal(cfg.throttle.window, 60);
}

static void
config_throttle_invalid(void **state)
{
	(void)state;

	setenv("THROTTLE_USER_LIMIT", "-1", 1);
	assert_rejected("THROTTLE_USER_LIMIT", NULL);

	restore_secrets();
	unsetenv("THROTTLE_USER_LIMIT");
	setenv("THROTTLE_ADDR_LIMIT", "1000001", 1);
	assert_rejected("THROTTLE_ADDR_LIMIT", NULL);

	restore_secrets();
	unsetenv("THROTTLE_ADDR_LIMIT");
	setenv("THROTTLE_DELAY", "0", 1);
	assert_rejected("THROTTLE_DELAY", NULL);

	restore_secrets();
	unsetenv("THROTTLE_DELAY");
	setenv("THROTTLE_WINDOW", "15m", 1);
	assert_rejected("THROTTLE_WINDOW", NULL);

	restore_secrets();
	unsetenv("THROTTLE_WINDOW");
	setenv("THROTTLE_DELAY", "60", 1);
	setenv("THROTTLE_DELAY_MAX", "30", 1);
	assert_rejected("THROTTLE_DELAY_MAX", NULL);
}

#define CONFIG_TEST(f)	cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		CONFIG_TEST(config_values),
		CONFIG_TEST(config_defaults),
		CONFIG_TEST(config_overrides),
		CONFIG_TEST(config_secret_missing),
		CONFIG_TEST(config_secret_empty),
		CONFIG_TEST(config_secret_short),
		CONFIG_TEST(config_secret_short_allowed),
		CONFIG_TEST(config_secret_short_allow_0),
		CONFIG_TEST(config_secret_empty_allowed),
		CONFIG_TEST(config_secret_max),
		CONFIG_TEST(config_secret_too_long),
		CONFIG_TEST(config_secret_file),
		CONFIG_TEST(config_secret_file_no_newline),
		CONFIG_TEST(config_secret_file_crlf),
		CONFIG_TEST(config_secret_file_short),
		CONFIG_TEST(config_secret_file_empty),
		CONFIG_TEST(config_secret_file_missing),
		CONFIG_TEST(config_secret_both),
		CONFIG_TEST(config_username_missing),
		CONFIG_TEST(config_username_empty),
		CONFIG_TEST(config_env_secrets_wiped),
		CONFIG_TEST(config_username_too_long),
		CONFIG_TEST(config_password_missing),
		CONFIG_TEST(config_password_empty),
		CONFIG_TEST(config_password_too_long),
		CONFIG_TEST(config_ttl_not_number),
		CONFIG_TEST(config_ttl_negative),
		CONFIG_TEST(config_ttl_zero),
		CONFIG_TEST(config_ttl_max),
		CONFIG_TEST(config_ttl_over_max),
		CONFIG_TEST(config_ttl_trailing_garbage),
		CONFIG_TEST(config_leeway_not_number),
		CONFIG_TEST(config_leeway_negative),
		CONFIG_TEST(config_leeway_zero),
		CONFIG_TEST(config_leeway_max),
		CONFIG_TEST(config_leeway_over_max),
		CONFIG_TEST(config_leeway_trailing_garbage),
		CONFIG_TEST(config_text_control_utf8),
		CONFIG_TEST(config_wiped_on_late_error),
		CONFIG_TEST(config_clear_wipes),
		CONFIG_TEST(config_previous_absent),
		CONFIG_TEST(config_previous_values),
		CONFIG_TEST(config_previous_file),
		CONFIG_TEST(config_previous_short),
		CONFIG_TEST(config_previous_empty),
		CONFIG_TEST(config_previous_both),
		CONFIG_TEST(config_previous_too_long),
		CONFIG_TEST(config_previous_same),
		CONFIG_TEST(config_previous_prefix),
		CONFIG_TEST(config_env_previous_wiped),
		CONFIG_TEST(config_kid_valid),
		CONFIG_TEST(config_kid_invalid),
		CONFIG_TEST(config_kid_previous_same),
		CONFIG_TEST(config_kid_previous_alone),
		CONFIG_TEST(config_store_defaults),
		CONFIG_TEST(config_users_file),
		CONFIG_TEST(config_users_file_and_pair),
		CONFIG_TEST(config_users_file_missing),
		CONFIG_TEST(config_users_store_invalid),
		CONFIG_TEST(config_users_pgsql),
		CONFIG_TEST(config_users_pgsql_with_pair),
		CONFIG_TEST(config_data_pgsql),
		CONFIG_TEST(config_dsn_unused_or_long),
		CONFIG_TEST(config_throttle_values),
		CONFIG_TEST(config_throttle_invalid),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
