#include <stdio.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "b64url.h"
#include "passhash.h"

#define PASSHASH_SCRYPT_PREFIX	"$scrypt$"
#define PASSHASH_PBKDF2_PREFIX	"$pbkdf2-sha256$"
#define PASSHASH_DIGITS_MAX	8	/* digits of PASSHASH_PBKDF2_ITER_MAX */

static int	passhash_number(const char **p, const char *end,
		    const char *name, unsigned long *value);
static int	passhash_field(const char **p, const char *end, uint8_t *out,
		    size_t outmax, size_t *outlen);
static int	passhash_derive(const struct passhash_params *params,
		    const uint8_t *salt, size_t salt_len, const char *password,
		    size_t len, uint8_t *out);

/* Written by passhash_init() before threads start, read-only afterwards. */
static EVP_KDF	*passhash_scrypt;
static EVP_KDF	*passhash_pbkdf2;

int
passhash_init(void)
{
	if (passhash_scrypt == NULL &&
	    (passhash_scrypt = EVP_KDF_fetch(NULL, "SCRYPT", NULL)) == NULL)
		return (-1);
	if (passhash_pbkdf2 == NULL &&
	    (passhash_pbkdf2 = EVP_KDF_fetch(NULL, "PBKDF2", NULL)) == NULL)
		return (-1);

	return (0);
}

void
passhash_cleanup(void)
{
	EVP_KDF_free(passhash_scrypt);
	EVP_KDF_free(passhash_pbkdf2);
	passhash_scrypt = NULL;
	passhash_pbkdf2 = NULL;
}

void
passhash_params_default(struct passhash_params *params,
    enum passhash_alg alg)
{
	memset(params, 0, sizeof(*params));
	params->alg = alg;
	if (alg == PASSHASH_SCRYPT) {
		params->scrypt_ln = PASSHASH_SCRYPT_LN;
		params->scrypt_r = PASSHASH_SCRYPT_R;
		params->scrypt_p = PASSHASH_SCRYPT_P;
	} else {
		params->pbkdf2_iter = PASSHASH_PBKDF2_ITER;
	}
}

int
passhash_params_check(const struct passhash_params *params)
{
	uint64_t	mem;

	switch (params->alg) {
	case PASSHASH_SCRYPT:
		if (params->scrypt_ln < PASSHASH_SCRYPT_LN_MIN ||
		    params->scrypt_ln > PASSHASH_SCRYPT_LN_MAX ||
		    params->scrypt_r < 1 ||
		    params->scrypt_r > PASSHASH_SCRYPT_R_MAX ||
		    params->scrypt_p < 1 ||
		    params->scrypt_p > PASSHASH_SCRYPT_P_MAX)
			return (PASSHASH_ERR_PARAMS);

		/* RFC 7914 section 2: N must be less than 2^(128 * r / 8). */
		if (params->scrypt_ln >= 16 * params->scrypt_r)
			return (PASSHASH_ERR_PARAMS);

		/* The V array of scrypt: 128 * r * N bytes. */
		mem = (uint64_t)128 * params->scrypt_r << params->scrypt_ln;
		if (mem > PASSHASH_SCRYPT_MEM_MAX)
			return (PASSHASH_ERR_PARAMS);
		return (PASSHASH_OK);
	case PASSHASH_PBKDF2_SHA256:
		if (params->pbkdf2_iter < 1 ||
		    params->pbkdf2_iter > PASSHASH_PBKDF2_ITER_MAX)
			return (PASSHASH_ERR_PARAMS);
		return (PASSHASH_OK);
	default:
		return (PASSHASH_ERR_FORMAT);
	}
}

/*
 * Reads "name=<decimal>" at *p and moves *p past it.  The number has 1 to
 * PASSHASH_DIGITS_MAX digits and no leading zero; its range is checked by
 * the caller.
 */
static int
passhash_number(const char **p, const char *end, const char *name,
    unsigned long *value)
{
	const char	*s;
	size_t		len, digits;

	s = *p;
	len = strlen(name);
	if ((size_t)(end - s) < len + 1 || memcmp(s, name, len) != 0 ||
	    s[len] != '=')
		return (-1);
	s += len + 1;

	*value = 0;
	for (digits = 0; s < end && *s >= '0' && *s <= '9'; digits++, s++) {
		if (digits == PASSHASH_DIGITS_MAX)
			return (-1);
		*value = *value * 10 + (unsigned long)(*s - '0');
	}
	if (digits == 0 || (digits > 1 && (*p)[len + 1] == '0'))
		return (-1);

	*p = s;
	return (0);
}

/*
 * Decodes the base64url characters from *p up to the next '$' or end into
 * out, and moves *p to that '$' or end.  Returns 0 or -1.
 */
static int
passhash_field(const char **p, const char *end, uint8_t *out, size_t outmax,
    size_t *outlen)
{
	const char	*s;

	s = memchr(*p, '$', (size_t)(end - *p));
	if (s == NULL)
		s = end;
	if (b64url_decode(*p, (size_t)(s - *p), out, outmax, outlen) == -1)
		return (-1);

	*p = s;
	return (0);
}

int
passhash_parse(struct passhash *ph, const char *encoded, size_t len)
{
	const char	*p, *end;
	unsigned long	ln, r, pp, iter;
	size_t		hash_len;
	uint8_t		hash[PASSHASH_HASH_LEN + 2];
	int		ret;

	memset(ph, 0, sizeof(*ph));
	if (len > PASSHASH_ENCODED_MAX)
		return (PASSHASH_ERR_FORMAT);
	p = encoded;
	end = encoded + len;

	if (len > strlen(PASSHASH_SCRYPT_PREFIX) &&
	    memcmp(p, PASSHASH_SCRYPT_PREFIX,
	    strlen(PASSHASH_SCRYPT_PREFIX)) == 0) {
		p += strlen(PASSHASH_SCRYPT_PREFIX);
		if (passhash_number(&p, end, "ln", &ln) == -1 ||
		    p == end || *p++ != ',' ||
		    passhash_number(&p, end, "r", &r) == -1 ||
		    p == end || *p++ != ',' ||
		    passhash_number(&p, end, "p", &pp) == -1)
			return (PASSHASH_ERR_FORMAT);
		ph->params.alg = PASSHASH_SCRYPT;
		ph->params.scrypt_ln = (unsigned int)ln;
		ph->params.scrypt_r = (unsigned int)r;
		ph->params.scrypt_p = (unsigned int)pp;
	} else if (len > strlen(PASSHASH_PBKDF2_PREFIX) &&
	    memcmp(p, PASSHASH_PBKDF2_PREFIX,
	    strlen(PASSHASH_PBKDF2_PREFIX)) == 0) {
		p += strlen(PASSHASH_PBKDF2_PREFIX);
		if (passhash_number(&p, end, "i", &iter) == -1)
			return (PASSHASH_ERR_FORMAT);
		ph->params.alg = PASSHASH_PBKDF2_SHA256;
		ph->params.pbkdf2_iter = iter;
	} else {
		return (PASSHASH_ERR_FORMAT);
	}

	if (p == end || *p++ != '$')
		return (PASSHASH_ERR_FORMAT);
	if ((ret = passhash_params_check(&ph->params)) != PASSHASH_OK)
		return (ret);

	if (passhash_field(&p, end, ph->salt, sizeof(ph->salt),
	    &ph->salt_len) == -1 || ph->salt_len < PASSHASH_SALT_MIN) {
		memset(ph, 0, sizeof(*ph));
		return (PASSHASH_ERR_SALT);
	}
	if (p == end || *p++ != '$') {
		memset(ph, 0, sizeof(*ph));
		return (PASSHASH_ERR_FORMAT);
	}

	/* The hash is the last field: a further '$' is not base64url. */
	if (b64url_decode(p, (size_t)(end - p), hash, sizeof(hash),
	    &hash_len) == -1 || hash_len != PASSHASH_HASH_LEN) {
		memset(ph, 0, sizeof(*ph));
		return (PASSHASH_ERR_HASH);
	}
	memcpy(ph->hash, hash, sizeof(ph->hash));

	return (PASSHASH_OK);
}

int
passhash_encode(const struct passhash *ph, char *out, size_t outmax)
{
	char	salt[B64URL_ENCODED_LEN(PASSHASH_SALT_MAX) + 1];
	char	hash[B64URL_ENCODED_LEN(PASSHASH_HASH_LEN) + 1];
	int	n;

	if (passhash_params_check(&ph->params) != PASSHASH_OK ||
	    ph->salt_len < PASSHASH_SALT_MIN ||
	    ph->salt_len > PASSHASH_SALT_MAX)
		return (-1);
	if (b64url_encode(ph->salt, ph->salt_len, salt, sizeof(salt)) == 0 ||
	    b64url_encode(ph->hash, sizeof(ph->hash), hash,
	    sizeof(hash)) == 0)
		return (-1);

	if (ph->params.alg == PASSHASH_SCRYPT) {
		n = snprintf(out, outmax, "%sln=%u,r=%u,p=%u$%s$%s",
		    PASSHASH_SCRYPT_PREFIX, ph->params.scrypt_ln,
		    ph->params.scrypt_r, ph->params.scrypt_p, salt, hash);
	} else {
		n = snprintf(out, outmax, "%si=%lu$%s$%s",
		    PASSHASH_PBKDF2_PREFIX, ph->params.pbkdf2_iter, salt,
		    hash);
	}
	if (n < 0 || (size_t)n >= outmax)
		return (-1);

	return (0);
}

/*
 * Derives PASSHASH_HASH_LEN bytes into out.  The salt length is not
 * checked here, so the unit tests can run the RFC vectors with short
 * salts.  Returns 0, or -1 when OpenSSL fails.
 */
static int
passhash_derive(const struct passhash_params *params, const uint8_t *salt,
    size_t salt_len, const char *password, size_t len, uint8_t *out)
{
	EVP_KDF_CTX	*ctx;
	OSSL_PARAM	ossl[8], *q;
	uint64_t	n, maxmem, iter;
	uint32_t	r, p;
	int		ret;

	if (passhash_params_check(params) != PASSHASH_OK)
		return (-1);
	if (passhash_scrypt == NULL || passhash_pbkdf2 == NULL)
		return (-1);

	ctx = EVP_KDF_CTX_new(params->alg == PASSHASH_SCRYPT ?
	    passhash_scrypt : passhash_pbkdf2);
	if (ctx == NULL)
		return (-1);

	q = ossl;
	*q++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD,
	    (void *)(uintptr_t)password, len);
	*q++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT,
	    (void *)(uintptr_t)salt, salt_len);
	if (params->alg == PASSHASH_SCRYPT) {
		n = (uint64_t)1 << params->scrypt_ln;
		r = params->scrypt_r;
		p = params->scrypt_p;

		/*
		 * OpenSSL 3.0 counts 128 * r * (N + 2) bytes for V and
		 * 128 * r * p bytes for B against maxmem.  With the bounds
		 * checked above, that sum stays within 72 KiB of
		 * PASSHASH_SCRYPT_MEM_MAX.
		 */
		maxmem = 128 * (uint64_t)r * (n + 2 + p);
		*q++ = OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_N, &n);
		*q++ = OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_R, &r);
		*q++ = OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_P, &p);
		*q++ = OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_MAXMEM,
		    &maxmem);
	} else {
		iter = params->pbkdf2_iter;
		*q++ = OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_ITER, &iter);
		*q++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
		    (char *)(uintptr_t)"SHA256", 0);
	}
	*q = OSSL_PARAM_construct_end();

	ret = EVP_KDF_derive(ctx, out, PASSHASH_HASH_LEN, ossl) == 1 ? 0 : -1;
	EVP_KDF_CTX_free(ctx);
	if (ret == -1)
		OPENSSL_cleanse(out, PASSHASH_HASH_LEN);
	return (ret);
}

int
passhash_create(const struct passhash_params *params, const char *password,
    size_t len, char *out, size_t outmax)
{
	struct passhash	ph;
	int		ret;

	ret = -1;
	memset(&ph, 0, sizeof(ph));
	ph.params = *params;
	ph.salt_len = PASSHASH_SALT_LEN;

	if (passhash_params_check(params) != PASSHASH_OK)
		goto cleanup;
	if (RAND_bytes(ph.salt, (int)ph.salt_len) != 1)
		goto cleanup;
	if (passhash_derive(&ph.params, ph.salt, ph.salt_len, password, len,
	    ph.hash) == -1)
		goto cleanup;
	if (passhash_encode(&ph, out, outmax) == -1)
		goto cleanup;
	ret = 0;

cleanup:
	OPENSSL_cleanse(&ph, sizeof(ph));
	return (ret);
}

int
passhash_verify(const struct passhash *ph, const char *password, size_t len)
{
	uint8_t		derived[PASSHASH_HASH_LEN];
	int		ret;

	if (passhash_derive(&ph->params, ph->salt, ph->salt_len, password, len,
	    derived) == -1)
		return (-1);

	ret = CRYPTO_memcmp(derived, ph->hash, sizeof(derived)) == 0;
	OPENSSL_cleanse(derived, sizeof(derived));
	return (ret);
}

int
passhash_dummy(struct passhash *ph)
{
	memset(ph, 0, sizeof(*ph));
	passhash_params_default(&ph->params, PASSHASH_SCRYPT);
	ph->salt_len = PASSHASH_SALT_LEN;

	if (RAND_bytes(ph->salt, (int)ph->salt_len) != 1 ||
	    RAND_bytes(ph->hash, sizeof(ph->hash)) != 1) {
		memset(ph, 0, sizeof(*ph));
		return (-1);
	}

	return (0);
}

int
passhash_is_weak(const struct passhash *ph)
{
	if (ph->params.alg == PASSHASH_SCRYPT) {
		return (ph->params.scrypt_ln < PASSHASH_SCRYPT_LN ||
		    ph->params.scrypt_r < PASSHASH_SCRYPT_R ||
		    ph->params.scrypt_p < PASSHASH_SCRYPT_P);
	}

	return (ph->params.pbkdf2_iter < PASSHASH_PBKDF2_ITER);
}

const char *
passhash_result_reason(int result)
{
	switch (result) {
	case PASSHASH_OK:
		return ("valid");
	case PASSHASH_ERR_FORMAT:
		return ("malformed");
	case PASSHASH_ERR_PARAMS:
		return ("parameter out of range");
	case PASSHASH_ERR_SALT:
		return ("invalid salt");
	case PASSHASH_ERR_HASH:
		return ("invalid hash");
	default:
		return ("unknown error");
	}
}
