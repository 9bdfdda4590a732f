/*
 * libFuzzer harness for token verification and the Authorization header.
 *
 * The first input byte, modulo 4, picks the mode and the rest is the data:
 *
 *   0  the data is a compact token, verified as it is.  Without the key
 *      only the format, base64url and header checks can pass.
 *   1  the data is header JSON, a newline, then payload JSON; without a
 *      newline it is the payload under the standard header.  The harness
 *      signs them with the key (OpenSSL's HMAC() and base64 encoder, not
 *      the code under test) and verifies the token, so the payload parser
 *      and the claim checks behind the signature are fuzzed too.
 *   2  the data is an Authorization header value.  A Bearer token found
 *      in it is verified as in mode 0.
 *   3  the data, cut at its first NUL byte, is the sub claim of a token
 *      that token_issue() writes and token_verify() must then accept.
 *
 * The keys, the policy and the clock are fixed.  The key set contains the
 * harness's key, kid "fuzz-key", and a second key, kid "fuzz-old", whose
 * secret the harness never signs with, so an accepted token names
 * "fuzz-key".  Results are checked
 * against rules that hold for any input: a token the harness signed never
 * fails on format, encoding or signature, and an accepted token carries
 * the HMAC of its first two segments and the claims the policy demands.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "authz.h"
#include "token.h"

#define FUZZ_CHECK(cond)	do {					\
	if (!(cond))							\
		fuzz_fail(#cond, __LINE__);				\
} while (0)

/* The kid of the harness's key, and the header token_issue() writes. */
#define FUZZ_KID		"fuzz-key"
static const char	fuzz_header_json[] =
    "{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"" FUZZ_KID "\"}";

/* Fixed clock: 2023-11-14T22:13:20Z. */
#define FUZZ_NOW		1700000000

/* Characters EVP_EncodeBlock() writes for n bytes, padding and NUL included. */
#define FUZZ_B64_BUF(n)		(4 * (((n) + 2) / 3) + 1)

/* A fuzzing-only secret of 43 bytes that signs nothing outside this harness. */
static const uint8_t	fuzz_secret[] =
    "fuzz-only-secret-0123456789-not-for-service";
#define FUZZ_SECRET_LEN		(sizeof(fuzz_secret) - 1)
static const uint8_t	fuzz_old_secret[] =
    "fuzz-only-previous-secret-0123456789-unused";

static const struct token_policy	fuzz_policy = {
	"twil.io",		/* issuer */
	86400,			/* ttl */
	0			/* leeway */
};

static struct token_keyset	fuzz_keys;
static struct token_verified	*fuzz_verified;

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void	fuzz_fail(const char *, int) __attribute__((noreturn));
static size_t	fuzz_b64url(const uint8_t *, size_t, char *);
static int	fuzz_verify(const char *, size_t);
static void	fuzz_check_accepted(const struct token_verified *);
static void	fuzz_check_signature(const char *, size_t);
static void	fuzz_check_header(const uint8_t *, size_t);
static void	fuzz_token_raw(const uint8_t *, size_t);
static void	fuzz_token_signed(const uint8_t *, size_t);
static int	fuzz_is_b64token_char(int);
static void	fuzz_authorization(const uint8_t *, size_t);
static int	fuzz_is_utf8(const uint8_t *, size_t);
static int	fuzz_has_control(const char *);
static void	fuzz_token_issued(const uint8_t *, size_t);

static void
fuzz_fail(const char *cond, int line)
{
	fprintf(stderr, "fuzz_token.c:%d: check failed: %s\n", line, cond);
	abort();
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;

	token_keyset_init(&fuzz_keys);
	if (token_keyset_add(&fuzz_keys, fuzz_secret, FUZZ_SECRET_LEN,
	    FUZZ_KID) != TOKEN_OK ||
	    token_keyset_add(&fuzz_keys, fuzz_old_secret,
	    sizeof(fuzz_old_secret) - 1, "fuzz-old") != TOKEN_OK) {
		fprintf(stderr, "fuzz_token: token_keyset_add failed\n");
		exit(1);
	}

	/* Allocated once, off the stack, because it contains a 4 KB arena. */
	if ((fuzz_verified = malloc(sizeof(*fuzz_verified))) == NULL) {
		fprintf(stderr, "fuzz_token: out of memory\n");
		exit(1);
	}

	return (0);
}

/*
 * Encodes len bytes as unpadded base64url with OpenSSL's standard base64
 * encoder and the alphabet mapping of RFC 4648 section 5.  out must hold
 * FUZZ_B64_BUF(len) bytes.  Returns the characters written.
 */
static size_t
fuzz_b64url(const uint8_t *in, size_t len, char *out)
{
	size_t		i, n;

	n = (size_t)EVP_EncodeBlock((unsigned char *)out, in, (int)len);
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
 * Verifies len characters at the fixed time and checks the properties
 * every result must have.  Returns the token_verify() result.
 */
static int
fuzz_verify(const char *token, size_t len)
{
	const char	*reason, *description;
	int		ret;

	ret = token_verify(&fuzz_keys, &fuzz_policy, token, len, FUZZ_NOW,
	    fuzz_verified);

	FUZZ_CHECK(ret >= TOKEN_OK && ret <= TOKEN_ERR_INTERNAL);
	FUZZ_CHECK(ret != TOKEN_ERR_INTERNAL);
	if (len == 0 || len > TOKEN_LEN_MAX)
		FUZZ_CHECK(ret == TOKEN_ERR_FORMAT);

	/* RFC 6750 section 3: error_description excludes '"' and '\'. */
	reason = token_result_reason(ret);
	description = token_result_description(ret);
	FUZZ_CHECK(reason != NULL && strcmp(reason, "unknown") != 0);
	FUZZ_CHECK(description != NULL && *description != '\0');
	FUZZ_CHECK(strpbrk(description, "\"\\") == NULL);

	if (ret == TOKEN_OK)
		fuzz_check_accepted(fuzz_verified);
	else
		FUZZ_CHECK(fuzz_verified->sub == NULL);

	return (ret);
}

/*
 * Checks an accepted token's claims straight from the parsed payload:
 * the time claims against the fixed clock and the policy, iss, a sub
 * without NUL bytes, and perms as an array of strings.
 */
static void
fuzz_check_accepted(const struct token_verified *v)
{
	const struct jsonobj		*pl = &v->payload;
	const struct jsonobj_member	*exp, *iat, *nbf, *iss, *sub, *perms;
	const struct jsonobj_value	*e;
	size_t				i;

	FUZZ_CHECK(v->sub != NULL);
	FUZZ_CHECK(v->sub_len > 0);
	FUZZ_CHECK(strlen(v->sub) == v->sub_len);

	exp = jsonobj_get(pl, "exp");
	iat = jsonobj_get(pl, "iat");
	FUZZ_CHECK(exp != NULL && exp->value.type == JSONOBJ_NUMBER);
	FUZZ_CHECK(iat != NULL && iat->value.type == JSONOBJ_NUMBER);
	FUZZ_CHECK(exp->value.num > (double)FUZZ_NOW);
	FUZZ_CHECK(iat->value.num <= (double)FUZZ_NOW);
	FUZZ_CHECK(exp->value.num - iat->value.num <= (double)fuzz_policy.ttl);

	if ((nbf = jsonobj_get(pl, "nbf")) != NULL) {
		FUZZ_CHECK(nbf->value.type == JSONOBJ_NUMBER);
		FUZZ_CHECK(nbf->value.num <= (double)FUZZ_NOW);
	}

	iss = jsonobj_get(pl, "iss");
	FUZZ_CHECK(iss != NULL && iss->value.type == JSONOBJ_STRING);
	FUZZ_CHECK(iss->value.len == strlen(fuzz_policy.issuer));
	FUZZ_CHECK(memcmp(iss->value.str, fuzz_policy.issuer,
	    iss->value.len) == 0);

	sub = jsonobj_get(pl, "sub");
	FUZZ_CHECK(sub != NULL && sub->value.type == JSONOBJ_STRING);
	FUZZ_CHECK(sub->value.len == v->sub_len);
	FUZZ_CHECK(memcmp(sub->value.str, v->sub, v->sub_len) == 0);

	perms = jsonobj_get(pl, "perms");
	FUZZ_CHECK(perms != NULL && perms->value.type == JSONOBJ_ARRAY);
	FUZZ_CHECK(perms->value.first + perms->value.count <= pl->nelems);
	for (i = 0; i < perms->value.count; i++) {
		e = &pl->elems[perms->value.first + i];
		FUZZ_CHECK(e->type == JSONOBJ_STRING);
		FUZZ_CHECK(memchr(e->str, '\0', e->len) == NULL);
	}

	FUZZ_CHECK(jsonobj_get(pl, "aud") == NULL);
	(void)token_has_perm(v, "read");
}

/*
 * Checks that the last segment of an accepted token is the base64url
 * HMAC-SHA256 of the rest, computed with OpenSSL's HMAC().
 */
static void
fuzz_check_signature(const char *token, size_t len)
{
	const char	*dot;
	uint8_t		mac[EVP_MAX_MD_SIZE];
	unsigned int	maclen;
	char		sig[FUZZ_B64_BUF(TOKEN_HMAC_LEN)];
	size_t		input_len, sig_len;

	for (dot = token + len; dot > token && dot[-1] != '.'; dot--)
		;
	FUZZ_CHECK(dot > token);
	input_len = (size_t)(dot - 1 - token);

	if (HMAC(EVP_sha256(), fuzz_secret, (int)FUZZ_SECRET_LEN,
	    (const unsigned char *)token, input_len, mac, &maclen) == NULL ||
	    maclen != TOKEN_HMAC_LEN)
		abort();
	sig_len = fuzz_b64url(mac, TOKEN_HMAC_LEN, sig);

	FUZZ_CHECK(len - input_len - 1 == sig_len);
	FUZZ_CHECK(memcmp(dot, sig, sig_len) == 0);
}

/*
 * Checks the header of an accepted token: alg is exactly "HS256" (RFC 8725
 * section 3.1), crit is absent, typ is absent or "JWT" or
 * "application/jwt" in any case (RFC 7515 section 4.1.9), and kid is the
 * string FUZZ_KID.
 */
static void
fuzz_check_header(const uint8_t *json, size_t len)
{
	struct jsonobj			*hdr;
	const struct jsonobj_member	*alg, *typ, *kid;
	char				*arena;

	if ((hdr = malloc(sizeof(*hdr))) == NULL ||
	    (arena = malloc(JSONOBJ_ARENA_LEN(len))) == NULL)
		abort();
	FUZZ_CHECK(jsonobj_parse(hdr, json, len, arena,
	    JSONOBJ_ARENA_LEN(len)) == JSONOBJ_OK);

	alg = jsonobj_get(hdr, "alg");
	FUZZ_CHECK(alg != NULL && alg->value.type == JSONOBJ_STRING);
	FUZZ_CHECK(alg->value.len == 5);
	FUZZ_CHECK(memcmp(alg->value.str, "HS256", 5) == 0);
	FUZZ_CHECK(jsonobj_get(hdr, "crit") == NULL);

	if ((typ = jsonobj_get(hdr, "typ")) != NULL) {
		FUZZ_CHECK(jsonobj_is_text(&typ->value));
		FUZZ_CHECK(strcasecmp(typ->value.str, "JWT") == 0 ||
		    strcasecmp(typ->value.str, "application/jwt") == 0);
	}

	kid = jsonobj_get(hdr, "kid");
	FUZZ_CHECK(kid != NULL && kid->value.type == JSONOBJ_STRING);
	FUZZ_CHECK(kid->value.len == sizeof(FUZZ_KID) - 1);
	FUZZ_CHECK(memcmp(kid->value.str, FUZZ_KID, kid->value.len) == 0);

	free(arena);
	free(hdr);
}

/* Mode 0: the data is the token. */
static void
fuzz_token_raw(const uint8_t *data, size_t size)
{
	if (fuzz_verify((const char *)data, size) == TOKEN_OK)
		fuzz_check_signature((const char *)data, size);
}

/*
 * Mode 1: the data is header JSON and payload JSON split at the first
 * newline, or only the payload when there is no newline.  Both are
 * encoded and signed, and the token is verified.
 */
static void
fuzz_token_signed(const uint8_t *data, size_t size)
{
	const uint8_t	*header, *payload, *nl;
	size_t		header_len, payload_len, header_chars, payload_chars;
	size_t		len, token_size;
	unsigned int	maclen;
	uint8_t		mac[EVP_MAX_MD_SIZE];
	char		*token, *exact;
	int		ret;

	header = data;
	if ((nl = memchr(data, '\n', size)) != NULL) {
		header_len = (size_t)(nl - data);
		payload = nl + 1;
		payload_len = size - header_len - 1;
	} else {
		header = (const uint8_t *)fuzz_header_json;
		header_len = sizeof(fuzz_header_json) - 1;
		payload = data;
		payload_len = size;
	}

	token_size = FUZZ_B64_BUF(header_len) + FUZZ_B64_BUF(payload_len) +
	    FUZZ_B64_BUF(TOKEN_HMAC_LEN);
	if ((token = malloc(token_size)) == NULL)
		abort();

	header_chars = fuzz_b64url(header, header_len, token);
	token[header_chars] = '.';
	payload_chars = fuzz_b64url(payload, payload_len,
	    token + header_chars + 1);
	len = header_chars + 1 + payload_chars;

	if (HMAC(EVP_sha256(), fuzz_secret, (int)FUZZ_SECRET_LEN,
	    (const unsigned char *)token, len, mac, &maclen) == NULL ||
	    maclen != TOKEN_HMAC_LEN)
		abort();
	token[len++] = '.';
	len += fuzz_b64url(mac, TOKEN_HMAC_LEN, token + len);

	/* A copy of exactly len bytes, so an over-read is reported. */
	if ((exact = malloc(len)) == NULL)
		abort();
	memcpy(exact, token, len);
	ret = fuzz_verify(exact, len);
	free(exact);

	/*
	 * The token is well formed and correctly signed, so only an empty
	 * segment or the length limit may fail it before the header check,
	 * and nothing may fail the signature.
	 */
	if (header_chars == 0 || payload_chars == 0 || len > TOKEN_LEN_MAX) {
		FUZZ_CHECK(ret == TOKEN_ERR_FORMAT);
	} else {
		FUZZ_CHECK(ret != TOKEN_ERR_FORMAT);
		FUZZ_CHECK(ret != TOKEN_ERR_ENCODING);
		FUZZ_CHECK(ret != TOKEN_ERR_SIGNATURE);
	}
	if (ret == TOKEN_OK)
		fuzz_check_header(header, header_len);

	free(token);
}

/* Returns 1 for a b64token character other than the trailing '='. */
static int
fuzz_is_b64token_char(int c)
{
	return (c != '\0' && strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789-._~+/", c) != NULL);
}

/*
 * Mode 2: the data is an Authorization value.  A token found in it must
 * be a b64token (RFC 6750 section 2.1) inside the value, followed only by
 * spaces, and is then verified.
 */
static void
fuzz_authorization(const uint8_t *data, size_t size)
{
	const char	*tok;
	char		*value, *copy;
	size_t		len, i, padding, value_len;
	int		ret;

	if ((value = malloc(size + 1)) == NULL)
		abort();
	memcpy(value, data, size);
	value[size] = '\0';
	value_len = strlen(value);

	ret = authz_bearer_parse(value, &tok, &len);
	FUZZ_CHECK(ret == AUTHZ_NONE || ret == AUTHZ_TOKEN ||
	    ret == AUTHZ_MALFORMED);

	if (ret != AUTHZ_TOKEN) {
		FUZZ_CHECK(tok == NULL && len == 0);
		free(value);
		return;
	}

	FUZZ_CHECK(tok > value && tok + len <= value + value_len);
	FUZZ_CHECK(len > 0);
	FUZZ_CHECK(strncasecmp(value, "Bearer ", 7) == 0);
	for (i = (size_t)(tok + len - value); i < value_len; i++)
		FUZZ_CHECK(value[i] == ' ');

	/*
	 * b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" )
	 *     *"="
	 */
	padding = 0;
	while (padding < len && tok[len - 1 - padding] == '=')
		padding++;
	FUZZ_CHECK(padding < len);
	for (i = 0; i < len - padding; i++)
		FUZZ_CHECK(fuzz_is_b64token_char((unsigned char)tok[i]));

	/* A copy of exactly len bytes, so an over-read is reported. */
	if ((copy = malloc(len)) == NULL)
		abort();
	memcpy(copy, tok, len);
	if (fuzz_verify(copy, len) == TOKEN_OK)
		fuzz_check_signature(copy, len);

	free(copy);
	free(value);
}

/*
 * Returns 1 when len bytes are UTF-8 as RFC 3629 defines it: no overlong
 * forms, no surrogates, nothing above U+10FFFF.
 */
static int
fuzz_is_utf8(const uint8_t *s, size_t len)
{
	size_t		i, n, k;
	uint32_t	cp, min;

	for (i = 0; i < len; i += n) {
		if (s[i] < 0x80) {
			n = 1;
			continue;
		} else if ((s[i] & 0xe0) == 0xc0) {
			n = 2;
			cp = s[i] & 0x1f;
			min = 0x80;
		} else if ((s[i] & 0xf0) == 0xe0) {
			n = 3;
			cp = s[i] & 0x0f;
			min = 0x800;
		} else if ((s[i] & 0xf8) == 0xf0) {
			n = 4;
			cp = s[i] & 0x07;
			min = 0x10000;
		} else {
			return (0);
		}

		if (len - i < n)
			return (0);
		for (k = 1; k < n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return (0);
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return (0);
	}

	return (1);
}

/* Returns 1 when s contains a control character (below 0x20). */
static int
fuzz_has_control(const char *s)
{
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s < 0x20)
			return (1);
	}

	return (0);
}

/*
 * Mode 3: issues a token whose sub is the data up to its first NUL byte,
 * 100 seconds before the fixed clock, and verifies it.  A sub that
 * token.h allows and that is short enough to fit TOKEN_LEN_MAX must be
 * issued.  An issued token must carry the standard header and the HMAC of
 * its first two segments, and verify with the same sub.
 */
static void
fuzz_token_issued(const uint8_t *data, size_t size)
{
	struct token_claims	claims;
	char			*sub, *token, header[FUZZ_B64_BUF(128)];
	size_t			sub_len, len, header_len;
	int			ret;

	if ((sub = malloc(size + 1)) == NULL ||
	    (token = malloc(TOKEN_LEN_MAX + 1)) == NULL)
		abort();
	memcpy(sub, data, size);
	sub[size] = '\0';
	sub_len = strlen(sub);

	memset(&claims, 0, sizeof(claims));
	claims.sub = sub;
	claims.iss = fuzz_policy.issuer;
	claims.org = "twilio";
	claims.perms[0] = "read";
	claims.nperms = 1;
	claims.ttl = fuzz_policy.ttl;

	ret = token_issue(&fuzz_keys, &claims, FUZZ_NOW - 100, token,
	    TOKEN_LEN_MAX + 1, &len);
	FUZZ_CHECK(ret == TOKEN_OK || ret == TOKEN_ERR_INTERNAL);

	/*
	 * token.h allows UTF-8 claims without control characters.  Such a
	 * sub byte takes at most 2 JSON characters (\" or \\), so a sub of
	 * 1000 bytes makes at most 2092 bytes of payload JSON and a token of
	 * 2871 characters, under TOKEN_LEN_MAX.
	 */
	if (fuzz_is_utf8((const uint8_t *)sub, sub_len) &&
	    !fuzz_has_control(sub) && sub_len <= 1000)
		FUZZ_CHECK(ret == TOKEN_OK);

	if (ret != TOKEN_OK) {
		FUZZ_CHECK(token[0] == '\0');
		free(token);
		free(sub);
		return;
	}

	FUZZ_CHECK(len <= TOKEN_LEN_MAX);
	FUZZ_CHECK(strlen(token) == len);
	header_len = fuzz_b64url((const uint8_t *)fuzz_header_json,
	    sizeof(fuzz_header_json) - 1, header);
	FUZZ_CHECK(len > header_len && token[header_len] == '.');
	FUZZ_CHECK(memcmp(token, header, header_len) == 0);
	fuzz_check_signature(token, len);

	ret = fuzz_verify(token, len);
	if (sub_len == 0) {
		FUZZ_CHECK(ret == TOKEN_ERR_SUBJECT);
	} else {
		FUZZ_CHECK(ret == TOKEN_OK);
		FUZZ_CHECK(fuzz_verified->sub_len == sub_len);
		FUZZ_CHECK(memcmp(fuzz_verified->sub, sub, sub_len) == 0);
		FUZZ_CHECK(token_has_perm(fuzz_verified, "read"));
		FUZZ_CHECK(!token_has_perm(fuzz_verified, "write"));
	}

	free(token);
	free(sub);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return (0);

	switch (data[0] % 4) {
	case 0:
		fuzz_token_raw(data + 1, size - 1);
		break;
	case 1:
		fuzz_token_signed(data + 1, size - 1);
		break;
	case 2:
		fuzz_authorization(data + 1, size - 1);
		break;
	default:
		fuzz_token_issued(data + 1, size - 1);
		break;
	}

	return (0);
}
