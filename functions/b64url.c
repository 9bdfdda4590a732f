/*
 * OpenSSL's EVP_DecodeBlock() uses the other alphabet and skips whitespace
 * and padding, so JWS segments get this strict codec instead.
 */
#include "b64url.h"

#define B64URL_INVALID	0xff

static const char b64url_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* The 6-bit value of byte c in the URL alphabet, or B64URL_INVALID. */
#define B64URL_SEXTET(c)						\
	((c) >= 'A' && (c) <= 'Z' ? (c) - 'A' :				\
	 (c) >= 'a' && (c) <= 'z' ? (c) - 'a' + 26 :			\
	 (c) >= '0' && (c) <= '9' ? (c) - '0' + 52 :			\
	 (c) == '-' ? 62 : (c) == '_' ? 63 : B64URL_INVALID)

/*
 * The sextet of byte c already shifted to its place in a group of four
 * characters, with bit 31 set for a byte outside the alphabet, so one OR
 * of four lookups both assembles three bytes and flags a bad character.
 */
#define B64URL_PLACED(c, shift)						\
	(B64URL_SEXTET(c) == B64URL_INVALID ? 0x80000000u :		\
	 (uint32_t)B64URL_SEXTET(c) << (shift))
#define B64URL_AT0(c)	B64URL_PLACED(c, 18)
#define B64URL_AT1(c)	B64URL_PLACED(c, 12)
#define B64URL_AT2(c)	B64URL_PLACED(c, 6)
#define B64URL_AT3(c)	B64URL_PLACED(c, 0)

#define B64URL_R4(f, n)	f(n), f((n) + 1), f((n) + 2), f((n) + 3)
#define B64URL_R16(f, n)						\
	B64URL_R4(f, n), B64URL_R4(f, (n) + 4),				\
	B64URL_R4(f, (n) + 8), B64URL_R4(f, (n) + 12)
#define B64URL_R64(f, n)						\
	B64URL_R16(f, n), B64URL_R16(f, (n) + 16),			\
	B64URL_R16(f, (n) + 32), B64URL_R16(f, (n) + 48)
#define B64URL_R256(f)							\
	B64URL_R64(f, 0), B64URL_R64(f, 64),				\
	B64URL_R64(f, 128), B64URL_R64(f, 192)

static const uint32_t b64url_at[4][256] = {
	{ B64URL_R256(B64URL_AT0) },
	{ B64URL_R256(B64URL_AT1) },
	{ B64URL_R256(B64URL_AT2) },
	{ B64URL_R256(B64URL_AT3) },
};

int
b64url_decode(const char *in, size_t inlen, uint8_t *out, size_t outmax,
    size_t *outlen)
{
	size_t		i, o, rest;
	uint32_t	acc;

	/* A lone trailing character carries 6 bits: not even one byte. */
	rest = inlen % 4;
	if (rest == 1)
		return (-1);
	if (inlen / 4 * 3 + (rest ? rest - 1 : 0) > outmax)
		return (-1);

	o = 0;
	for (i = 0; i + 4 <= inlen; i += 4) {
		acc = b64url_at[0][(uint8_t)in[i]] |
		    b64url_at[1][(uint8_t)in[i + 1]] |
		    b64url_at[2][(uint8_t)in[i + 2]] |
		    b64url_at[3][(uint8_t)in[i + 3]];
		if (acc & 0x80000000u)
			return (-1);
		out[o++] = (uint8_t)(acc >> 16);
		out[o++] = (uint8_t)(acc >> 8);
		out[o++] = (uint8_t)acc;
	}

	if (rest == 0) {
		*outlen = o;
		return (0);
	}

	acc = b64url_at[0][(uint8_t)in[i]] | b64url_at[1][(uint8_t)in[i + 1]];
	if (rest == 3)
		acc |= b64url_at[2][(uint8_t)in[i + 2]];
	if (acc & 0x80000000u)
		return (-1);

	/*
	 * The bits past the last whole byte must be zero (RFC 4648 section
	 * 3.5), otherwise several encodings would decode to one token.
	 */
	if (rest == 2 && (acc & 0xffff) != 0)
		return (-1);
	if (rest == 3 && (acc & 0xff) != 0)
		return (-1);

	out[o++] = (uint8_t)(acc >> 16);
	if (rest == 3)
		out[o++] = (uint8_t)(acc >> 8);

	*outlen = o;
	return (0);
}

size_t
b64url_encode(const uint8_t *in, size_t inlen, char *out, size_t outmax)
{
	size_t		i, o;
	uint32_t	acc;

	if (B64URL_ENCODED_LEN(inlen) + 1 > outmax)
		return (0);

	o = 0;
	for (i = 0; i + 3 <= inlen; i += 3) {
		acc = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 |
		    in[i + 2];
		out[o++] = b64url_alphabet[(acc >> 18) & 0x3f];
		out[o++] = b64url_alphabet[(acc >> 12) & 0x3f];
		out[o++] = b64url_alphabet[(acc >> 6) & 0x3f];
		out[o++] = b64url_alphabet[acc & 0x3f];
	}

	if (inlen - i == 1) {
		acc = (uint32_t)in[i] << 16;
		out[o++] = b64url_alphabet[(acc >> 18) & 0x3f];
		out[o++] = b64url_alphabet[(acc >> 12) & 0x3f];
	} else if (inlen - i == 2) {
		acc = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
		out[o++] = b64url_alphabet[(acc >> 18) & 0x3f];
		out[o++] = b64url_alphabet[(acc >> 12) & 0x3f];
		out[o++] = b64url_alphabet[(acc >> 6) & 0x3f];
	}

	out[o] = '\0';
	return (o);
}
