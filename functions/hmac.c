/*
 * The SHA256_* functions are deprecated in OpenSSL 3 in favour of EVP, but
 * EVP cannot restart a digest from a saved state without allocating: a
 * SHA256_CTX is a plain structure that a copy restarts.
 */
#define OPENSSL_SUPPRESS_DEPRECATED

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "hmac.h"

#define HMAC_BLOCK_LEN		64	/* SHA-256 block size */

/* The opaque arrays in struct hmac_key must hold a SHA256_CTX. */
typedef char hmac_ctx_fits[sizeof(SHA256_CTX) <= 112 ? 1 : -1];

int
hmac_key_init(struct hmac_key *key, const uint8_t *secret, size_t len)
{
	SHA256_CTX	inner, outer;
	uint8_t		block[HMAC_BLOCK_LEN], pad[HMAC_BLOCK_LEN];
	size_t		i;
	int		ret;

	ret = -1;
	memset(block, 0, sizeof(block));

	/* RFC 2104 section 2: a key longer than a block is hashed first. */
	if (len > HMAC_BLOCK_LEN) {
		if (SHA256(secret, len, block) == NULL)
			goto cleanup;
	} else if (len > 0) {
		memcpy(block, secret, len);
	}

	for (i = 0; i < HMAC_BLOCK_LEN; i++)
		pad[i] = block[i] ^ 0x36;
	if (!SHA256_Init(&inner) || !SHA256_Update(&inner, pad, sizeof(pad)))
		goto cleanup;

	for (i = 0; i < HMAC_BLOCK_LEN; i++)
		pad[i] = block[i] ^ 0x5c;
	if (!SHA256_Init(&outer) || !SHA256_Update(&outer, pad, sizeof(pad)))
		goto cleanup;

	memcpy(key->inner, &inner, sizeof(inner));
	memcpy(key->outer, &outer, sizeof(outer));
	ret = 0;

cleanup:
	OPENSSL_cleanse(block, sizeof(block));
	OPENSSL_cleanse(pad, sizeof(pad));
	OPENSSL_cleanse(&inner, sizeof(inner));
	OPENSSL_cleanse(&outer, sizeof(outer));
	return (ret);
}

void
hmac_sha256(const struct hmac_key *key, const void *data, size_t len,
    uint8_t out[HMAC_SHA256_LEN])
{
	SHA256_CTX	ctx;
	uint8_t		inner[SHA256_DIGEST_LENGTH];

	memcpy(&ctx, key->inner, sizeof(ctx));
	SHA256_Update(&ctx, data, len);
	SHA256_Final(inner, &ctx);

	memcpy(&ctx, key->outer, sizeof(ctx));
	SHA256_Update(&ctx, inner, sizeof(inner));
	SHA256_Final(out, &ctx);

	OPENSSL_cleanse(&ctx, sizeof(ctx));
	OPENSSL_cleanse(inner, sizeof(inner));
}

void
hmac_key_clear(struct hmac_key *key)
{
	OPENSSL_cleanse(key, sizeof(*key));
}
