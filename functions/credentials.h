/*
 * The approved username and password, compared in constant time.
 */
#ifndef CREDENTIALS_H
#define CREDENTIALS_H

#include <stddef.h>
#include <stdint.h>

#include "hmac.h"

#define CREDENTIALS_DIGEST_LEN	32

/*
 * Digests of the approved pair under a random key made at start.  Comparing
 * keyed digests hides the lengths of the approved values and costs the same
 * whatever the input or whichever part of it is wrong.
 */
struct credentials {
	struct hmac_key	key;
	uint8_t		username[CREDENTIALS_DIGEST_LEN];
	uint8_t		password[CREDENTIALS_DIGEST_LEN];
};

/* Stores the approved pair.  Returns 0, or -1 when OpenSSL fails. */
int	credentials_init(struct credentials *c, const char *username,
	    size_t username_len, const char *password, size_t password_len);

/*
 * Returns 1 when both values match, 0 when either does not, -1 when
 * OpenSSL fails.  Both digests are always computed and compared.
 */
int	credentials_check(const struct credentials *c, const char *username,
	    size_t username_len, const char *password, size_t password_len);

/* Wipes the key and digests. */
void	credentials_clear(struct credentials *c);

#endif
