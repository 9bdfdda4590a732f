/*
 * Differential libFuzzer harness for the HMAC-SHA256 in hmac.c, which
 * restarts SHA-256 from saved pad states, against OpenSSL's HMAC().
 *
 * The first input byte is the key length (0 to 255, so keys longer than
 * the 64-byte block, which RFC 2104 hashes first, are covered), the next
 * bytes are the key and the rest is the message.  The same key then signs
 * the message again and its first half, so a state left over from an
 * earlier call would show.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "hmac.h"

#define FUZZ_CHECK(cond)	do {					\
	if (!(cond))							\
		fuzz_fail(#cond, __LINE__);				\
} while (0)

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void	fuzz_fail(const char *, int) __attribute__((noreturn));
static void	fuzz_compare(const struct hmac_key *, const uint8_t *, size_t,
		    const uint8_t *, size_t);

static void
fuzz_fail(const char *cond, int line)
{
	fprintf(stderr, "fuzz_hmac.c:%d: check failed: %s\n", line, cond);
	abort();
}

/* Checks hmac_sha256() of the message against OpenSSL's HMAC(). */
static void
fuzz_compare(const struct hmac_key *key, const uint8_t *secret,
    size_t secret_len, const uint8_t *msg, size_t msg_len)
{
	uint8_t		got[HMAC_SHA256_LEN], want[EVP_MAX_MD_SIZE];
	unsigned int	want_len;

	hmac_sha256(key, msg, msg_len, got);

	if (HMAC(EVP_sha256(), secret, (int)secret_len, msg, msg_len, want,
	    &want_len) == NULL)
		abort();

	FUZZ_CHECK(want_len == HMAC_SHA256_LEN);
	FUZZ_CHECK(memcmp(got, want, HMAC_SHA256_LEN) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hmac_key	key;
	const uint8_t	*secret, *msg;
	size_t		secret_len, msg_len;

	if (size == 0)
		return (0);

	secret_len = data[0];
	if (secret_len > size - 1)
		secret_len = size - 1;
	secret = data + 1;
	msg = secret + secret_len;
	msg_len = size - 1 - secret_len;

	FUZZ_CHECK(hmac_key_init(&key, secret, secret_len) == 0);

	fuzz_compare(&key, secret, secret_len, msg, msg_len);

	/* The key must be reusable: sign the message again, then its half. */
	fuzz_compare(&key, secret, secret_len, msg, msg_len);
	fuzz_compare(&key, secret, secret_len, msg, msg_len / 2);

	hmac_key_clear(&key);
	return (0);
}
