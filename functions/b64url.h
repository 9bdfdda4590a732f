/*
 * Strict base64url (RFC 4648 section 5) without padding, as JWS compact
 * serialization requires (RFC 7515 section 2).
 */
#ifndef B64URL_H
#define B64URL_H

#include <stddef.h>
#include <stdint.h>

/* Bytes that decoding n characters can produce, and characters for n bytes. */
#define B64URL_DECODED_MAX(n)	(((n) / 4) * 3 + 2)
#define B64URL_ENCODED_LEN(n)	(((n) / 3) * 4 + ((n) % 3 == 0 ? 0 : (n) % 3 + 1))

/*
 * Decodes inlen characters of unpadded base64url into out.  Rejects padding,
 * characters outside the URL-safe alphabet (whitespace included), a length
 * of 1 modulo 4 and non-zero trailing bits, so every byte string has exactly
 * one accepted encoding.  Returns 0 and sets *outlen, or -1.
 */
int	b64url_decode(const char *in, size_t inlen, uint8_t *out,
	    size_t outmax, size_t *outlen);

/*
 * Encodes inlen bytes as unpadded base64url into out, NUL-terminated.
 * Returns the number of characters written, or 0 when outmax is too small
 * for B64URL_ENCODED_LEN(inlen) + 1 bytes.
 */
size_t	b64url_encode(const uint8_t *in, size_t inlen, char *out,
	    size_t outmax);

#endif
