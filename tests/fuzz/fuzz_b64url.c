/*
 * libFuzzer harness for the strict base64url codec.
 *
 * The input is decoded as characters and, separately, encoded as bytes.
 * Every result is checked against a reference: OpenSSL's standard base64
 * encoder mapped to the URL alphabet, and the acceptance rule of RFC 4648
 * section 5 without padding, written out below.  Output buffers are heap
 * blocks of exactly the size the result needs, so AddressSanitizer reports
 * a write one byte past them.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "b64url.h"

#define FUZZ_CHECK(cond)	do {					\
	if (!(cond))							\
		fuzz_fail(#cond, __LINE__);				\
} while (0)

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void	fuzz_fail(const char *, int) __attribute__((noreturn));
static void	*fuzz_alloc(size_t);
static int	fuzz_sextet(uint8_t);
static int	fuzz_decodable(const uint8_t *, size_t);
static void	fuzz_decode(const uint8_t *, size_t);
static void	fuzz_encode(const uint8_t *, size_t);

static void
fuzz_fail(const char *cond, int line)
{
	fprintf(stderr, "fuzz_b64url.c:%d: check failed: %s\n", line, cond);
	abort();
}

/*
 * Allocates exactly n bytes.  For n == 0 the pointer may be NULL, which
 * is fine because nothing may be written through it.
 */
static void *
fuzz_alloc(size_t n)
{
	void	*p;

	if ((p = malloc(n)) == NULL && n > 0)
		abort();
	return (p);
}

/* Returns the 6-bit value of a URL-alphabet character, or -1. */
static int
fuzz_sextet(uint8_t c)
{
	if (c >= 'A' && c <= 'Z')
		return (c - 'A');
	if (c >= 'a' && c <= 'z')
		return (c - 'a' + 26);
	if (c >= '0' && c <= '9')
		return (c - '0' + 52);
	if (c == '-')
		return (62);
	if (c == '_')
		return (63);
	return (-1);
}

/*
 * Returns 1 when len characters are the one canonical unpadded base64url
 * encoding of some byte string: only URL-alphabet characters, a length
 * that is not 1 modulo 4, and zero bits after the last whole byte.
 */
static int
fuzz_decodable(const uint8_t *in, size_t len)
{
	size_t		i;
	int		last;

	if (len % 4 == 1)
		return (0);
	for (i = 0; i < len; i++) {
		if (fuzz_sextet(in[i]) == -1)
			return (0);
	}

	if (len % 4 == 0)
		return (1);

	/* Two characters carry 12 bits for 8, three carry 18 bits for 16. */
	last = fuzz_sextet(in[len - 1]);
	if (len % 4 == 2)
		return ((last & 0x0f) == 0);
	return ((last & 0x03) == 0);
}

/*
 * Decodes the input, then checks the result against fuzz_decodable(), the
 * size limit outmax, and a round trip through the encoder.
 */
static void
fuzz_decode(const uint8_t *data, size_t size)
{
	const char	*in = (const char *)data;
	uint8_t		*out, *tight;
	char		*again;
	size_t		expect, outlen, n;
	int		ok;

	expect = size / 4 * 3 + (size % 4 == 0 ? 0 : size % 4 - 1);
	FUZZ_CHECK(expect <= B64URL_DECODED_MAX(size));

	out = fuzz_alloc(expect);

	outlen = (size_t)-1;
	ok = b64url_decode(in, size, out, expect, &outlen) == 0;
	FUZZ_CHECK(ok == fuzz_decodable(data, size));

	if (!ok) {
		free(out);
		return;
	}
	FUZZ_CHECK(outlen == expect);

	/* One byte less room than the output needs must be rejected. */
	if (expect > 0) {
		tight = fuzz_alloc(expect - 1);
		n = (size_t)-1;
		FUZZ_CHECK(b64url_decode(in, size, tight, expect - 1,
		    &n) == -1);
		free(tight);
	}

	/* Each byte string has one accepted encoding: this text again. */
	again = fuzz_alloc(B64URL_ENCODED_LEN(outlen) + 1);
	n = b64url_encode(out, outlen, again, B64URL_ENCODED_LEN(outlen) + 1);
	FUZZ_CHECK(n == size);
	FUZZ_CHECK(memcmp(again, in, size) == 0);
	FUZZ_CHECK(again[n] == '\0');

	free(again);
	free(out);
}

/*
 * Encodes the input as bytes and compares the text with OpenSSL's base64
 * output mapped to the URL alphabet, then decodes it back.
 */
static void
fuzz_encode(const uint8_t *data, size_t size)
{
	unsigned char	*std;
	char		*enc, *small;
	uint8_t		*back;
	size_t		enclen, stdlen, i, n;

	enclen = B64URL_ENCODED_LEN(size);
	enc = fuzz_alloc(enclen + 1);
	FUZZ_CHECK(b64url_encode(data, size, enc, enclen + 1) == enclen);
	FUZZ_CHECK(enc[enclen] == '\0');

	/* EVP_EncodeBlock() writes 4 characters per 3 bytes, then a NUL. */
	std = fuzz_alloc(4 * ((size + 2) / 3) + 1);
	stdlen = (size_t)EVP_EncodeBlock(std, data, (int)size);
	while (stdlen > 0 && std[stdlen - 1] == '=')
		stdlen--;
	FUZZ_CHECK(stdlen == enclen);
	for (i = 0; i < stdlen; i++) {
		if (std[i] == '+')
			std[i] = '-';
		else if (std[i] == '/')
			std[i] = '_';
		FUZZ_CHECK(enc[i] == (char)std[i]);
	}

	/* Without room for the terminating NUL, encoding must fail. */
	small = fuzz_alloc(enclen);
	FUZZ_CHECK(b64url_encode(data, size, small, enclen) == 0);

	back = fuzz_alloc(size);
	n = (size_t)-1;
	FUZZ_CHECK(b64url_decode(enc, enclen, back, size, &n) == 0);
	FUZZ_CHECK(n == size);
	FUZZ_CHECK(memcmp(back, data, size) == 0);

	free(back);
	free(small);
	free(std);
	free(enc);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_decode(data, size);
	fuzz_encode(data, size);

	return (0);
}
