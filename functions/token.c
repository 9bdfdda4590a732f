#include <limits.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <yajl/yajl_gen.h>

#include "b64url.h"
#include "token.h"

/* Decoded bytes of any one segment of a token within TOKEN_LEN_MAX. */
#define TOKEN_SEGMENT_MAX	B64URL_DECODED_MAX(TOKEN_LEN_MAX)

/* The message whose HMAC under a secret gives the secret's derived kid. */
#define TOKEN_KID_LABEL		"kid"
#define TOKEN_KID_DERIVED_BYTES	8

struct token_reason {
	const char	*word;
	const char	*description;
};

/*
 * Indexed by enum token_result.  Descriptions stay within the characters
 * RFC 6750 section 3 allows in error_description: no '"' and no '\'.
 */
static const struct token_reason token_reasons[] = {
	{ "ok", "The access token is valid" },
	{ "format", "The access token is not a compact JWS of three parts" },
	{ "encoding", "The access token is not strict base64url" },
	{ "header", "The token header is not a valid JSON object" },
	{ "alg", "The token algorithm is not HS256" },
	{ "crit", "The token names critical extensions" },
	{ "typ", "The token type is not JWT" },
	{ "kid", "The token key ID is missing or unknown" },
	{ "signature", "The token signature is invalid" },
	{ "payload", "The token payload is not a valid JSON object" },
	{ "claim_missing", "The token lacks a required claim" },
	{ "claim_type", "A token claim has the wrong type" },
	{ "expired", "The access token expired" },
	{ "not_yet_valid", "The access token is not valid yet" },
	{ "issued_in_future", "The access token was issued in the future" },
	{ "lifetime", "The access token lifetime is too long" },
	{ "issuer", "The token issuer is not trusted" },
	{ "subject", "The token subject is invalid" },
	{ "perms", "The token perms claim is invalid" },
	{ "audience", "The token audience is not accepted here" },
	{ "internal", "The access token could not be checked" },
};

static int	token_payload_write(const struct token_claims *, time_t,
		    char *, size_t, size_t *);
static int	token_claim_unfit(const char *);
static int	token_header_check(const struct token_keyset *,
		    const uint8_t *, size_t, size_t *);
static int	token_kid_find(const struct token_keyset *,
		    const struct jsonobj_member *, size_t *);
static int	token_header_write(struct token_key *);
static int	token_claims_check(const struct token_policy *, time_t,
		    struct token_verified *);


/*
 * Computes HMAC-SHA256(secret, "kid"), which identifies a key without
 * revealing it: the derived kid is its start, and the token cache compares
 * all of it to tell keys apart.
 */
static int
token_key_id(const uint8_t *secret, size_t len, uint8_t id[TOKEN_KEY_ID_LEN])
{
	unsigned int	id_len;

	if (len > INT_MAX || HMAC(EVP_sha256(), secret, (int)len,
	    (const unsigned char *)TOKEN_KID_LABEL, sizeof(TOKEN_KID_LABEL) - 1,
	    id, &id_len) == NULL || id_len != TOKEN_KEY_ID_LEN)
		return (-1);

	return (0);
}

int
token_kid_derive(const uint8_t *secret, size_t len,
    char out[TOKEN_KID_DERIVED_LEN + 1])
{
	uint8_t		id[TOKEN_KEY_ID_LEN];
	int		ret;

	ret = -1;
	if (token_key_id(secret, len, id) == -1)
		goto cleanup;
	if (b64url_encode(id, TOKEN_KID_DERIVED_BYTES, out,
	    TOKEN_KID_DERIVED_LEN + 1) != TOKEN_KID_DERIVED_LEN)
		goto cleanup;
	ret = 0;

cleanup:
	OPENSSL_cleanse(id, sizeof(id));
	return (ret);
}

int
token_kid_valid(const char *kid, size_t len)
{
	size_t		i;
	char		c;

	if (len == 0 || len > TOKEN_KID_MAX)
		return (0);

	for (i = 0; i < len; i++) {
		c = kid[i];
		if ((c < 'A' || c > 'Z') && (c < 'a' || c > 'z') &&
		    (c < '0' || c > '9') && c != '.' && c != '_' && c != '-')
			return (0);
	}

	return (1);
}

void
token_keyset_init(struct token_keyset *set)
{
	memset(set, 0, sizeof(*set));
}

void
token_keyset_free(struct token_keyset *set)
{
	size_t		i;

	for (i = 0; i < TOKEN_KEYS_MAX; i++)
		hmac_key_clear(&set->keys[i].hmac);
	memset(set, 0, sizeof(*set));
}

int
token_keyset_add(struct token_keyset *set, const uint8_t *secret, size_t len,
    const char *kid)
{
	struct token_key	*key;
	char			derived[TOKEN_KID_DERIVED_LEN + 1];
	size_t			i, kid_len;

	if (set->nkeys >= TOKEN_KEYS_MAX)
		return (TOKEN_ERR_INTERNAL);

	if (kid == NULL) {
		if (token_kid_derive(secret, len, derived) == -1)
			return (TOKEN_ERR_INTERNAL);
		kid = derived;
	}

	kid_len = strlen(kid);
	if (!token_kid_valid(kid, kid_len))
		return (TOKEN_ERR_KID);
	for (i = 0; i < set->nkeys; i++) {
		if (set->keys[i].kid_len == kid_len &&
		    memcmp(set->keys[i].kid, kid, kid_len) == 0)
			return (TOKEN_ERR_KID);
	}

	key = &set->keys[set->nkeys];
	memcpy(key->kid, kid, kid_len + 1);
	key->kid_len = kid_len;

	if (token_key_id(secret, len, key->id) == -1 ||
	    token_header_write(key) == -1 ||
	    hmac_key_init(&key->hmac, secret, len) == -1) {
		memset(key, 0, sizeof(*key));
		return (TOKEN_ERR_INTERNAL);
	}

	set->nkeys++;
	return (TOKEN_OK);
}

/*
 * Writes the encoded header of the tokens key signs.  The members are in
 * the order Node's jsonwebtoken writes them when given a keyid, so issued
 * tokens stay byte-identical to its output.  A token whose first segment
 * is exactly this text has a header that passes every header check and
 * names this key, so verification skips decoding and parsing it.
 */
static int
token_header_write(struct token_key *key)
{
	yajl_gen		g;
	const unsigned char	*buf;
	size_t			len;
	int			ret;

	if ((g = yajl_gen_alloc(NULL)) == NULL)
		return (-1);

	ret = -1;
#define GEN_STRING(s)	yajl_gen_string(g, (const unsigned char *)(s), strlen(s))
	if (yajl_gen_map_open(g) != yajl_gen_status_ok ||
	    GEN_STRING("alg") != yajl_gen_status_ok ||
	    GEN_STRING("HS256") != yajl_gen_status_ok ||
	    GEN_STRING("typ") != yajl_gen_status_ok ||
	    GEN_STRING("JWT") != yajl_gen_status_ok ||
	    GEN_STRING("kid") != yajl_gen_status_ok ||
	    GEN_STRING(key->kid) != yajl_gen_status_ok ||
	    yajl_gen_map_close(g) != yajl_gen_status_ok)
		goto cleanup;
#undef GEN_STRING

	if (yajl_gen_get_buf(g, &buf, &len) != yajl_gen_status_ok ||
	    len > TOKEN_HEADER_JSON_MAX)
		goto cleanup;

	key->header_len = b64url_encode(buf, len, key->header_b64,
	    sizeof(key->header_b64));
	if (key->header_len == 0)
		goto cleanup;
	ret = 0;

cleanup:
	yajl_gen_free(g);
	return (ret);
}

int
token_issue(const struct token_keyset *set, const struct token_claims *claims,
    time_t now, char *out, size_t outmax, size_t *outlen)
{
	const struct token_key	*key;
	char			payload[TOKEN_SEGMENT_MAX];
	uint8_t			mac[TOKEN_HMAC_LEN];
	size_t			payload_len, off, n;
	int			ret;

	ret = TOKEN_ERR_INTERNAL;
	memset(mac, 0, sizeof(mac));
	if (set->nkeys == 0)
		goto cleanup;
	key = &set->keys[0];

	if (token_payload_write(claims, now, payload, sizeof(payload),
	    &payload_len) == -1)
		goto cleanup;

	off = key->header_len;
	if (off + 1 >= outmax)
		goto cleanup;
	memcpy(out, key->header_b64, off);
	out[off++] = '.';

	n = b64url_encode((const uint8_t *)payload, payload_len, out + off,
	    outmax - off);
	if (n == 0)
		goto cleanup;
	off += n;

	if (off + 1 >= outmax)
		goto cleanup;
	hmac_sha256(&key->hmac, out, off, mac);
	out[off++] = '.';

	n = b64url_encode(mac, sizeof(mac), out + off, outmax - off);
	if (n == 0)
		goto cleanup;

	*outlen = off + n;
	ret = TOKEN_OK;

cleanup:
	OPENSSL_cleanse(mac, sizeof(mac));
	if (ret != TOKEN_OK && outmax > 0)
		out[0] = '\0';

	return (ret);
}

/*
 * Returns 1 when s cannot go into an issued claim: it has a control
 * character, which yajl would write as \u001F where JSON.stringify writes
 * \u001f, or it is not strict UTF-8, which yajl's generator would pass and
 * token_verify() would then reject.
 */
static int
token_claim_unfit(const char *s)
{
	const char	*p;

	for (p = s; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20)
			return (1);
	}

	return (!jsonobj_is_utf8((const uint8_t *)s, (size_t)(p - s)));
}

/*
 * Writes the payload as compact JSON with the members in the order
 * jsonwebtoken emits them for the same sign() call: the caller's claims,
 * then iat, then exp.
 */
static int
token_payload_write(const struct token_claims *claims, time_t now,
    char *out, size_t outmax, size_t *outlen)
{
	yajl_gen		g;
	const unsigned char	*buf;
	size_t			i, len;
	int			ret;

	if ((g = yajl_gen_alloc(NULL)) == NULL)
		return (-1);
	yajl_gen_config(g, yajl_gen_validate_utf8, 1);

	ret = -1;
	if (token_claim_unfit(claims->sub) || token_claim_unfit(claims->iss) ||
	    token_claim_unfit(claims->org))
		goto cleanup;

#define GEN_STRING(s)	yajl_gen_string(g, (const unsigned char *)(s), strlen(s))
	if (yajl_gen_map_open(g) != yajl_gen_status_ok ||
	    GEN_STRING("sub") != yajl_gen_status_ok ||
	    GEN_STRING(claims->sub) != yajl_gen_status_ok ||
	    GEN_STRING("iss") != yajl_gen_status_ok ||
	    GEN_STRING(claims->iss) != yajl_gen_status_ok ||
	    GEN_STRING("org") != yajl_gen_status_ok ||
	    GEN_STRING(claims->org) != yajl_gen_status_ok ||
	    GEN_STRING("perms") != yajl_gen_status_ok ||
	    yajl_gen_array_open(g) != yajl_gen_status_ok)
		goto cleanup;

	for (i = 0; i < claims->nperms && i < TOKEN_PERMS_MAX; i++) {
		if (token_claim_unfit(claims->perms[i]) ||
		    GEN_STRING(claims->perms[i]) != yajl_gen_status_ok)
			goto cleanup;
	}

	if (yajl_gen_array_close(g) != yajl_gen_status_ok ||
	    GEN_STRING("iat") != yajl_gen_status_ok ||
	    yajl_gen_integer(g, (long long)now) != yajl_gen_status_ok ||
	    GEN_STRING("exp") != yajl_gen_status_ok ||
	    yajl_gen_integer(g, (long long)now + claims->ttl) !=
	    yajl_gen_status_ok ||
	    yajl_gen_map_close(g) != yajl_gen_status_ok)
		goto cleanup;
#undef GEN_STRING

	if (yajl_gen_get_buf(g, &buf, &len) != yajl_gen_status_ok ||
	    len > outmax)
		goto cleanup;

	memcpy(out, buf, len);
	*outlen = len;
	ret = 0;

cleanup:
	yajl_gen_free(g);
	return (ret);
}

int
token_verify(const struct token_keyset *set, const struct token_policy *policy,
    const char *token, size_t len, time_t now, struct token_verified *v)
{
	uint8_t			header[TOKEN_SEGMENT_MAX];
	uint8_t			payload[TOKEN_SEGMENT_MAX];
	uint8_t			sig[TOKEN_SEGMENT_MAX];
	uint8_t			mac[TOKEN_HMAC_LEN];
	const struct token_key	*key;
	const char		*dot1, *dot2, *p64, *s64;
	size_t			header_len, payload_len, sig_len, index, i;
	int			ret, known_header;

	memset(mac, 0, sizeof(mac));
	v->sub = NULL;
	v->sub_len = 0;
	v->key_index = 0;

	/* RFC 7515 section 7.1: exactly three parts joined by two dots. */
	ret = TOKEN_ERR_FORMAT;
	if (len == 0 || len > TOKEN_LEN_MAX)
		goto cleanup;
	if ((dot1 = memchr(token, '.', len)) == NULL)
		goto cleanup;
	p64 = dot1 + 1;
	if ((dot2 = memchr(p64, '.', len - (size_t)(p64 - token))) == NULL)
		goto cleanup;
	s64 = dot2 + 1;
	if (memchr(s64, '.', len - (size_t)(s64 - token)) != NULL)
		goto cleanup;
	if (dot1 == token || dot2 == p64 || s64 == token + len)
		goto cleanup;

	/* A header exactly as issued names its key without being parsed. */
	known_header = 0;
	index = 0;
	for (i = 0; i < set->nkeys && !known_header; i++) {
		key = &set->keys[i];
		if ((size_t)(dot1 - token) == key->header_len &&
		    memcmp(token, key->header_b64, key->header_len) == 0) {
			known_header = 1;
			index = i;
		}
	}

	ret = TOKEN_ERR_ENCODING;
	if ((!known_header && b64url_decode(token, (size_t)(dot1 - token),
	    header, sizeof(header), &header_len) == -1) ||
	    b64url_decode(p64, (size_t)(dot2 - p64), payload,
	    sizeof(payload), &payload_len) == -1 ||
	    b64url_decode(s64, len - (size_t)(s64 - token), sig,
	    sizeof(sig), &sig_len) == -1)
		goto cleanup;

	if (!known_header && (ret = token_header_check(set, header,
	    header_len, &index)) != TOKEN_OK)
		goto cleanup;

	key = &set->keys[index];
	hmac_sha256(&key->hmac, token, (size_t)(dot2 - token), mac);

	ret = TOKEN_ERR_SIGNATURE;
	if (sig_len != sizeof(mac) || CRYPTO_memcmp(sig, mac, sizeof(mac)) != 0)
		goto cleanup;

	ret = TOKEN_ERR_PAYLOAD;
	if (jsonobj_parse(&v->payload, payload, payload_len, v->arena,
	    sizeof(v->arena)) != JSONOBJ_OK)
		goto cleanup;

	if ((ret = token_claims_check(policy, now, v)) == TOKEN_OK)
		v->key_index = index;

cleanup:
	OPENSSL_cleanse(mac, sizeof(mac));
	return (ret);
}

/*
 * Checks the JOSE header and sets *index to the key its kid names.  The
 * algorithm is pinned whatever the header says (RFC 8725 section 3.1), and
 * no critical extension is understood (RFC 7515 section 4.1.11).
 */
static int
token_header_check(const struct token_keyset *set, const uint8_t *json,
    size_t len, size_t *index)
{
	struct jsonobj			hdr;
	char				arena[JSONOBJ_ARENA_LEN(TOKEN_SEGMENT_MAX)];
	const struct jsonobj_member	*m;

	if (jsonobj_parse(&hdr, json, len, arena, sizeof(arena)) != JSONOBJ_OK)
		return (TOKEN_ERR_HEADER);

	m = jsonobj_get(&hdr, "alg");
	if (m == NULL || m->value.type != JSONOBJ_STRING ||
	    m->value.len != 5 || memcmp(m->value.str, "HS256", 5) != 0)
		return (TOKEN_ERR_ALG);

	if (jsonobj_get(&hdr, "crit") != NULL)
		return (TOKEN_ERR_CRIT);

	/* RFC 7515 section 4.1.9: "JWT" and "application/jwt", any case. */
	if ((m = jsonobj_get(&hdr, "typ")) != NULL) {
		if (!jsonobj_is_text(&m->value) ||
		    (strcasecmp(m->value.str, "JWT") != 0 &&
		    strcasecmp(m->value.str, "application/jwt") != 0))
			return (TOKEN_ERR_TYP);
	}

	return (token_kid_find(set, jsonobj_get(&hdr, "kid"), index));
}

/*
 * Finds the key whose kid is the kid member m (RFC 7515 section 4.1.4).
 * This service requires a kid, and compares it only with the configured
 * kids: it never becomes a path, an index or a lookup key.
 */
static int
token_kid_find(const struct token_keyset *set, const struct jsonobj_member *m,
    size_t *index)
{
	size_t		i;

	if (m == NULL || m->value.type != JSONOBJ_STRING ||
	    m->value.len == 0 || m->value.len > TOKEN_KID_MAX)
		return (TOKEN_ERR_KID);

	for (i = 0; i < set->nkeys; i++) {
		if (set->keys[i].kid_len == m->value.len &&
		    memcmp(set->keys[i].kid, m->value.str, m->value.len) == 0) {
			*index = i;
			return (TOKEN_OK);
		}
	}

	return (TOKEN_ERR_KID);
}

/* The registered claims the checks read, found in one pass. */
struct token_claim_set {
	const struct jsonobj_member	*exp;
	const struct jsonobj_member	*iat;
	const struct jsonobj_member	*nbf;
	const struct jsonobj_member	*iss;
	const struct jsonobj_member	*sub;
	const struct jsonobj_member	*perms;
	const struct jsonobj_member	*aud;
};

static void
token_claims_find(const struct jsonobj *pl, struct token_claim_set *c)
{
	const struct jsonobj_member	*m;
	size_t				i;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < pl->nmembers; i++) {
		m = &pl->members[i];
		if (m->name_len == 5 && memcmp(m->name, "perms", 5) == 0) {
			c->perms = m;
			continue;
		}
		if (m->name_len != 3)
			continue;
		if (memcmp(m->name, "exp", 3) == 0)
			c->exp = m;
		else if (memcmp(m->name, "iat", 3) == 0)
			c->iat = m;
		else if (memcmp(m->name, "nbf", 3) == 0)
			c->nbf = m;
		else if (memcmp(m->name, "iss", 3) == 0)
			c->iss = m;
		else if (memcmp(m->name, "sub", 3) == 0)
			c->sub = m;
		else if (memcmp(m->name, "aud", 3) == 0)
			c->aud = m;
	}
}

/*
 * Reads a NumericDate claim (RFC 7519 section 2): a JSON number, fractions
 * allowed.  Returns TOKEN_OK, TOKEN_ERR_CLAIM_MISSING for a required claim
 * that is absent (*value untouched when an optional one is), or
 * TOKEN_ERR_CLAIM_TYPE.
 */
static int
token_time_claim(const struct jsonobj_member *m, int required, double *value)
{
	if (m == NULL)
		return (required ? TOKEN_ERR_CLAIM_MISSING : TOKEN_OK);
	if (m->value.type != JSONOBJ_NUMBER)
		return (TOKEN_ERR_CLAIM_TYPE);

	*value = m->value.num;
	return (TOKEN_OK);
}

static int
token_claims_check(const struct token_policy *policy, time_t now,
    struct token_verified *v)
{
	const struct jsonobj		*pl = &v->payload;
	struct token_claim_set		c;
	double				exp, iat, nbf, t;
	size_t				i;
	int				ret;

	token_claims_find(pl, &c);

	nbf = 0;
	if ((ret = token_time_claim(c.exp, 1, &exp)) != TOKEN_OK ||
	    (ret = token_time_claim(c.iat, 1, &iat)) != TOKEN_OK ||
	    (ret = token_time_claim(c.nbf, 0, &nbf)) != TOKEN_OK)
		return (ret);

	t = (double)now;

	/* RFC 7519 section 4.1.4: now must be before exp. */
	if (t >= exp + (double)policy->leeway)
		return (TOKEN_ERR_EXPIRED);

	/* RFC 7519 section 4.1.5: now must not be before nbf. */
	if (nbf > t + (double)policy->leeway)
		return (TOKEN_ERR_NOT_YET_VALID);

	if (iat > t + (double)policy->leeway)
		return (TOKEN_ERR_ISSUED_IN_FUTURE);

	/* No token lives longer than this service would issue it for. */
	if (exp - iat > (double)policy->ttl)
		return (TOKEN_ERR_LIFETIME);

	if (c.iss == NULL)
		return (TOKEN_ERR_CLAIM_MISSING);
	if (c.iss->value.type != JSONOBJ_STRING)
		return (TOKEN_ERR_CLAIM_TYPE);
	if (!jsonobj_is_text(&c.iss->value) ||
	    strcmp(c.iss->value.str, policy->issuer) != 0)
		return (TOKEN_ERR_ISSUER);

	if (c.sub == NULL)
		return (TOKEN_ERR_CLAIM_MISSING);
	if (c.sub->value.type != JSONOBJ_STRING)
		return (TOKEN_ERR_CLAIM_TYPE);
	if (c.sub->value.len == 0 || !jsonobj_is_text(&c.sub->value))
		return (TOKEN_ERR_SUBJECT);

	if (c.perms == NULL)
		return (TOKEN_ERR_CLAIM_MISSING);
	if (c.perms->value.type != JSONOBJ_ARRAY)
		return (TOKEN_ERR_PERMS);
	for (i = 0; i < c.perms->value.count; i++) {
		if (!jsonobj_is_text(&pl->elems[c.perms->value.first + i]))
			return (TOKEN_ERR_PERMS);
	}

	/*
	 * RFC 7519 section 4.1.3: a recipient that does not find itself in
	 * aud must reject the token, and this service names no audience.
	 */
	if (c.aud != NULL)
		return (TOKEN_ERR_AUDIENCE);

	v->sub = c.sub->value.str;
	v->sub_len = c.sub->value.len;

	return (TOKEN_OK);
}

int
token_has_perm(const struct token_verified *v, const char *perm)
{
	const struct jsonobj_member	*m;
	const struct jsonobj_value	*e;
	size_t				i, len;

	if ((m = jsonobj_get(&v->payload, "perms")) == NULL ||
	    m->value.type != JSONOBJ_ARRAY)
		return (0);

	len = strlen(perm);
	for (i = 0; i < m->value.count; i++) {
		e = &v->payload.elems[m->value.first + i];
		if (e->type == JSONOBJ_STRING && e->len == len &&
		    memcmp(e->str, perm, len) == 0)
			return (1);
	}

	return (0);
}

const char *
token_result_reason(int result)
{
	if (result < 0 || (size_t)result >= sizeof(token_reasons) /
	    sizeof(token_reasons[0]))
		return ("unknown");

	return (token_reasons[result].word);
}

const char *
token_result_description(int result)
{
	if (result < 0 || (size_t)result >= sizeof(token_reasons) /
	    sizeof(token_reasons[0]))
		return ("The access token is invalid");

	return (token_reasons[result].description);
}
