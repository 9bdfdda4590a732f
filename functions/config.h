/*
 * Settings read once from the environment at start.
 */
#ifndef CONFIG_H
#define CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "token.h"

#define CONFIG_SECRET_MIN	32	/* bytes; RFC 7518 section 3.2 */
#define CONFIG_SECRET_MAX	1024
#define CONFIG_VALUE_MAX	255	/* bytes of a username, issuer, org */
#define CONFIG_PASSWORD_MAX	1024
#define CONFIG_TTL_MAX		31536000	/* one year, seconds */
#define CONFIG_LEEWAY_MAX	300	/* seconds */
#define CONFIG_PATH_MAX		4095	/* bytes of a file name */
#define CONFIG_DSN_MAX		1023	/* bytes of a libpq connection string */
#define CONFIG_THROTTLE_LIMIT_MAX	1000000	/* failures */
#define CONFIG_THROTTLE_DELAY_MAX	86400	/* seconds */

/* Stores of the users that POST /jwt approves. */
enum config_users_store {
	CONFIG_USERS_PAIR,	/* AUTH_USERNAME and AUTH_PASSWORD */
	CONFIG_USERS_FILE,	/* the file AUTH_USERS_FILE names */
	CONFIG_USERS_PGSQL	/* the jwt_users table */
};

/* Stores of the protected data that /bearer sends. */
enum config_data_store {
	CONFIG_DATA_ASSET,	/* compiled in from assets/ */
	CONFIG_DATA_PGSQL	/* the salaries table */
};

/* Stores of the failed-login counts. */
enum config_throttle_store {
	CONFIG_THROTTLE_MEMORY,	/* shared by the workers of one instance */
	CONFIG_THROTTLE_PGSQL	/* shared by every instance */
};

/* Login throttling limits; a limit of 0 turns that kind off. */
struct config_throttle {
	long		user_limit;	/* failures per username */
	long		addr_limit;	/* failures per client address */
	long		delay;		/* first lockout, seconds */
	long		delay_max;	/* longest lockout, seconds */
	long		window;		/* seconds until a count is forgotten */
};

struct config {
	uint8_t		secret[CONFIG_SECRET_MAX];
	size_t		secret_len;
	int		secret_short;	/* accepted by JWT_ALLOW_SHORT_SECRET */
	/* Verifies only, during a rotation; secret_previous_len 0: none. */
	uint8_t		secret_previous[CONFIG_SECRET_MAX];
	size_t		secret_previous_len;
	int		secret_previous_short;
	/* Key IDs; an empty one is derived from its secret. */
	char		kid[TOKEN_KID_MAX + 1];
	char		kid_previous[TOKEN_KID_MAX + 1];
	char		username[CONFIG_VALUE_MAX + 1];
	char		password[CONFIG_PASSWORD_MAX + 1];
	char		issuer[CONFIG_VALUE_MAX + 1];
	char		org[CONFIG_VALUE_MAX + 1];
	long		ttl;
	long		leeway;

	int		users_store;	/* enum config_users_store */
	char		users_file[CONFIG_PATH_MAX + 1];
	int		data_store;	/* enum config_data_store */
	int		throttle_store;	/* enum config_throttle_store */
	char		pgsql_dsn[CONFIG_DSN_MAX + 1];	/* may hold a password */
	struct config_throttle	throttle;
};

/*
 * Fills cfg from JWT_SECRET or JWT_SECRET_FILE, JWT_SECRET_PREVIOUS or
 * JWT_SECRET_PREVIOUS_FILE, JWT_ALLOW_SHORT_SECRET, JWT_KID,
 * JWT_KID_PREVIOUS, AUTH_USERS_STORE, AUTH_USERNAME, AUTH_PASSWORD,
 * AUTH_USERS_FILE, DATA_STORE, PGSQL_DSN, JWT_ISSUER, JWT_ORG, JWT_TTL,
 * JWT_LEEWAY and the THROTTLE_ variables.  The previous secret must differ
 * from the current one, and JWT_KID_PREVIOUS needs a previous secret and
 * must differ from JWT_KID.  Returns 0, or -1 with a one-line message in
 * err that names the variable and never contains its value.  On failure
 * the secrets, password and connection string in cfg are wiped.  Either
 * way JWT_SECRET, JWT_SECRET_PREVIOUS, AUTH_PASSWORD and PGSQL_DSN are
 * overwritten and removed from
 * the environment.
 */
int	config_load(struct config *cfg, char *err, size_t errlen);

/* Wipes the secrets, the password and the connection string. */
void	config_clear(struct config *cfg);

#endif
