#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <yajl/yajl_gen.h>

#include "b64url.h"
#include "token.h"

/* Decoded bytes of any one segment of a token within TOKEN_LEN_MAX. */
#define TOKEN_SEGMENT_MAX	B64URL_DECODED_MAX(TOKEN_LEN_MAX)

/*
 * The only header this service issues, {"alg":"HS256","typ":"JWT"}, byte
 * for byte what jsonwebtoken sends, in base64url.  A token that starts
 * with exactly these characters has a header that passes every header
 * check, so verification skips decoding and parsing it.  The unit tests
 * compare issued tokens with a layout they build from the JSON text.
 */
static const char token_header_b64[] = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9";

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
static int	token_header_check(const uint8_t *, size_t);
static int	token_claims_check(const struct token_policy *, time_t,
		    struct token_verified *);


int
token_key_init(struct token_key *key, const uint8_t *secret, size_t len)
{
	return (hmac_key_init(&key->hmac, secret, len));
}

void
token_key_free(struct token_key *key)
{
	hmac_key_clear(&key->hmac);
}

int
token_issue(const struct token_key *key, const struct token_claims *claims,
    time_t now, char *out, size_t outmax, size_t *outlen)
{
	char		payload[TOKEN_SEGMENT_MAX];
	uint8_t		mac[TOKEN_HMAC_LEN];
	size_t		payload_len, off, n;
	int		ret;

	ret = TOKEN_ERR_INTERNAL;

	if (token_payload_write(claims, now, payload, sizeof(payload),
	    &payload_len) == -1)
		goto cleanup;

	off = sizeof(token_header_b64) - 1;
	if (off + 1 >= outmax)
		goto cleanup;
	memcpy(out, token_header_b64, off);
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
token_verify(const struct token_key *key, const struct token_policy *policy,
    const char *token, size_t len, time_t now, struct token_verified *v)
{
	uint8_t		header[TOKEN_SEGMENT_MAX];
	uint8_t		payload[TOKEN_SEGMENT_MAX];
	uint8_t		sig[TOKEN_SEGMENT_MAX];
	uint8_t		mac[TOKEN_HMAC_LEN];
	const char	*dot1, *dot2, *p64, *s64;
	size_t		header_len, payload_len, sig_len;
	int		ret, known_header;

	memset(mac, 0, sizeof(mac));
	v->sub = NULL;
	v->sub_len = 0;

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

	known_header = (size_t)(dot1 - token) == sizeof(token_header_b64) - 1 &&
	    memcmp(token, token_header_b64, sizeof(token_header_b64) - 1) == 0;

	ret = TOKEN_ERR_ENCODING;
	if ((!known_header && b64url_decode(token, (size_t)(dot1 - token),
	    header, sizeof(header), &header_len) == -1) ||
	    b64url_decode(p64, (size_t)(dot2 - p64), payload,
	    sizeof(payload), &payload_len) == -1 ||
	    b64url_decode(s64, len - (size_t)(s64 - token), sig,
	    sizeof(sig), &sig_len) == -1)
		goto cleanup;

	if (!known_header &&
	    (ret = token_header_check(header, header_len)) != TOKEN_OK)
		goto cleanup;

	hmac_sha256(&key->hmac, token, (size_t)(dot2 - token), mac);

	ret = TOKEN_ERR_SIGNATURE;
	if (sig_len != sizeof(mac) || CRYPTO_memcmp(sig, mac, sizeof(mac)) != 0)
		goto cleanup;

	ret = TOKEN_ERR_PAYLOAD;
	if (jsonobj_parse(&v->payload, payload, payload_len, v->arena,
	    sizeof(v->arena)) != JSONOBJ_OK)
		goto cleanup;

	ret = token_claims_check(policy, now, v);

cleanup:
	OPENSSL_cleanse(mac, sizeof(mac));
	return (ret);
}

/*
 * Checks the JOSE header.  The algorithm is pinned whatever the header
 * says (RFC 8725 section 3.1), and no critical extension is understood
 * (RFC 7515 section 4.1.11).
 */
static int
token_header_check(const uint8_t *json, size_t len)
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

	return (TOKEN_OK);
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
