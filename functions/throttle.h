/*
 * Login throttling shared by every Kore worker.  Failed logins are counted
 * per username and per client address in one fixed table.  The table lives
 * in a MAP_SHARED anonymous mapping that throttle_init() creates in the
 * parent before the workers fork, under a process-shared robust mutex.
 *
 * Keys are stored as HMAC-SHA256 digests truncated to THROTTLE_DIGEST_LEN
 * bytes, under a random key made at init, so the table contains no
 * username or address.
 *
 * Memory is bounded: each kind of key has a fixed number of slots and the
 * table never grows.  A key may sit in THROTTLE_PROBE slots from its hash.
 * When all of them are taken by live entries, the entry least worth
 * keeping is evicted: an unlocked one before a locked one, then the one
 * with the oldest last failure.  The trade-off is that a flood of distinct
 * usernames sent from many addresses can evict real usernames' counts
 * (each address is itself limited by addr_limit, and the two kinds have
 * separate slots, so the flood cannot evict addresses).  Entries that are
 * locked now are the last to go, so a flood evicts a locked username only
 * when every slot of its probe is locked too.
 */
#ifndef THROTTLE_H
#define THROTTLE_H

#include <sys/types.h>

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "hmac.h"

/*
 * The policy the unit tests start from.  The service reads its own from
 * the THROTTLE_ variables (config.c), whose default window is 3600 s so
 * that a count outlives the longest lock.
 */
#define THROTTLE_USER_LIMIT_DEFAULT	5
#define THROTTLE_ADDR_LIMIT_DEFAULT	20
#define THROTTLE_DELAY_DEFAULT		30	/* seconds */
#define THROTTLE_DELAY_MAX_DEFAULT	900	/* seconds */
#define THROTTLE_WINDOW_DEFAULT		900	/* seconds */
#define THROTTLE_SLOTS_DEFAULT		16384	/* per kind of key */

#define THROTTLE_SECONDS_MAX		INT32_MAX	/* any policy time */
#define THROTTLE_SLOTS_MIN		THROTTLE_PROBE
#define THROTTLE_SLOTS_MAX		(1 << 24)
#define THROTTLE_DIGEST_LEN		16
#define THROTTLE_PROBE			8	/* slots a key may sit in */

#define THROTTLE_USER			0
#define THROTTLE_ADDR			1
#define THROTTLE_KINDS			2

/*
 * A key is throttled once it has limit failures.  Its lock then lasts
 * min(delay * 2^(failures - limit), delay_max) seconds from its last
 * failure, so each further failure doubles it up to the cap.  A key's
 * count is forgotten window seconds after its last failure, or when its
 * lock ends if that is later.  So when window <= delay_max, a key whose
 * lock reached delay_max starts again from 0 failures once that lock
 * ends, and a window longer than delay_max keeps it at the cap.  A limit
 * of 0 turns that kind off.  The caller validates the fields: delay,
 * delay_max and window are 1 to THROTTLE_SECONDS_MAX and delay <=
 * delay_max (throttle_init() rejects other values).
 */
struct throttle_policy {
	unsigned int	user_limit;	/* failures per username */
	unsigned int	addr_limit;	/* failures per client address */
	time_t		delay;		/* first lock, seconds */
	time_t		delay_max;	/* longest lock, seconds */
	time_t		window;		/* seconds */
};

/* One key's failures.  A slot is free when fails is 0. */
struct throttle_entry {
	uint8_t		digest[THROTTLE_DIGEST_LEN];
	time_t		last;		/* time of the last failure */
	time_t		until;		/* locked while now < until */
	uint32_t	fails;		/* stops at UINT32_MAX */
};

/*
 * The shared mapping.  entries contains the slots of THROTTLE_USER, then
 * those of THROTTLE_ADDR.  The layout is public for tests only.
 */
struct throttle_shared {
	pthread_mutex_t		lock;
	size_t			used[THROTTLE_KINDS];
	unsigned long		evictions[THROTTLE_KINDS];
	struct throttle_entry	entries[];
};

/*
 * A process's handle.  Every worker has a copy made by fork(), and the
 * HMAC key stays in process memory, outside the shared mapping.
 */
struct throttle {
	struct hmac_key		key;
	struct throttle_policy	policy;
	struct throttle_shared	*shared;
	size_t			slots;		/* per kind */
	size_t			map_len;	/* bytes mapped */
	pid_t			owner;		/* process that ran init */
};

/* Table usage, for metrics. */
struct throttle_stats {
	size_t		slots;		/* per kind, fixed at init */
	size_t		map_len;	/* bytes of shared memory, fixed */
	size_t		used[THROTTLE_KINDS];
	unsigned long	evictions[THROTTLE_KINDS];
};

/*
 * Maps the table with slots entries per kind (THROTTLE_SLOTS_MIN to
 * THROTTLE_SLOTS_MAX) and makes the HMAC key.  Call it in the Kore parent
 * process (kore_parent_configure) so that the workers inherit the mapping.
 * Returns 0, or -1 when the policy or the slot count is invalid or when
 * mmap, the mutex or the random key fails.  After -1, t needs no
 * throttle_free().
 */
int	throttle_init(struct throttle *t, const struct throttle_policy *policy,
	    size_t slots);

/*
 * Unmaps the table and wipes the key.  The process that ran
 * throttle_init() also destroys the mutex, so it must call this after the
 * workers have exited.  In another process it only drops that process's
 * view.
 */
void	throttle_free(struct throttle *t);

/*
 * Checks whether a login for user from addr is throttled at now.  Either
 * key may be NULL to check only the other.  Returns 1 when throttled and
 * stores the seconds to wait in *retry_after: the larger of the two keys'
 * waits, at least 1.  Returns 0 when not throttled, with *retry_after 0.
 * Returns -1 when the lock failed, which the caller should treat as
 * throttled.
 */
int	throttle_check(struct throttle *t, const char *user, size_t user_len,
	    const char *addr, size_t addr_len, time_t now, time_t *retry_after);

/*
 * Counts one failed login against user and against addr (either may be
 * NULL) at now.  Returns 0, or -1 when the lock failed.
 */
int	throttle_failure(struct throttle *t, const char *user, size_t user_len,
	    const char *addr, size_t addr_len, time_t now);

/*
 * Checks a login attempt and, unless it is throttled, counts it as a
 * failure of user and of addr under the same lock.  So attempts running
 * at the same time cannot all pass the check before any of them fails.
 * Returns what throttle_check() returns.  Call
 * throttle_attempt_succeeded() when the attempt turns out right.
 */
int	throttle_attempt(struct throttle *t, const char *user, size_t user_len,
	    const char *addr, size_t addr_len, time_t now, time_t *retry_after);

/*
 * Takes back the failure throttle_attempt() counted for a login that
 * succeeded: user's count is forgotten, as throttle_success() does, and
 * addr's goes down by one, with its lock shortened to match.  Returns 0,
 * or -1 when the lock failed.
 */
int	throttle_attempt_succeeded(struct throttle *t, const char *user,
	    size_t user_len, const char *addr, size_t addr_len);

/*
 * Forgets user's failures after a successful login.  The address keeps
 * its count.  Returns 0, or -1 when the lock failed.
 */
int	throttle_success(struct throttle *t, const char *user,
	    size_t user_len);

/*
 * Copies the table's usage into *stats.  used counts occupied slots,
 * including expired entries not yet reused.  Returns 0, or -1 when the
 * lock failed.
 */
int	throttle_stats(struct throttle *t, struct throttle_stats *stats);

#endif
