/*
 * Settings read once from the environment at start.
 */
#ifndef CONFIG_H
#define CONFIG_H

#include <stddef.h>
#include <stdint.h>

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
	char		username[CONFIG_VALUE_MAX + 1];
	char		password[CONFIG_PASSWORD_MAX + 1];
	char		issuer[CONFIG_VALUE_MAX + 1];
	char		org[CONFIG_VALUE_MAX + 1];
	long		ttl;
	long		leeway;
};

/*
 * Fills cfg from JWT_SECRET or JWT_SECRET_FILE, JWT_ALLOW_SHORT_SECRET,
 * AUTH_USERNAME, AUTH_PASSWORD, JWT_ISSUER, JWT_ORG, JWT_TTL and JWT_LEEWAY.
 * Returns 0, or -1 with a one-line message in err that names the variable
 * and never contains its value.  On failure the secret and password in cfg
 * are wiped.  Either way JWT_SECRET and AUTH_PASSWORD are overwritten and
 * removed from the environment.
 */
int	config_load(struct config *cfg, char *err, size_t errlen);

/* Wipes the secret and the password. */
void	config_clear(struct config *cfg);

#endif
