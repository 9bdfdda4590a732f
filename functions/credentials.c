#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "credentials.h"

int
credentials_init(struct credentials *c, const char *username,
    size_t username_len, const char *password, size_t password_len)
{
	uint8_t		random[32];
	int		ret;

	ret = -1;
	if (RAND_bytes(random, sizeof(random)) != 1 ||
	    hmac_key_init(&c->key, random, sizeof(random)) == -1)
		goto cleanup;

	hmac_sha256(&c->key, username, username_len, c->username);
	hmac_sha256(&c->key, password, password_len, c->password);
	ret = 0;

cleanup:
	OPENSSL_cleanse(random, sizeof(random));
	if (ret == -1)
		credentials_clear(c);
	return (ret);
}

int
credentials_check(const struct credentials *c, const char *username,
    size_t username_len, const char *password, size_t password_len)
{
	uint8_t		user[CREDENTIALS_DIGEST_LEN];
	uint8_t		pass[CREDENTIALS_DIGEST_LEN];
	int		ret, user_ok, pass_ok;

	hmac_sha256(&c->key, username, username_len, user);
	hmac_sha256(&c->key, password, password_len, pass);

	/* Both comparisons always run: no early exit on a wrong username. */
	user_ok = CRYPTO_memcmp(user, c->username, sizeof(user)) == 0;
	pass_ok = CRYPTO_memcmp(pass, c->password, sizeof(pass)) == 0;
	ret = user_ok & pass_ok;

	OPENSSL_cleanse(user, sizeof(user));
	OPENSSL_cleanse(pass, sizeof(pass));
	return (ret);
}

void
credentials_clear(struct credentials *c)
{
	OPENSSL_cleanse(c, sizeof(*c));
}
