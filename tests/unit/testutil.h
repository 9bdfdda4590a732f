/*
 * Helpers shared by the unit tests.  They build expected values with
 * OpenSSL alone, so a test never checks the code under test against its
 * own output.
 */
#ifndef TESTUTIL_H
#define TESTUTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

/* Characters tu_b64url() writes for len bytes, with room for padding. */
#define TU_B64_BUF(len)		(4 * (((len) + 2) / 3) + 1)

/*
 * Encodes len bytes with OpenSSL's standard base64 (RFC 4648 section 4),
 * then maps it to the URL alphabet and drops the padding (section 5).
 * out must hold TU_B64_BUF(len) bytes.  Returns the characters written.
 */
static inline size_t
tu_b64url(const void *in, size_t len, char *out)
{
	size_t	i, n;

	n = (size_t)EVP_EncodeBlock((unsigned char *)out,
	    (const unsigned char *)in, (int)len);
	while (n > 0 && out[n - 1] == '=')
		n--;
	out[n] = '\0';

	for (i = 0; i < n; i++) {
		if (out[i] == '+')
			out[i] = '-';
		else if (out[i] == '/')
			out[i] = '_';
	}

	return (n);
}

/*
 * Decodes len characters of base64url with OpenSSL's standard decoder,
 * after mapping them back to the standard alphabet and adding padding.
 * out must hold 3 * (len + 3) / 4 bytes.  Returns the bytes written, or
 * -1.
 */
static inline int
tu_b64url_decode(const char *in, size_t len, uint8_t *out)
{
	char	*std;
	size_t	i, pad;
	int	n;

	pad = (4 - len % 4) % 4;
	if ((std = malloc(len + pad + 1)) == NULL)
		return (-1);

	for (i = 0; i < len; i++) {
		if (in[i] == '-')
			std[i] = '+';
		else if (in[i] == '_')
			std[i] = '/';
		else
			std[i] = in[i];
	}
	memset(std + len, '=', pad);
	std[len + pad] = '\0';

	n = EVP_DecodeBlock(out, (unsigned char *)std, (int)(len + pad));
	free(std);
	if (n < 0)
		return (-1);

	/* EVP_DecodeBlock() counts the zero bytes that padding stands for. */
	return (n - (int)pad);
}

/*
 * Writes header.payload.signature into out, where header and payload are
 * the given JSON texts and the signature is sig (siglen bytes), all
 * base64url-encoded.  Returns the token length, or 0 when out is too small.
 */
static inline size_t
tu_token_with_sig(char *out, size_t outmax, const char *header,
    const char *payload, const uint8_t *sig, size_t siglen)
{
	size_t	hlen, plen, need;

	hlen = strlen(header);
	plen = strlen(payload);
	need = TU_B64_BUF(hlen) + TU_B64_BUF(plen) + TU_B64_BUF(siglen) + 2;
	if (need > outmax)
		return (0);

	hlen = tu_b64url(header, hlen, out);
	out[hlen] = '.';
	plen = tu_b64url(payload, plen, out + hlen + 1);
	out[hlen + 1 + plen] = '.';

	return (hlen + plen + 2 +
	    tu_b64url(sig, siglen, out + hlen + plen + 2));
}

/*
 * Signs the first len characters of input (the JWS signing input) with
 * HMAC-SHA256 under key.  mac must hold 32 bytes.  Returns 0 or -1.
 */
static inline int
tu_hs256(const uint8_t *key, size_t keylen, const char *input, size_t len,
    uint8_t *mac)
{
	unsigned int	maclen;

	if (HMAC(EVP_sha256(), key, (int)keylen, (const unsigned char *)input,
	    len, mac, &maclen) == NULL || maclen != 32)
		return (-1);

	return (0);
}

/*
 * Writes a token whose segments are exactly the given texts: hseg and
 * pseg are placed as they are (already encoded, or deliberately broken)
 * and the signature is the HMAC of "hseg.pseg" under key.  Returns the
 * token length, or 0.
 */
static inline size_t
tu_token_raw(char *out, size_t outmax, const uint8_t *key, size_t keylen,
    const char *hseg, const char *pseg)
{
	uint8_t		mac[32];
	size_t		len;
	char		sig[TU_B64_BUF(32)];

	len = strlen(hseg) + 1 + strlen(pseg);
	if (len + 1 + sizeof(sig) > outmax)
		return (0);

	memcpy(out, hseg, strlen(hseg));
	out[strlen(hseg)] = '.';
	memcpy(out + strlen(hseg) + 1, pseg, strlen(pseg));
	out[len] = '\0';

	if (tu_hs256(key, keylen, out, len, mac) == -1)
		return (0);

	out[len] = '.';
	return (len + 1 + tu_b64url(mac, sizeof(mac), out + len + 1));
}

/*
 * Writes a token for the JSON texts header and payload, signed with
 * HMAC-SHA256 under key.  Returns the token length, or 0.
 */
static inline size_t
tu_token(char *out, size_t outmax, const uint8_t *key, size_t keylen,
    const char *header, const char *payload)
{
	size_t	hlen, plen;
	char	*hseg, *pseg;
	size_t	len;

	hlen = strlen(header);
	plen = strlen(payload);
	if ((hseg = malloc(TU_B64_BUF(hlen))) == NULL)
		return (0);
	if ((pseg = malloc(TU_B64_BUF(plen))) == NULL) {
		free(hseg);
		return (0);
	}

	tu_b64url(header, hlen, hseg);
	tu_b64url(payload, plen, pseg);
	len = tu_token_raw(out, outmax, key, keylen, hseg, pseg);

	free(hseg);
	free(pseg);
	return (len);
}

/* Returns 1 when s is a non-empty string without CR or LF. */
static inline int
tu_one_line(const char *s)
{
	if (s == NULL || *s == '\0')
		return (0);

	return (strpbrk(s, "\r\n") == NULL);
}

#endif
