/*
 * Kore workers run under seccomp (Kore 4.1.0, src/seccomp.c).  Only the
 * parent calls mmap(), before seccomp starts.  In a worker the lock needs
 * futex, which the filter allows, and throttle_free() needs munmap, which
 * it allows too.  The child side of glibc's fork() calls set_robust_list
 * (glibc 2.34 and later, sysdeps/nptl/_Fork.c), so a worker's robust list
 * is registered before Kore installs the filter.
 */
#include <sys/types.h>
#include <sys/mman.h>

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "throttle.h"

#define THROTTLE_SECRET_LEN	32

static int	throttle_policy_valid(const struct throttle_policy *);
static int	throttle_mutex_init(pthread_mutex_t *);
static int	throttle_lock(struct throttle *);
static void	throttle_unlock(struct throttle *);
static void	throttle_recount(struct throttle *);
static void	throttle_digest(const struct throttle *, const char *, size_t,
		    uint8_t *);
static unsigned int	throttle_limit(const struct throttle_policy *, int);
static int	throttle_expired(const struct throttle_policy *,
		    const struct throttle_entry *, time_t);
static int	throttle_less_worth(const struct throttle_entry *,
		    const struct throttle_entry *, time_t);
static time_t	throttle_lock_seconds(const struct throttle_policy *,
		    unsigned int, uint32_t);
static struct throttle_entry	*throttle_slot(struct throttle *, int,
				    const uint8_t *, size_t);
static struct throttle_entry	*throttle_find(struct throttle *, int,
				    const uint8_t *);
static struct throttle_entry	*throttle_claim(struct throttle *, int,
				    const uint8_t *, time_t);
static void	throttle_count(struct throttle *, int, const uint8_t *,
		    time_t);
static int	throttle_gate(struct throttle *, const char *, size_t,
		    const char *, size_t, time_t, time_t *, int);
static time_t	throttle_wait(struct throttle *, int, const uint8_t *,
		    time_t);

int
throttle_init(struct throttle *t, const struct throttle_policy *policy,
    size_t slots)
{
	uint8_t		secret[THROTTLE_SECRET_LEN];
	void		*map;
	size_t		len;
	int		ret;

	ret = -1;
	map = MAP_FAILED;
	memset(t, 0, sizeof(*t));

	if (!throttle_policy_valid(policy))
		return (-1);
	if (slots < THROTTLE_SLOTS_MIN || slots > THROTTLE_SLOTS_MAX)
		return (-1);

	/* MAP_ANONYMOUS memory starts zeroed: every slot is free. */
	len = sizeof(struct throttle_shared) +
	    THROTTLE_KINDS * slots * sizeof(struct throttle_entry);
	map = mmap(NULL, len, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (map == MAP_FAILED)
		goto cleanup;
	if (throttle_mutex_init(&((struct throttle_shared *)map)->lock) == -1)
		goto cleanup;

	if (RAND_bytes(secret, sizeof(secret)) != 1)
		goto cleanup;
	if (hmac_key_init(&t->key, secret, sizeof(secret)) == -1)
		goto cleanup;

	t->policy = *policy;
	t->shared = map;
	t->slots = slots;
	t->map_len = len;
	t->owner = getpid();
	ret = 0;

cleanup:
	OPENSSL_cleanse(secret, sizeof(secret));
	if (ret == -1) {
		if (map != MAP_FAILED)
			(void)munmap(map, len);
		OPENSSL_cleanse(t, sizeof(*t));
	}
	return (ret);
}

void
throttle_free(struct throttle *t)
{
	if (t->shared == NULL)
		return;

	if (t->owner == getpid())
		(void)pthread_mutex_destroy(&t->shared->lock);
	(void)munmap(t->shared, t->map_len);
	hmac_key_clear(&t->key);
	OPENSSL_cleanse(t, sizeof(*t));
}

int
throttle_check(struct throttle *t, const char *user, size_t user_len,
    const char *addr, size_t addr_len, time_t now, time_t *retry_after)
{
	return (throttle_gate(t, user, user_len, addr, addr_len, now,
	    retry_after, 0));
}

int
throttle_failure(struct throttle *t, const char *user, size_t user_len,
    const char *addr, size_t addr_len, time_t now)
{
	uint8_t		udigest[THROTTLE_DIGEST_LEN];
	uint8_t		adigest[THROTTLE_DIGEST_LEN];
	int		has_user, has_addr;

	has_user = user != NULL && t->policy.user_limit > 0;
	has_addr = addr != NULL && t->policy.addr_limit > 0;
	if (!has_user && !has_addr)
		return (0);

	if (has_user)
		throttle_digest(t, user, user_len, udigest);
	if (has_addr)
		throttle_digest(t, addr, addr_len, adigest);

	if (throttle_lock(t) == -1)
		return (-1);
	if (has_user)
		throttle_count(t, THROTTLE_USER, udigest, now);
	if (has_addr)
		throttle_count(t, THROTTLE_ADDR, adigest, now);
	throttle_unlock(t);

	return (0);
}

int
throttle_attempt(struct throttle *t, const char *user, size_t user_len,
    const char *addr, size_t addr_len, time_t now, time_t *retry_after)
{
	/* The check and the count under one lock: no attempt slips past. */
	return (throttle_gate(t, user, user_len, addr, addr_len, now,
	    retry_after, 1));
}

int
throttle_attempt_succeeded(struct throttle *t, const char *user,
    size_t user_len, const char *addr, size_t addr_len)
{
	struct throttle_entry	*e;
	uint8_t			digest[THROTTLE_DIGEST_LEN];
	unsigned int		limit;

	if (throttle_success(t, user, user_len) == -1)
		return (-1);
	if (addr == NULL || t->policy.addr_limit == 0)
		return (0);

	throttle_digest(t, addr, addr_len, digest);

	if (throttle_lock(t) == -1)
		return (-1);
	if ((e = throttle_find(t, THROTTLE_ADDR, digest)) != NULL) {
		limit = t->policy.addr_limit;
		if (--e->fails == 0) {
			memset(e, 0, sizeof(*e));
			t->shared->used[THROTTLE_ADDR]--;
		} else if (e->fails < limit) {
			e->until = 0;
		} else {
			e->until = e->last +
			    throttle_lock_seconds(&t->policy, limit, e->fails);
		}
	}
	throttle_unlock(t);

	return (0);
}

int
throttle_success(struct throttle *t, const char *user, size_t user_len)
{
	struct throttle_entry	*e;
	uint8_t			digest[THROTTLE_DIGEST_LEN];

	if (user == NULL || t->policy.user_limit == 0)
		return (0);

	throttle_digest(t, user, user_len, digest);

	if (throttle_lock(t) == -1)
		return (-1);
	if ((e = throttle_find(t, THROTTLE_USER, digest)) != NULL) {
		memset(e, 0, sizeof(*e));
		t->shared->used[THROTTLE_USER]--;
	}
	throttle_unlock(t);

	return (0);
}

int
throttle_stats(struct throttle *t, struct throttle_stats *stats)
{
	int	kind;

	memset(stats, 0, sizeof(*stats));
	stats->slots = t->slots;
	stats->map_len = t->map_len;

	if (throttle_lock(t) == -1)
		return (-1);
	for (kind = 0; kind < THROTTLE_KINDS; kind++) {
		stats->used[kind] = t->shared->used[kind];
		stats->evictions[kind] = t->shared->evictions[kind];
	}
	throttle_unlock(t);

	return (0);
}

static int
throttle_policy_valid(const struct throttle_policy *policy)
{
	if (policy->delay < 1 || policy->delay > THROTTLE_SECONDS_MAX)
		return (0);
	if (policy->delay_max < policy->delay ||
	    policy->delay_max > THROTTLE_SECONDS_MAX)
		return (0);
	if (policy->window < 1 || policy->window > THROTTLE_SECONDS_MAX)
		return (0);

	return (1);
}

static int
throttle_mutex_init(pthread_mutex_t *lock)
{
	pthread_mutexattr_t	attr;
	int			ret;

	if (pthread_mutexattr_init(&attr) != 0)
		return (-1);

	ret = -1;
	if (pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED) != 0)
		goto cleanup;
	if (pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST) != 0)
		goto cleanup;
	if (pthread_mutex_init(lock, &attr) != 0)
		goto cleanup;
	ret = 0;

cleanup:
	(void)pthread_mutexattr_destroy(&attr);
	return (ret);
}

/*
 * Takes the table's lock.  When its last owner died while holding it (a
 * worker killed inside a critical section), one entry may be half
 * written.  That is harmless because every field is valid on its own, but
 * the used counts are rebuilt before the lock is marked consistent again.
 */
static int
throttle_lock(struct throttle *t)
{
	int	rc;

	rc = pthread_mutex_lock(&t->shared->lock);
	if (rc == EOWNERDEAD) {
		throttle_recount(t);
		if (pthread_mutex_consistent(&t->shared->lock) != 0) {
			throttle_unlock(t);
			return (-1);
		}
		return (0);
	}

	return (rc == 0 ? 0 : -1);
}

static void
throttle_unlock(struct throttle *t)
{
	(void)pthread_mutex_unlock(&t->shared->lock);
}

static void
throttle_recount(struct throttle *t)
{
	struct throttle_entry	*e;
	size_t			i;
	int			kind;

	for (kind = 0; kind < THROTTLE_KINDS; kind++) {
		e = &t->shared->entries[kind * t->slots];
		t->shared->used[kind] = 0;
		for (i = 0; i < t->slots; i++) {
			if (e[i].fails > 0)
				t->shared->used[kind]++;
		}
	}
}

static void
throttle_digest(const struct throttle *t, const char *key, size_t len,
    uint8_t *digest)
{
	uint8_t		mac[HMAC_SHA256_LEN];

	hmac_sha256(&t->key, key, len, mac);
	memcpy(digest, mac, THROTTLE_DIGEST_LEN);
	OPENSSL_cleanse(mac, sizeof(mac));
}

static unsigned int
throttle_limit(const struct throttle_policy *policy, int kind)
{
	return (kind == THROTTLE_USER ? policy->user_limit :
	    policy->addr_limit);
}

/* An entry is forgotten window seconds after its last failure, or when
 * its lock ends if that is later.  A clock that stepped back keeps it. */
static int
throttle_expired(const struct throttle_policy *policy,
    const struct throttle_entry *e, time_t now)
{
	if (now < e->until || now < e->last)
		return (0);

	return (now - e->last >= policy->window);
}

/* Returns 1 when a is less worth keeping than b: unlocked before locked,
 * then the older last failure. */
static int
throttle_less_worth(const struct throttle_entry *a,
    const struct throttle_entry *b, time_t now)
{
	int	a_locked, b_locked;

	a_locked = now < a->until;
	b_locked = now < b->until;
	if (a_locked != b_locked)
		return (!a_locked);

	return (a->last < b->last);
}

/*
 * Returns min(delay * 2^(fails - limit), delay_max) for fails >= limit.
 * delay_max >> n is the largest delay that doubles n times without
 * passing the cap, so the shift never overflows.
 */
static time_t
throttle_lock_seconds(const struct throttle_policy *policy,
    unsigned int limit, uint32_t fails)
{
	uint32_t	n;

	n = fails - limit;
	if (n >= 31 || policy->delay > (policy->delay_max >> n))
		return (policy->delay_max);

	return (policy->delay << n);
}

/* Returns the i-th slot of digest's probe in the slots of kind. */
static struct throttle_entry *
throttle_slot(struct throttle *t, int kind, const uint8_t *digest,
    size_t i)
{
	uint64_t	h;

	memcpy(&h, digest, sizeof(h));
	return (&t->shared->entries[kind * t->slots + (h % t->slots + i) %
	    t->slots]);
}

/* Every slot of the probe is read, so freeing a slot needs no marker. */
static struct throttle_entry *
throttle_find(struct throttle *t, int kind, const uint8_t *digest)
{
	struct throttle_entry	*e;
	size_t			i;

	for (i = 0; i < THROTTLE_PROBE; i++) {
		e = throttle_slot(t, kind, digest, i);
		if (e->fails > 0 &&
		    memcmp(e->digest, digest, THROTTLE_DIGEST_LEN) == 0)
			return (e);
	}

	return (NULL);
}

/*
 * Takes a slot for a key that has none: the first free or expired slot of
 * its probe, otherwise the live entry least worth keeping, which is
 * evicted.  Returns the slot, emptied, with digest stored in it.
 */
static struct throttle_entry *
throttle_claim(struct throttle *t, int kind, const uint8_t *digest,
    time_t now)
{
	struct throttle_entry	*e, *victim;
	size_t			i;

	victim = NULL;
	for (i = 0; i < THROTTLE_PROBE; i++) {
		e = throttle_slot(t, kind, digest, i);
		if (e->fails == 0) {
			t->shared->used[kind]++;
			victim = e;
			break;
		}
		if (throttle_expired(&t->policy, e, now)) {
			victim = e;
			break;
		}
		if (victim == NULL || throttle_less_worth(e, victim, now))
			victim = e;
	}
	if (i == THROTTLE_PROBE)
		t->shared->evictions[kind]++;

	memset(victim, 0, sizeof(*victim));
	memcpy(victim->digest, digest, THROTTLE_DIGEST_LEN);
	return (victim);
}

static void
throttle_count(struct throttle *t, int kind, const uint8_t *digest,
    time_t now)
{
	struct throttle_entry	*e;
	unsigned int		limit;
	time_t			lock;

	if ((e = throttle_find(t, kind, digest)) == NULL)
		e = throttle_claim(t, kind, digest, now);
	else if (throttle_expired(&t->policy, e, now))
		e->fails = 0;

	if (e->fails < UINT32_MAX)
		e->fails++;
	e->last = now;

	limit = throttle_limit(&t->policy, kind);
	if (e->fails >= limit) {
		lock = throttle_lock_seconds(&t->policy, limit, e->fails);
		e->until = now + lock;
	}
}

/* Returns the seconds digest's key stays locked after now, or 0. */
static time_t
throttle_wait(struct throttle *t, int kind, const uint8_t *digest,
    time_t now)
{
	struct throttle_entry	*e;

	if ((e = throttle_find(t, kind, digest)) == NULL || now >= e->until)
		return (0);

	return (e->until - now);
}

/*
 * Checks whether a login for user from addr is throttled at now, as
 * throttle_check() describes, and when count is set and it is not, counts
 * the attempt as a failure of both keys under the same lock.
 */
static int
throttle_gate(struct throttle *t, const char *user, size_t user_len,
    const char *addr, size_t addr_len, time_t now, time_t *retry_after,
    int count)
{
	uint8_t		udigest[THROTTLE_DIGEST_LEN];
	uint8_t		adigest[THROTTLE_DIGEST_LEN];
	time_t		wait, w;
	int		has_user, has_addr;

	*retry_after = 0;
	has_user = user != NULL && t->policy.user_limit > 0;
	has_addr = addr != NULL && t->policy.addr_limit > 0;
	if (!has_user && !has_addr)
		return (0);

	/* Hash before taking the lock, to keep the critical section short. */
	if (has_user)
		throttle_digest(t, user, user_len, udigest);
	if (has_addr)
		throttle_digest(t, addr, addr_len, adigest);

	if (throttle_lock(t) == -1)
		return (-1);
	wait = 0;
	if (has_user)
		wait = throttle_wait(t, THROTTLE_USER, udigest, now);
	if (has_addr) {
		w = throttle_wait(t, THROTTLE_ADDR, adigest, now);
		if (w > wait)
			wait = w;
	}
	if (count && wait <= 0) {
		if (has_user)
			throttle_count(t, THROTTLE_USER, udigest, now);
		if (has_addr)
			throttle_count(t, THROTTLE_ADDR, adigest, now);
	}
	throttle_unlock(t);

	if (wait <= 0)
		return (0);

	/* A clock that stepped back must not stretch a lock past the cap. */
	if (wait > t->policy.delay_max)
		wait = t->policy.delay_max;
	*retry_after = wait;
	return (1);
}
