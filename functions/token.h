/*
 * HS256 JSON Web Tokens: issuing and verifying compact JWS tokens
 * (RFC 7515, RFC 7519) with the algorithm pinned to HS256 (RFC 8725).
 */
#ifndef TOKEN_H
#define TOKEN_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "b64url.h"
#include "hmac.h"
#include "jsonobj.h"

#define TOKEN_LEN_MAX		4096	/* characters in a compact token */
#define TOKEN_HMAC_LEN		32	/* HMAC-SHA256 output */
#define TOKEN_PERMS_MAX		16	/* perms in an issued token */
#define TOKEN_KEYS_MAX		2	/* the signing key and a previous one */
#define TOKEN_KID_MAX		64	/* characters in a configured kid */
#define TOKEN_KID_DERIVED_LEN	11	/* base64url of 8 bytes */
#define TOKEN_KEY_ID_LEN	32	/* HMAC-SHA256 output */

/*
 * Bytes of the longest issued header, {"alg":"HS256","typ":"JWT","kid":"<kid>"},
 * and characters of its base64url encoding.
 */
#define TOKEN_HEADER_JSON_MAX	\
	(sizeof("{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"\"}") - 1 + \
	TOKEN_KID_MAX)
#define TOKEN_HEADER_B64_MAX	B64URL_ENCODED_LEN(TOKEN_HEADER_JSON_MAX)

enum token_result {
	TOKEN_OK = 0,
	TOKEN_ERR_FORMAT,		/* not three non-empty segments, too long */
	TOKEN_ERR_ENCODING,		/* a segment is not strict base64url */
	TOKEN_ERR_HEADER,		/* header is not a valid JSON object */
	TOKEN_ERR_ALG,			/* alg is not exactly "HS256" */
	TOKEN_ERR_CRIT,			/* crit present */
	TOKEN_ERR_TYP,			/* typ not "JWT" or "application/jwt" */
	TOKEN_ERR_KID,			/* kid missing, not a string, or unknown */
	TOKEN_ERR_SIGNATURE,		/* HMAC mismatch or wrong length */
	TOKEN_ERR_PAYLOAD,		/* payload is not a valid JSON object */
	TOKEN_ERR_CLAIM_MISSING,	/* exp, iat, iss, sub or perms missing */
	TOKEN_ERR_CLAIM_TYPE,		/* a claim of the wrong JSON type */
	TOKEN_ERR_EXPIRED,		/* exp is not in the future */
	TOKEN_ERR_NOT_YET_VALID,	/* nbf is in the future */
	TOKEN_ERR_ISSUED_IN_FUTURE,	/* iat is in the future */
	TOKEN_ERR_LIFETIME,		/* exp - iat exceeds the policy's TTL */
	TOKEN_ERR_ISSUER,		/* iss differs from the policy's issuer */
	TOKEN_ERR_SUBJECT,		/* sub empty or holding a NUL byte */
	TOKEN_ERR_PERMS,		/* perms not an array of strings */
	TOKEN_ERR_AUDIENCE,		/* aud present: no audience is configured */
	TOKEN_ERR_INTERNAL		/* OpenSSL or yajl failed */
};

/*
 * One HMAC key, set once and reused for every token, with its key ID
 * (RFC 7515 section 4.1.4) and the encoded header of the tokens it signs.
 */
struct token_key {
	struct hmac_key		hmac;
	uint8_t			id[TOKEN_KEY_ID_LEN];	/* HMAC(secret, "kid") */
	char			kid[TOKEN_KID_MAX + 1];
	size_t			kid_len;
	char			header_b64[TOKEN_HEADER_B64_MAX + 1];
	size_t			header_len;
};

/*
 * The keys a service holds: keys[0] signs, and every key verifies the
 * tokens whose header names its kid.  No two keys have the same kid.
 */
struct token_keyset {
	struct token_key	keys[TOKEN_KEYS_MAX];
	size_t			nkeys;
};

/* Requirements a verified token must meet besides its signature. */
struct token_policy {
	const char		*issuer;
	long			ttl;		/* max exp - iat, seconds */
	long			leeway;		/* clock skew allowed, seconds */
};

/* The claims of an issued token. */
struct token_claims {
	const char		*sub;
	const char		*iss;
	const char		*org;
	const char		*perms[TOKEN_PERMS_MAX];
	size_t			nperms;
	long			ttl;
};

/*
 * A verified token.  The parsed payload lives here, so sub points into
 * this structure and is valid as long as it is.
 */
struct token_verified {
	const char		*sub;
	size_t			sub_len;
	size_t			key_index;	/* the key that verified it */
	struct jsonobj		payload;
	char			arena[JSONOBJ_ARENA_LEN(TOKEN_LEN_MAX)];
};

/*
 * Writes the kid derived from secret into out, NUL-terminated: the first
 * 8 bytes of HMAC-SHA256(secret, "kid") in unpadded base64url, 11
 * characters.  It names the key without revealing anything usable about
 * it.  Returns 0, or -1 when OpenSSL fails.
 */
int	token_kid_derive(const uint8_t *secret, size_t len,
	    char out[TOKEN_KID_DERIVED_LEN + 1]);

/* Returns 1 when kid is 1 to TOKEN_KID_MAX characters of [A-Za-z0-9._-]. */
int	token_kid_valid(const char *kid, size_t len);

/*
 * Starts an empty key set.  token_keyset_free() wipes every key in it.
 */
void	token_keyset_init(struct token_keyset *set);
void	token_keyset_free(struct token_keyset *set);

/*
 * Adds a key for secret to set; the first key added signs.  kid names it,
 * or NULL derives the kid with token_kid_derive().  The caller may wipe
 * its copy of secret afterwards.  Returns TOKEN_OK; TOKEN_ERR_KID when kid
 * is not valid or another key in set has the same kid; TOKEN_ERR_INTERNAL
 * when set is full or OpenSSL or yajl fails.
 */
int	token_keyset_add(struct token_keyset *set, const uint8_t *secret,
	    size_t len, const char *kid);

/*
 * Writes a token for claims, issued at now and signed with the first key
 * of set, into out (NUL-terminated) and sets *outlen.  The header is
 * {"alg":"HS256","typ":"JWT","kid":"<kid>"}, the order jsonwebtoken uses
 * with its keyid option, and the payload
 * members are sub, iss, org, perms, iat, exp in that order, in the compact
 * form Node's jsonwebtoken produces.  Claims must be strict UTF-8 (RFC
 * 3629) without control characters, which yajl and JSON.stringify escape
 * differently.  Returns
 * TOKEN_OK, or TOKEN_ERR_INTERNAL for such a claim, an empty set, an out
 * too small, or an OpenSSL or yajl failure.
 */
int	token_issue(const struct token_keyset *set,
	    const struct token_claims *claims, time_t now, char *out,
	    size_t outmax, size_t *outlen);

/*
 * Verifies len characters of a compact token at time now against the key
 * of set that its header's kid names and against policy, filling *v on
 * success.  Returns TOKEN_OK or the first failure in this order: format,
 * encoding, header, alg, crit, typ, kid (missing, not a string, or equal
 * to no kid in set), signature (compared in constant time before the
 * payload is parsed), payload; then exp, iat
 * and nbf (missing or of the wrong type), expired, not yet valid, issued in
 * the future, lifetime; then iss, sub and perms, each missing, of the wrong
 * type, or wrong in value; last aud.
 */
int	token_verify(const struct token_keyset *set,
	    const struct token_policy *policy, const char *token, size_t len,
	    time_t now, struct token_verified *v);

/* Returns 1 when the verified token's perms array contains exactly perm. */
int	token_has_perm(const struct token_verified *v, const char *perm);

/* A one-word reason for logs, e.g. "expired". */
const char	*token_result_reason(int result);

/* A sentence for the RFC 6750 error_description attribute. */
const char	*token_result_description(int result);

#endif
