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
};

/*
 * Fills cfg from JWT_SECRET or JWT_SECRET_FILE, JWT_SECRET_PREVIOUS or
 * JWT_SECRET_PREVIOUS_FILE, JWT_ALLOW_SHORT_SECRET, JWT_KID,
 * JWT_KID_PREVIOUS, AUTH_USERNAME, AUTH_PASSWORD, JWT_ISSUER, JWT_ORG,
 * JWT_TTL and JWT_LEEWAY.  The previous secret must differ from the
 * current one, and JWT_KID_PREVIOUS needs a previous secret and must
 * differ from JWT_KID.  Returns 0, or -1 with a one-line message in err
 * that names the variable and never contains its value.  On failure the
 * secrets and password in cfg are wiped.  Either way JWT_SECRET,
 * JWT_SECRET_PREVIOUS and AUTH_PASSWORD are overwritten and removed from
 * the environment.
 */
int	config_load(struct config *cfg, char *err, size_t errlen);

/* Wipes the secrets and the password. */
void	config_clear(struct config *cfg);

#endif
