/*
 * Unit tests for tokencache.c: a cached token must never be accepted where
 * full verification would reject it, so every case compares the cache's
 * answer with token_verify()'s for the same token at the same time.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "testutil.h"
#include "tokencache.h"

#define SECRET		"tokencache-test-secret-0123456789abcdef"
#define HDR		"{\"alg\":\"HS256\",\"typ\":\"JWT\"}"
#define T0		1700000000L
#define TTL		3600L

static struct token_key		key;
static struct token_policy	policy = { "twil.io", TTL, 0 };
static struct tokencache	cache;

static int
setup(void **state)
{
	(void)state;

	assert_int_equal(token_key_init(&key, (const uint8_t *)SECRET,
	    strlen(SECRET)), 0);
	tokencache_clear(&cache);
	return (0);
}

static int
teardown(void **state)
{
	(void)state;

	token_key_free(&key);
	return (0);
}

/* Signs a payload with the standard header and the test key. */
static void
sign(char *out, size_t outmax, const char *payload)
{
	if (tu_token(out, outmax, (const uint8_t *)SECRET, strlen(SECRET),
	    HDR, payload) == 0)
		fail_msg("cannot sign %s", payload);
}

/*
 * Asserts that the cache and full verification agree on token at now,
 * including whether the read perm is held, and returns the result.
 */
static int
agree(const char *token, time_t now)
{
	struct token_verified	v;
	const char		*sub;
	size_t			sub_len;
	int			cached, full, perm;

	full = token_verify(&key, &policy, token, strlen(token), now, &v);
	cached = tokencache_verify(&cache, &key, &policy, token,
	    strlen(token), now, "read", &perm, &sub, &sub_len);
	if (cached != full)
		fail_msg("at %ld: cache %s, full verification %s", (long)now,
		    token_result_reason(cached), token_result_reason(full));
	if (full == TOKEN_OK) {
		assert_int_equal(perm, token_has_perm(&v, "read"));
		assert_int_equal(sub_len, v.sub_len);
		assert_memory_equal(sub, v.sub, sub_len);
	}

	return (full);
}

static void
tokencache_hit_rechecks_exp(void **state)
{
	char	tok[1024];

	(void)state;

	sign(tok, sizeof(tok), "{\"sub\":\"a\",\"iss\":\"twil.io\","
	    "\"perms\":[\"read\"],\"iat\":1700000000,\"exp\":1700000100}");

	assert_int_equal(agree(tok, T0), TOKEN_OK);
	assert_int_equal(cache.misses, 1);
	assert_int_equal(agree(tok, T0 + 99), TOKEN_OK);
	assert_int_equal(cache.hits, 1);
	assert_int_equal(agree(tok, T0 + 100), TOKEN_ERR_EXPIRED);
	assert_int_equal(agree(tok, T0 + 50), TOKEN_OK);
}

/* A cached token checked at an earlier time meets nbf and iat again. */
static void
tokencache_hit_rechecks_nbf_iat(void **state)
{
	char	tok[1024];

	(void)state;

	sign(tok, sizeof(tok), "{\"sub\":\"a\",\"iss\":\"twil.io\","
	    "\"perms\":[\"read\"],\"iat\":1700000010,\"nbf\":1700000020,"
	    "\"exp\":1700000100}");

	assert_int_equal(agree(tok, T0 + 20), TOKEN_OK);
	assert_int_equal(agree(tok, T0 + 19), TOKEN_ERR_NOT_YET_VALID);
	assert_int_equal(agree(tok, T0 + 20), TOKEN_OK);
	assert_int_equal(agree(tok, T0 + 25), TOKEN_OK);
	assert_true(cache.hits >= 1);
}

/* Every byte of a cached token matters: one change is a miss and fails. */
static void
tokencache_changed_token_misses(void **state)
{
	char	tok[1024], changed[1024];
	size_t	i, len;

	(void)state;

	sign(tok, sizeof(tok), "{\"sub\":\"a\",\"iss\":\"twil.io\","
	    "\"perms\":[\"read\"],\"iat\":1700000000,\"exp\":1700000100}");
	assert_int_equal(agree(tok, T0), TOKEN_OK);

	len = strlen(tok);
	for (i = 0; i < len; i++) {
		memcpy(changed, tok, len + 1);
		changed[i] = changed[i] == 'A' ? 'B' : 'A';
		assert_int_not_equal(agree(changed, T0), TOKEN_OK);
	}
	memcpy(changed, tok, len + 1);
	changed[len - 1] = '\0';
	assert_int_not_equal(agree(changed, T0), TOKEN_OK);
}

/* The perm answer is cached with the token and stays right. */
static void
tokencache_perm_cached(void **state)
{
	char	tok[1024];

	(void)state;

	sign(tok, sizeof(tok), "{\"sub\":\"w\",\"iss\":\"twil.io\","
	    "\"perms\":[\"write\"],\"iat\":1700000000,\"exp\":1700000100}");
	assert_int_equal(agree(tok, T0), TOKEN_OK);
	assert_int_equal(agree(tok, T0 + 1), TOKEN_OK);
	assert_int_equal(cache.hits, 1);
}

/* Tokens over TOKENCACHE_TOKEN_MAX are verified in full every time. */
static void
tokencache_long_token_not_cached(void **state)
{
	char	tok[2048], payload[1024];

	(void)state;

	snprintf(payload, sizeof(payload), "{\"sub\":\"a\",\"iss\":\"twil.io\","
	    "\"perms\":[\"read\"],\"iat\":1700000000,\"exp\":1700000100,"
	    "\"pad\":\"%0500d\"}", 0);
	sign(tok, sizeof(tok), payload);
	assert_true(strlen(tok) > TOKENCACHE_TOKEN_MAX);

	assert_int_equal(agree(tok, T0), TOKEN_OK);
	assert_int_equal(agree(tok, T0 + 1), TOKEN_OK);
	assert_int_equal(cache.hits, 0);
	assert_int_equal(cache.misses, 2);
}

/* Many tokens through the 1024 slots, at times before and after exp. */
static void
tokencache_many_tokens_agree(void **state)
{
	char	tok[1024], payload[256];
	long	i, times[] = { T0, T0 + 1000, T0 + 3599, T0 + 3600, T0 + 10 };
	size_t	t;

	(void)state;

	for (t = 0; t < sizeof(times) / sizeof(times[0]); t++) {
		for (i = 0; i < 3000; i++) {
			snprintf(payload, sizeof(payload), "{\"sub\":\"u%ld\","
			    "\"iss\":\"twil.io\",\"perms\":[\"%s\"],"
			    "\"iat\":%ld,\"exp\":%ld}", i,
			    i % 3 ? "read" : "none", T0, T0 + TTL);
			sign(tok, sizeof(tok), payload);
			(void)agree(tok, times[t]);
		}
	}
	assert_true(cache.hits > 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(tokencache_hit_rechecks_exp,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(tokencache_hit_rechecks_nbf_iat,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(tokencache_changed_token_misses,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(tokencache_perm_cached,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(tokencache_long_token_not_cached,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(tokencache_many_tokens_agree,
		    setup, teardown),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
