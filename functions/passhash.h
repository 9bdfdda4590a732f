/*
 * Password hashes with scrypt (RFC 7914) or PBKDF2-HMAC-SHA256 (RFC 8018),
 * stored in a PHC-style string:
 *
 *	$scrypt$ln=<log2 N>,r=<r>,p=<p>$<salt>$<hash>
 *	$pbkdf2-sha256$i=<iterations>$<salt>$<hash>
 *
 * with the salt and the 32-byte hash in unpadded base64url.
 */
#ifndef PASSHASH_H
#define PASSHASH_H

#include <stddef.h>
#include <stdint.h>

#define PASSHASH_SALT_LEN	16	/* bytes of salt in a new hash */
#define PASSHASH_SALT_MIN	16	/* bytes of salt accepted */
#define PASSHASH_SALT_MAX	64
#define PASSHASH_HASH_LEN	32	/* bytes of derived hash */

/* Characters of the longest accepted encoded hash, without the NUL. */
#define PASSHASH_ENCODED_MAX	160

/* Bounds accepted when parsing or creating a hash. */
#define PASSHASH_SCRYPT_LN_MIN	1
#define PASSHASH_SCRYPT_LN_MAX	20
#define PASSHASH_SCRYPT_R_MAX	32
#define PASSHASH_SCRYPT_P_MAX	16
#define PASSHASH_SCRYPT_MEM_MAX	(256UL * 1024 * 1024)	/* 128 * r * N bytes */
#define PASSHASH_PBKDF2_ITER_MAX	10000000

/*
 * Defaults for new hashes, from the OWASP Password Storage Cheat Sheet:
 * scrypt N=2^17, r=8, p=1 (128 MiB per hash), or PBKDF2-HMAC-SHA256 with
 * 600,000 iterations where scrypt cannot be used.
 */
#define PASSHASH_SCRYPT_LN	17
#define PASSHASH_SCRYPT_R	8
#define PASSHASH_SCRYPT_P	1
#define PASSHASH_PBKDF2_ITER	600000

enum passhash_alg {
	PASSHASH_SCRYPT = 1,
	PASSHASH_PBKDF2_SHA256
};

enum passhash_result {
	PASSHASH_OK = 0,
	PASSHASH_ERR_FORMAT,		/* not one of the two layouts */
	PASSHASH_ERR_PARAMS,		/* a parameter is out of range */
	PASSHASH_ERR_SALT,		/* salt not base64url of 16..64 bytes */
	PASSHASH_ERR_HASH		/* hash not base64url of 32 bytes */
};

/* The cost parameters of one hash; only those of alg are used. */
struct passhash_params {
	enum passhash_alg	alg;
	unsigned int		scrypt_ln;	/* N = 2^scrypt_ln */
	unsigned int		scrypt_r;
	unsigned int		scrypt_p;
	unsigned long		pbkdf2_iter;
};

/* A parsed hash. */
struct passhash {
	struct passhash_params	params;
	uint8_t			salt[PASSHASH_SALT_MAX];
	size_t			salt_len;
	uint8_t			hash[PASSHASH_HASH_LEN];
};

/*
 * Fetches the scrypt and PBKDF2 implementations from OpenSSL once.  Call it
 * before any thread or worker process starts; the other functions only
 * read what it stores.  Returns 0, or -1 when OpenSSL fails.
 */
int	passhash_init(void);

/* Frees what passhash_init() fetched. */
void	passhash_cleanup(void);

/* Fills params with the default scrypt or PBKDF2 parameters. */
void	passhash_params_default(struct passhash_params *params,
	    enum passhash_alg alg);

/* Returns PASSHASH_OK when params are within the bounds above. */
int	passhash_params_check(const struct passhash_params *params);

/*
 * Parses len characters of an encoded hash into ph.  The layout is exact:
 * field order as above, decimal numbers without leading zeros, nothing
 * after the hash.  Returns PASSHASH_OK or the reason for rejecting it.
 */
int	passhash_parse(struct passhash *ph, const char *encoded, size_t len);

/*
 * Writes ph as an encoded hash into out (NUL-terminated), which must hold
 * PASSHASH_ENCODED_MAX + 1 bytes.  Returns 0, or -1 when out is too small.
 */
int	passhash_encode(const struct passhash *ph, char *out, size_t outmax);

/*
 * Hashes len bytes of password with params and a new random salt, and
 * writes the encoded hash into out as passhash_encode() does.  Returns 0,
 * or -1 for invalid params, an out too small, or an OpenSSL failure.
 */
int	passhash_create(const struct passhash_params *params,
	    const char *password, size_t len, char *out, size_t outmax);

/*
 * Derives a hash of len bytes of password with ph's parameters and salt
 * and compares it with ph's hash in constant time.  Returns 1 on a match,
 * 0 on a mismatch, -1 when OpenSSL fails (passhash_init() not called
 * included).  Safe to call from several threads at once.
 */
int	passhash_verify(const struct passhash *ph, const char *password,
	    size_t len);

/*
 * Fills ph with the default scrypt parameters, a random salt and a random
 * hash, which no password is expected to match.  Verifying a password
 * against it costs the same as against a default hash, so a login for an
 * unknown user can take as long as one with a wrong password.  Returns 0,
 * or -1 when OpenSSL fails.
 */
int	passhash_dummy(struct passhash *ph);

/*
 * Returns 1 when ph's parameters are below the defaults above: a scrypt
 * N or r smaller than the default, or fewer PBKDF2 iterations.
 */
int	passhash_is_weak(const struct passhash *ph);

/* A few words for a PASSHASH_ERR_* value, e.g. "parameter out of range". */
const char	*passhash_result_reason(int result);

#endif
