/*
 * Unit tests for issuing and verifying HS256 tokens.  The clock is fixed:
 * every verification passes an explicit now.  Tokens under test are built
 * by hand with OpenSSL's HMAC() and base64 encoder (testutil.h), so the
 * code under test never produces its own expected values.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "token.h"
#include "testutil.h"

/* Fixed clock: 2023-11-14T22:13:20Z. */
#define NOW		1700000000
#define TTL		86400
#define ISSUER		"twil.io"

/* Test-only secret, 38 bytes. */
static const uint8_t	test_secret[] = "unit-test-secret-not-used-anywhere-001";
#define TEST_SECRET_LEN	(sizeof(test_secret) - 1)

/* The kid configured for the test secret, and the header it signs with. */
#define TEST_KID	"test-key-1"
#define KID		",\"kid\":\"" TEST_KID "\""
#define HDR		"{\"alg\":\"HS256\",\"typ\":\"JWT\"" KID "}"

/* Claims of a valid token at NOW: issued 100 s ago, for exactly TTL. */
#define C_SUB		"\"sub\":\"alice\""
#define C_ISS		"\"iss\":\"twil.io\""
#define C_ORG		"\"org\":\"twilio\""
#define C_PERMS		"\"perms\":[\"read\"]"
#define C_IAT		"\"iat\":1699999900"
#define C_EXP		"\"exp\":1700086300"
#define PAYLOAD		"{" C_SUB "," C_ISS "," C_ORG "," C_PERMS "," \
			C_IAT "," C_EXP "}"

/*
 * RFC 7515 appendix A.1: the JWK "k" value, the token, and its payload
 * {"iss":"joe",\r\n "exp":1300819380,\r\n "http://example.com/is_root":true}
 * under the header {"typ":"JWT",\r\n "alg":"HS256"}.
 */
static const char	a1_jwk_k[] =
    "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4h"
    "cgUuTwjAzZr1Z9CAow";
static const char	a1_token[] =
    "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9"
    ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFt"
    "cGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
    ".dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
#define A1_EXP		1300819380

static struct token_keyset	keys;
static struct token_keyset	a1_keys;
static uint8_t			a1_secret[64];
static struct token_verified	verified;
static char			tok[2 * TOKEN_LEN_MAX];

/* Room for tok plus a few characters, for tokens built from it. */
#define BUF_LEN		(2 * TOKEN_LEN_MAX + 16)

static int
setup(void **state)
{
	(void)state;

	if (tu_b64url_decode(a1_jwk_k, strlen(a1_jwk_k), a1_secret) != 64)
		return (-1);
	token_keyset_init(&keys);
	token_keyset_init(&a1_keys);
	if (token_keyset_add(&keys, test_secret, TEST_SECRET_LEN,
	    TEST_KID) != TOKEN_OK)
		return (-1);
	if (token_keyset_add(&a1_keys, a1_secret, sizeof(a1_secret),
	    NULL) != TOKEN_OK)
		return (-1);

	return (0);
}

static int
teardown(void **state)
{
	(void)state;

	token_keyset_free(&keys);
	token_keyset_free(&a1_keys);
	return (0);
}

/* Signs header and payload with the test secret into tok. */
static const char *
make(const char *header, const char *payload)
{
	if (tu_token(tok, sizeof(tok), test_secret, TEST_SECRET_LEN, header,
	    payload) == 0)
		fail_msg("cannot build token");

	return (tok);
}

/* Signs a payload with the standard header. */
static const char *
make_payload(const char *payload)
{
	return (make(HDR, payload));
}

/* Builds a valid token except for iat, exp and an optional nbf. */
static const char *
make_times(const char *iat, const char *exp, const char *nbf)
{
	char	payload[512];

	snprintf(payload, sizeof(payload), "{" C_SUB "," C_ISS "," C_ORG ","
	    C_PERMS ",\"iat\":%s,\"exp\":%s%s%s}", iat, exp,
	    nbf != NULL ? ",\"nbf\":" : "", nbf != NULL ? nbf : "");

	return (make_payload(payload));
}

/* Verifies a token at now under the test policy with leeway. */
static int
verify_at(const char *token, time_t now, long leeway)
{
	struct token_policy	policy = { ISSUER, TTL, 0 };

	policy.leeway = leeway;
	return (token_verify(&keys, &policy, token, strlen(token), now,
	    &verified));
}

static int
verify(const char *token)
{
	return (verify_at(token, NOW, 0));
}

/* Issues a token for claims at now into tok. */
static size_t
issue(const struct token_claims *claims, time_t now)
{
	size_t	len = 0;

	assert_int_equal(token_issue(&keys, claims, now, tok, sizeof(tok),
	    &len), TOKEN_OK);
	assert_int_equal(len, strlen(tok));

	return (len);
}

/* Writes the token for payload under the standard header and the test key. */
static void
expected_token(char *out, size_t outmax, const char *payload)
{
	assert_int_not_equal(tu_token(out, outmax, test_secret,
	    TEST_SECRET_LEN, HDR, payload), 0);
}

/* Returns the dot-separated segment n (0..2) of token as a new string. */
static char *
segment(const char *token, int n)
{
	const char	*p, *end;
	char		*s;

	p = token;
	while (n-- > 0)
		p = strchr(p, '.') + 1;
	if ((end = strchr(p, '.')) == NULL)
		end = p + strlen(p);
	if ((s = strndup(p, (size_t)(end - p))) == NULL)
		fail_msg("strndup failed");

	return (s);
}

static void
token_a1_vector_sanity(void **state)
{
	uint8_t		mac[32], sig[64];
	const char	*dot2;

	(void)state;

	/* The transcribed vector is self-consistent under OpenSSL alone. */
	dot2 = strrchr(a1_token, '.');
	assert_int_equal(tu_hs256(a1_secret, sizeof(a1_secret), a1_token,
	    (size_t)(dot2 - a1_token), mac), 0);
	assert_int_equal(tu_b64url_decode(dot2 + 1, strlen(dot2 + 1), sig),
	    32);
	assert_memory_equal(mac, sig, 32);

	/* The HMAC that token_verify() runs gives the same signature. */
	memset(mac, 0, sizeof(mac));
	hmac_sha256(&a1_keys.keys[0].hmac, a1_token,
	    (size_t)(dot2 - a1_token), mac);
	assert_memory_equal(mac, sig, 32);
}

/*
 * The A.1 header names no kid, which this service requires, so the token
 * fails at the kid check, before any HMAC work, under its own key as under
 * another.  The clock is one second before its exp.
 */
static void
token_a1_no_kid(void **state)
{
	struct token_policy	policy = { "joe", TTL, 0 };

	(void)state;

	assert_int_equal(token_verify(&a1_keys, &policy, a1_token,
	    strlen(a1_token), A1_EXP - 1, &verified), TOKEN_ERR_KID);
	assert_int_equal(token_verify(&keys, &policy, a1_token,
	    strlen(a1_token), A1_EXP - 1, &verified), TOKEN_ERR_KID);
}

/* The hand-built base token is valid, and every negative test changes it. */
static void
token_valid_base(void **state)
{
	(void)state;

	assert_int_equal(verify(make_payload(PAYLOAD)), TOKEN_OK);
	assert_int_equal(verified.sub_len, 5);
	assert_memory_equal(verified.sub, "alice", 5);
	assert_int_equal(token_has_perm(&verified, "read"), 1);
}

/*
 * The issued token is compared byte for byte with one built here.
 * jsonwebtoken's sign.js makes the header {alg, typ} and appends iat, then
 * exp (from expiresIn), to the caller's {sub, iss, org, perms}.  node-jws
 * (lib/tostring.js) serializes both with JSON.stringify.
 */
static void
token_issue_layout(void **state)
{
	struct token_claims	claims = { "alice", "twil.io", "twilio",
				    { "read" }, 1, TTL };
	char			want[1024];

	(void)state;

	expected_token(want, sizeof(want), "{\"sub\":\"alice\","
	    "\"iss\":\"twil.io\",\"org\":\"twilio\",\"perms\":[\"read\"],"
	    "\"iat\":1700000000,\"exp\":1700086400}");
	issue(&claims, NOW);
	assert_string_equal(tok, want);
}

static void
token_issue_layout_perms(void **state)
{
	struct token_claims	two = { "bob", "example.org", "acme",
				    { "read", "write" }, 2, 3600 };
	struct token_claims	none = { "bob", "example.org", "acme",
				    { NULL }, 0, 3600 };
	char			want[1024];

	(void)state;

	expected_token(want, sizeof(want), "{\"sub\":\"bob\","
	    "\"iss\":\"example.org\",\"org\":\"acme\","
	    "\"perms\":[\"read\",\"write\"],"
	    "\"iat\":1700000000,\"exp\":1700003600}");
	issue(&two, NOW);
	assert_string_equal(tok, want);

	expected_token(want, sizeof(want), "{\"sub\":\"bob\","
	    "\"iss\":\"example.org\",\"org\":\"acme\",\"perms\":[],"
	    "\"iat\":1700000000,\"exp\":1700003600}");
	issue(&none, NOW);
	assert_string_equal(tok, want);
}

/* JSON.stringify escapes '"' and '\' and leaves '/' alone. */
static void
token_issue_escapes_quotes(void **state)
{
	struct token_claims	claims = { "a\"b\\c/d", "twil.io", "twilio",
				    { "read" }, 1, TTL };
	char			want[1024];

	(void)state;

	expected_token(want, sizeof(want), "{\"sub\":\"a\\\"b\\\\c/d\","
	    "\"iss\":\"twil.io\",\"org\":\"twilio\",\"perms\":[\"read\"],"
	    "\"iat\":1700000000,\"exp\":1700086400}");
	issue(&claims, NOW);
	assert_string_equal(tok, want);
}

/*
 * yajl writes control characters as \u001F where JSON.stringify writes
 * \u001f, so token_issue() rejects them rather than break byte identity.
 */
static void
token_issue_rejects_controls(void **state)
{
	struct token_claims	claims = { "twilio", "twil.io", "twilio",
				    { "read" }, 1, TTL };
	char			sub[8];
	size_t			len;
	int			c;

	(void)state;

	for (c = 0x01; c < 0x20; c++) {
		snprintf(sub, sizeof(sub), "a%cb", c);
		claims.sub = sub;
		len = 0;
		assert_int_equal(token_issue(&keys, &claims, NOW, tok,
		    sizeof(tok), &len), TOKEN_ERR_INTERNAL);
		assert_int_equal(len, 0);
	}

	claims.sub = "twilio";
	claims.iss = "twil\x1f.io";
	assert_int_equal(token_issue(&keys, &claims, NOW, tok, sizeof(tok),
	    &len), TOKEN_ERR_INTERNAL);

	claims.iss = "twil.io";
	claims.org = "\ttwilio";
	assert_int_equal(token_issue(&keys, &claims, NOW, tok, sizeof(tok),
	    &len), TOKEN_ERR_INTERNAL);

	claims.org = "twilio";
	claims.perms[0] = "re\rad";
	assert_int_equal(token_issue(&keys, &claims, NOW, tok, sizeof(tok),
	    &len), TOKEN_ERR_INTERNAL);
}

/*
 * yajl's generator passes overlong UTF-8 that token_verify() rejects, so
 * token_issue() checks claims itself (found by fuzz_token).
 */
static void
token_issue_rejects_bad_utf8(void **state)
{
	static const char	*bad[] = {
		"+\xc0\x96",		/* overlong C0 96, which fuzz_token found */
		"\xe0\x80\xaf",		/* overlong three-byte form */
		"\xed\xa0\x80",		/* a surrogate */
		"\xf4\x90\x80\x80",	/* above U+10FFFF */
		"\xc3",			/* truncated */
	};
	struct token_claims	claims = { "twilio", "twil.io", "twilio",
				    { "read" }, 1, TTL };
	size_t			i, len;

	(void)state;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		claims.sub = bad[i];
		len = 0;
		assert_int_equal(token_issue(&keys, &claims, NOW, tok,
		    sizeof(tok), &len), TOKEN_ERR_INTERNAL);
		assert_int_equal(len, 0);
	}
}

/* JSON.stringify and yajl both write DEL (0x7f) as it is. */
static void
token_issue_del_raw(void **state)
{
	struct token_claims	claims = { "a\x7f", "twil.io", "twilio",
				    { "read" }, 1, TTL };
	char			want[1024];

	(void)state;

	expected_token(want, sizeof(want), "{\"sub\":\"a\x7f\","
	    "\"iss\":\"twil.io\",\"org\":\"twilio\",\"perms\":[\"read\"],"
	    "\"iat\":1700000000,\"exp\":1700086400}");
	issue(&claims, NOW);
	assert_string_equal(tok, want);
}

/* JSON.stringify leaves non-ASCII characters unescaped, as UTF-8. */
static void
token_issue_utf8(void **state)
{
	struct token_claims	claims = { "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80",
				    "twil.io", "twilio", { "read" }, 1, TTL };
	char			want[1024];

	(void)state;

	expected_token(want, sizeof(want), "{\"sub\":"
	    "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\","
	    "\"iss\":\"twil.io\",\"org\":\"twilio\",\"perms\":[\"read\"],"
	    "\"iat\":1700000000,\"exp\":1700086400}");
	issue(&claims, NOW);
	assert_string_equal(tok, want);
}

/* outmax counts the NUL, as b64url_encode() does. */
static void
token_issue_out_small(void **state)
{
	struct token_claims	claims = { "alice", "twil.io", "twilio",
				    { "read" }, 1, TTL };
	char			out[1024];
	size_t			len, full;

	(void)state;

	full = issue(&claims, NOW);
	assert_int_equal(token_issue(&keys, &claims, NOW, out, full + 1, &len),
	    TOKEN_OK);
	assert_int_equal(len, full);
	assert_int_equal(token_issue(&keys, &claims, NOW, out, full, &len),
	    TOKEN_ERR_INTERNAL);
	assert_int_equal(token_issue(&keys, &claims, NOW, out, 10, &len),
	    TOKEN_ERR_INTERNAL);
}

static void
token_round_trip(void **state)
{
	struct token_claims	claims = { "alice", "twil.io", "twilio",
				    { "write", "read" }, 2, TTL };

	(void)state;

	issue(&claims, NOW);
	assert_int_equal(verify(tok), TOKEN_OK);
	assert_int_equal(verified.sub_len, 5);
	assert_memory_equal(verified.sub, "alice", 5);
	assert_int_equal(token_has_perm(&verified, "read"), 1);
	assert_int_equal(token_has_perm(&verified, "write"), 1);
	assert_int_equal(token_has_perm(&verified, "admin"), 0);
}

/* An issued token is valid until, and not at, iat + TTL. */
static void
token_round_trip_expiry(void **state)
{
	struct token_claims	claims = { "alice", "twil.io", "twilio",
				    { "read" }, 1, TTL };

	(void)state;

	issue(&claims, NOW);
	assert_int_equal(verify_at(tok, NOW + TTL - 1, 0), TOKEN_OK);
	assert_int_equal(verify_at(tok, NOW + TTL, 0), TOKEN_ERR_EXPIRED);
}

static void
token_format_one_segment(void **state)
{
	(void)state;

	assert_int_equal(verify("eyJhbGciOiJIUzI1NiJ9"), TOKEN_ERR_FORMAT);
}

static void
token_format_two_segments(void **state)
{
	char	*h, *p, buf[BUF_LEN];

	(void)state;

	make_payload(PAYLOAD);
	h = segment(tok, 0);
	p = segment(tok, 1);
	snprintf(buf, sizeof(buf), "%s.%s", h, p);
	free(h);
	free(p);
	assert_int_equal(verify(buf), TOKEN_ERR_FORMAT);
}

static void
token_format_four_segments(void **state)
{
	char	buf[BUF_LEN];

	(void)state;

	make_payload(PAYLOAD);
	snprintf(buf, sizeof(buf), "%s.", tok);
	assert_int_equal(verify(buf), TOKEN_ERR_FORMAT);
	snprintf(buf, sizeof(buf), "%s.e30", tok);
	assert_int_equal(verify(buf), TOKEN_ERR_FORMAT);
	snprintf(buf, sizeof(buf), ".%s", tok);
	assert_int_equal(verify(buf), TOKEN_ERR_FORMAT);
}

static void
token_format_empty(void **state)
{
	(void)state;

	assert_int_equal(verify(""), TOKEN_ERR_FORMAT);
	assert_int_equal(verify(".."), TOKEN_ERR_FORMAT);
}

static void
token_format_empty_header(void **state)
{
	char	*p, *s, buf[BUF_LEN];

	(void)state;

	make_payload(PAYLOAD);
	p = segment(tok, 1);
	s = segment(tok, 2);
	snprintf(buf, sizeof(buf), ".%s.%s", p, s);
	free(p);
	free(s);
	assert_int_equal(verify(buf), TOKEN_ERR_FORMAT);
}

static void
token_format_empty_payload(void **state)
{
	(void)state;

	/* Signed over "header." so that only the empty segment is wrong. */
	make(HDR, "");
	assert_int_equal(verify(tok), TOKEN_ERR_FORMAT);
}

/* The "alg":"none" shape of RFC 7519 section 6.1, with HS256 kept. */
static void
token_format_empty_signature(void **state)
{
	char	*h, *p, buf[BUF_LEN];

	(void)state;

	make_payload(PAYLOAD);
	h = segment(tok, 0);
	p = segment(tok, 1);
	snprintf(buf, sizeof(buf), "%s.%s.", h, p);
	free(h);
	free(p);
	assert_int_equal(verify(buf), TOKEN_ERR_FORMAT);
}

/*
 * Builds a valid token of exactly len characters by padding the payload
 * with an extra claim and the header with spaces.  Returns 0 when no
 * combination gives that length.
 */
static int
make_len(size_t len)
{
	char	header[64], payload[TOKEN_LEN_MAX];
	int	spaces;
	size_t	pad;

	for (spaces = 0; spaces < 3; spaces++) {
		for (pad = 2800; pad < 3100; pad++) {
			snprintf(header, sizeof(header),
			    "{\"alg\":\"HS256\",%*s\"typ\":\"JWT\"" KID "}", spaces,
			    "");
			snprintf(payload, sizeof(payload), "{" C_SUB "," C_ISS
			    "," C_ORG "," C_PERMS "," C_IAT "," C_EXP
			    ",\"pad\":\"%0*d\"}", (int)pad, 0);
			make(header, payload);
			if (strlen(tok) == len)
				return (1);
		}
	}

	return (0);
}

static void
token_format_len_max(void **state)
{
	(void)state;

	assert_int_equal(make_len(TOKEN_LEN_MAX), 1);
	assert_int_equal(verify(tok), TOKEN_OK);
}

static void
token_format_too_long(void **state)
{
	(void)state;

	assert_int_equal(make_len(TOKEN_LEN_MAX + 1), 1);
	assert_int_equal(verify(tok), TOKEN_ERR_FORMAT);
}

/* Writes base64 of s with the standard alphabet and its '=' padding. */
static void
std_base64(const char *s, char *out)
{
	EVP_EncodeBlock((unsigned char *)out, (const unsigned char *)s,
	    (int)strlen(s));
}

static void
token_encoding_padding(void **state)
{
	char	hseg[128], pseg[512];
	char	payload[] = "{" C_SUB "," C_ISS "," C_ORG "," C_PERMS ","
		    C_IAT "," C_EXP ",\"x\":1}";

	(void)state;

	/* 124 bytes: one byte past a multiple of 3, so "==" follows. */
	assert_int_equal(strlen(payload) % 3, 1);
	tu_b64url(HDR, strlen(HDR), hseg);
	std_base64(payload, pseg);
	assert_non_null(strstr(pseg, "=="));
	assert_null(strpbrk(pseg, "+/"));

	tu_token_raw(tok, sizeof(tok), test_secret, TEST_SECRET_LEN, hseg,
	    pseg);
	assert_int_equal(verify(tok), TOKEN_ERR_ENCODING);
}

/* The standard alphabet's '+' and '/' in place of '-' and '_'. */
static void
token_encoding_std_alphabet(void **state)
{
	char	hseg[128], pseg[512], *c;
	char	payload[] = "{" C_SUB "," C_ISS "," C_ORG "," C_PERMS ","
		    C_IAT "," C_EXP ",\"x\":\">>>>>>~~~~~~\"}";
	int	changed = 0;

	(void)state;

	tu_b64url(HDR, strlen(HDR), hseg);
	/* ">>>" and "~~~" encode as "Pj4-" and "fn5-" in base64url. */
	tu_b64url(payload, strlen(payload), pseg);
	for (c = pseg; *c != '\0'; c++) {
		if (*c == '-' || *c == '_') {
			*c = *c == '-' ? '+' : '/';
			changed = 1;
		}
	}
	assert_int_equal(changed, 1);

	tu_token_raw(tok, sizeof(tok), test_secret, TEST_SECRET_LEN, hseg,
	    pseg);
	assert_int_equal(verify(tok), TOKEN_ERR_ENCODING);
}

static void
token_encoding_whitespace(void **state)
{
	char	hseg[128], pseg[512];
	size_t	n;

	(void)state;

	tu_b64url(HDR, strlen(HDR), hseg);
	n = tu_b64url(PAYLOAD, strlen(PAYLOAD), pseg);
	memmove(pseg + 11, pseg + 10, n - 10 + 1);
	pseg[10] = ' ';
	tu_token_raw(tok, sizeof(tok), test_secret, TEST_SECRET_LEN, hseg,
	    pseg);
	assert_int_equal(verify(tok), TOKEN_ERR_ENCODING);

	pseg[10] = '\n';
	tu_token_raw(tok, sizeof(tok), test_secret, TEST_SECRET_LEN, hseg,
	    pseg);
	assert_int_equal(verify(tok), TOKEN_ERR_ENCODING);
}

static void
token_encoding_bad_char(void **state)
{
	char	hseg[128], pseg[512];

	(void)state;

	tu_b64url(HDR, strlen(HDR), hseg);
	tu_b64url(PAYLOAD, strlen(PAYLOAD), pseg);
	pseg[4] = '$';
	tu_token_raw(tok, sizeof(tok), test_secret, TEST_SECRET_LEN, hseg,
	    pseg);
	assert_int_equal(verify(tok), TOKEN_ERR_ENCODING);

	tu_b64url(PAYLOAD, strlen(PAYLOAD), pseg);
	hseg[3] = '*';
	tu_token_raw(tok, sizeof(tok), test_secret, TEST_SECRET_LEN, hseg,
	    pseg);
	assert_int_equal(verify(tok), TOKEN_ERR_ENCODING);
}

static void
token_encoding_bad_char_signature(void **state)
{
	char	buf[BUF_LEN];

	(void)state;

	make_payload(PAYLOAD);
	snprintf(buf, sizeof(buf), "%s", tok);
	buf[strlen(buf) - 5] = '!';
	assert_int_equal(verify(buf), TOKEN_ERR_ENCODING);
}

/* A NUL inside len is a character outside the alphabet. */
static void
token_encoding_nul(void **state)
{
	struct token_policy	policy = { ISSUER, TTL, 0 };
	char			buf[BUF_LEN];
	size_t			len;

	(void)state;

	make_payload(PAYLOAD);
	len = strlen(tok);
	memcpy(buf, tok, len + 1);
	buf[10] = '\0';
	assert_int_equal(token_verify(&keys, &policy, buf, len, NOW, &verified),
	    TOKEN_ERR_ENCODING);
}

/*
 * The last character of a 32-byte signature carries 4 data bits and 2
 * zero bits.  Setting the lowest bit leaves the decoded MAC unchanged for
 * a lenient decoder, so only strict decoding rejects it.
 */
static void
token_encoding_sig_trailing_bits(void **state)
{
	static const char	alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				    "abcdefghijklmnopqrstuvwxyz0123456789-_";
	char			buf[BUF_LEN];
	size_t			len, sextet;

	(void)state;

	make_payload(PAYLOAD);
	snprintf(buf, sizeof(buf), "%s", tok);
	len = strlen(buf);
	sextet = (size_t)(strchr(alphabet, buf[len - 1]) - alphabet);
	assert_int_equal(sextet & 0x03, 0);
	buf[len - 1] = alphabet[sextet | 0x01];
	assert_int_equal(verify(buf), TOKEN_ERR_ENCODING);
}

/* The same for the payload, re-signed so that the HMAC matches its text. */
static void
token_encoding_payload_trailing_bits(void **state)
{
	static const char	alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				    "abcdefghijklmnopqrstuvwxyz0123456789-_";
	char			hseg[128], pseg[512];
	char			payload[] = "{" C_SUB "," C_ISS "," C_ORG ","
				    C_PERMS "," C_IAT "," C_EXP ",\"x\":1}";
	size_t			n, sextet;

	(void)state;

	/* One byte past a multiple of 3: the last character has 4 zero bits. */
	assert_int_equal(strlen(payload) % 3, 1);
	tu_b64url(HDR, strlen(HDR), hseg);
	n = tu_b64url(payload, strlen(payload), pseg);
	sextet = (size_t)(strchr(alphabet, pseg[n - 1]) - alphabet);
	assert_int_equal(sextet & 0x0f, 0);
	pseg[n - 1] = alphabet[sextet | 0x01];

	tu_token_raw(tok, sizeof(tok), test_secret, TEST_SECRET_LEN, hseg,
	    pseg);
	assert_int_equal(verify(tok), TOKEN_ERR_ENCODING);
}

/* Two extra characters make the signature segment 45, 1 modulo 4. */
static void
token_encoding_len_1_mod_4(void **state)
{
	char	buf[BUF_LEN];

	(void)state;

	make_payload(PAYLOAD);
	snprintf(buf, sizeof(buf), "%sAA", tok);
	assert_int_equal(strlen(strrchr(buf, '.') + 1) % 4, 1);
	assert_int_equal(verify(buf), TOKEN_ERR_ENCODING);
}

static void
token_header_not_json(void **state)
{
	(void)state;

	assert_int_equal(verify(make("alg=HS256", PAYLOAD)), TOKEN_ERR_HEADER);
}

static void
token_header_array(void **state)
{
	(void)state;

	assert_int_equal(verify(make("[{\"alg\":\"HS256\"}]", PAYLOAD)),
	    TOKEN_ERR_HEADER);
}

static void
token_header_string(void **state)
{
	(void)state;

	assert_int_equal(verify(make("\"HS256\"", PAYLOAD)), TOKEN_ERR_HEADER);
}

static void
token_header_truncated(void **state)
{
	(void)state;

	assert_int_equal(verify(make("{\"alg\":\"HS256\"", PAYLOAD)),
	    TOKEN_ERR_HEADER);
}

static void
token_header_trailing_garbage(void **state)
{
	(void)state;

	assert_int_equal(verify(make(HDR "x", PAYLOAD)), TOKEN_ERR_HEADER);
}

/* Duplicate names make the header invalid (RFC 7515 section 5.2). */
static void
token_header_duplicate_alg(void **state)
{
	(void)state;

	assert_int_equal(verify(make("{\"alg\":\"HS256\",\"alg\":\"HS256\"}",
	    PAYLOAD)), TOKEN_ERR_HEADER);
	assert_int_equal(verify(make("{\"alg\":\"none\",\"alg\":\"HS256\"}",
	    PAYLOAD)), TOKEN_ERR_HEADER);
	assert_int_equal(verify(make("{\"alg\":\"HS256\",\"alg\":\"none\"}",
	    PAYLOAD)), TOKEN_ERR_HEADER);
}

static void
token_header_duplicate_escaped(void **state)
{
	(void)state;

	assert_int_equal(verify(make("{\"alg\":\"HS256\",\"\\u0061lg\":\"none\"}",
	    PAYLOAD)), TOKEN_ERR_HEADER);
}

static void
token_alg_none(void **state)
{
	(void)state;

	assert_int_equal(verify(make("{\"alg\":\"none\",\"typ\":\"JWT\"}",
	    PAYLOAD)), TOKEN_ERR_ALG);
}

static void
token_alg_hs384(void **state)
{
	(void)state;

	assert_int_equal(verify(make("{\"alg\":\"HS384\",\"typ\":\"JWT\"}",
	    PAYLOAD)), TOKEN_ERR_ALG);
}

static void
token_alg_trailing_space(void **state)
{
	(void)state;

	assert_int_equal(verify(make("{\"alg\":\"HS256 \",\"typ\":\"JWT\"}",
	    PAYLOAD)), TOKEN_ERR_ALG);
}

static void
token_alg_lowercase(void **state)
{
	(void)state;

	assert_int_equal(verify(make("{\"alg\":\"hs256\",\"typ\":\"JWT\"}",
	    PAYLOAD)), TOKEN_ERR_ALG);
}

static void
token_alg_prefix(void **state)
{
	(void)state;

	assert_int_equal(verify(make("{\"alg\":\"HS25\",\"typ\":\"JWT\"}",
	    PAYLOAD)), TOKEN_ERR_ALG);
}

/* "HS256" followed by NUL matches "HS256" as a C string only. */
static void
token_alg_nul_suffix(void **state)
{
	(void)state;

	assert_int_equal(verify(make("{\"alg\":\"HS256\\u0000\",\"typ\":\"JWT\"}",
	    PAYLOAD)), TOKEN_ERR_ALG);
}

static void
token_alg_missing(void **state)
{
	(void)state;

	assert_int_equal(verify(make("{\"typ\":\"JWT\"}", PAYLOAD)),
	    TOKEN_ERR_ALG);
	assert_int_equal(verify(make("{}", PAYLOAD)), TOKEN_ERR_ALG);
}

static void
token_alg_null(void **state)
{
	(void)state;

	assert_int_equal(verify(make("{\"alg\":null,\"typ\":\"JWT\"}",
	    PAYLOAD)), TOKEN_ERR_ALG);
}

static void
token_alg_number(void **state)
{
	(void)state;

	assert_int_equal(verify(make("{\"alg\":256,\"typ\":\"JWT\"}",
	    PAYLOAD)), TOKEN_ERR_ALG);
}

static void
token_alg_array(void **state)
{
	(void)state;

	assert_int_equal(verify(make("{\"alg\":[\"HS256\"],\"typ\":\"JWT\"}",
	    PAYLOAD)), TOKEN_ERR_ALG);
}

/* The header need not name typ at all (RFC 7519 section 5.1). */
static void
token_typ_absent(void **state)
{
	(void)state;

	assert_int_equal(verify(make("{\"alg\":\"HS256\"" KID "}", PAYLOAD)),
	    TOKEN_OK);
}

/*
 * RFC 7515 section 4.1.9: typ is a media type, compared without case, and
 * "application/" may be left out, so "jwt" and "application/jwt" name JWT.
 */
static void
token_typ_jwt_spellings(void **state)
{
	(void)state;

	assert_int_equal(verify(make("{\"alg\":\"HS256\",\"typ\":\"jwt\""
	    KID "}", PAYLOAD)), TOKEN_OK);
	assert_int_equal(verify(make("{\"alg\":\"HS256\","
	    "\"typ\":\"application/jwt\"" KID "}", PAYLOAD)), TOKEN_OK);
}

static void
token_typ_jose_json(void **state)
{
	(void)state;

	assert_int_equal(verify(make("{\"alg\":\"HS256\",\"typ\":\"JOSE+JSON\"}",
	    PAYLOAD)), TOKEN_ERR_TYP);
	assert_int_equal(verify(make("{\"alg\":\"HS256\",\"typ\":\"JOSE\"}",
	    PAYLOAD)), TOKEN_ERR_TYP);
}

static void
token_typ_near_miss(void **state)
{
	(void)state;

	assert_int_equal(verify(make("{\"alg\":\"HS256\",\"typ\":\"JWT \"}",
	    PAYLOAD)), TOKEN_ERR_TYP);
	assert_int_equal(verify(make("{\"alg\":\"HS256\",\"typ\":\"JWTX\"}",
	    PAYLOAD)), TOKEN_ERR_TYP);
	assert_int_equal(verify(make("{\"alg\":\"HS256\",\"typ\":\"\"}",
	    PAYLOAD)), TOKEN_ERR_TYP);
	assert_int_equal(verify(make("{\"alg\":\"HS256\",\"typ\":\"JWT\\u0000\"}",
	    PAYLOAD)), TOKEN_ERR_TYP);
}

static void
token_typ_not_string(void **state)
{
	(void)state;

	assert_int_equal(verify(make("{\"alg\":\"HS256\",\"typ\":null}",
	    PAYLOAD)), TOKEN_ERR_TYP);
	assert_int_equal(verify(make("{\"alg\":\"HS256\",\"typ\":1}",
	    PAYLOAD)), TOKEN_ERR_TYP);
	assert_int_equal(verify(make("{\"alg\":\"HS256\",\"typ\":[\"JWT\"]}",
	    PAYLOAD)), TOKEN_ERR_TYP);
}

/* RFC 7515 section 4.1.11: this verifier understands no extension. */
static void
token_crit_present(void **state)
{
	(void)state;

	assert_int_equal(verify(make("{\"alg\":\"HS256\",\"typ\":\"JWT\","
	    "\"crit\":[\"exp\"],\"exp\":1}", PAYLOAD)), TOKEN_ERR_CRIT);
}

static void
token_crit_empty(void **state)
{
	(void)state;

	assert_int_equal(verify(make("{\"alg\":\"HS256\",\"typ\":\"JWT\","
	    "\"crit\":[]}", PAYLOAD)), TOKEN_ERR_CRIT);
}

static void
token_crit_null(void **state)
{
	(void)state;

	assert_int_equal(verify(make("{\"alg\":\"HS256\",\"crit\":null}",
	    PAYLOAD)), TOKEN_ERR_CRIT);
}

/* Writes the base token's first two segments and the signature sig. */
static void
with_signature(char *buf, size_t size, const uint8_t *sig, size_t siglen)
{
	assert_int_not_equal(tu_token_with_sig(buf, size, HDR, PAYLOAD, sig,
	    siglen), 0);
}

/* Writes the HMAC of the base token's signing input into mac. */
static void
base_mac(uint8_t *mac)
{
	const char	*dot2;

	make_payload(PAYLOAD);
	dot2 = strrchr(tok, '.');
	assert_int_equal(tu_hs256(test_secret, TEST_SECRET_LEN, tok,
	    (size_t)(dot2 - tok), mac), 0);
}

static void
token_sig_flipped_bit(void **state)
{
	uint8_t		mac[33];
	char		buf[BUF_LEN];
	size_t		i;

	(void)state;

	base_mac(mac);
	with_signature(buf, sizeof(buf), mac, 32);
	assert_int_equal(verify(buf), TOKEN_OK);

	for (i = 0; i < 32; i += 31) {
		mac[i] ^= 0x80;
		with_signature(buf, sizeof(buf), mac, 32);
		assert_int_equal(verify(buf), TOKEN_ERR_SIGNATURE);
		mac[i] ^= 0x80;
	}
}

static void
token_sig_short(void **state)
{
	uint8_t		mac[33];
	char		buf[BUF_LEN];

	(void)state;

	base_mac(mac);
	with_signature(buf, sizeof(buf), mac, 31);
	assert_int_equal(verify(buf), TOKEN_ERR_SIGNATURE);
	with_signature(buf, sizeof(buf), mac, 1);
	assert_int_equal(verify(buf), TOKEN_ERR_SIGNATURE);
}

static void
token_sig_long(void **state)
{
	uint8_t		mac[33];
	char		buf[BUF_LEN];

	(void)state;

	base_mac(mac);
	mac[32] = 0;
	with_signature(buf, sizeof(buf), mac, 33);
	assert_int_equal(verify(buf), TOKEN_ERR_SIGNATURE);
}

static void
token_sig_other_key(void **state)
{
	static const uint8_t	other[] =
				    "unit-test-secret-not-used-anywhere-002";
	char			buf[BUF_LEN];

	(void)state;

	assert_int_not_equal(tu_token(buf, sizeof(buf), other,
	    sizeof(other) - 1, HDR, PAYLOAD), 0);
	assert_int_equal(verify(buf), TOKEN_ERR_SIGNATURE);
}

/* A valid signature moved onto another payload. */
static void
token_sig_spliced(void **state)
{
	char	*sig, buf[BUF_LEN], *dot2;

	(void)state;

	sig = segment(make_payload(PAYLOAD), 2);
	make_payload("{" C_SUB "," C_ISS "," C_ORG ","
	    "\"perms\":[\"read\",\"admin\"]," C_IAT "," C_EXP "}");
	snprintf(buf, sizeof(buf), "%s", tok);
	dot2 = strrchr(buf, '.');
	snprintf(dot2 + 1, sizeof(buf) - (size_t)(dot2 + 1 - buf), "%s", sig);
	free(sig);
	assert_int_equal(verify(buf), TOKEN_ERR_SIGNATURE);
}

static void
token_payload_not_json(void **state)
{
	(void)state;

	assert_int_equal(verify(make_payload("sub=alice")), TOKEN_ERR_PAYLOAD);
}

static void
token_payload_array(void **state)
{
	(void)state;

	assert_int_equal(verify(make_payload("[" PAYLOAD "]")),
	    TOKEN_ERR_PAYLOAD);
}

static void
token_payload_null(void **state)
{
	(void)state;

	assert_int_equal(verify(make_payload("null")), TOKEN_ERR_PAYLOAD);
}

static void
token_payload_truncated(void **state)
{
	(void)state;

	assert_int_equal(verify(make_payload("{" C_SUB "," C_ISS)),
	    TOKEN_ERR_PAYLOAD);
}

static void
token_payload_trailing_garbage(void **state)
{
	(void)state;

	assert_int_equal(verify(make_payload(PAYLOAD " {}")),
	    TOKEN_ERR_PAYLOAD);
}

/* RFC 7519 section 4: claim names must be unique. */
static void
token_payload_duplicate_sub(void **state)
{
	(void)state;

	assert_int_equal(verify(make_payload("{" C_SUB "," C_ISS "," C_ORG
	    "," C_PERMS "," C_IAT "," C_EXP ",\"sub\":\"admin\"}")),
	    TOKEN_ERR_PAYLOAD);
}

static void
token_payload_duplicate_exp(void **state)
{
	(void)state;

	assert_int_equal(verify(make_payload("{" C_SUB "," C_ISS "," C_ORG
	    "," C_PERMS "," C_IAT "," C_EXP ",\"exp\":9999999999}")),
	    TOKEN_ERR_PAYLOAD);
}

static void
token_payload_duplicate_perms(void **state)
{
	(void)state;

	assert_int_equal(verify(make_payload("{" C_SUB "," C_ISS "," C_ORG
	    ",\"perms\":[]," C_IAT "," C_EXP "," C_PERMS "}")),
	    TOKEN_ERR_PAYLOAD);
}

static void
token_payload_duplicate_escaped(void **state)
{
	(void)state;

	assert_int_equal(verify(make_payload("{" C_SUB "," C_ISS "," C_ORG
	    "," C_PERMS "," C_IAT "," C_EXP ",\"s\\u0075b\":\"admin\"}")),
	    TOKEN_ERR_PAYLOAD);
}

static void
token_missing_exp(void **state)
{
	(void)state;

	assert_int_equal(verify(make_payload("{" C_SUB "," C_ISS "," C_ORG
	    "," C_PERMS "," C_IAT "}")), TOKEN_ERR_CLAIM_MISSING);
}

static void
token_missing_iat(void **state)
{
	(void)state;

	assert_int_equal(verify(make_payload("{" C_SUB "," C_ISS "," C_ORG
	    "," C_PERMS "," C_EXP "}")), TOKEN_ERR_CLAIM_MISSING);
}

static void
token_missing_iss(void **state)
{
	(void)state;

	assert_int_equal(verify(make_payload("{" C_SUB "," C_ORG "," C_PERMS
	    "," C_IAT "," C_EXP "}")), TOKEN_ERR_CLAIM_MISSING);
}

static void
token_missing_sub(void **state)
{
	(void)state;

	assert_int_equal(verify(make_payload("{" C_ISS "," C_ORG "," C_PERMS
	    "," C_IAT "," C_EXP "}")), TOKEN_ERR_CLAIM_MISSING);
}

static void
token_missing_perms(void **state)
{
	(void)state;

	assert_int_equal(verify(make_payload("{" C_SUB "," C_ISS "," C_ORG
	    "," C_IAT "," C_EXP "}")), TOKEN_ERR_CLAIM_MISSING);
}

/* Claim names are exact: "ex" or "expx" is not "exp". */
static void
token_missing_near_names(void **state)
{
	(void)state;

	assert_int_equal(verify(make_payload("{" C_SUB "," C_ISS "," C_ORG
	    "," C_PERMS "," C_IAT ",\"ex\":1700086300,\"expx\":1700086300}")),
	    TOKEN_ERR_CLAIM_MISSING);
}

static void
token_type_exp(void **state)
{
	(void)state;

	assert_int_equal(verify(make_times("1699999900", "\"1700086300\"",
	    NULL)), TOKEN_ERR_CLAIM_TYPE);
	assert_int_equal(verify(make_times("1699999900", "null", NULL)),
	    TOKEN_ERR_CLAIM_TYPE);
	assert_int_equal(verify(make_times("1699999900", "true", NULL)),
	    TOKEN_ERR_CLAIM_TYPE);
	assert_int_equal(verify(make_times("1699999900", "[1700086300]",
	    NULL)), TOKEN_ERR_CLAIM_TYPE);
	assert_int_equal(verify(make_times("1699999900", "{}", NULL)),
	    TOKEN_ERR_CLAIM_TYPE);
}

static void
token_type_iat(void **state)
{
	(void)state;

	assert_int_equal(verify(make_times("\"1699999900\"", "1700086300",
	    NULL)), TOKEN_ERR_CLAIM_TYPE);
	assert_int_equal(verify(make_times("false", "1700086300", NULL)),
	    TOKEN_ERR_CLAIM_TYPE);
}

static void
token_type_nbf(void **state)
{
	(void)state;

	assert_int_equal(verify(make_times("1699999900", "1700086300",
	    "\"1699999900\"")), TOKEN_ERR_CLAIM_TYPE);
	assert_int_equal(verify(make_times("1699999900", "1700086300",
	    "null")), TOKEN_ERR_CLAIM_TYPE);
}

static void
token_type_iss(void **state)
{
	(void)state;

	assert_int_equal(verify(make_payload("{" C_SUB ",\"iss\":1," C_ORG ","
	    C_PERMS "," C_IAT "," C_EXP "}")), TOKEN_ERR_CLAIM_TYPE);
	assert_int_equal(verify(make_payload("{" C_SUB ",\"iss\":[\"twil.io\"],"
	    C_ORG "," C_PERMS "," C_IAT "," C_EXP "}")), TOKEN_ERR_CLAIM_TYPE);
}

static void
token_type_sub(void **state)
{
	(void)state;

	assert_int_equal(verify(make_payload("{\"sub\":42," C_ISS "," C_ORG ","
	    C_PERMS "," C_IAT "," C_EXP "}")), TOKEN_ERR_CLAIM_TYPE);
	assert_int_equal(verify(make_payload("{\"sub\":null," C_ISS "," C_ORG
	    "," C_PERMS "," C_IAT "," C_EXP "}")), TOKEN_ERR_CLAIM_TYPE);
	assert_int_equal(verify(make_payload("{\"sub\":{\"a\":1}," C_ISS ","
	    C_ORG "," C_PERMS "," C_IAT "," C_EXP "}")), TOKEN_ERR_CLAIM_TYPE);
}

static void
token_exp_past(void **state)
{
	(void)state;

	assert_int_equal(verify(make_times("1699990000", "1699999999", NULL)),
	    TOKEN_ERR_EXPIRED);
}

/* RFC 7519 section 4.1.4: the current time must be before exp. */
static void
token_exp_equals_now(void **state)
{
	(void)state;

	assert_int_equal(verify(make_times("1699999900", "1700000000", NULL)),
	    TOKEN_ERR_EXPIRED);
}

static void
token_exp_next_second(void **state)
{
	(void)state;

	assert_int_equal(verify(make_times("1699999900", "1700000001", NULL)),
	    TOKEN_OK);
}

/* NumericDate allows fractions (RFC 7519 section 2). */
static void
token_exp_fraction_future(void **state)
{
	(void)state;

	assert_int_equal(verify(make_times("1699999900", "1700000000.5",
	    NULL)), TOKEN_OK);
}

static void
token_exp_fraction_past(void **state)
{
	(void)state;

	assert_int_equal(verify(make_times("1699999900", "1699999999.5",
	    NULL)), TOKEN_ERR_EXPIRED);
}

static void
token_nbf_future(void **state)
{
	(void)state;

	assert_int_equal(verify(make_times("1699999900", "1700086300",
	    "1700000001")), TOKEN_ERR_NOT_YET_VALID);
	assert_int_equal(verify(make_times("1699999900", "1700086300",
	    "1700000000.5")), TOKEN_ERR_NOT_YET_VALID);
}

/* RFC 7519 section 4.1.5: valid from nbf on, nbf itself included. */
static void
token_nbf_now(void **state)
{
	(void)state;

	assert_int_equal(verify(make_times("1699999900", "1700086300",
	    "1700000000")), TOKEN_OK);
	assert_int_equal(verify(make_times("1699999900", "1700086300",
	    "1699999000")), TOKEN_OK);
}

static void
token_iat_future(void **state)
{
	(void)state;

	assert_int_equal(verify(make_times("1700000001", "1700086300", NULL)),
	    TOKEN_ERR_ISSUED_IN_FUTURE);
	assert_int_equal(verify(make_times("1700000000.5", "1700086300",
	    NULL)), TOKEN_ERR_ISSUED_IN_FUTURE);
}

static void
token_iat_now(void **state)
{
	(void)state;

	assert_int_equal(verify(make_times("1700000000", "1700086400", NULL)),
	    TOKEN_OK);
}

/* With 60 s of leeway, exp may lie up to 59 s in the past. */
static void
token_leeway_exp(void **state)
{
	const char	*t;

	(void)state;

	t = make_times("1699999000", "1699999941", NULL);
	assert_int_equal(verify_at(t, NOW, 60), TOKEN_OK);
	assert_int_equal(verify_at(t, NOW, 0), TOKEN_ERR_EXPIRED);
	t = make_times("1699999000", "1699999940", NULL);
	assert_int_equal(verify_at(t, NOW, 60), TOKEN_ERR_EXPIRED);
}

/* With 60 s of leeway, nbf may lie up to 60 s in the future. */
static void
token_leeway_nbf(void **state)
{
	const char	*t;

	(void)state;

	t = make_times("1699999900", "1700086300", "1700000060");
	assert_int_equal(verify_at(t, NOW, 60), TOKEN_OK);
	assert_int_equal(verify_at(t, NOW, 59), TOKEN_ERR_NOT_YET_VALID);
	t = make_times("1699999900", "1700086300", "1700000061");
	assert_int_equal(verify_at(t, NOW, 60), TOKEN_ERR_NOT_YET_VALID);
}

/* With 60 s of leeway, iat may lie up to 60 s in the future. */
static void
token_leeway_iat(void **state)
{
	const char	*t;

	(void)state;

	t = make_times("1700000060", "1700086460", NULL);
	assert_int_equal(verify_at(t, NOW, 60), TOKEN_OK);
	assert_int_equal(verify_at(t, NOW, 59), TOKEN_ERR_ISSUED_IN_FUTURE);
	t = make_times("1700000061", "1700086461", NULL);
	assert_int_equal(verify_at(t, NOW, 60), TOKEN_ERR_ISSUED_IN_FUTURE);
}

/* Leeway does not stretch the lifetime limit. */
static void
token_leeway_lifetime(void **state)
{
	(void)state;

	assert_int_equal(verify_at(make_times("1699999900", "1700086301",
	    NULL), NOW, 60), TOKEN_ERR_LIFETIME);
}

static void
token_lifetime_at_ttl(void **state)
{
	(void)state;

	assert_int_equal(verify(make_times("1699999900", "1700086300", NULL)),
	    TOKEN_OK);
}

static void
token_lifetime_over_ttl(void **state)
{
	(void)state;

	assert_int_equal(verify(make_times("1699999900", "1700086301", NULL)),
	    TOKEN_ERR_LIFETIME);
	assert_int_equal(verify(make_times("1699999900", "1700086300.5",
	    NULL)), TOKEN_ERR_LIFETIME);
	assert_int_equal(verify(make_times("0", "1700086300", NULL)),
	    TOKEN_ERR_LIFETIME);
}

static void
token_issuer_wrong(void **state)
{
	(void)state;

	assert_int_equal(verify(make_payload("{" C_SUB ",\"iss\":\"evil.io\","
	    C_ORG "," C_PERMS "," C_IAT "," C_EXP "}")), TOKEN_ERR_ISSUER);
	assert_int_equal(verify(make_payload("{" C_SUB ",\"iss\":\"\"," C_ORG
	    "," C_PERMS "," C_IAT "," C_EXP "}")), TOKEN_ERR_ISSUER);
}

static void
token_issuer_near_miss(void **state)
{
	(void)state;

	assert_int_equal(verify(make_payload("{" C_SUB ",\"iss\":\"TWIL.IO\","
	    C_ORG "," C_PERMS "," C_IAT "," C_EXP "}")), TOKEN_ERR_ISSUER);
	assert_int_equal(verify(make_payload("{" C_SUB ",\"iss\":\"twil.io \","
	    C_ORG "," C_PERMS "," C_IAT "," C_EXP "}")), TOKEN_ERR_ISSUER);
	assert_int_equal(verify(make_payload("{" C_SUB ",\"iss\":\"twil.i\","
	    C_ORG "," C_PERMS "," C_IAT "," C_EXP "}")), TOKEN_ERR_ISSUER);
}

static void
token_issuer_nul_suffix(void **state)
{
	(void)state;

	assert_int_equal(verify(make_payload("{" C_SUB ","
	    "\"iss\":\"twil.io\\u0000x\"," C_ORG "," C_PERMS "," C_IAT ","
	    C_EXP "}")), TOKEN_ERR_ISSUER);
}

static void
token_subject_empty(void **state)
{
	(void)state;

	assert_int_equal(verify(make_payload("{\"sub\":\"\"," C_ISS "," C_ORG
	    "," C_PERMS "," C_IAT "," C_EXP "}")), TOKEN_ERR_SUBJECT);
}

static void
token_subject_nul(void **state)
{
	(void)state;

	assert_int_equal(verify(make_payload("{\"sub\":\"alice\\u0000admin\","
	    C_ISS "," C_ORG "," C_PERMS "," C_IAT "," C_EXP "}")),
	    TOKEN_ERR_SUBJECT);
	assert_int_equal(verify(make_payload("{\"sub\":\"\\u0000\"," C_ISS ","
	    C_ORG "," C_PERMS "," C_IAT "," C_EXP "}")), TOKEN_ERR_SUBJECT);
}

/* Signs a valid token whose perms member is the given JSON value. */
static const char *
make_perms(const char *perms)
{
	char	payload[512];

	snprintf(payload, sizeof(payload), "{" C_SUB "," C_ISS "," C_ORG
	    ",\"perms\":%s," C_IAT "," C_EXP "}", perms);

	return (make_payload(payload));
}

static void
token_perms_not_array(void **state)
{
	(void)state;

	assert_int_equal(verify(make_perms("\"read\"")), TOKEN_ERR_PERMS);
	assert_int_equal(verify(make_perms("null")), TOKEN_ERR_PERMS);
	assert_int_equal(verify(make_perms("1")), TOKEN_ERR_PERMS);
	assert_int_equal(verify(make_perms("{\"read\":true}")),
	    TOKEN_ERR_PERMS);
}

static void
token_perms_number(void **state)
{
	(void)state;

	assert_int_equal(verify(make_perms("[1]")), TOKEN_ERR_PERMS);
	assert_int_equal(verify(make_perms("[\"read\",1]")), TOKEN_ERR_PERMS);
}

static void
token_perms_other_elem(void **state)
{
	(void)state;

	assert_int_equal(verify(make_perms("[null]")), TOKEN_ERR_PERMS);
	assert_int_equal(verify(make_perms("[true]")), TOKEN_ERR_PERMS);
	assert_int_equal(verify(make_perms("[[\"read\"]]")), TOKEN_ERR_PERMS);
	assert_int_equal(verify(make_perms("[{\"read\":1}]")),
	    TOKEN_ERR_PERMS);
}

/* An empty array is well formed and grants nothing. */
static void
token_perms_empty(void **state)
{
	(void)state;

	assert_int_equal(verify(make_perms("[]")), TOKEN_OK);
	assert_int_equal(token_has_perm(&verified, "read"), 0);
	assert_int_equal(token_has_perm(&verified, ""), 0);
}

static void
token_perms_near_miss(void **state)
{
	(void)state;

	assert_int_equal(verify(make_perms("[\"rea\",\"readX\",\"READ\","
	    "\"read \",\"\"]")), TOKEN_OK);
	assert_int_equal(token_has_perm(&verified, "read"), 0);
	assert_int_equal(token_has_perm(&verified, "rea"), 1);
	assert_int_equal(token_has_perm(&verified, "re"), 0);
}

static void
token_perms_second(void **state)
{
	(void)state;

	assert_int_equal(verify(make_perms("[\"write\",\"read\"]")), TOKEN_OK);
	assert_int_equal(token_has_perm(&verified, "read"), 1);
	assert_int_equal(token_has_perm(&verified, "write"), 1);
	assert_int_equal(token_has_perm(&verified, "admin"), 0);
}

/*
 * "read" followed by NUL is not "read": the token is either rejected for
 * its perms or accepted without the read permission.
 */
static void
token_perms_nul(void **state)
{
	int	rc;

	(void)state;

	rc = verify(make_perms("[\"read\\u0000x\"]"));
	if (rc == TOKEN_OK)
		assert_int_equal(token_has_perm(&verified, "read"), 0);
	else
		assert_int_equal(rc, TOKEN_ERR_PERMS);
}

/* RFC 7519 section 4.1.3: no audience is configured, so aud rejects. */
static void
token_audience_present(void **state)
{
	(void)state;

	assert_int_equal(verify(make_payload("{" C_SUB "," C_ISS "," C_ORG ","
	    C_PERMS "," C_IAT "," C_EXP ",\"aud\":\"twil.io\"}")),
	    TOKEN_ERR_AUDIENCE);
	assert_int_equal(verify(make_payload("{" C_SUB "," C_ISS "," C_ORG ","
	    C_PERMS "," C_IAT "," C_EXP ",\"aud\":[]}")), TOKEN_ERR_AUDIENCE);
}

/* Claims this service does not use are ignored. */
static void
token_extra_claims(void **state)
{
	(void)state;

	assert_int_equal(verify(make_payload("{" C_SUB "," C_ISS "," C_ORG ","
	    C_PERMS "," C_IAT "," C_EXP ",\"jti\":\"x\",\"admin\":true,"
	    "\"nested\":{\"a\":[1,2]}}")), TOKEN_OK);
}

/* token.h: checks run in the order of enum token_result. */
static void
token_order_alg_before_crit(void **state)
{
	(void)state;

	assert_int_equal(verify(make("{\"alg\":\"none\",\"crit\":[\"x\"]}",
	    PAYLOAD)), TOKEN_ERR_ALG);
}

static void
token_order_crit_before_typ(void **state)
{
	(void)state;

	assert_int_equal(verify(make("{\"alg\":\"HS256\",\"typ\":\"JOSE\","
	    "\"crit\":[\"x\"]}", PAYLOAD)), TOKEN_ERR_CRIT);
}

/* The HMAC is checked before the payload is parsed. */
static void
token_order_sig_before_payload(void **state)
{
	char	*h, buf[BUF_LEN], pseg[64], sig[64];
	uint8_t	mac[32];

	(void)state;

	make_payload(PAYLOAD);
	h = segment(tok, 0);
	tu_b64url("not json", 8, pseg);
	memset(mac, 0x5a, sizeof(mac));
	tu_b64url(mac, sizeof(mac), sig);
	snprintf(buf, sizeof(buf), "%s.%s.%s", h, pseg, sig);
	free(h);
	assert_int_equal(verify(buf), TOKEN_ERR_SIGNATURE);
}

/* Time claims are checked before sub, so an expired token says so. */
static void
token_order_expired_before_missing(void **state)
{
	(void)state;

	assert_int_equal(verify(make_payload("{" C_ISS "," C_ORG "," C_PERMS
	    ",\"iat\":1699990000,\"exp\":1699999000}")),
	    TOKEN_ERR_EXPIRED);
}

static void
token_order_expired_before_sub_type(void **state)
{
	(void)state;

	assert_int_equal(verify(make_payload("{\"sub\":1," C_ISS "," C_ORG ","
	    C_PERMS ",\"iat\":1699990000,\"exp\":1699999000}")),
	    TOKEN_ERR_EXPIRED);
}

/* A missing exp is reported before a missing sub. */
static void
token_order_exp_missing_first(void **state)
{
	(void)state;

	assert_int_equal(verify(make_payload("{\"sub\":1," C_ISS "," C_ORG ","
	    C_PERMS ",\"iat\":1699990000}")), TOKEN_ERR_CLAIM_MISSING);
}

static void
token_order_expired_before_issuer(void **state)
{
	(void)state;

	assert_int_equal(verify(make_payload("{" C_SUB ",\"iss\":\"evil\","
	    C_ORG "," C_PERMS ",\"iat\":1699990000,\"exp\":1699999000}")),
	    TOKEN_ERR_EXPIRED);
}

/* The previous secret of the rotation tests, and its configured kid. */
static const uint8_t	old_secret[] = "unit-test-secret-not-used-anywhere-000";
#define OLD_SECRET_LEN	(sizeof(old_secret) - 1)
#define OLD_KID		"test-key-0"
#define OLD_HDR		"{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"" OLD_KID "\"}"

/*
 * Writes the kid expected for secret: the first 8 bytes of
 * HMAC-SHA256(secret, "kid"), computed with OpenSSL, in base64url.
 */
static void
expected_kid(const uint8_t *secret, size_t len, char *out)
{
	uint8_t		mac[32];

	assert_int_equal(tu_hs256(secret, len, "kid", 3, mac), 0);
	assert_int_equal(tu_b64url(mac, 8, out), TOKEN_KID_DERIVED_LEN);
}

/* A key set of the test secret (signing) and the previous secret. */
static void
rotation_keys(struct token_keyset *set)
{
	token_keyset_init(set);
	assert_int_equal(token_keyset_add(set, test_secret, TEST_SECRET_LEN,
	    TEST_KID), TOKEN_OK);
	assert_int_equal(token_keyset_add(set, old_secret, OLD_SECRET_LEN,
	    OLD_KID), TOKEN_OK);
}

static int
verify_with(const struct token_keyset *set, const char *token)
{
	struct token_policy	policy = { ISSUER, TTL, 0 };

	return (token_verify(set, &policy, token, strlen(token), NOW,
	    &verified));
}

static void
token_kid_derived(void **state)
{
	char	want[TU_B64_BUF(8)], got[TOKEN_KID_DERIVED_LEN + 1];

	(void)state;

	expected_kid(test_secret, TEST_SECRET_LEN, want);
	assert_int_equal(token_kid_derive(test_secret, TEST_SECRET_LEN, got),
	    0);
	assert_string_equal(got, want);
	assert_int_equal(strlen(got), 11);

	/* Another secret, even one byte shorter, has another kid. */
	assert_int_equal(token_kid_derive(test_secret, TEST_SECRET_LEN - 1,
	    got), 0);
	assert_string_not_equal(got, want);
	expected_kid(test_secret, TEST_SECRET_LEN - 1, want);
	assert_string_equal(got, want);
}

/* A key added without a kid gets the derived one, in its header too. */
static void
token_kid_derived_in_header(void **state)
{
	struct token_keyset	set;
	struct token_claims	claims = { "alice", "twil.io", "twilio",
				    { "read" }, 1, TTL };
	char			kid[TU_B64_BUF(8)], want[256], *h;
	uint8_t			json[256];
	int			n;

	(void)state;

	expected_kid(old_secret, OLD_SECRET_LEN, kid);
	token_keyset_init(&set);
	assert_int_equal(token_keyset_add(&set, old_secret, OLD_SECRET_LEN,
	    NULL), TOKEN_OK);
	assert_string_equal(set.keys[0].kid, kid);

	assert_int_equal(token_issue(&set, &claims, NOW, tok, sizeof(tok),
	    &(size_t){ 0 }), TOKEN_OK);
	h = segment(tok, 0);
	n = tu_b64url_decode(h, strlen(h), json);
	free(h);
	snprintf(want, sizeof(want), "{\"alg\":\"HS256\",\"typ\":\"JWT\","
	    "\"kid\":\"%s\"}", kid);
	assert_int_equal(n, (int)strlen(want));
	assert_memory_equal(json, want, strlen(want));

	assert_int_equal(verify_with(&set, tok), TOKEN_OK);
	token_keyset_free(&set);
}

static void
token_kid_syntax(void **state)
{
	char	long_kid[TOKEN_KID_MAX + 2];

	(void)state;

	assert_int_equal(token_kid_valid("a", 1), 1);
	assert_int_equal(token_kid_valid("Key-2024_01.v2", 14), 1);
	memset(long_kid, 'k', sizeof(long_kid));
	assert_int_equal(token_kid_valid(long_kid, TOKEN_KID_MAX), 1);
	assert_int_equal(token_kid_valid(long_kid, TOKEN_KID_MAX + 1), 0);
	assert_int_equal(token_kid_valid("", 0), 0);
	assert_int_equal(token_kid_valid("a b", 3), 0);
	assert_int_equal(token_kid_valid("..", 2), 1);
	assert_int_equal(token_kid_valid("../x", 4), 0);
	assert_int_equal(token_kid_valid("a/b", 3), 0);
	assert_int_equal(token_kid_valid("a\"b", 3), 0);
	assert_int_equal(token_kid_valid("a\\b", 3), 0);
	assert_int_equal(token_kid_valid("a\0b", 3), 0);
	assert_int_equal(token_kid_valid("k\xc3\xa9", 3), 0);
}

/* Two keys with one kid, a bad kid or a third key are refused. */
static void
token_keyset_add_rejects(void **state)
{
	struct token_keyset	set;

	(void)state;

	token_keyset_init(&set);
	assert_int_equal(token_keyset_add(&set, test_secret, TEST_SECRET_LEN,
	    "a/b"), TOKEN_ERR_KID);
	assert_int_equal(token_keyset_add(&set, test_secret, TEST_SECRET_LEN,
	    ""), TOKEN_ERR_KID);
	assert_int_equal(set.nkeys, 0);

	assert_int_equal(token_keyset_add(&set, test_secret, TEST_SECRET_LEN,
	    TEST_KID), TOKEN_OK);
	assert_int_equal(token_keyset_add(&set, old_secret, OLD_SECRET_LEN,
	    TEST_KID), TOKEN_ERR_KID);
	assert_int_equal(set.nkeys, 1);
	assert_int_equal(token_keyset_add(&set, old_secret, OLD_SECRET_LEN,
	    OLD_KID), TOKEN_OK);
	assert_int_equal(token_keyset_add(&set, old_secret, OLD_SECRET_LEN,
	    "third"), TOKEN_ERR_INTERNAL);
	assert_int_equal(set.nkeys, 2);

	token_keyset_free(&set);
	assert_int_equal(set.nkeys, 0);
}

/* The first key signs; the previous one verifies its own tokens. */
static void
token_rotation_previous_key(void **state)
{
	struct token_keyset	set;
	struct token_claims	claims = { "alice", "twil.io", "twilio",
				    { "read" }, 1, TTL };
	char			want[1024];

	(void)state;

	rotation_keys(&set);

	assert_int_equal(token_issue(&set, &claims, NOW, tok, sizeof(tok),
	    &(size_t){ 0 }), TOKEN_OK);
	expected_token(want, sizeof(want), "{\"sub\":\"alice\","
	    "\"iss\":\"twil.io\",\"org\":\"twilio\",\"perms\":[\"read\"],"
	    "\"iat\":1700000000,\"exp\":1700086400}");
	assert_string_equal(tok, want);
	assert_int_equal(verify_with(&set, tok), TOKEN_OK);
	assert_int_equal(verified.key_index, 0);

	assert_int_not_equal(tu_token(tok, sizeof(tok), old_secret,
	    OLD_SECRET_LEN, OLD_HDR, PAYLOAD), 0);
	assert_int_equal(verify_with(&set, tok), TOKEN_OK);
	assert_int_equal(verified.key_index, 1);

	/* Without the previous key, its tokens name an unknown kid. */
	assert_int_equal(verify(tok), TOKEN_ERR_KID);

	token_keyset_free(&set);
}

/* A kid selects its key: a token signed by the other key fails. */
static void
token_rotation_kid_selects_key(void **state)
{
	struct token_keyset	set;

	(void)state;

	rotation_keys(&set);

	assert_int_not_equal(tu_token(tok, sizeof(tok), old_secret,
	    OLD_SECRET_LEN, HDR, PAYLOAD), 0);
	assert_int_equal(verify_with(&set, tok), TOKEN_ERR_SIGNATURE);

	assert_int_not_equal(tu_token(tok, sizeof(tok), test_secret,
	    TEST_SECRET_LEN, OLD_HDR, PAYLOAD), 0);
	assert_int_equal(verify_with(&set, tok), TOKEN_ERR_SIGNATURE);

	/* The same through the parsed header, members in another order. */
	assert_int_not_equal(tu_token(tok, sizeof(tok), old_secret,
	    OLD_SECRET_LEN, "{\"kid\":\"" TEST_KID "\",\"alg\":\"HS256\"}",
	    PAYLOAD), 0);
	assert_int_equal(verify_with(&set, tok), TOKEN_ERR_SIGNATURE);

	token_keyset_free(&set);
}

/*
 * A header other than the issued bytes goes through the JSON parse and
 * still selects the right key: members reordered, extra members, white
 * space, typ left out.
 */
static void
token_kid_slow_path(void **state)
{
	static const char	*headers[] = {
		"{\"kid\":\"" OLD_KID "\",\"typ\":\"JWT\",\"alg\":\"HS256\"}",
		"{\"alg\":\"HS256\",\"kid\":\"" OLD_KID "\",\"typ\":\"JWT\"}",
		"{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"" OLD_KID "\","
		    "\"x5t\":\"abc\"}",
		"{ \"alg\" : \"HS256\" , \"kid\" : \"" OLD_KID "\" }",
		"{\"alg\":\"HS256\",\"kid\":\"test-key-\\u0030\"}",
	};
	struct token_keyset	set;
	size_t			i;

	(void)state;

	rotation_keys(&set);
	for (i = 0; i < sizeof(headers) / sizeof(headers[0]); i++) {
		assert_int_not_equal(tu_token(tok, sizeof(tok), old_secret,
		    OLD_SECRET_LEN, headers[i], PAYLOAD), 0);
		assert_int_equal(verify_with(&set, tok), TOKEN_OK);
		assert_int_equal(verified.key_index, 1);
	}

	/* And the same for the signing key. */
	assert_int_equal(verify(make("{\"kid\":\"" TEST_KID "\","
	    "\"alg\":\"HS256\",\"typ\":\"JWT\"}", PAYLOAD)), TOKEN_OK);

	token_keyset_free(&set);
}

/*
 * The issued header of each key is what the fast path compares with, and
 * it is the base64url of the JSON built here.
 */
static void
token_kid_fast_path_header(void **state)
{
	struct token_keyset	set;
	char			want[TU_B64_BUF(128)];

	(void)state;

	rotation_keys(&set);
	tu_b64url(HDR, strlen(HDR), want);
	assert_int_equal(set.keys[0].header_len, strlen(want));
	assert_memory_equal(set.keys[0].header_b64, want, strlen(want));
	tu_b64url(OLD_HDR, strlen(OLD_HDR), want);
	assert_int_equal(set.keys[1].header_len, strlen(want));
	assert_memory_equal(set.keys[1].header_b64, want, strlen(want));
	token_keyset_free(&set);
}

/* Signs PAYLOAD under a header whose kid member is the JSON value kid. */
static const char *
make_kid(const char *kid)
{
	char	header[512];

	snprintf(header, sizeof(header), "{\"alg\":\"HS256\",\"typ\":\"JWT\","
	    "\"kid\":%s}", kid);
	return (make(header, PAYLOAD));
}

static void
token_kid_missing(void **state)
{
	(void)state;

	assert_int_equal(verify(make("{\"alg\":\"HS256\",\"typ\":\"JWT\"}",
	    PAYLOAD)), TOKEN_ERR_KID);
	assert_int_equal(verify(make("{\"alg\":\"HS256\"}", PAYLOAD)),
	    TOKEN_ERR_KID);
	assert_int_equal(verify(make("{\"alg\":\"HS256\",\"KID\":\"" TEST_KID
	    "\"}", PAYLOAD)), TOKEN_ERR_KID);
}

static void
token_kid_not_string(void **state)
{
	(void)state;

	assert_int_equal(verify(make_kid("null")), TOKEN_ERR_KID);
	assert_int_equal(verify(make_kid("1")), TOKEN_ERR_KID);
	assert_int_equal(verify(make_kid("true")), TOKEN_ERR_KID);
	assert_int_equal(verify(make_kid("[\"" TEST_KID "\"]")),
	    TOKEN_ERR_KID);
	assert_int_equal(verify(make_kid("{\"kid\":\"" TEST_KID "\"}")),
	    TOKEN_ERR_KID);
}

static void
token_kid_unknown(void **state)
{
	char	kid[TOKEN_KID_MAX + 8];

	(void)state;

	assert_int_equal(verify(make_kid("\"\"")), TOKEN_ERR_KID);
	assert_int_equal(verify(make_kid("\"" OLD_KID "\"")), TOKEN_ERR_KID);
	assert_int_equal(verify(make_kid("\"TEST-KEY-1\"")), TOKEN_ERR_KID);
	assert_int_equal(verify(make_kid("\"test-key-\"")), TOKEN_ERR_KID);
	assert_int_equal(verify(make_kid("\"test-key-10\"")), TOKEN_ERR_KID);
	assert_int_equal(verify(make_kid("\" test-key-1\"")), TOKEN_ERR_KID);
	assert_int_equal(verify(make_kid("\"test-key-1\\u0000\"")),
	    TOKEN_ERR_KID);
	assert_int_equal(verify(make_kid("\"../../etc/passwd\"")),
	    TOKEN_ERR_KID);
	assert_int_equal(verify(make_kid("\"' OR '1'='1\"")), TOKEN_ERR_KID);

	snprintf(kid, sizeof(kid), "\"%0*d\"", TOKEN_KID_MAX + 1, 0);
	assert_int_equal(verify(make_kid(kid)), TOKEN_ERR_KID);
}

/* Duplicate names make the header invalid (RFC 7515 section 5.2). */
static void
token_kid_duplicate(void **state)
{
	(void)state;

	assert_int_equal(verify(make("{\"alg\":\"HS256\",\"kid\":\"x\""
	    KID "}", PAYLOAD)), TOKEN_ERR_HEADER);
	assert_int_equal(verify(make("{\"alg\":\"HS256\"" KID KID "}",
	    PAYLOAD)), TOKEN_ERR_HEADER);
}

/* token.h: kid comes after alg, crit and typ, and before the signature. */
static void
token_order_kid(void **state)
{
	char	buf[BUF_LEN], *h, *p;

	(void)state;

	assert_int_equal(verify(make("{\"alg\":\"none\"}", PAYLOAD)),
	    TOKEN_ERR_ALG);
	assert_int_equal(verify(make("{\"alg\":\"HS256\",\"crit\":[\"x\"]}",
	    PAYLOAD)), TOKEN_ERR_CRIT);
	assert_int_equal(verify(make("{\"alg\":\"HS256\",\"typ\":\"JOSE\"}",
	    PAYLOAD)), TOKEN_ERR_TYP);

	/* An unknown kid with a bad signature fails at the kid. */
	make_kid("\"unknown\"");
	h = segment(tok, 0);
	p = segment(tok, 1);
	snprintf(buf, sizeof(buf), "%s.%s.%s", h, p,
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
	free(h);
	free(p);
	assert_int_equal(verify(buf), TOKEN_ERR_KID);
}

/* Every result has a one-word reason for logs. */
static void
token_reason_words(void **state)
{
	const char	*s;
	int		r;

	(void)state;

	for (r = TOKEN_OK; r <= TOKEN_ERR_INTERNAL; r++) {
		s = token_result_reason(r);
		assert_non_null(s);
		assert_true(s[0] != '\0');
		assert_null(strpbrk(s, " \t\r\n\""));
	}
}

/*
 * Every result has a description that fits an RFC 6750 section 3
 * error_description: %x20-21 / %x23-5B / %x5D-7E.
 */
static void
token_reason_descriptions(void **state)
{
	const char	*s;
	int		r;

	(void)state;

	for (r = TOKEN_OK; r <= TOKEN_ERR_INTERNAL; r++) {
		s = token_result_description(r);
		assert_non_null(s);
		assert_true(s[0] != '\0');
		for (; *s != '\0'; s++) {
			assert_true(*s >= 0x20 && *s <= 0x7e);
			assert_true(*s != '"' && *s != '\\');
		}
	}
}

static void
token_reasons_distinct(void **state)
{
	int	r, q;

	(void)state;

	for (r = TOKEN_OK; r <= TOKEN_ERR_INTERNAL; r++) {
		for (q = r + 1; q <= TOKEN_ERR_INTERNAL; q++)
			assert_string_not_equal(token_result_reason(r),
			    token_result_reason(q));
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(token_a1_vector_sanity),
		cmocka_unit_test(token_a1_no_kid),
		cmocka_unit_test(token_valid_base),
		cmocka_unit_test(token_issue_layout),
		cmocka_unit_test(token_issue_layout_perms),
		cmocka_unit_test(token_issue_escapes_quotes),
		cmocka_unit_test(token_issue_rejects_controls),
		cmocka_unit_test(token_issue_del_raw),
		cmocka_unit_test(token_issue_rejects_bad_utf8),
		cmocka_unit_test(token_issue_utf8),
		cmocka_unit_test(token_issue_out_small),
		cmocka_unit_test(token_round_trip),
		cmocka_unit_test(token_round_trip_expiry),
		cmocka_unit_test(token_format_one_segment),
		cmocka_unit_test(token_format_two_segments),
		cmocka_unit_test(token_format_four_segments),
		cmocka_unit_test(token_format_empty),
		cmocka_unit_test(token_format_empty_header),
		cmocka_unit_test(token_format_empty_payload),
		cmocka_unit_test(token_format_empty_signature),
		cmocka_unit_test(token_format_len_max),
		cmocka_unit_test(token_format_too_long),
		cmocka_unit_test(token_encoding_padding),
		cmocka_unit_test(token_encoding_std_alphabet),
		cmocka_unit_test(token_encoding_whitespace),
		cmocka_unit_test(token_encoding_bad_char),
		cmocka_unit_test(token_encoding_bad_char_signature),
		cmocka_unit_test(token_encoding_nul),
		cmocka_unit_test(token_encoding_sig_trailing_bits),
		cmocka_unit_test(token_encoding_payload_trailing_bits),
		cmocka_unit_test(token_encoding_len_1_mod_4),
		cmocka_unit_test(token_header_not_json),
		cmocka_unit_test(token_header_array),
		cmocka_unit_test(token_header_string),
		cmocka_unit_test(token_header_truncated),
		cmocka_unit_test(token_header_trailing_garbage),
		cmocka_unit_test(token_header_duplicate_alg),
		cmocka_unit_test(token_header_duplicate_escaped),
		cmocka_unit_test(token_alg_none),
		cmocka_unit_test(token_alg_hs384),
		cmocka_unit_test(token_alg_trailing_space),
		cmocka_unit_test(token_alg_lowercase),
		cmocka_unit_test(token_alg_prefix),
		cmocka_unit_test(token_alg_nul_suffix),
		cmocka_unit_test(token_alg_missing),
		cmocka_unit_test(token_alg_null),
		cmocka_unit_test(token_alg_number),
		cmocka_unit_test(token_alg_array),
		cmocka_unit_test(token_typ_absent),
		cmocka_unit_test(token_typ_jwt_spellings),
		cmocka_unit_test(token_typ_jose_json),
		cmocka_unit_test(token_typ_near_miss),
		cmocka_unit_test(token_typ_not_string),
		cmocka_unit_test(token_crit_present),
		cmocka_unit_test(token_crit_empty),
		cmocka_unit_test(token_crit_null),
		cmocka_unit_test(token_sig_flipped_bit),
		cmocka_unit_test(token_sig_short),
		cmocka_unit_test(token_sig_long),
		cmocka_unit_test(token_sig_other_key),
		cmocka_unit_test(token_sig_spliced),
		cmocka_unit_test(token_payload_not_json),
		cmocka_unit_test(token_payload_array),
		cmocka_unit_test(token_payload_null),
		cmocka_unit_test(token_payload_truncated),
		cmocka_unit_test(token_payload_trailing_garbage),
		cmocka_unit_test(token_payload_duplicate_sub),
		cmocka_unit_test(token_payload_duplicate_exp),
		cmocka_unit_test(token_payload_duplicate_perms),
		cmocka_unit_test(token_payload_duplicate_escaped),
		cmocka_unit_test(token_missing_exp),
		cmocka_unit_test(token_missing_iat),
		cmocka_unit_test(token_missing_iss),
		cmocka_unit_test(token_missing_sub),
		cmocka_unit_test(token_missing_perms),
		cmocka_unit_test(token_missing_near_names),
		cmocka_unit_test(token_type_exp),
		cmocka_unit_test(token_type_iat),
		cmocka_unit_test(token_type_nbf),
		cmocka_unit_test(token_type_iss),
		cmocka_unit_test(token_type_sub),
		cmocka_unit_test(token_exp_past),
		cmocka_unit_test(token_exp_equals_now),
		cmocka_unit_test(token_exp_next_second),
		cmocka_unit_test(token_exp_fraction_future),
		cmocka_unit_test(token_exp_fraction_past),
		cmocka_unit_test(token_nbf_future),
		cmocka_unit_test(token_nbf_now),
		cmocka_unit_test(token_iat_future),
		cmocka_unit_test(token_iat_now),
		cmocka_unit_test(token_leeway_exp),
		cmocka_unit_test(token_leeway_nbf),
		cmocka_unit_test(token_leeway_iat),
		cmocka_unit_test(token_leeway_lifetime),
		cmocka_unit_test(token_lifetime_at_ttl),
		cmocka_unit_test(token_lifetime_over_ttl),
		cmocka_unit_test(token_issuer_wrong),
		cmocka_unit_test(token_issuer_near_miss),
		cmocka_unit_test(token_issuer_nul_suffix),
		cmocka_unit_test(token_subject_empty),
		cmocka_unit_test(token_subject_nul),
		cmocka_unit_test(token_perms_not_array),
		cmocka_unit_test(token_perms_number),
		cmocka_unit_test(token_perms_other_elem),
		cmocka_unit_test(token_perms_empty),
		cmocka_unit_test(token_perms_near_miss),
		cmocka_unit_test(token_perms_second),
		cmocka_unit_test(token_perms_nul),
		cmocka_unit_test(token_audience_present),
		cmocka_unit_test(token_extra_claims),
		cmocka_unit_test(token_order_alg_before_crit),
		cmocka_unit_test(token_order_crit_before_typ),
		cmocka_unit_test(token_order_sig_before_payload),
		cmocka_unit_test(token_order_expired_before_missing),
		cmocka_unit_test(token_order_expired_before_sub_type),
		cmocka_unit_test(token_order_exp_missing_first),
		cmocka_unit_test(token_order_expired_before_issuer),
		cmocka_unit_test(token_kid_derived),
		cmocka_unit_test(token_kid_derived_in_header),
		cmocka_unit_test(token_kid_syntax),
		cmocka_unit_test(token_keyset_add_rejects),
		cmocka_unit_test(token_rotation_previous_key),
		cmocka_unit_test(token_rotation_kid_selects_key),
		cmocka_unit_test(token_kid_slow_path),
		cmocka_unit_test(token_kid_fast_path_header),
		cmocka_unit_test(token_kid_missing),
		cmocka_unit_test(token_kid_not_string),
		cmocka_unit_test(token_kid_unknown),
		cmocka_unit_test(token_kid_duplicate),
		cmocka_unit_test(token_order_kid),
		cmocka_unit_test(token_reason_words),
		cmocka_unit_test(token_reason_descriptions),
		cmocka_unit_test(token_reasons_distinct),
	};

	return (cmocka_run_group_tests(tests, setup, teardown));
}
