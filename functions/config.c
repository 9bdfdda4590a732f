#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include "config.h"
#include "jsonobj.h"

#define CONFIG_DEFAULT_ISSUER	"twil.io"
#define CONFIG_DEFAULT_ORG	"twilio"
#define CONFIG_DEFAULT_TTL	86400
#define CONFIG_DEFAULT_LEEWAY	0

/* Login throttling defaults, stated in the README. */
#define CONFIG_DEFAULT_USER_LIMIT	5
#define CONFIG_DEFAULT_ADDR_LIMIT	20
#define CONFIG_DEFAULT_DELAY		30
#define CONFIG_DEFAULT_DELAY_MAX	900
#define CONFIG_DEFAULT_WINDOW		3600

static int	config_secrets(struct config *, char *, size_t);
static int	config_secret(const char *, int, uint8_t *, size_t *, int *,
		    char *, size_t);
static int	config_secret_file(const char *, const char *, uint8_t *,
		    size_t *, char *, size_t);
static int	config_kid(const char *, char *, char *, size_t);
static int	config_text(const char *, const char *, const char *,
		    size_t, char *, char *, size_t);
static int	config_seconds(const char *, long, long, long, long *,
		    char *, size_t);
static int	config_number(const char *, const char *, long, long, long,
		    long *, char *, size_t);
static int	config_choice(const char *, const char *const *, int, int *,
		    char *, size_t);
static int	config_users(struct config *, char *, size_t);
static int	config_stores(struct config *, char *, size_t);
static int	config_throttle(struct config *, char *, size_t);
static void	config_env_wipe(const char *);
static int	config_error(char *, size_t, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

int
config_load(struct config *cfg, char *err, size_t errlen)
{
	int		ret;

	memset(cfg, 0, sizeof(*cfg));
	ret = 0;

	if (config_secrets(cfg, err, errlen) == -1 ||
	    config_users(cfg, err, errlen) == -1 ||
	    config_text("JWT_ISSUER", getenv("JWT_ISSUER"),
	    CONFIG_DEFAULT_ISSUER, CONFIG_VALUE_MAX, cfg->issuer,
	    err, errlen) == -1 ||
	    config_text("JWT_ORG", getenv("JWT_ORG"), CONFIG_DEFAULT_ORG,
	    CONFIG_VALUE_MAX, cfg->org, err, errlen) == -1 ||
	    config_seconds("JWT_TTL", CONFIG_DEFAULT_TTL, 1, CONFIG_TTL_MAX,
	    &cfg->ttl, err, errlen) == -1 ||
	    config_seconds("JWT_LEEWAY", CONFIG_DEFAULT_LEEWAY, 0,
	    CONFIG_LEEWAY_MAX, &cfg->leeway, err, errlen) == -1 ||
	    config_stores(cfg, err, errlen) == -1 ||
	    config_throttle(cfg, err, errlen) == -1) {
		config_clear(cfg);
		ret = -1;
	}

	/* Kore copies the environment into every process it forks. */
	config_env_wipe("JWT_SECRET");
	config_env_wipe("JWT_SECRET_PREVIOUS");
	config_env_wipe("AUTH_PASSWORD");
	config_env_wipe("PGSQL_DSN");

	return (ret);
}

/* Overwrites the variable's value where the environment keeps it, then
 * removes the variable. */
static void
config_env_wipe(const char *name)
{
	extern char	**environ;
	size_t		i, len;

	len = strlen(name);
	for (i = 0; environ[i] != NULL; i++) {
		if (strncmp(environ[i], name, len) == 0 &&
		    environ[i][len] == '=')
			OPENSSL_cleanse(environ[i] + len + 1,
			    strlen(environ[i] + len + 1));
	}

	(void)unsetenv(name);
}

void
config_clear(struct config *cfg)
{
	OPENSSL_cleanse(cfg->secret, sizeof(cfg->secret));
	OPENSSL_cleanse(cfg->secret_previous, sizeof(cfg->secret_previous));
	OPENSSL_cleanse(cfg->password, sizeof(cfg->password));
	OPENSSL_cleanse(cfg->pgsql_dsn, sizeof(cfg->pgsql_dsn));
	cfg->secret_len = 0;
	cfg->secret_previous_len = 0;
}

static int
config_error(char *err, size_t errlen, const char *fmt, ...)
{
	va_list		ap;

	va_start(ap, fmt);
	(void)vsnprintf(err, errlen, fmt, ap);
	va_end(ap);

	return (-1);
}

/*
 * Reads the signing secret, the optional previous one that only verifies,
 * and their kids.
 */
static int
config_secrets(struct config *cfg, char *err, size_t errlen)
{
	const char	*allow;

	allow = getenv("JWT_ALLOW_SHORT_SECRET");
	if (allow != NULL && strcmp(allow, "0") != 0 && strcmp(allow, "1") != 0)
		return (config_error(err, errlen,
		    "JWT_ALLOW_SHORT_SECRET must be 0 or 1"));

	if (config_secret("JWT_SECRET", 1, cfg->secret, &cfg->secret_len,
	    &cfg->secret_short, err, errlen) == -1 ||
	    config_secret("JWT_SECRET_PREVIOUS", 0, cfg->secret_previous,
	    &cfg->secret_previous_len, &cfg->secret_previous_short,
	    err, errlen) == -1)
		return (-1);

	/* Length first, then the bytes in constant time. */
	if (cfg->secret_previous_len == cfg->secret_len &&
	    CRYPTO_memcmp(cfg->secret_previous, cfg->secret,
	    cfg->secret_len) == 0)
		return (config_error(err, errlen,
		    "JWT_SECRET_PREVIOUS is the same as JWT_SECRET; set it "
		    "to the secret being replaced, or unset it"));

	if (config_kid("JWT_KID", cfg->kid, err, errlen) == -1 ||
	    config_kid("JWT_KID_PREVIOUS", cfg->kid_previous,
	    err, errlen) == -1)
		return (-1);

	if (cfg->kid_previous[0] != '\0' && cfg->secret_previous_len == 0)
		return (config_error(err, errlen, "JWT_KID_PREVIOUS is set "
		    "without JWT_SECRET_PREVIOUS (or JWT_SECRET_PREVIOUS_FILE)"));
	if (cfg->kid[0] != '\0' && strcmp(cfg->kid, cfg->kid_previous) == 0)
		return (config_error(err, errlen,
		    "JWT_KID_PREVIOUS is the same as JWT_KID; the kids of "
		    "the two secrets must differ"));

	return (0);
}

/*
 * Reads the secret from the variable name or from the file that
 * name_FILE names into out (CONFIG_SECRET_MAX bytes).  With neither set
 * a required secret is an error and an optional one leaves *len 0.  A
 * secret shorter than CONFIG_SECRET_MIN needs JWT_ALLOW_SHORT_SECRET=1
 * and sets *is_short.
 */
static int
config_secret(const char *name, int required, uint8_t *out, size_t *len,
    int *is_short, char *err, size_t errlen)
{
	char		file_name[64], source[96];
	const char	*secret, *file, *allow;

	(void)snprintf(file_name, sizeof(file_name), "%s_FILE", name);
	secret = getenv(name);
	file = getenv(file_name);
	allow = getenv("JWT_ALLOW_SHORT_SECRET");

	if (secret != NULL && file != NULL)
		return (config_error(err, errlen,
		    "set %s or %s, not both", name, file_name));

	if (file != NULL) {
		if (config_secret_file(file_name, file, out, len,
		    err, errlen) == -1)
			return (-1);
	} else if (secret != NULL) {
		*len = strlen(secret);
		if (*len > CONFIG_SECRET_MAX) {
			*len = 0;
			return (config_error(err, errlen,
			    "%s is longer than %d bytes", name,
			    CONFIG_SECRET_MAX));
		}
		memcpy(out, secret, *len);
	} else if (required) {
		return (config_error(err, errlen,
		    "%s (or %s) is not set", name, file_name));
	} else {
		return (0);
	}

	if (file != NULL)
		(void)snprintf(source, sizeof(source), "the %s file",
		    file_name);
	else
		(void)snprintf(source, sizeof(source), "%s", name);
	if (*len == 0)
		return (config_error(err, errlen, "%s is empty", source));

	/* RFC 7518 section 3.2: an HS256 key has at least 256 bits. */
	if (*len < CONFIG_SECRET_MIN) {
		if (allow == NULL || strcmp(allow, "1") != 0)
			return (config_error(err, errlen,
			    "%s is shorter than %d bytes; use a longer "
			    "secret or set JWT_ALLOW_SHORT_SECRET=1 while "
			    "migrating", source, CONFIG_SECRET_MIN));
		*is_short = 1;
	}

	return (0);
}

/*
 * Reads the secret from path for the variable name.  One trailing newline
 * (LF or CRLF) is taken off, since editors and `echo` add one; every other
 * byte is key material.
 */
static int
config_secret_file(const char *name, const char *path, uint8_t *out,
    size_t *outlen, char *err, size_t errlen)
{
	uint8_t		buf[CONFIG_SECRET_MAX + 3];
	size_t		len;
	ssize_t		n;
	int		fd, saved;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return (config_error(err, errlen,
		    "%s: cannot open %s: %s", name, path, strerror(errno)));

	len = 0;
	for (;;) {
		n = read(fd, buf + len, sizeof(buf) - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0 || (len += (size_t)n) == sizeof(buf))
			break;
	}
	saved = errno;
	(void)close(fd);

	if (n == -1) {
		OPENSSL_cleanse(buf, sizeof(buf));
		return (config_error(err, errlen,
		    "%s: cannot read %s: %s", name, path, strerror(saved)));
	}

	if (len > 0 && buf[len - 1] == '\n')
		len--;
	if (len > 0 && buf[len - 1] == '\r')
		len--;

	if (len > CONFIG_SECRET_MAX) {
		OPENSSL_cleanse(buf, sizeof(buf));
		return (config_error(err, errlen,
		    "%s: %s holds more than %d bytes", name, path,
		    CONFIG_SECRET_MAX));
	}

	memcpy(out, buf, len);
	*outlen = len;
	OPENSSL_cleanse(buf, sizeof(buf));

	return (0);
}

/*
 * Copies the kid in the variable name into out (TOKEN_KID_MAX + 1 bytes),
 * or leaves out empty when it is unset, so the kid is derived.
 */
static int
config_kid(const char *name, char *out, char *err, size_t errlen)
{
	const char	*value;
	size_t		len;

	out[0] = '\0';
	if ((value = getenv(name)) == NULL)
		return (0);

	len = strlen(value);
	if (!token_kid_valid(value, len))
		return (config_error(err, errlen,
		    "%s must be 1 to %d characters of A-Z, a-z, 0-9, '.', "
		    "'_' and '-'", name, TOKEN_KID_MAX));

	memcpy(out, value, len + 1);
	return (0);
}

/*
 * Copies the variable's value (or dflt when unset; required when dflt is
 * NULL) into out.  Values go into tokens and comparisons as they are, so
 * they must be non-empty UTF-8 without control characters.
 */
static int
config_text(const char *name, const char *value, const char *dflt,
    size_t max, char *out, char *err, size_t errlen)
{
	const unsigned char	*p;
	size_t			len;

	if (value == NULL)
		value = dflt;
	if (value == NULL)
		return (config_error(err, errlen, "%s is not set", name));

	len = strlen(value);
	if (len == 0)
		return (config_error(err, errlen, "%s is empty", name));
	if (len > max)
		return (config_error(err, errlen,
		    "%s is longer than %zu bytes", name, max));

	for (p = (const unsigned char *)value; *p != '\0'; p++) {
		if (*p < 0x20 || *p == 0x7f)
			return (config_error(err, errlen,
			    "%s contains a control character", name));
	}
	if (!jsonobj_is_utf8((const uint8_t *)value, len))
		return (config_error(err, errlen, "%s is not valid UTF-8",
		    name));

	memcpy(out, value, len + 1);
	return (0);
}

/* Reads a whole number of seconds from min to max, or dflt when unset. */
static int
config_seconds(const char *name, long dflt, long min, long max, long *out,
    char *err, size_t errlen)
{
	return (config_number(name, "seconds", dflt, min, max, out, err,
	    errlen));
}

/* Reads a whole number of unit from min to max, or dflt when unset. */
static int
config_number(const char *name, const char *unit, long dflt, long min,
    long max, long *out, char *err, size_t errlen)
{
	const char	*value, *p;
	long		n;

	if ((value = getenv(name)) == NULL) {
		*out = dflt;
		return (0);
	}

	n = 0;
	for (p = value; *p >= '0' && *p <= '9' && n <= max; p++)
		n = n * 10 + (*p - '0');

	if (p == value || *p != '\0' || n < min || n > max)
		return (config_error(err, errlen,
		    "%s must be a whole number of %s from %ld to %ld",
		    name, unit, min, max));

	*out = n;
	return (0);
}

/*
 * Sets *out to the index of the variable's value in choices (n of them),
 * or to dflt when the variable is unset.
 */
static int
config_choice(const char *name, const char *const *choices, int n, int *out,
    char *err, size_t errlen)
{
	const char	*value;
	int		i;

	if ((value = getenv(name)) == NULL)
		return (0);

	for (i = 0; i < n; i++) {
		if (strcmp(value, choices[i]) == 0) {
			*out = i;
			return (0);
		}
	}

	if (n == 2)
		return (config_error(err, errlen, "%s must be %s or %s", name,
		    choices[0], choices[1]));
	return (config_error(err, errlen, "%s must be %s, %s or %s", name,
	    choices[0], choices[1], choices[2]));
}

/*
 * Picks the users store: the AUTH_USERNAME and AUTH_PASSWORD pair, the
 * AUTH_USERS_FILE file, or PostgreSQL.  Settings of a store that is not in
 * use reject the start, because a deployment that sets both a file and a
 * pair would otherwise not know which one logs users in.
 */
static int
config_users(struct config *cfg, char *err, size_t errlen)
{
	static const char *const	stores[] = { "pair", "file", "pgsql" };
	const char			*file;
	int				pair_set;

	file = getenv("AUTH_USERS_FILE");
	pair_set = getenv("AUTH_USERNAME") != NULL ||
	    getenv("AUTH_PASSWORD") != NULL;

	cfg->users_store = file != NULL ? CONFIG_USERS_FILE : CONFIG_USERS_PAIR;
	if (config_choice("AUTH_USERS_STORE", stores, 3, &cfg->users_store,
	    err, errlen) == -1)
		return (-1);

	switch (cfg->users_store) {
	case CONFIG_USERS_PAIR:
		if (file != NULL)
			return (config_error(err, errlen, "AUTH_USERS_FILE is "
			    "set but AUTH_USERS_STORE is pair"));
		if (config_text("AUTH_USERNAME", getenv("AUTH_USERNAME"), NULL,
		    CONFIG_VALUE_MAX, cfg->username, err, errlen) == -1 ||
		    config_text("AUTH_PASSWORD", getenv("AUTH_PASSWORD"), NULL,
		    CONFIG_PASSWORD_MAX, cfg->password, err, errlen) == -1)
			return (-1);
		return (0);
	case CONFIG_USERS_FILE:
		if (pair_set)
			return (config_error(err, errlen, "set AUTH_USERS_FILE "
			    "or AUTH_USERNAME and AUTH_PASSWORD, not both"));
		if (file == NULL)
			return (config_error(err, errlen, "AUTH_USERS_STORE is "
			    "file but AUTH_USERS_FILE is not set"));
		if (file[0] == '\0')
			return (config_error(err, errlen,
			    "AUTH_USERS_FILE is empty"));
		if (strlen(file) > CONFIG_PATH_MAX)
			return (config_error(err, errlen, "AUTH_USERS_FILE is "
			    "longer than %d bytes", CONFIG_PATH_MAX));
		memcpy(cfg->users_file, file, strlen(file) + 1);
		return (0);
	default:
		if (pair_set || file != NULL)
			return (config_error(err, errlen, "AUTH_USERS_STORE is "
			    "pgsql; unset AUTH_USERNAME, AUTH_PASSWORD and "
			    "AUTH_USERS_FILE"));
		return (0);
	}
}

/*
 * Picks where /bearer reads its data and where failed logins are counted,
 * and reads PGSQL_DSN when either store, or the users store, is
 * PostgreSQL.  The connection string may hold a password, so it is never
 * logged.
 */
static int
config_stores(struct config *cfg, char *err, size_t errlen)
{
	static const char *const	data[] = { "asset", "pgsql" };
	static const char *const	throttle[] = { "memory", "pgsql" };
	const char			*dsn;
	size_t				len;
	int				needed;

	cfg->data_store = CONFIG_DATA_ASSET;
	if (config_choice("DATA_STORE", data, 2, &cfg->data_store, err,
	    errlen) == -1)
		return (-1);

	cfg->throttle_store = cfg->users_store == CONFIG_USERS_PGSQL ?
	    CONFIG_THROTTLE_PGSQL : CONFIG_THROTTLE_MEMORY;
	if (config_choice("THROTTLE_STORE", throttle, 2, &cfg->throttle_store,
	    err, errlen) == -1)
		return (-1);

	needed = cfg->users_store == CONFIG_USERS_PGSQL ||
	    cfg->data_store == CONFIG_DATA_PGSQL ||
	    cfg->throttle_store == CONFIG_THROTTLE_PGSQL;
	dsn = getenv("PGSQL_DSN");

	if (!needed) {
		if (dsn != NULL)
			return (config_error(err, errlen, "PGSQL_DSN is set "
			    "but no store uses PostgreSQL; set "
			    "AUTH_USERS_STORE, DATA_STORE or THROTTLE_STORE "
			    "to pgsql"));
		return (0);
	}

	if (dsn == NULL || dsn[0] == '\0')
		return (config_error(err, errlen, "PGSQL_DSN is not set but "
		    "a store uses PostgreSQL"));
	if ((len = strlen(dsn)) > CONFIG_DSN_MAX)
		return (config_error(err, errlen, "PGSQL_DSN is longer "
		    "than %d bytes", CONFIG_DSN_MAX));
	memcpy(cfg->pgsql_dsn, dsn, len + 1);

	return (0);
}

static int
config_throttle(struct config *cfg, char *err, size_t errlen)
{
	struct config_throttle	*t;

	t = &cfg->throttle;
	if (config_number("THROTTLE_USER_LIMIT", "failures",
	    CONFIG_DEFAULT_USER_LIMIT, 0, CONFIG_THROTTLE_LIMIT_MAX,
	    &t->user_limit, err, errlen) == -1 ||
	    config_number("THROTTLE_ADDR_LIMIT", "failures",
	    CONFIG_DEFAULT_ADDR_LIMIT, 0, CONFIG_THROTTLE_LIMIT_MAX,
	    &t->addr_limit, err, errlen) == -1 ||
	    config_seconds("THROTTLE_DELAY", CONFIG_DEFAULT_DELAY, 1,
	    CONFIG_THROTTLE_DELAY_MAX, &t->delay, err, errlen) == -1 ||
	    config_seconds("THROTTLE_DELAY_MAX", CONFIG_DEFAULT_DELAY_MAX, 1,
	    CONFIG_THROTTLE_DELAY_MAX, &t->delay_max, err, errlen) == -1 ||
	    config_seconds("THROTTLE_WINDOW", CONFIG_DEFAULT_WINDOW, 1,
	    CONFIG_THROTTLE_DELAY_MAX, &t->window, err, errlen) == -1)
		return (-1);

	if (t->delay_max < t->delay)
		return (config_error(err, errlen, "THROTTLE_DELAY_MAX must "
		    "not be less than THROTTLE_DELAY"));

	return (0);
}
