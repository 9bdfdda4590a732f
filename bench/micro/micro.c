/*
 * Micro-benchmark of token verification and issuance alone, in-process:
 * the service's token.c beside libjwt 1.x (Debian libjwt-dev) and beside
 * the HMAC floor, one HMAC-SHA256 over the same signing input from SHA-256
 * states of the key pads hashed once at start.
 *
 *   micro list			names the operations
 *   micro time OP		prints the median ns per operation of 5 runs
 *   micro count OP N		runs OP N times after a warm-up, for callgrind
 *
 * bench/micro/run.sh subtracts the instructions of "count OP 0" from those
 * of "count OP N", so start-up and the warm-up cancel out.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/*
 * The low-level SHA256_* calls are deprecated in OpenSSL 3 but still the
 * cheapest way to reuse hashed pads, which is what the floor is about.
 */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/sha.h>

#include <jwt.h>

#include "credentials.h"
#include "login.h"
#include "token.h"

#define MICRO_WARMUP		10	/* iterations before a measured loop */
#define MICRO_RUNS		5	/* timed runs; the median is printed */
#define MICRO_RUN_NS		200000000LL	/* minimum length of a timed run */

/* A fixed clock, key and claims make every run do the same work. */
#define MICRO_NOW		1767225600	/* 2026-01-01T00:00:00Z */
#define MICRO_SECRET		"micro-benchmark-secret-not-for-real-use-0123"
#define MICRO_TTL		86400
#define MICRO_USERNAME		"twilio"
#define MICRO_PASSWORD		"micro-benchmark-password"
#define MICRO_LOGIN_BODY	"{\"username\":\"" MICRO_USERNAME \
				"\",\"password\":\"" MICRO_PASSWORD "\"}"

struct micro {
	struct token_keyset	key;
	struct token_policy	policy;
	struct token_claims	claims;
	char			token[TOKEN_LEN_MAX + 1];
	size_t			token_len;
	size_t			signing_len;	/* header.payload */
	SHA256_CTX		inner;		/* key ^ ipad, hashed */
	SHA256_CTX		outer;		/* key ^ opad, hashed */
	EVP_MAC_CTX		*evp_mac;	/* keyed once, for hmac-evp */
	struct token_verified	verified;
	struct credentials	creds;
	struct login_request	login;
	unsigned long		sink;
};

struct micro_op {
	const char	*name;
	const char	*about;
	int		(*run)(struct micro *);
};

static void	micro_setup(struct micro *);
static void	micro_floor_init(struct micro *);
static void	micro_evp_init(struct micro *);
static int	micro_app_verify(struct micro *);
static int	micro_app_issue(struct micro *);
static int	micro_libjwt_verify(struct micro *);
static int	micro_libjwt_issue(struct micro *);
static int	micro_hmac_floor(struct micro *);
static int	micro_hmac_evp(struct micro *);
static int	micro_credentials_check(struct micro *);
static int	micro_app_login(struct micro *);
static long long	micro_ns(void);
static double	micro_time(struct micro *, const struct micro_op *);
static int	micro_double_cmp(const void *, const void *);
static const struct micro_op	*micro_op_find(const char *);
static void	usage(void) __attribute__((noreturn));

static const struct micro_op micro_ops[] = {
	{ "app-verify", "token_verify() of the service, all checks",
	    micro_app_verify },
	{ "app-issue", "token_issue() of the service", micro_app_issue },
	{ "libjwt-verify", "libjwt jwt_decode() and the same claim checks",
	    micro_libjwt_verify },
	{ "libjwt-issue", "libjwt jwt_new(), grants, jwt_encode_str()",
	    micro_libjwt_issue },
	{ "hmac-floor", "HMAC-SHA256 of the signing input, pads pre-hashed",
	    micro_hmac_floor },
	{ "hmac-evp", "the same HMAC through a kept, keyed EVP_MAC_CTX",
	    micro_hmac_evp },
	{ "credentials-check", "credentials_check() of a right login",
	    micro_credentials_check },
	{ "app-login", "POST /jwt without Kore: parse, check, issue, wipe",
	    micro_app_login },
};

#define MICRO_NOPS	(sizeof(micro_ops) / sizeof(micro_ops[0]))

int
main(int argc, char **argv)
{
	static struct micro		m;
	const struct micro_op		*op;
	char				*end;
	long				i, n;
	size_t				k;

	if (argc == 2 && strcmp(argv[1], "list") == 0) {
		for (k = 0; k < MICRO_NOPS; k++)
			printf("%s\t%s\n", micro_ops[k].name, micro_ops[k].about);
		return (0);
	}
	if (argc < 3 || (op = micro_op_find(argv[2])) == NULL)
		usage();

	micro_setup(&m);

	if (strcmp(argv[1], "time") == 0 && argc == 3) {
		printf("%s\t%.1f\n", op->name, micro_time(&m, op));
		return (0);
	}
	if (strcmp(argv[1], "count") != 0 || argc != 4)
		usage();

	errno = 0;
	n = strtol(argv[3], &end, 10);
	if (errno != 0 || *end != '\0' || end == argv[3] || n < 0)
		usage();

	for (i = 0; i < MICRO_WARMUP + n; i++) {
		if (op->run(&m) == -1) {
			fprintf(stderr, "micro: %s failed at iteration %ld\n",
			    op->name, i);
			return (1);
		}
	}
	printf("%s\t%ld\t%lu\n", op->name, n, m.sink);

	return (0);
}

static void
usage(void)
{
	fprintf(stderr, "usage: micro list | time OP | count OP ITERATIONS\n");
	exit(2);
}

static const struct micro_op *
micro_op_find(const char *name)
{
	size_t		k;

	for (k = 0; k < MICRO_NOPS; k++) {
		if (strcmp(micro_ops[k].name, name) == 0)
			return (&micro_ops[k]);
	}

	return (NULL);
}

/*
 * Keys the service's HMAC, issues the token every verifier checks, and
 * checks that each operation accepts it (and that a tampered copy is
 * rejected), so the loops measure real verifications.
 */
static void
micro_setup(struct micro *m)
{
	jwt_t		*jwt;
	char		tampered[TOKEN_LEN_MAX + 1];
	const char	*dot;

	token_keyset_init(&m->key);
	if (token_keyset_add(&m->key, (const uint8_t *)MICRO_SECRET,
	    strlen(MICRO_SECRET), NULL) != TOKEN_OK) {
		fprintf(stderr, "micro: token_keyset_add failed\n");
		exit(1);
	}

	m->policy.issuer = "twil.io";
	m->policy.ttl = MICRO_TTL;
	m->policy.leeway = 0;

	m->claims.sub = "twilio";
	m->claims.iss = "twil.io";
	m->claims.org = "twilio";
	m->claims.perms[0] = "read";
	m->claims.nperms = 1;
	m->claims.ttl = MICRO_TTL;

	if (token_issue(&m->key, &m->claims, MICRO_NOW, m->token,
	    sizeof(m->token), &m->token_len) != TOKEN_OK) {
		fprintf(stderr, "micro: token_issue failed\n");
		exit(1);
	}
	dot = strrchr(m->token, '.');
	m->signing_len = (size_t)(dot - m->token);

	micro_floor_init(m);
	micro_evp_init(m);

	if (credentials_init(&m->creds, MICRO_USERNAME, strlen(MICRO_USERNAME),
	    MICRO_PASSWORD, strlen(MICRO_PASSWORD)) == -1) {
		fprintf(stderr, "micro: credentials_init failed\n");
		exit(1);
	}

	if (micro_app_verify(m) == -1 || micro_libjwt_verify(m) == -1 ||
	    micro_app_issue(m) == -1 || micro_libjwt_issue(m) == -1 ||
	    micro_credentials_check(m) == -1 || micro_app_login(m) == -1) {
		fprintf(stderr, "micro: an operation rejects its own input\n");
		exit(1);
	}

	/* Flip one signature character: both verifiers must reject it. */
	memcpy(tampered, m->token, m->token_len + 1);
	tampered[m->token_len - 2] = tampered[m->token_len - 2] == 'A' ?
	    'B' : 'A';
	if (token_verify(&m->key, &m->policy, tampered, m->token_len,
	    MICRO_NOW + 60, &m->verified) != TOKEN_ERR_SIGNATURE) {
		fprintf(stderr, "micro: token_verify accepts a bad signature\n");
		exit(1);
	}
	if (jwt_decode(&jwt, tampered, (const unsigned char *)MICRO_SECRET,
	    (int)strlen(MICRO_SECRET)) == 0) {
		jwt_free(jwt);
		fprintf(stderr, "micro: jwt_decode accepts a bad signature\n");
		exit(1);
	}
}

/*
 * Hashes key ^ ipad and key ^ opad once (RFC 2104).  The key is shorter
 * than the 64-byte block, so it is used as it is, padded with zeros.
 */
static void
micro_floor_init(struct micro *m)
{
	uint8_t		ipad[SHA256_CBLOCK], opad[SHA256_CBLOCK];
	size_t		i, len;

	len = strlen(MICRO_SECRET);
	if (len > SHA256_CBLOCK) {
		fprintf(stderr, "micro: MICRO_SECRET is longer than a block\n");
		exit(1);
	}
	memset(ipad, 0x36, sizeof(ipad));
	memset(opad, 0x5c, sizeof(opad));
	for (i = 0; i < len; i++) {
		ipad[i] ^= (uint8_t)MICRO_SECRET[i];
		opad[i] ^= (uint8_t)MICRO_SECRET[i];
	}

	SHA256_Init(&m->inner);
	SHA256_Update(&m->inner, ipad, sizeof(ipad));
	SHA256_Init(&m->outer);
	SHA256_Update(&m->outer, opad, sizeof(opad));

	OPENSSL_cleanse(ipad, sizeof(ipad));
	OPENSSL_cleanse(opad, sizeof(opad));
}

/*
 * Keys an EVP_MAC_CTX once.  EVP_MAC_init() with a NULL key then restarts
 * from the pads OpenSSL hashed at keying, as a service that keeps one
 * context per worker would do.
 */
static void
micro_evp_init(struct micro *m)
{
	EVP_MAC		*mac;
	OSSL_PARAM	params[2];

	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	    (char *)"SHA256", 0);
	params[1] = OSSL_PARAM_construct_end();

	if ((mac = EVP_MAC_fetch(NULL, OSSL_MAC_NAME_HMAC, NULL)) == NULL ||
	    (m->evp_mac = EVP_MAC_CTX_new(mac)) == NULL ||
	    !EVP_MAC_init(m->evp_mac, (const unsigned char *)MICRO_SECRET,
	    strlen(MICRO_SECRET), params)) {
		fprintf(stderr, "micro: keying EVP_MAC failed\n");
		exit(1);
	}
	EVP_MAC_free(mac);
}

static int
micro_app_verify(struct micro *m)
{
	if (token_verify(&m->key, &m->policy, m->token, m->token_len,
	    MICRO_NOW + 60, &m->verified) != TOKEN_OK)
		return (-1);
	if (!token_has_perm(&m->verified, "read"))
		return (-1);

	m->sink += m->verified.sub_len;
	return (0);
}

static int
micro_app_issue(struct micro *m)
{
	char		out[TOKEN_LEN_MAX + 1];
	size_t		len;

	if (token_issue(&m->key, &m->claims, MICRO_NOW, out, sizeof(out),
	    &len) != TOKEN_OK)
		return (-1);

	m->sink += (unsigned char)out[len - 1];
	return (0);
}

/*
 * libjwt 1.10 checks the signature and the alg header in jwt_decode() but
 * no claim, so the same claim checks as token_verify() follow.
 */
static int
micro_libjwt_verify(struct micro *m)
{
	jwt_t		*jwt;
	const char	*iss, *sub;
	char		*perms;
	long		exp, iat, now;
	int		ok;

	if (jwt_decode(&jwt, m->token, (const unsigned char *)MICRO_SECRET,
	    (int)strlen(MICRO_SECRET)) != 0)
		return (-1);

	ok = 0;
	now = MICRO_NOW + 60;
	perms = NULL;
	if (jwt_get_alg(jwt) != JWT_ALG_HS256)
		goto done;

	errno = 0;
	exp = jwt_get_grant_int(jwt, "exp");
	iat = jwt_get_grant_int(jwt, "iat");
	if (errno != 0 || now >= exp || iat > now || exp - iat > MICRO_TTL)
		goto done;

	iss = jwt_get_grant(jwt, "iss");
	sub = jwt_get_grant(jwt, "sub");
	if (iss == NULL || strcmp(iss, "twil.io") != 0 || sub == NULL ||
	    sub[0] == '\0')
		goto done;

	if ((perms = jwt_get_grants_json(jwt, "perms")) == NULL ||
	    strstr(perms, "\"read\"") == NULL)
		goto done;

	m->sink += strlen(sub);
	ok = 1;

done:
	free(perms);
	jwt_free(jwt);
	return (ok ? 0 : -1);
}

static int
micro_libjwt_issue(struct micro *m)
{
	jwt_t		*jwt;
	char		*out;
	int		ok;

	if (jwt_new(&jwt) != 0)
		return (-1);

	ok = 0;
	out = NULL;
	if (jwt_add_grant(jwt, "sub", m->claims.sub) != 0 ||
	    jwt_add_grant(jwt, "iss", m->claims.iss) != 0 ||
	    jwt_add_grant(jwt, "org", m->claims.org) != 0 ||
	    jwt_add_grants_json(jwt, "{\"perms\":[\"read\"]}") != 0 ||
	    jwt_add_grant_int(jwt, "iat", MICRO_NOW) != 0 ||
	    jwt_add_grant_int(jwt, "exp", MICRO_NOW + MICRO_TTL) != 0 ||
	    jwt_set_alg(jwt, JWT_ALG_HS256, (const unsigned char *)MICRO_SECRET,
	    (int)strlen(MICRO_SECRET)) != 0)
		goto done;

	if ((out = jwt_encode_str(jwt)) == NULL)
		goto done;

	m->sink += (unsigned char)out[strlen(out) - 1];
	ok = 1;

done:
	free(out);
	jwt_free(jwt);
	return (ok ? 0 : -1);
}

/* HMAC(K, m) = H(K ^ opad || H(K ^ ipad || m)), both pads already hashed. */
static int
micro_hmac_floor(struct micro *m)
{
	SHA256_CTX	ctx;
	uint8_t		digest[SHA256_DIGEST_LENGTH];

	ctx = m->inner;
	SHA256_Update(&ctx, m->token, m->signing_len);
	SHA256_Final(digest, &ctx);

	ctx = m->outer;
	SHA256_Update(&ctx, digest, sizeof(digest));
	SHA256_Final(digest, &ctx);

	m->sink += digest[0];
	return (0);
}

static int
micro_hmac_evp(struct micro *m)
{
	uint8_t		mac[TOKEN_HMAC_LEN];
	size_t		len;

	if (!EVP_MAC_init(m->evp_mac, NULL, 0, NULL) ||
	    !EVP_MAC_update(m->evp_mac, (const unsigned char *)m->token,
	    m->signing_len) ||
	    !EVP_MAC_final(m->evp_mac, mac, &len, sizeof(mac)))
		return (-1);

	m->sink += mac[0];
	return (0);
}

static int
micro_credentials_check(struct micro *m)
{
	if (credentials_check(&m->creds, MICRO_USERNAME, strlen(MICRO_USERNAME),
	    MICRO_PASSWORD, strlen(MICRO_PASSWORD)) != 1)
		return (-1);

	return (0);
}

/* The work of the POST /jwt handler in functions/jwt.c, less Kore's. */
static int
micro_app_login(struct micro *m)
{
	uint8_t		body[LOGIN_BODY_MAX + 1];
	char		token[TOKEN_LEN_MAX + 1];
	size_t		body_len, token_len;
	int		ret;

	ret = -1;
	token_len = 0;
	body_len = sizeof(MICRO_LOGIN_BODY) - 1;
	memcpy(body, MICRO_LOGIN_BODY, body_len);

	if (login_parse(&m->login, "application/json", body, body_len) !=
	    LOGIN_OK)
		goto cleanup;
	if (credentials_check(&m->creds, m->login.username,
	    m->login.username_len, m->login.password,
	    m->login.password_len) != 1)
		goto cleanup;
	if (token_issue(&m->key, &m->claims, MICRO_NOW, token, sizeof(token),
	    &token_len) != TOKEN_OK)
		goto cleanup;

	m->sink += token_len;
	ret = 0;

cleanup:
	login_request_clear(&m->login);
	OPENSSL_cleanse(body, sizeof(body));
	OPENSSL_cleanse(token, token_len);
	return (ret);
}

static long long
micro_ns(void)
{
	struct timespec	ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((long long)ts.tv_sec * 1000000000LL + ts.tv_nsec);
}

static int
micro_double_cmp(const void *a, const void *b)
{
	double		x = *(const double *)a, y = *(const double *)b;

	return ((x > y) - (x < y));
}

/*
 * Times MICRO_RUNS runs of at least MICRO_RUN_NS each, doubling the
 * iteration count until a run is that long, and returns the median ns per
 * operation.
 */
static double
micro_time(struct micro *m, const struct micro_op *op)
{
	double		ns_per_op[MICRO_RUNS];
	long long	start, elapsed;
	long		i, n;
	int		run;

	for (i = 0; i < MICRO_WARMUP; i++) {
		if (op->run(m) == -1)
			goto fail;
	}

	n = 1000;
	for (run = 0; run < MICRO_RUNS; run++) {
		for (;;) {
			start = micro_ns();
			for (i = 0; i < n; i++) {
				if (op->run(m) == -1)
					goto fail;
			}
			elapsed = micro_ns() - start;
			if (elapsed >= MICRO_RUN_NS)
				break;
			n *= 2;
		}
		ns_per_op[run] = (double)elapsed / (double)n;
	}

	qsort(ns_per_op, MICRO_RUNS, sizeof(ns_per_op[0]), micro_double_cmp);
	return (ns_per_op[MICRO_RUNS / 2]);

fail:
	fprintf(stderr, "micro: %s failed while timed\n", op->name);
	exit(1);
}
