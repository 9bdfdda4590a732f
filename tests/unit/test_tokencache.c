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
#define KID		"cache-key"
#define HDR		"{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"" KID "\"}"
#define OTHER_SECRET	"tokencache-other-secret-0123456789abcdef"
#define OTHER_KID	"cache-other"
#define OTHER_HDR	"{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"" OTHER_KID "\"}"
#define PAYLOAD		"{\"sub\":\"a\",\"iss\":\"twil.io\"," \
			"\"perms\":[\"read\"],\"iat\":1700000000,\"exp\":1700000100}"
#define T0		1700000000L
#define TTL		3600L

static struct token_keyset	key;
static struct token_policy	policy = { "twil.io", TTL, 0 };
static struct tokencache	cache;

static int
setup(void **state)
{
	(void)state;

	token_keyset_init(&key);
	assert_int_equal(token_keyset_add(&key, (const uint8_t *)SECRET,
	    strlen(SECRET), KID), TOKEN_OK);
	tokencache_clear(&cache);
	return (0);
}

static int
teardown(void **state)
{
	(void)state;

	token_keyset_free(&key);
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
 * Asserts that the cache and full verification under set agree on token
 * at now, including whether the read perm is held, and returns the result.
 */
static int
agree_with(const struct token_keyset *set, const char *token, time_t now)
{
	struct token_verified	v;
	const char		*sub;
	size_t			sub_len;
	int			cached, full, perm;

	full = token_verify(set, &policy, token, strlen(token), now, &v);
	cached = tokencache_verify(&cache, set, &policy, token,
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

static int
agree(const char *token, time_t now)
{
	return (agree_with(&key, token, now));
}

/* Fills set with one or two keys given as secret, kid pairs. */
static void
keys_of(struct token_keyset *set, const char *secret1, const char *kid1,
    const char *secret2, const char *kid2)
{
	token_keyset_init(set);
	assert_int_equal(token_keyset_add(set, (const uint8_t *)secret1,
	    strlen(secret1), kid1), TOKEN_OK);
	if (secret2 != NULL)
		assert_int_equal(token_keyset_add(set,
		    (const uint8_t *)secret2, strlen(secret2), kid2), TOKEN_OK);
}

/* Tokens of the signing key and of the previous key are both cached. */
static void
tokencache_two_keys(void **state)
{
	struct token_keyset	set;
	char			cur[1024], old[1024];

	(void)state;

	keys_of(&set, SECRET, KID, OTHER_SECRET, OTHER_KID);
	sign(cur, sizeof(cur), PAYLOAD);
	assert_int_not_equal(tu_token(old, sizeof(old),
	    (const uint8_t *)OTHER_SECRET, strlen(OTHER_SECRET), OTHER_HDR,
	    PAYLOAD), 0);

	assert_int_equal(agree_with(&set, cur, T0), TOKEN_OK);
	assert_int_equal(agree_with(&set, old, T0), TOKEN_OK);
	assert_int_equal(cache.misses, 2);
	assert_int_equal(agree_with(&set, cur, T0 + 1), TOKEN_OK);
	assert_int_equal(agree_with(&set, old, T0 + 1), TOKEN_OK);
	assert_int_equal(cache.hits, 2);

	token_keyset_free(&set);
}

/*
 * A token cached under one key set is never accepted from the cache under
 * another: the previous key dropped, the kid given to another secret, the
 * secret given another kid.  Each case also changes the result of full
 * verification, which agree() compares with.
 */
static void
tokencache_key_set_change(void **state)
{
	struct token_keyset	both, only_cur, kid_moved, kid_renamed, swapped;
	char			old[1024];

	(void)state;

	keys_of(&both, SECRET, KID, OTHER_SECRET, OTHER_KID);
	keys_of(&only_cur, SECRET, KID, NULL, NULL);
	keys_of(&kid_moved, SECRET, KID, SECRET "x", OTHER_KID);
	keys_of(&kid_renamed, SECRET, KID, OTHER_SECRET, "renamed");
	keys_of(&swapped, OTHER_SECRET, OTHER_KID, SECRET, KID);
	assert_int_not_equal(tu_token(old, sizeof(old),
	    (const uint8_t *)OTHER_SECRET, strlen(OTHER_SECRET), OTHER_HDR,
	    PAYLOAD), 0);

	assert_int_equal(agree_with(&both, old, T0), TOKEN_OK);
	assert_int_equal(agree_with(&only_cur, old, T0), TOKEN_ERR_KID);
	assert_int_equal(agree_with(&both, old, T0), TOKEN_OK);
	assert_int_equal(agree_with(&kid_moved, old, T0), TOKEN_ERR_SIGNATURE);
	assert_int_equal(agree_with(&both, old, T0), TOKEN_OK);
	assert_int_equal(agree_with(&kid_renamed, old, T0), TOKEN_ERR_KID);
	assert_int_equal(agree_with(&both, old, T0), TOKEN_OK);
	assert_int_equal(agree_with(&swapped, old, T0), TOKEN_OK);
	assert_int_equal(agree_with(&both, old, T0), TOKEN_OK);

	/* No case above was served from the cache. */
	assert_int_equal(cache.hits, 0);
	assert_int_equal(agree_with(&both, old, T0 + 1), TOKEN_OK);
	assert_int_equal(cache.hits, 1);

	token_keyset_free(&both);
	token_keyset_free(&only_cur);
	token_keyset_free(&kid_moved);
	token_keyset_free(&kid_renamed);
	token_keyset_free(&swapped);
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
		cmocka_unit_test_setup_teardown(tokencache_two_keys,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(tokencache_key_set_change,
		    setup, teardown),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
