/*
 * HMAC-SHA256 (RFC 2104) with the key's inner and outer pads hashed once.
 */
#ifndef HMAC_H
#define HMAC_H

#include <stddef.h>
#include <stdint.h>

#define HMAC_SHA256_LEN		32

/*
 * SHA-256 states after the ipad and opad blocks.  OpenSSL's own HMAC keeps
 * the same states, but its EVP interfaces copy them through provider
 * calls that cost about a fifth of a short token's HMAC, and on every
 * request.  Holds key material: wipe with hmac_key_clear().
 */
struct hmac_key {
	unsigned char	inner[112];	/* SHA256_CTX, opaque here */
	unsigned char	outer[112];
};

/* Prepares key for len bytes of secret.  Returns 0, or -1 on failure. */
int	hmac_key_init(struct hmac_key *key, const uint8_t *secret,
	    size_t len);

/* Computes HMAC-SHA256 of len bytes of data into out. */
void	hmac_sha256(const struct hmac_key *key, const void *data,
	    size_t len, uint8_t out[HMAC_SHA256_LEN]);

/* Wipes the key. */
void	hmac_key_clear(struct hmac_key *key);

#endif
