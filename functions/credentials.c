#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "credentials.h"

static int
credentials_digest(const struct credentials *c, const char *value,
    size_t len, uint8_t *out)
{
	size_t		outlen;

	if (EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, c->key,
	    sizeof(c->key), (const unsigned char *)value, len, out,
	    CREDENTIALS_DIGEST_LEN, &outlen) == NULL)
		return (-1);

	return (outlen == CREDENTIALS_DIGEST_LEN ? 0 : -1);
}

int
credentials_init(struct credentials *c, const char *username,
    size_t username_len, const char *password, size_t password_len)
{
	if (RAND_bytes(c->key, sizeof(c->key)) != 1 ||
	    credentials_digest(c, username, username_len, c->username) == -1 ||
	    credentials_digest(c, password, password_len, c->password) == -1) {
		credentials_clear(c);
		return (-1);
	}

	return (0);
}

int
credentials_check(const struct credentials *c, const char *username,
    size_t username_len, const char *password, size_t password_len)
{
	uint8_t		user[CREDENTIALS_DIGEST_LEN];
	uint8_t		pass[CREDENTIALS_DIGEST_LEN];
	int		ret, user_ok, pass_ok;

	ret = -1;
	if (credentials_digest(c, username, username_len, user) == -1 ||
	    credentials_digest(c, password, password_len, pass) == -1)
		goto cleanup;

	/* Both comparisons always run: no early exit on a wrong username. */
	user_ok = CRYPTO_memcmp(user, c->username, sizeof(user)) == 0;
	pass_ok = CRYPTO_memcmp(pass, c->password, sizeof(pass)) == 0;
	ret = user_ok & pass_ok;

cleanup:
	OPENSSL_cleanse(user, sizeof(user));
	OPENSSL_cleanse(pass, sizeof(pass));
	return (ret);
}

void
credentials_clear(struct credentials *c)
{
	OPENSSL_cleanse(c, sizeof(*c));
}
