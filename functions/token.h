/*
 * HS256 JSON Web Tokens: issuing and verifying compact JWS tokens
 * (RFC 7515, RFC 7519) with the algorithm pinned to HS256 (RFC 8725).
 */
#ifndef TOKEN_H
#define TOKEN_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "hmac.h"
#include "jsonobj.h"

#define TOKEN_LEN_MAX		4096	/* characters in a compact token */
#define TOKEN_HMAC_LEN		32	/* HMAC-SHA256 output */
#define TOKEN_PERMS_MAX		16	/* perms in an issued token */

enum token_result {
	TOKEN_OK = 0,
	TOKEN_ERR_FORMAT,		/* not three non-empty segments, too long */
	TOKEN_ERR_ENCODING,		/* a segment is not strict base64url */
	TOKEN_ERR_HEADER,		/* header is not a valid JSON object */
	TOKEN_ERR_ALG,			/* alg is not exactly "HS256" */
	TOKEN_ERR_CRIT,			/* crit present */
	TOKEN_ERR_TYP,			/* typ not "JWT" or "application/jwt" */
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

/* The HMAC key, set once and reused for every token. */
struct token_key {
	struct hmac_key		hmac;
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
	struct jsonobj		payload;
	char			arena[JSONOBJ_ARENA_LEN(TOKEN_LEN_MAX)];
};

/*
 * Keys the HMAC once with secret; the caller may wipe its copy afterwards.
 * Returns 0, or -1 when OpenSSL fails.  token_key_free() wipes the key.
 */
int	token_key_init(struct token_key *key, const uint8_t *secret,
	    size_t len);
void	token_key_free(struct token_key *key);

/*
 * Writes a signed token for claims, issued at now, into out (NUL-terminated)
 * and sets *outlen.  The header is {"alg":"HS256","typ":"JWT"} and the payload
 * members are sub, iss, org, perms, iat, exp in that order, in the compact
 * form Node's jsonwebtoken produces.  Claims must be strict UTF-8 (RFC
 * 3629) without control characters, which yajl and JSON.stringify escape
 * differently.  Returns
 * TOKEN_OK, or TOKEN_ERR_INTERNAL for such a claim, an out too small, or
 * an OpenSSL or yajl failure.
 */
int	token_issue(const struct token_key *key,
	    const struct token_claims *claims, time_t now, char *out,
	    size_t outmax, size_t *outlen);

/*
 * Verifies len characters of a compact token at time now against key and
 * policy, filling *v on success.  Returns TOKEN_OK or the first failure in
 * this order: format, encoding, header, alg, crit, typ, signature (compared
 * in constant time before the payload is parsed), payload; then exp, iat
 * and nbf (missing or of the wrong type), expired, not yet valid, issued in
 * the future, lifetime; then iss, sub and perms, each missing, of the wrong
 * type, or wrong in value; last aud.
 */
int	token_verify(const struct token_key *key,
	    const struct token_policy *policy, const char *token, size_t len,
	    time_t now, struct token_verified *v);

/* Returns 1 when the verified token's perms array contains exactly perm. */
int	token_has_perm(const struct token_verified *v, const char *perm);

/* A one-word reason for logs, e.g. "expired". */
const char	*token_result_reason(int result);

/* A sentence for the RFC 6750 error_description attribute. */
const char	*token_result_description(int result);

#endif
