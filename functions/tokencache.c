#include <string.h>

#include <openssl/crypto.h>

#include "tokencache.h"

static int	tokencache_times(const struct token_policy *,
		    const struct tokencache_entry *, time_t);
static int	tokencache_key_held(const struct token_keyset *,
		    const struct tokencache_entry *);
static void	tokencache_store(struct tokencache_entry *,
		    const struct token_keyset *, const struct token_verified *,
		    const char *, size_t, int);

/*
 * Picks the slot from the last characters of the signature.  A client can
 * aim many tokens at one slot, but that only evicts entries: a hit still
 * needs the whole token to match.
 */
static size_t
tokencache_slot(const char *token, size_t len)
{
	size_t		h, i;

	h = 0;
	for (i = len > 8 ? len - 8 : 0; i < len; i++)
		h = h * 31 + (unsigned char)token[i];

	return (h % TOKENCACHE_SLOTS);
}

int
tokencache_verify(struct tokencache *cache, const struct token_keyset *set,
    const struct token_policy *policy, const char *token, size_t len,
    time_t now, const char *perm, int *has_perm, const char **sub,
    size_t *sub_len)
{
	struct tokencache_entry	*e;
	struct token_verified	v;
	int			ret;

	*has_perm = 0;
	e = NULL;
	if (len > 0 && len <= TOKENCACHE_TOKEN_MAX)
		e = &cache->slots[tokencache_slot(token, len)];

	/* Constant time: the cached token is valid, so it is a secret. */
	if (e != NULL && e->len == len &&
	    CRYPTO_memcmp(e->token, token, len) == 0 &&
	    tokencache_key_held(set, e)) {
		cache->hits++;
		if ((ret = tokencache_times(policy, e, now)) != TOKEN_OK) {
			e->len = 0;
			return (ret);
		}
		*has_perm = e->perm;
		*sub = e->sub;
		*sub_len = e->sub_len;
		return (TOKEN_OK);
	}

	cache->misses++;
	if ((ret = token_verify(set, policy, token, len, now, &v)) != TOKEN_OK) {
		/* The same token may sit in the slot under a key now gone. */
		if (e != NULL && e->len == len &&
		    CRYPTO_memcmp(e->token, token, len) == 0)
			e->len = 0;
		return (ret);
	}

	*has_perm = token_has_perm(&v, perm);
	if (e != NULL && v.sub_len <= TOKENCACHE_SUB_MAX) {
		tokencache_store(e, set, &v, token, len, *has_perm);
		*sub = e->sub;
		*sub_len = e->sub_len;
	} else {
		memcpy(cache->sub, v.sub, v.sub_len);
		cache->sub[v.sub_len] = '\0';
		*sub = cache->sub;
		*sub_len = v.sub_len;
	}

	return (TOKEN_OK);
}

void
tokencache_clear(struct tokencache *cache)
{
	OPENSSL_cleanse(cache, sizeof(*cache));
}

/* The time checks of token_verify(), in its order and with its rules. */
static int
tokencache_times(const struct token_policy *policy,
    const struct tokencache_entry *e, time_t now)
{
	double		t;

	t = (double)now;
	if (t >= e->exp + (double)policy->leeway)
		return (TOKEN_ERR_EXPIRED);
	if (e->nbf > t + (double)policy->leeway)
		return (TOKEN_ERR_NOT_YET_VALID);
	if (e->iat > t + (double)policy->leeway)
		return (TOKEN_ERR_ISSUED_IN_FUTURE);

	return (TOKEN_OK);
}

/*
 * Returns 1 when set contains the key that verified the entry's token, at the
 * same index, with the same kid and the same id (so the same secret).
 */
static int
tokencache_key_held(const struct token_keyset *set,
    const struct tokencache_entry *e)
{
	const struct token_key	*key;

	if (e->key_index >= set->nkeys)
		return (0);

	key = &set->keys[e->key_index];
	return (key->kid_len == e->kid_len &&
	    memcmp(key->kid, e->kid, e->kid_len) == 0 &&
	    CRYPTO_memcmp(key->id, e->key_id, sizeof(e->key_id)) == 0);
}

static void
tokencache_store(struct tokencache_entry *e, const struct token_keyset *set,
    const struct token_verified *v, const char *token, size_t len, int perm)
{
	const struct token_key		*key;
	const struct jsonobj_member	*m;

	key = &set->keys[v->key_index];
	e->key_index = v->key_index;
	memcpy(e->key_id, key->id, sizeof(e->key_id));
	memcpy(e->kid, key->kid, key->kid_len + 1);
	e->kid_len = key->kid_len;

	e->exp = jsonobj_get(&v->payload, "exp")->value.num;
	e->iat = jsonobj_get(&v->payload, "iat")->value.num;
	m = jsonobj_get(&v->payload, "nbf");
	e->nbf = m != NULL ? m->value.num : 0;

	memcpy(e->sub, v->sub, v->sub_len);
	e->sub[v->sub_len] = '\0';
	e->sub_len = v->sub_len;
	e->perm = perm;

	memcpy(e->token, token, len);
	e->len = len;
}
