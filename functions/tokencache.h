/*
 * A bounded cache of verified tokens, one per Kore worker, so a client
 * that sends the same token again costs a comparison instead of an HMAC.
 */
#ifndef TOKENCACHE_H
#define TOKENCACHE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "token.h"

#define TOKENCACHE_SLOTS	1024	/* direct-mapped */
#define TOKENCACHE_TOKEN_MAX	512	/* longer tokens are not cached */
#define TOKENCACHE_SUB_MAX	128	/* nor tokens with a longer sub */

/*
 * A verified token and what a later request with it needs: its time
 * claims, checked again on every hit, the results of the checks that do
 * not depend on time, and the key that verified it.  A hit requires that
 * key, with the same id and kid, at the same place in the key set.
 */
struct tokencache_entry {
	size_t		len;		/* 0: slot empty */
	char		token[TOKENCACHE_TOKEN_MAX];
	size_t		key_index;
	uint8_t		key_id[TOKEN_KEY_ID_LEN];
	char		kid[TOKEN_KID_MAX + 1];
	size_t		kid_len;
	double		exp;
	double		iat;
	double		nbf;		/* 0 when the token has none */
	char		sub[TOKENCACHE_SUB_MAX + 1];
	size_t		sub_len;
	int		perm;		/* holds the perm named at lookup */
};

struct tokencache {
	struct tokencache_entry	slots[TOKENCACHE_SLOTS];
	char			sub[TOKEN_LEN_MAX + 1];	/* of an uncached token */
	unsigned long		hits;
	unsigned long		misses;
};

/*
 * Verifies a token as token_verify() does and reports in *has_perm whether
 * its perms hold perm.  A token verified before is found in the cache;
 * only the time checks run again, in token_verify()'s order, so the result
 * is the one full verification would give.  The policy and perm must be
 * the same on every call.  The key set may change, because an entry is
 * used only while set has its key, with the same kid, at the same index.
 * Otherwise the token is verified in full and its entry replaced or
 * dropped.  On TOKEN_OK, *sub and *sub_len name the
 * subject, valid until the next call.
 */
int	tokencache_verify(struct tokencache *cache,
	    const struct token_keyset *set, const struct token_policy *policy,
	    const char *token, size_t len, time_t now, const char *perm,
	    int *has_perm, const char **sub, size_t *sub_len);

/* Empties the cache. */
void	tokencache_clear(struct tokencache *cache);

#endif
