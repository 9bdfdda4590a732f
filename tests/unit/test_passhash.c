/*
 * Unit tests for password hashing.  The expected values are the test
 * vectors printed in RFC 7914: section 11 for PBKDF2-HMAC-SHA256 and
 * section 12 for scrypt.  Those vectors have 64-byte outputs, and this
 * module derives 32 bytes, which are the first 32 of the 64: PBKDF2
 * computes each 32-byte output block T_i on its own (RFC 8018 section
 * 5.2), and scrypt ends with one PBKDF2-HMAC-SHA256 step (RFC 7914
 * section 6).  Encoded strings are built with OpenSSL's base64 through
 * testutil.h, and hashes the module creates are checked again with
 * OpenSSL's one-shot EVP_PBE_scrypt() and PKCS5_PBKDF2_HMAC().
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <setjmp.h>
#include <string.h>
#include <pthread.h>

#include <cmocka.h>

#include <openssl/evp.h>

#include "passhash.h"
#include "testutil.h"

/* Cheap parameters for tests: the defaults take 128 MiB per hash. */
#define CHEAP_LN	4
#define CHEAP_ITER	1000

struct vector {
	const char	*password;
	const char	*salt;
	unsigned int	ln, r, p;	/* scrypt; ln = 0 for PBKDF2 */
	unsigned long	iter;		/* PBKDF2 */
	uint8_t		first32[32];	/* first 32 of the 64 bytes printed */
};

static const struct vector vectors[] = {
	/* RFC 7914 section 11, PBKDF2-HMAC-SHA256. */
	{ "passwd", "salt", 0, 0, 0, 1, {
	    0x55, 0xac, 0x04, 0x6e, 0x56, 0xe3, 0x08, 0x9f,
	    0xec, 0x16, 0x91, 0xc2, 0x25, 0x44, 0xb6, 0x05,
	    0xf9, 0x41, 0x85, 0x21, 0x6d, 0xde, 0x04, 0x65,
	    0xe6, 0x8b, 0x9d, 0x57, 0xc2, 0x0d, 0xac, 0xbc } },
	{ "Password", "NaCl", 0, 0, 0, 80000, {
	    0x4d, 0xdc, 0xd8, 0xf6, 0x0b, 0x98, 0xbe, 0x21,
	    0x83, 0x0c, 0xee, 0x5e, 0xf2, 0x27, 0x01, 0xf9,
	    0x64, 0x1a, 0x44, 0x18, 0xd0, 0x4c, 0x04, 0x14,
	    0xae, 0xff, 0x08, 0x87, 0x6b, 0x34, 0xab, 0x56 } },
	/* RFC 7914 section 12, scrypt. */
	{ "", "", 4, 1, 1, 0, {
	    0x77, 0xd6, 0x57, 0x62, 0x38, 0x65, 0x7b, 0x20,
	    0x3b, 0x19, 0xca, 0x42, 0xc1, 0x8a, 0x04, 0x97,
	    0xf1, 0x6b, 0x48, 0x44, 0xe3, 0x07, 0x4a, 0xe8,
	    0xdf, 0xdf, 0xfa, 0x3f, 0xed, 0xe2, 0x14, 0x42 } },
	{ "password", "NaCl", 10, 8, 16, 0, {
	    0xfd, 0xba, 0xbe, 0x1c, 0x9d, 0x34, 0x72, 0x00,
	    0x78, 0x56, 0xe7, 0x19, 0x0d, 0x01, 0xe9, 0xfe,
	    0x7c, 0x6a, 0xd7, 0xcb, 0xc8, 0x23, 0x78, 0x30,
	    0xe7, 0x73, 0x76, 0x63, 0x4b, 0x37, 0x31, 0x62 } },
	{ "pleaseletmein", "SodiumChloride", 14, 8, 1, 0, {
	    0x70, 0x23, 0xbd, 0xcb, 0x3a, 0xfd, 0x73, 0x48,
	    0x46, 0x1c, 0x06, 0xcd, 0x81, 0xfd, 0x38, 0xeb,
	    0xfd, 0xa8, 0xfb, 0xba, 0x90, 0x4f, 0x8e, 0x3e,
	    0xa9, 0xb5, 0x43, 0xf6, 0x54, 0x5d, 0xa1, 0xf2 } },
};

#define NVECTORS	(sizeof(vectors) / sizeof(vectors[0]))

static int
setup(void **state)
{
	(void)state;

	return (passhash_init());
}

static int
teardown(void **state)
{
	(void)state;

	passhash_cleanup();
	return (0);
}

/* Fills ph from a vector; the salt is set directly, bypassing its bounds. */
static void
vector_hash(const struct vector *v, struct passhash *ph)
{
	memset(ph, 0, sizeof(*ph));
	if (v->ln != 0) {
		ph->params.alg = PASSHASH_SCRYPT;
		ph->params.scrypt_ln = v->ln;
		ph->params.scrypt_r = v->r;
		ph->params.scrypt_p = v->p;
	} else {
		ph->params.alg = PASSHASH_PBKDF2_SHA256;
		ph->params.pbkdf2_iter = v->iter;
	}
	ph->salt_len = strlen(v->salt);
	memcpy(ph->salt, v->salt, ph->salt_len);
	memcpy(ph->hash, v->first32, sizeof(ph->hash));
}

static int
verify(const struct passhash *ph, const char *password)
{
	return (passhash_verify(ph, password, strlen(password)));
}

/* Writes prefix$salt$hash with both fields base64url-encoded by OpenSSL. */
static void
build(char *out, size_t outmax, const char *prefix, const uint8_t *salt,
    size_t salt_len, const uint8_t *hash, size_t hash_len)
{
	char	s[TU_B64_BUF(128)], h[TU_B64_BUF(128)];
	int	n;

	tu_b64url(salt, salt_len, s);
	tu_b64url(hash, hash_len, h);
	n = snprintf(out, outmax, "%s$%s$%s", prefix, s, h);
	assert_true(n > 0 && (size_t)n < outmax);
}

static int
parse(struct passhash *ph, const char *s)
{
	return (passhash_parse(ph, s, strlen(s)));
}

/* Checks an encoded hash made by the module with OpenSSL's one-shot API. */
static void
check_independently(const char *encoded, const char *password)
{
	struct passhash	ph;
	const char	*salt, *hash;
	uint8_t		saltbuf[128], hashbuf[128], expect[32];
	int		salt_len, hash_len;
	unsigned int	ln, r, p;
	unsigned long	iter;

	assert_int_equal(parse(&ph, encoded), PASSHASH_OK);
	salt = strchr(encoded + 1, '$');
	salt = strchr(salt + 1, '$') + 1;
	hash = strchr(salt, '$') + 1;
	salt_len = tu_b64url_decode(salt, (size_t)(hash - 1 - salt), saltbuf);
	hash_len = tu_b64url_decode(hash, strlen(hash), hashbuf);
	assert_int_equal(salt_len, 16);
	assert_int_equal(hash_len, 32);

	if (sscanf(encoded, "$scrypt$ln=%u,r=%u,p=%u$", &ln, &r, &p) == 3) {
		assert_int_equal(EVP_PBE_scrypt(password, strlen(password),
		    saltbuf, (size_t)salt_len, (uint64_t)1 << ln, r, p,
		    300 * 1024 * 1024, expect, sizeof(expect)), 1);
	} else {
		assert_int_equal(sscanf(encoded, "$pbkdf2-sha256$i=%lu$",
		    &iter), 1);
		assert_int_equal(PKCS5_PBKDF2_HMAC(password,
		    (int)strlen(password), saltbuf, salt_len, (int)iter,
		    EVP_sha256(), sizeof(expect), expect), 1);
	}
	assert_memory_equal(hashbuf, expect, sizeof(expect));
}

static void
passhash_rfc7914_vectors(void **state)
{
	struct passhash	ph;
	size_t		i;

	(void)state;

	for (i = 0; i < NVECTORS; i++) {
		vector_hash(&vectors[i], &ph);
		assert_int_equal(verify(&ph, vectors[i].password), 1);
	}
}

static void
passhash_rfc7914_wrong_password(void **state)
{
	struct passhash	ph;
	size_t		i;

	(void)state;

	for (i = 0; i < NVECTORS; i++) {
		vector_hash(&vectors[i], &ph);
		assert_int_equal(verify(&ph, "wrong"), 0);
		ph.hash[31] ^= 1;
		assert_int_equal(verify(&ph, vectors[i].password), 0);
	}
}

/* A vector's parameters with another salt give another hash. */
static void
passhash_rfc7914_salt_matters(void **state)
{
	struct passhash	ph;

	(void)state;

	vector_hash(&vectors[0], &ph);
	ph.salt[0] ^= 1;
	assert_int_equal(verify(&ph, vectors[0].password), 0);
	vector_hash(&vectors[3], &ph);
	ph.salt[0] ^= 1;
	assert_int_equal(verify(&ph, vectors[3].password), 0);
}

/* The string form of known bytes parses back to exactly those bytes. */
static void
passhash_parse_known(void **state)
{
	struct passhash	ph;
	uint8_t		salt[16];
	char		s[256];
	size_t		i;

	(void)state;

	for (i = 0; i < sizeof(salt); i++)
		salt[i] = (uint8_t)(0xf0 + i);

	build(s, sizeof(s), "$scrypt$ln=10,r=8,p=16", salt, sizeof(salt),
	    vectors[3].first32, 32);
	assert_int_equal(parse(&ph, s), PASSHASH_OK);
	assert_int_equal(ph.params.alg, PASSHASH_SCRYPT);
	assert_int_equal(ph.params.scrypt_ln, 10);
	assert_int_equal(ph.params.scrypt_r, 8);
	assert_int_equal(ph.params.scrypt_p, 16);
	assert_int_equal(ph.salt_len, sizeof(salt));
	assert_memory_equal(ph.salt, salt, sizeof(salt));
	assert_memory_equal(ph.hash, vectors[3].first32, 32);

	build(s, sizeof(s), "$pbkdf2-sha256$i=80000", salt, sizeof(salt),
	    vectors[1].first32, 32);
	assert_int_equal(parse(&ph, s), PASSHASH_OK);
	assert_int_equal(ph.params.alg, PASSHASH_PBKDF2_SHA256);
	assert_int_equal(ph.params.pbkdf2_iter, 80000);
	assert_memory_equal(ph.salt, salt, sizeof(salt));
	assert_memory_equal(ph.hash, vectors[1].first32, 32);
}

/* Encoding a parsed hash gives back the same string. */
static void
passhash_encode_inverse(void **state)
{
	struct passhash	ph;
	uint8_t		salt[64], hash[32];
	char		s[256], out[PASSHASH_ENCODED_MAX + 1];

	(void)state;

	memset(salt, 0xa5, sizeof(salt));
	memset(hash, 0x5a, sizeof(hash));

	build(s, sizeof(s), "$pbkdf2-sha256$i=10000000", salt, sizeof(salt),
	    hash, sizeof(hash));
	assert_int_equal(strlen(s), 156);
	assert_int_equal(parse(&ph, s), PASSHASH_OK);
	assert_int_equal(passhash_encode(&ph, out, sizeof(out)), 0);
	assert_string_equal(out, s);

	/* One byte short of room for the NUL. */
	assert_int_equal(passhash_encode(&ph, out, strlen(s)), -1);

	build(s, sizeof(s), "$scrypt$ln=1,r=1,p=1", salt, 17, hash,
	    sizeof(hash));
	assert_int_equal(parse(&ph, s), PASSHASH_OK);
	assert_int_equal(passhash_encode(&ph, out, sizeof(out)), 0);
	assert_string_equal(out, s);
}

static void
passhash_round_trip_scrypt(void **state)
{
	struct passhash_params	params;
	struct passhash		ph;
	char			s[PASSHASH_ENCODED_MAX + 1];

	(void)state;

	passhash_params_default(&params, PASSHASH_SCRYPT);
	params.scrypt_ln = CHEAP_LN;
	assert_int_equal(passhash_create(&params, "correct horse", 13, s,
	    sizeof(s)), 0);
	assert_int_equal(strncmp(s, "$scrypt$ln=4,r=8,p=1$", 21), 0);
	assert_int_equal(parse(&ph, s), PASSHASH_OK);
	assert_int_equal(ph.salt_len, PASSHASH_SALT_LEN);
	assert_int_equal(verify(&ph, "correct horse"), 1);
	assert_int_equal(verify(&ph, "correct horsf"), 0);
	assert_int_equal(verify(&ph, "correct hors"), 0);
	assert_int_equal(verify(&ph, ""), 0);
	check_independently(s, "correct horse");
}

static void
passhash_round_trip_pbkdf2(void **state)
{
	struct passhash_params	params;
	struct passhash		ph;
	char			s[PASSHASH_ENCODED_MAX + 1];

	(void)state;

	passhash_params_default(&params, PASSHASH_PBKDF2_SHA256);
	params.pbkdf2_iter = CHEAP_ITER;
	assert_int_equal(passhash_create(&params, "pa\xc3\xa9ss", 6, s,
	    sizeof(s)), 0);
	assert_int_equal(strncmp(s, "$pbkdf2-sha256$i=1000$", 22), 0);
	assert_int_equal(parse(&ph, s), PASSHASH_OK);
	assert_int_equal(verify(&ph, "pa\xc3\xa9ss"), 1);
	assert_int_equal(verify(&ph, "paess"), 0);
	check_independently(s, "pa\xc3\xa9ss");
}

/* The length passed counts: a NUL byte is part of the password. */
static void
passhash_embedded_nul(void **state)
{
	struct passhash_params	params;
	struct passhash		ph;
	char			s[PASSHASH_ENCODED_MAX + 1];

	(void)state;

	passhash_params_default(&params, PASSHASH_PBKDF2_SHA256);
	params.pbkdf2_iter = CHEAP_ITER;
	assert_int_equal(passhash_create(&params, "ab\0cd", 5, s, sizeof(s)),
	    0);
	assert_int_equal(parse(&ph, s), PASSHASH_OK);
	assert_int_equal(passhash_verify(&ph, "ab\0cd", 5), 1);
	assert_int_equal(passhash_verify(&ph, "ab", 2), 0);
	assert_int_equal(passhash_verify(&ph, "ab\0ce", 5), 0);
}

/* Two hashes of one password differ by their random salts. */
/*
 * The largest memory accepted, 128 * r * N = 256 MiB, derives: the maxmem
 * given to OpenSSL covers what OpenSSL counts on top of the V array.
 */
static void
passhash_round_trip_max_memory(void **state)
{
	struct passhash_params	params;
	struct passhash		ph;
	char			s[PASSHASH_ENCODED_MAX + 1];

	(void)state;

	passhash_params_default(&params, PASSHASH_SCRYPT);
	params.scrypt_ln = 20;
	params.scrypt_r = 2;
	assert_int_equal(passhash_create(&params, "pw", 2, s, sizeof(s)), 0);
	assert_int_equal(parse(&ph, s), PASSHASH_OK);
	assert_int_equal(verify(&ph, "pw"), 1);
	check_independently(s, "pw");
}

static void
passhash_create_salts_differ(void **state)
{
	struct passhash_params	params;
	char			a[PASSHASH_ENCODED_MAX + 1];
	char			b[PASSHASH_ENCODED_MAX + 1];

	(void)state;

	passhash_params_default(&params, PASSHASH_SCRYPT);
	params.scrypt_ln = CHEAP_LN;
	assert_int_equal(passhash_create(&params, "x", 1, a, sizeof(a)), 0);
	assert_int_equal(passhash_create(&params, "x", 1, b, sizeof(b)), 0);
	assert_string_not_equal(a, b);
}

static void
passhash_create_bad_params(void **state)
{
	struct passhash_params	params;
	char			s[PASSHASH_ENCODED_MAX + 1];

	(void)state;

	passhash_params_default(&params, PASSHASH_SCRYPT);
	params.scrypt_ln = 21;
	assert_int_equal(passhash_create(&params, "x", 1, s, sizeof(s)), -1);
	passhash_params_default(&params, PASSHASH_PBKDF2_SHA256);
	params.pbkdf2_iter = 0;
	assert_int_equal(passhash_create(&params, "x", 1, s, sizeof(s)), -1);
	params.pbkdf2_iter = CHEAP_ITER;
	assert_int_equal(passhash_create(&params, "x", 1, s, 20), -1);
}

static void
passhash_defaults(void **state)
{
	struct passhash_params	params;

	(void)state;

	/* OWASP Password Storage Cheat Sheet: N=2^17, r=8, p=1; 600,000. */
	passhash_params_default(&params, PASSHASH_SCRYPT);
	assert_int_equal(params.alg, PASSHASH_SCRYPT);
	assert_int_equal(params.scrypt_ln, 17);
	assert_int_equal(params.scrypt_r, 8);
	assert_int_equal(params.scrypt_p, 1);
	assert_int_equal(passhash_params_check(&params), PASSHASH_OK);
	passhash_params_default(&params, PASSHASH_PBKDF2_SHA256);
	assert_int_equal(params.alg, PASSHASH_PBKDF2_SHA256);
	assert_int_equal(params.pbkdf2_iter, 600000);
	assert_int_equal(passhash_params_check(&params), PASSHASH_OK);
}

struct bad_case {
	const char	*prefix;
	int		result;
};

/* Prefixes with a valid 16-byte salt and 32-byte hash after them. */
static const struct bad_case bad_prefixes[] = {
	{ "$scrypt$ln=0,r=8,p=1", PASSHASH_ERR_PARAMS },
	{ "$scrypt$ln=21,r=8,p=1", PASSHASH_ERR_PARAMS },
	{ "$scrypt$ln=4,r=0,p=1", PASSHASH_ERR_PARAMS },
	{ "$scrypt$ln=4,r=33,p=1", PASSHASH_ERR_PARAMS },
	{ "$scrypt$ln=4,r=8,p=0", PASSHASH_ERR_PARAMS },
	{ "$scrypt$ln=4,r=8,p=17", PASSHASH_ERR_PARAMS },
	/* 128 * r * N over 256 MiB. */
	{ "$scrypt$ln=20,r=3,p=1", PASSHASH_ERR_PARAMS },
	{ "$scrypt$ln=18,r=16,p=1", PASSHASH_ERR_PARAMS },
	{ "$scrypt$ln=20,r=8,p=1", PASSHASH_ERR_PARAMS },
	/* N must be below 2^(16 r) (RFC 7914 section 2). */
	{ "$scrypt$ln=16,r=1,p=1", PASSHASH_ERR_PARAMS },
	{ "$pbkdf2-sha256$i=0", PASSHASH_ERR_PARAMS },
	{ "$pbkdf2-sha256$i=10000001", PASSHASH_ERR_PARAMS },
	{ "$pbkdf2-sha256$i=99999999", PASSHASH_ERR_PARAMS },
	/* Numbers: leading zeros, signs, spaces, too many digits. */
	{ "$scrypt$ln=04,r=8,p=1", PASSHASH_ERR_FORMAT },
	{ "$scrypt$ln=4,r=08,p=1", PASSHASH_ERR_FORMAT },
	{ "$scrypt$ln=4,r=8,p=01", PASSHASH_ERR_FORMAT },
	{ "$scrypt$ln=00,r=8,p=1", PASSHASH_ERR_FORMAT },
	{ "$pbkdf2-sha256$i=0600000", PASSHASH_ERR_FORMAT },
	{ "$pbkdf2-sha256$i=123456789", PASSHASH_ERR_FORMAT },
	{ "$pbkdf2-sha256$i=+1000", PASSHASH_ERR_FORMAT },
	{ "$pbkdf2-sha256$i=-1", PASSHASH_ERR_FORMAT },
	{ "$pbkdf2-sha256$i= 1000", PASSHASH_ERR_FORMAT },
	{ "$pbkdf2-sha256$i=1000 ", PASSHASH_ERR_FORMAT },
	{ "$pbkdf2-sha256$i=1e3", PASSHASH_ERR_FORMAT },
	{ "$pbkdf2-sha256$i=0x10", PASSHASH_ERR_FORMAT },
	{ "$pbkdf2-sha256$i=", PASSHASH_ERR_FORMAT },
	{ "$scrypt$ln=,r=8,p=1", PASSHASH_ERR_FORMAT },
	/* Field order, names, separators, extra or missing fields. */
	{ "$scrypt$r=8,ln=4,p=1", PASSHASH_ERR_FORMAT },
	{ "$scrypt$ln=4,p=1,r=8", PASSHASH_ERR_FORMAT },
	{ "$scrypt$ln=4,r=8", PASSHASH_ERR_FORMAT },
	{ "$scrypt$ln=4,r=8,p=1,x=1", PASSHASH_ERR_FORMAT },
	{ "$scrypt$ln=4,r=8,p=1,", PASSHASH_ERR_FORMAT },
	{ "$scrypt$ln=4;r=8;p=1", PASSHASH_ERR_FORMAT },
	{ "$scrypt$LN=4,r=8,p=1", PASSHASH_ERR_FORMAT },
	{ "$scrypt$n=16,r=8,p=1", PASSHASH_ERR_FORMAT },
	{ "$scrypt$ln=4,r=8,p=1$v=1", PASSHASH_ERR_SALT },
	{ "$scrypt$$ln=4,r=8,p=1", PASSHASH_ERR_FORMAT },
	{ "$pbkdf2-sha256$i=1000,x=1", PASSHASH_ERR_FORMAT },
	{ "$pbkdf2-sha256$rounds=1000", PASSHASH_ERR_FORMAT },
	{ "$pbkdf2-sha256$iter=1000", PASSHASH_ERR_FORMAT },
	/* Algorithm names. */
	{ "$pbkdf2-sha512$i=1000", PASSHASH_ERR_FORMAT },
	{ "$pbkdf2$i=1000", PASSHASH_ERR_FORMAT },
	{ "$SCRYPT$ln=4,r=8,p=1", PASSHASH_ERR_FORMAT },
	{ "$argon2id$v=19$m=65536,t=3,p=4", PASSHASH_ERR_FORMAT },
	{ "scrypt$ln=4,r=8,p=1", PASSHASH_ERR_FORMAT },
	{ "$$scrypt$ln=4,r=8,p=1", PASSHASH_ERR_FORMAT },
	{ " $scrypt$ln=4,r=8,p=1", PASSHASH_ERR_FORMAT },
};

static void
passhash_reject_prefixes(void **state)
{
	struct passhash	ph;
	uint8_t		salt[16], hash[32];
	char		s[256];
	size_t		i;

	(void)state;

	memset(salt, 1, sizeof(salt));
	memset(hash, 2, sizeof(hash));

	/* The builder itself produces accepted strings. */
	build(s, sizeof(s), "$scrypt$ln=4,r=8,p=1", salt, sizeof(salt), hash,
	    sizeof(hash));
	assert_int_equal(parse(&ph, s), PASSHASH_OK);

	for (i = 0; i < sizeof(bad_prefixes) / sizeof(bad_prefixes[0]); i++) {
		build(s, sizeof(s), bad_prefixes[i].prefix, salt, sizeof(salt),
		    hash, sizeof(hash));
		if (parse(&ph, s) != bad_prefixes[i].result)
			fail_msg("accepted or misclassified: %s", s);
	}
}

/* Bounds that are accepted, next to the rejected ones above. */
static void
passhash_accept_bounds(void **state)
{
	static const char	*prefixes[] = {
		"$scrypt$ln=1,r=1,p=1",
		"$scrypt$ln=15,r=1,p=1",
		"$scrypt$ln=20,r=2,p=16",
		"$scrypt$ln=13,r=32,p=16",
		"$pbkdf2-sha256$i=1",
		"$pbkdf2-sha256$i=10000000",
	};
	struct passhash	ph;
	uint8_t		salt[16], hash[32];
	char		s[256];
	size_t		i;

	(void)state;

	memset(salt, 1, sizeof(salt));
	memset(hash, 2, sizeof(hash));
	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		build(s, sizeof(s), prefixes[i], salt, sizeof(salt), hash,
		    sizeof(hash));
		if (parse(&ph, s) != PASSHASH_OK)
			fail_msg("rejected: %s", s);
	}
}

static void
passhash_reject_salt_lengths(void **state)
{
	struct passhash	ph;
	uint8_t		salt[65], hash[32];
	char		s[256];

	(void)state;

	memset(salt, 3, sizeof(salt));
	memset(hash, 4, sizeof(hash));
	build(s, sizeof(s), "$scrypt$ln=4,r=8,p=1", salt, 15, hash, 32);
	assert_int_equal(parse(&ph, s), PASSHASH_ERR_SALT);
	build(s, sizeof(s), "$scrypt$ln=4,r=8,p=1", salt, 16, hash, 32);
	assert_int_equal(parse(&ph, s), PASSHASH_OK);
	build(s, sizeof(s), "$scrypt$ln=4,r=8,p=1", salt, 64, hash, 32);
	assert_int_equal(parse(&ph, s), PASSHASH_OK);
	assert_int_equal(ph.salt_len, 64);
	build(s, sizeof(s), "$pbkdf2-sha256$i=1", salt, 65, hash, 32);
	assert_int_not_equal(parse(&ph, s), PASSHASH_OK);
	build(s, sizeof(s), "$scrypt$ln=4,r=8,p=1", salt, 65, hash, 32);
	assert_int_equal(parse(&ph, s), PASSHASH_ERR_SALT);
	build(s, sizeof(s), "$scrypt$ln=4,r=8,p=1", salt, 0, hash, 32);
	assert_int_equal(parse(&ph, s), PASSHASH_ERR_SALT);
}

static void
passhash_reject_hash_lengths(void **state)
{
	struct passhash	ph;
	uint8_t		salt[16], hash[64];
	char		s[256];

	(void)state;

	memset(salt, 3, sizeof(salt));
	memset(hash, 4, sizeof(hash));
	build(s, sizeof(s), "$scrypt$ln=4,r=8,p=1", salt, 16, hash, 31);
	assert_int_equal(parse(&ph, s), PASSHASH_ERR_HASH);
	build(s, sizeof(s), "$scrypt$ln=4,r=8,p=1", salt, 16, hash, 33);
	assert_int_equal(parse(&ph, s), PASSHASH_ERR_HASH);
	build(s, sizeof(s), "$scrypt$ln=4,r=8,p=1", salt, 16, hash, 64);
	assert_int_equal(parse(&ph, s), PASSHASH_ERR_HASH);
	build(s, sizeof(s), "$scrypt$ln=4,r=8,p=1", salt, 16, hash, 0);
	assert_int_equal(parse(&ph, s), PASSHASH_ERR_HASH);
}

/* Whole strings that break the base64url fields or the separators. */
static void
passhash_reject_fields(void **state)
{
	/* 16 bytes of 0x01 and 32 bytes of 0x02 in unpadded base64url. */
#define SALT	"AQEBAQEBAQEBAQEBAQEBAQ"
#define HASH	"AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI"
#define PRE	"$scrypt$ln=4,r=8,p=1$"
	static const struct {
		const char	*s;
		int		result;
	} cases[] = {
		{ PRE SALT "$" HASH, PASSHASH_OK },
		{ "$pbkdf2-sha256$i=1$" SALT "$" HASH, PASSHASH_OK },
		{ PRE SALT "$" HASH "$", PASSHASH_ERR_HASH },
		{ PRE SALT "$" HASH "$" HASH, PASSHASH_ERR_HASH },
		{ PRE SALT "$" HASH "=", PASSHASH_ERR_HASH },
		{ PRE SALT "==$" HASH, PASSHASH_ERR_SALT },
		{ PRE SALT "$" HASH " ", PASSHASH_ERR_HASH },
		{ PRE SALT "$" HASH "\n", PASSHASH_ERR_HASH },
		{ PRE SALT "$" HASH ":", PASSHASH_ERR_HASH },
		/* Non-zero trailing bits: another encoding of the same bytes. */
		{ PRE "AQEBAQEBAQEBAQEBAQEBAR$" HASH, PASSHASH_ERR_SALT },
		{ PRE SALT "$AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgJ",
		    PASSHASH_ERR_HASH },
		/* Standard base64 characters. */
		{ PRE "AQEBAQEBAQEBAQEB+QEBAQ$" HASH, PASSHASH_ERR_SALT },
		{ PRE SALT "$AgICAgICAgICAgICAgICAgICAgICAgICAgICAgIC/gI",
		    PASSHASH_ERR_HASH },
		{ PRE " " SALT "$" HASH, PASSHASH_ERR_SALT },
		{ PRE SALT "$$" HASH, PASSHASH_ERR_HASH },
		{ PRE SALT, PASSHASH_ERR_FORMAT },
		{ PRE SALT "$", PASSHASH_ERR_HASH },
		{ PRE "$" HASH, PASSHASH_ERR_SALT },
		{ PRE, PASSHASH_ERR_SALT },
		{ "$scrypt$ln=4,r=8,p=1", PASSHASH_ERR_FORMAT },
		{ "$scrypt$", PASSHASH_ERR_FORMAT },
		{ "$scrypt", PASSHASH_ERR_FORMAT },
		{ "$pbkdf2-sha256$", PASSHASH_ERR_FORMAT },
		{ "$", PASSHASH_ERR_FORMAT },
		{ "", PASSHASH_ERR_FORMAT },
	};
	struct passhash	ph;
	size_t		i;

	(void)state;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (parse(&ph, cases[i].s) != cases[i].result)
			fail_msg("case %zu: result %d, expected %d: %s", i,
			    parse(&ph, cases[i].s), cases[i].result,
			    cases[i].s);
	}
#undef SALT
#undef HASH
#undef PRE
}

/* The given length counts, so a NUL byte inside a string rejects it. */
static void
passhash_reject_nul(void **state)
{
	static const char	s[] = "$pbkdf2-sha256$i=1$AQEBAQEBAQEBAQEBAQEBAQ"
	    "$AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI";
	struct passhash		ph;
	char			buf[sizeof(s) + 1];

	(void)state;

	assert_int_equal(passhash_parse(&ph, s, sizeof(s) - 1), PASSHASH_OK);
	assert_int_not_equal(passhash_parse(&ph, s, sizeof(s)), PASSHASH_OK);
	memcpy(buf, s, sizeof(s));
	buf[17] = '\0';
	assert_int_not_equal(passhash_parse(&ph, buf, sizeof(s) - 1),
	    PASSHASH_OK);
	/* A prefix of an accepted string is not accepted. */
	assert_int_not_equal(passhash_parse(&ph, s, sizeof(s) - 2),
	    PASSHASH_OK);
}

static void
passhash_reject_too_long(void **state)
{
	struct passhash	ph;
	char		s[PASSHASH_ENCODED_MAX + 2];

	(void)state;

	memset(s, 'A', sizeof(s));
	memcpy(s, "$pbkdf2-sha256$i=1$", 19);
	s[sizeof(s) - 1] = '\0';
	assert_int_equal(passhash_parse(&ph, s, strlen(s)),
	    PASSHASH_ERR_FORMAT);
}

static void
passhash_weak(void **state)
{
	struct passhash	ph;

	(void)state;

	memset(&ph, 0, sizeof(ph));
	passhash_params_default(&ph.params, PASSHASH_SCRYPT);
	assert_int_equal(passhash_is_weak(&ph), 0);
	ph.params.scrypt_ln = 16;
	assert_int_equal(passhash_is_weak(&ph), 1);
	ph.params.scrypt_ln = 18;
	assert_int_equal(passhash_is_weak(&ph), 0);
	ph.params.scrypt_r = 7;
	assert_int_equal(passhash_is_weak(&ph), 1);

	passhash_params_default(&ph.params, PASSHASH_PBKDF2_SHA256);
	assert_int_equal(passhash_is_weak(&ph), 0);
	ph.params.pbkdf2_iter = 599999;
	assert_int_equal(passhash_is_weak(&ph), 1);
	ph.params.pbkdf2_iter = 1000000;
	assert_int_equal(passhash_is_weak(&ph), 0);
}

/*
 * The dummy hash has the default scrypt parameters and fresh random bytes,
 * and a password does not match it.
 */
static void
passhash_dummy_hash(void **state)
{
	struct passhash	a, b;

	(void)state;

	assert_int_equal(passhash_dummy(&a), 0);
	assert_int_equal(passhash_dummy(&b), 0);
	assert_int_equal(a.params.alg, PASSHASH_SCRYPT);
	assert_int_equal(a.params.scrypt_ln, PASSHASH_SCRYPT_LN);
	assert_int_equal(a.params.scrypt_r, PASSHASH_SCRYPT_R);
	assert_int_equal(a.params.scrypt_p, PASSHASH_SCRYPT_P);
	assert_int_equal(a.salt_len, PASSHASH_SALT_LEN);
	assert_memory_not_equal(a.salt, b.salt, a.salt_len);
	assert_memory_not_equal(a.hash, b.hash, sizeof(a.hash));
	assert_int_equal(passhash_is_weak(&a), 0);
	assert_int_equal(verify(&a, "password"), 0);
}

/* Without passhash_init() there is no KDF: an error, never a match. */
static void
passhash_verify_without_init(void **state)
{
	struct passhash	ph;

	(void)state;

	vector_hash(&vectors[0], &ph);
	passhash_cleanup();
	assert_int_equal(verify(&ph, vectors[0].password), -1);
	assert_int_equal(passhash_init(), 0);
	assert_int_equal(verify(&ph, vectors[0].password), 1);
}

#define THREADS		4
#define ROUNDS		8

static void *
verify_thread(void *arg)
{
	const struct vector	*v = arg;
	struct passhash		ph;
	int			i, ok;

	vector_hash(v, &ph);
	ok = 1;
	for (i = 0; i < ROUNDS; i++) {
		if (verify(&ph, v->password) != 1 || verify(&ph, "x") != 0)
			ok = 0;
	}

	return (ok ? arg : NULL);
}

/* Threads verifying at once each get the expected results. */
static void
passhash_threads(void **state)
{
	pthread_t	tid[THREADS];
	void		*res;
	int		i;

	(void)state;

	for (i = 0; i < THREADS; i++) {
		assert_int_equal(pthread_create(&tid[i], NULL, verify_thread,
		    (void *)(uintptr_t)&vectors[i % 2 == 0 ? 2 : 0]), 0);
	}
	for (i = 0; i < THREADS; i++) {
		assert_int_equal(pthread_join(tid[i], &res), 0);
		assert_non_null(res);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(passhash_rfc7914_vectors),
		cmocka_unit_test(passhash_rfc7914_wrong_password),
		cmocka_unit_test(passhash_rfc7914_salt_matters),
		cmocka_unit_test(passhash_parse_known),
		cmocka_unit_test(passhash_encode_inverse),
		cmocka_unit_test(passhash_round_trip_scrypt),
		cmocka_unit_test(passhash_round_trip_pbkdf2),
		cmocka_unit_test(passhash_embedded_nul),
		cmocka_unit_test(passhash_round_trip_max_memory),
		cmocka_unit_test(passhash_create_salts_differ),
		cmocka_unit_test(passhash_create_bad_params),
		cmocka_unit_test(passhash_defaults),
		cmocka_unit_test(passhash_reject_prefixes),
		cmocka_unit_test(passhash_accept_bounds),
		cmocka_unit_test(passhash_reject_salt_lengths),
		cmocka_unit_test(passhash_reject_hash_lengths),
		cmocka_unit_test(passhash_reject_fields),
		cmocka_unit_test(passhash_reject_nul),
		cmocka_unit_test(passhash_reject_too_long),
		cmocka_unit_test(passhash_weak),
		cmocka_unit_test(passhash_dummy_hash),
		cmocka_unit_test(passhash_verify_without_init),
		cmocka_unit_test(passhash_threads),
	};

	return (cmocka_run_group_tests(tests, setup, teardown));
}
