/*
 * Unit tests for throttle.c.  Every expected wait is worked out by hand
 * from the policy in the test, with the rule from throttle.h: a key with
 * limit or more failures is locked for min(delay * 2^(failures - limit),
 * delay_max) seconds from its last failure.  Children made with fork()
 * report through their exit status, never through cmocka.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "throttle.h"

#define T0		1700000000L
#define SLOTS		16384
#define FLOOD		1000000
#define CHILDREN	4
#define CHILD_FAILS	5000

static struct throttle	t;

/* Children still running, killed by teardown() when a test fails. */
static pid_t		children[CHILDREN + 1];
static int		nchildren;

static const struct throttle_policy	defaults = {
	THROTTLE_USER_LIMIT_DEFAULT, THROTTLE_ADDR_LIMIT_DEFAULT,
	THROTTLE_DELAY_DEFAULT, THROTTLE_DELAY_MAX_DEFAULT,
	THROTTLE_WINDOW_DEFAULT
};

static int
teardown(void **state)
{
	int	i;

	(void)state;

	for (i = 0; i < nchildren; i++) {
		if (children[i] > 0 && kill(children[i], SIGKILL) == 0)
			(void)waitpid(children[i], NULL, 0);
	}
	nchildren = 0;
	alarm(0);

	throttle_free(&t);
	return (0);
}

/* Forks a child and records it for teardown().  Returns fork()'s result. */
static pid_t
spawn(void)
{
	pid_t	pid;

	assert_true(nchildren < CHILDREN + 1);
	pid = fork();
	assert_true(pid != -1);
	if (pid > 0)
		children[nchildren++] = pid;
	return (pid);
}

/* Waits for a child that spawn() made and drops it from children[]. */
static void
reap(pid_t pid, int *status)
{
	int	i;

	assert_int_equal(waitpid(pid, status, 0), pid);
	for (i = 0; i < nchildren; i++) {
		if (children[i] == pid)
			children[i] = 0;
	}
}

static void
start(const struct throttle_policy *policy, size_t slots)
{
	assert_int_equal(throttle_init(&t, policy, slots), 0);
}

/* Counts n failures of user (may be NULL) from addr (may be NULL). */
static void
record(const char *user, const char *addr, int n, time_t now)
{
	int	i;

	for (i = 0; i < n; i++) {
		assert_int_equal(throttle_failure(&t, user,
		    user == NULL ? 0 : strlen(user), addr,
		    addr == NULL ? 0 : strlen(addr), now), 0);
	}
}

/* Returns the wait throttle_check() reports, 0 when not throttled. */
static time_t
wait_for(const char *user, const char *addr, time_t now)
{
	time_t	retry;
	int	rc;

	retry = -1;
	rc = throttle_check(&t, user, user == NULL ? 0 : strlen(user), addr,
	    addr == NULL ? 0 : strlen(addr), now, &retry);
	assert_in_range(rc, 0, 1);
	if (rc == 0)
		assert_int_equal(retry, 0);
	else
		assert_true(retry >= 1);

	return (retry);
}

static void
succeed(const char *user)
{
	assert_int_equal(throttle_success(&t, user, strlen(user)), 0);
}

static void
stats(struct throttle_stats *s)
{
	assert_int_equal(throttle_stats(&t, s), 0);
}

/* Returns 1 when the len bytes at map contain the string s. */
static int
contains(const void *map, size_t len, const char *s)
{
	const uint8_t	*p = map;
	size_t		i, n;

	n = strlen(s);
	for (i = 0; i + n <= len; i++) {
		if (memcmp(p + i, s, n) == 0)
			return (1);
	}

	return (0);
}

/* Writes the i-th address of 10.0.0.0/8 into buf. */
static const char *
addr_n(char *buf, size_t len, unsigned int i)
{
	snprintf(buf, len, "10.%u.%u.%u", (i >> 16) & 0xff, (i >> 8) & 0xff,
	    i & 0xff);
	return (buf);
}

/* Defaults: 5 failures lock a username for 30 seconds. */
static void
test_user_limit(void **state)
{
	char	addr[32];
	int	i;

	(void)state;
	start(&defaults, SLOTS);

	/* Each failure from its own address, so no address gets locked. */
	for (i = 0; i < 4; i++)
		record("alice", addr_n(addr, sizeof(addr), i), 1, T0);
	assert_int_equal(wait_for("alice", NULL, T0), 0);

	record("alice", addr_n(addr, sizeof(addr), 4), 1, T0 + 1);
	assert_int_equal(wait_for("alice", NULL, T0 + 1), 30);
	assert_int_equal(wait_for("alice", "192.0.2.1", T0 + 10), 21);
	assert_int_equal(wait_for("alice", NULL, T0 + 30), 1);
	assert_int_equal(wait_for("alice", NULL, T0 + 31), 0);
	assert_int_equal(wait_for("bob", NULL, T0 + 1), 0);
}

/* Defaults: 20 failures lock an address, whatever the usernames. */
static void
test_addr_limit(void **state)
{
	char	user[32];
	int	i;

	(void)state;
	start(&defaults, SLOTS);

	for (i = 0; i < 19; i++) {
		snprintf(user, sizeof(user), "user%d", i);
		record(user, "192.0.2.1", 1, T0);
	}
	assert_int_equal(wait_for("new", "192.0.2.1", T0), 0);

	record("user19", "192.0.2.1", 1, T0 + 2);
	assert_int_equal(wait_for("new", "192.0.2.1", T0 + 2), 30);
	assert_int_equal(wait_for(NULL, "192.0.2.1", T0 + 12), 20);
	assert_int_equal(wait_for("new", "192.0.2.2", T0 + 2), 0);
	assert_int_equal(wait_for("new", "::1", T0 + 2), 0);
	assert_int_equal(wait_for(NULL, "192.0.2.1", T0 + 32), 0);
}

/*
 * limit 3, delay 10, cap 45.  Failures 3, 4, 5, 6 and 7 lock for 10, 20,
 * 40, min(80, 45) = 45 and 45 seconds from that failure.
 */
static void
test_doubling_and_cap(void **state)
{
	struct throttle_policy	p = { 3, 0, 10, 45, 900 };

	(void)state;
	start(&p, SLOTS);

	record("alice", NULL, 2, T0);
	assert_int_equal(wait_for("alice", NULL, T0), 0);
	record("alice", NULL, 1, T0 + 2);
	assert_int_equal(wait_for("alice", NULL, T0 + 2), 10);
	assert_int_equal(wait_for("alice", NULL, T0 + 5), 7);

	record("alice", NULL, 1, T0 + 6);
	assert_int_equal(wait_for("alice", NULL, T0 + 6), 20);
	record("alice", NULL, 1, T0 + 7);
	assert_int_equal(wait_for("alice", NULL, T0 + 7), 40);
	record("alice", NULL, 1, T0 + 8);
	assert_int_equal(wait_for("alice", NULL, T0 + 8), 45);
	record("alice", NULL, 1, T0 + 9);
	assert_int_equal(wait_for("alice", NULL, T0 + 9), 45);
	assert_int_equal(wait_for("alice", NULL, T0 + 53), 1);
	assert_int_equal(wait_for("alice", NULL, T0 + 54), 0);
}

/* 100 more failures stay at the cap, without overflowing the shift. */
static void
test_cap_after_many_failures(void **state)
{
	struct throttle_policy	p = { 1, 0, 1, THROTTLE_SECONDS_MAX, 900 };

	(void)state;
	start(&p, SLOTS);

	record("alice", NULL, 1, T0);
	assert_int_equal(wait_for("alice", NULL, T0), 1);
	record("alice", NULL, 30, T0);
	assert_int_equal(wait_for("alice", NULL, T0), 1L << 30);
	record("alice", NULL, 100, T0);
	assert_int_equal(wait_for("alice", NULL, T0), THROTTLE_SECONDS_MAX);
}

/* Defaults: a count is forgotten 900 seconds after the last failure. */
static void
test_window_expiry(void **state)
{
	(void)state;
	start(&defaults, SLOTS);

	record("alice", NULL, 4, T0);
	record("alice", NULL, 1, T0 + 899);
	assert_int_equal(wait_for("alice", NULL, T0 + 899), 30);

	record("bob", NULL, 4, T0);
	record("bob", NULL, 1, T0 + 900);
	assert_int_equal(wait_for("bob", NULL, T0 + 900), 0);
	record("bob", NULL, 3, T0 + 900);
	assert_int_equal(wait_for("bob", NULL, T0 + 900), 0);
	record("bob", NULL, 1, T0 + 901);
	assert_int_equal(wait_for("bob", NULL, T0 + 901), 30);
}

/*
 * Defaults, with an attacker failing again as soon as each lock ends.
 * Failures 5 to 10 lock for 30, 60, 120, 240, 480 and min(960, 900) =
 * 900 s.  Because window equals delay_max, the count is forgotten when
 * the capped lock ends, and the next failure counts as the first.
 */
static void
test_cap_lock_then_forgotten(void **state)
{
	const time_t	lock[] = { 30, 60, 120, 240, 480, 900 };
	time_t		now;
	size_t		i;

	(void)state;
	start(&defaults, SLOTS);

	now = T0;
	record("alice", NULL, 4, now);
	for (i = 0; i < sizeof(lock) / sizeof(lock[0]); i++) {
		record("alice", NULL, 1, now);
		assert_int_equal(wait_for("alice", NULL, now), lock[i]);
		now += lock[i];
		assert_int_equal(wait_for("alice", NULL, now), 0);
	}

	/* T0 + 1830: forgotten, so 4 more failures do not lock. */
	assert_int_equal(now, T0 + 1830);
	record("alice", NULL, 4, now);
	assert_int_equal(wait_for("alice", NULL, now), 0);
}

/* The same attacker when window (3600) exceeds delay_max: the count is
 * kept, so every failure after the 10th locks for the capped 900 s. */
static void
test_cap_lock_kept_longer_window(void **state)
{
	struct throttle_policy	p = defaults;

	(void)state;
	p.window = 3600;
	start(&p, SLOTS);

	record("alice", NULL, 10, T0);
	assert_int_equal(wait_for("alice", NULL, T0), 900);
	record("alice", NULL, 1, T0 + 900);
	assert_int_equal(wait_for("alice", NULL, T0 + 900), 900);
	record("alice", NULL, 1, T0 + 1800);
	assert_int_equal(wait_for("alice", NULL, T0 + 1800), 900);
}

/*
 * limit 2, delay 100, window 10: the count survives the window while the
 * lock lasts.  The third failure locks for min(200, 100) = 100 seconds.
 */
static void
test_lock_outlasts_window(void **state)
{
	struct throttle_policy	p = { 2, 0, 100, 100, 10 };

	(void)state;
	start(&p, SLOTS);

	record("alice", NULL, 2, T0);
	assert_int_equal(wait_for("alice", NULL, T0 + 50), 50);

	record("alice", NULL, 1, T0 + 50);
	assert_int_equal(wait_for("alice", NULL, T0 + 50), 100);
	assert_int_equal(wait_for("alice", NULL, T0 + 150), 0);

	/* Lock over and 110 seconds since the last failure: forgotten. */
	record("alice", NULL, 1, T0 + 160);
	assert_int_equal(wait_for("alice", NULL, T0 + 160), 0);
	record("alice", NULL, 1, T0 + 161);
	assert_int_equal(wait_for("alice", NULL, T0 + 161), 100);
}

/* user limit 3, address limit 5, delay 10. */
static void
test_success_resets_user_only(void **state)
{
	struct throttle_policy	p = { 3, 5, 10, 100, 900 };
	struct throttle_stats	s;

	(void)state;
	start(&p, SLOTS);

	record("alice", "192.0.2.1", 2, T0);
	succeed("alice");
	stats(&s);
	assert_int_equal(s.used[THROTTLE_USER], 0);
	assert_int_equal(s.used[THROTTLE_ADDR], 1);

	/* alice starts again from 0: 2 failures do not lock, 3 do. */
	record("alice", "192.0.2.1", 2, T0 + 1);
	assert_int_equal(wait_for("alice", NULL, T0 + 1), 0);

	/* The address kept its 4 failures: one more locks it. */
	assert_int_equal(wait_for("carol", "192.0.2.1", T0 + 1), 0);
	record("bob", "192.0.2.1", 1, T0 + 2);
	assert_int_equal(wait_for("carol", "192.0.2.1", T0 + 2), 10);

	record("alice", NULL, 1, T0 + 3);
	assert_int_equal(wait_for("alice", NULL, T0 + 3), 10);

	/* A username without failures is a no-op. */
	succeed("nobody");
	stats(&s);
	assert_int_equal(s.used[THROTTLE_USER], 2);
}

static void
test_user_limit_zero(void **state)
{
	struct throttle_policy	p = { 0, 3, 10, 100, 900 };
	struct throttle_stats	s;
	char			addr[32];
	int			i;

	(void)state;
	start(&p, SLOTS);

	for (i = 0; i < 100; i++)
		record("alice", addr_n(addr, sizeof(addr), i), 1, T0);
	assert_int_equal(wait_for("alice", NULL, T0), 0);
	assert_int_equal(wait_for("alice", "192.0.2.1", T0), 0);
	succeed("alice");

	stats(&s);
	assert_int_equal(s.used[THROTTLE_USER], 0);
	assert_int_equal(s.used[THROTTLE_ADDR], 100);

	/* The address limit still works. */
	record("bob", "192.0.2.1", 3, T0);
	assert_int_equal(wait_for("alice", "192.0.2.1", T0), 10);
}

static void
test_addr_limit_zero(void **state)
{
	struct throttle_policy	p = { 3, 0, 10, 100, 900 };
	struct throttle_stats	s;
	char			user[32];
	int			i;

	(void)state;
	start(&p, SLOTS);

	for (i = 0; i < 100; i++) {
		snprintf(user, sizeof(user), "user%d", i);
		record(user, "192.0.2.1", 1, T0);
	}
	assert_int_equal(wait_for(NULL, "192.0.2.1", T0), 0);
	assert_int_equal(wait_for("new", "192.0.2.1", T0), 0);

	stats(&s);
	assert_int_equal(s.used[THROTTLE_USER], 100);
	assert_int_equal(s.used[THROTTLE_ADDR], 0);

	record("alice", "192.0.2.1", 3, T0);
	assert_int_equal(wait_for("alice", "192.0.2.1", T0), 10);
}

static void
test_both_limits_zero(void **state)
{
	struct throttle_policy	p = { 0, 0, 10, 100, 900 };
	struct throttle_stats	s;

	(void)state;
	start(&p, SLOTS);

	record("alice", "192.0.2.1", 1000, T0);
	assert_int_equal(wait_for("alice", "192.0.2.1", T0), 0);

	stats(&s);
	assert_int_equal(s.used[THROTTLE_USER], 0);
	assert_int_equal(s.used[THROTTLE_ADDR], 0);
}

/*
 * user limit 2, address limit 3, delay 10.  At T0 + 1 alice has 3
 * failures (locked 20 s, to T0 + 21) and the address 3 (locked 10 s, to
 * T0 + 11).  The wait is the larger of the two.
 */
static void
test_retry_after_larger_key(void **state)
{
	struct throttle_policy	p = { 2, 3, 10, 1000, 900 };

	(void)state;
	start(&p, SLOTS);

	record("alice", "192.0.2.1", 2, T0);
	record("alice", "192.0.2.1", 1, T0 + 1);

	assert_int_equal(wait_for("alice", "192.0.2.1", T0 + 2), 19);
	assert_int_equal(wait_for("alice", NULL, T0 + 2), 19);
	assert_int_equal(wait_for(NULL, "192.0.2.1", T0 + 2), 9);
	assert_int_equal(wait_for("bob", "192.0.2.1", T0 + 2), 9);
	assert_int_equal(wait_for("bob", "192.0.2.2", T0 + 2), 0);
	assert_int_equal(wait_for(NULL, NULL, T0 + 2), 0);
}

/* A clock that steps back must not report a wait beyond the cap. */
static void
test_clock_step_back(void **state)
{
	struct throttle_policy	p = { 1, 0, 10, 40, 900 };

	(void)state;
	start(&p, SLOTS);

	record("alice", NULL, 1, T0);
	assert_int_equal(wait_for("alice", NULL, T0 - 1000), 40);
}

static void
test_invalid_policy(void **state)
{
	struct throttle_policy	p;

	(void)state;

	p = defaults;
	p.delay = 0;
	assert_int_equal(throttle_init(&t, &p, SLOTS), -1);
	assert_null(t.shared);

	p = defaults;
	p.delay_max = p.delay - 1;
	assert_int_equal(throttle_init(&t, &p, SLOTS), -1);

	p = defaults;
	p.window = 0;
	assert_int_equal(throttle_init(&t, &p, SLOTS), -1);

	p = defaults;
	p.delay_max = (time_t)THROTTLE_SECONDS_MAX + 1;
	assert_int_equal(throttle_init(&t, &p, SLOTS), -1);

	assert_int_equal(throttle_init(&t, &defaults, THROTTLE_SLOTS_MIN - 1),
	    -1);
	assert_int_equal(throttle_init(&t, &defaults,
	    (size_t)THROTTLE_SLOTS_MAX + 1), -1);

	/* The bounds themselves are valid. */
	p = defaults;
	p.delay = p.delay_max = p.window = THROTTLE_SECONDS_MAX;
	assert_int_equal(throttle_init(&t, &p, THROTTLE_SLOTS_MIN), 0);
	throttle_free(&t);
}

/* The mapping contains no username or address, only their digests. */
static void
test_no_raw_keys_stored(void **state)
{
	const char	*user = "alice.marker@example.org";
	const char	*addr = "2001:db8::2a";

	(void)state;
	start(&defaults, SLOTS);

	record(user, addr, 3, T0);
	assert_false(contains(t.shared, t.map_len, user));
	assert_false(contains(t.shared, t.map_len, addr));
	assert_false(contains(t.shared, t.map_len, "alice"));

	/* The search itself finds a string that is there. */
	memcpy(t.shared->entries[0].digest, "alice", 5);
	assert_true(contains(t.shared, t.map_len, "alice"));
}

/*
 * With THROTTLE_SLOTS_MIN slots every key shares one probe, so evictions
 * can be counted by hand.  The locked username takes one slot, the first
 * 7 of 100 new usernames the free ones, and each of the other 93 evicts
 * the unlocked entry with the oldest failure.  All of it happens within
 * the 30 s lock.
 */
static void
test_eviction_keeps_locked(void **state)
{
	struct throttle_stats	s;
	char			user[32];
	int			i;

	(void)state;
	start(&defaults, THROTTLE_SLOTS_MIN);

	record("locked", NULL, 5, T0);
	for (i = 0; i < 100; i++) {
		snprintf(user, sizeof(user), "user%d", i);
		record(user, NULL, 1, T0 + 1 + i % 20);
	}

	stats(&s);
	assert_int_equal(s.used[THROTTLE_USER], THROTTLE_SLOTS_MIN);
	assert_int_equal(s.evictions[THROTTLE_USER], 93);
	assert_int_equal(wait_for("locked", NULL, T0 + 21), 9);

	/*
	 * user99 made the last claim, so nothing evicted it: 4 more failures
	 * make 5.  user7's claim, the first to find no free slot, evicted
	 * user0, the only entry at T0 + 1 then: 4 failures make 4.
	 */
	record("user99", NULL, 4, T0 + 21);
	assert_int_equal(wait_for("user99", NULL, T0 + 21), 30);
	record("user0", NULL, 4, T0 + 21);
	assert_int_equal(wait_for("user0", NULL, T0 + 21), 0);
}

/* An expired entry's slot is reused without counting an eviction. */
static void
test_expired_slot_reused(void **state)
{
	struct throttle_stats	s;
	char			user[32];
	int			i;

	(void)state;
	start(&defaults, THROTTLE_SLOTS_MIN);

	for (i = 0; i < THROTTLE_SLOTS_MIN; i++) {
		snprintf(user, sizeof(user), "user%d", i);
		record(user, NULL, 1, T0);
	}
	record("late", NULL, 1, T0 + 900);

	stats(&s);
	assert_int_equal(s.used[THROTTLE_USER], THROTTLE_SLOTS_MIN);
	assert_int_equal(s.evictions[THROTTLE_USER], 0);
}

/*
 * CHILDREN processes, released together, each count CHILD_FAILS failures
 * of alice from one address.  user limit 20000 = CHILDREN * CHILD_FAILS
 * and delay 7: the sum locks alice for exactly 7 s (20001 failures would
 * give 14, 19999 none).  The address limit is 20001, so one more failure
 * locks the address.
 */
static void
test_counts_across_processes(void **state)
{
	struct throttle_policy	p = { CHILDREN * CHILD_FAILS,
				    CHILDREN * CHILD_FAILS + 1, 7, 900, 900 };
	pid_t			pids[CHILDREN];
	int			go[2], i, j, status, rc;
	char			c;

	(void)state;
	start(&p, SLOTS);

	assert_int_equal(pipe(go), 0);
	for (i = 0; i < CHILDREN; i++) {
		if ((pids[i] = spawn()) != 0)
			continue;

		alarm(30);
		close(go[1]);
		if (read(go[0], &c, 1) != 0)
			_exit(2);
		rc = 0;
		for (j = 0; j < CHILD_FAILS; j++) {
			if (throttle_failure(&t, "alice", 5, "192.0.2.1", 9,
			    T0) != 0)
				rc = 1;
		}
		_exit(rc);
	}

	/* Closing the pipe's write end releases every child at once. */
	close(go[0]);
	close(go[1]);
	for (i = 0; i < CHILDREN; i++) {
		reap(pids[i], &status);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}

	assert_int_equal(wait_for("alice", NULL, T0), 7);
	assert_int_equal(wait_for("carol", "192.0.2.1", T0), 0);
	record("bob", "192.0.2.1", 1, T0);
	assert_int_equal(wait_for("carol", "192.0.2.1", T0), 7);
}

/* Returns what throttle_attempt() returns for user from addr at now. */
static int
attempt(const char *user, const char *addr, time_t now, time_t *retry)
{
	return (throttle_attempt(&t, user, strlen(user), addr, strlen(addr),
	    now, retry));
}

/*
 * An attempt is counted before its outcome is known: with user limit 3,
 * three attempts pass and lock the username for the delay (7 s), the
 * fourth is throttled and not counted, so the lock does not double.
 */
static void
test_attempt_counts_first(void **state)
{
	struct throttle_policy	p = { 3, 100, 7, 900, 900 };
	time_t			retry;
	int			i;

	(void)state;
	start(&p, SLOTS);

	for (i = 0; i < 3; i++) {
		assert_int_equal(attempt("alice", "192.0.2.1", T0, &retry), 0);
		assert_int_equal(retry, 0);
	}
	assert_int_equal(attempt("alice", "192.0.2.1", T0, &retry), 1);
	assert_int_equal(retry, 7);
	assert_int_equal(attempt("alice", "192.0.2.1", T0 + 1, &retry), 1);
	assert_int_equal(retry, 6);
	assert_int_equal(wait_for("alice", NULL, T0 + 1), 6);
	assert_int_equal(attempt("bob", "192.0.2.1", T0 + 1, &retry), 0);
}

/*
 * A right password takes the attempt back: the username starts again
 * from 0, and the address loses one failure, which unlocks an address at
 * its limit of 3.
 */
static void
test_attempt_succeeded_refunds(void **state)
{
	struct throttle_policy	p = { 5, 3, 7, 900, 900 };
	time_t			retry;

	(void)state;
	start(&p, SLOTS);

	assert_int_equal(attempt("alice", "192.0.2.1", T0, &retry), 0);
	assert_int_equal(attempt("bob", "192.0.2.1", T0, &retry), 0);
	assert_int_equal(attempt("carol", "192.0.2.1", T0, &retry), 0);
	assert_int_equal(wait_for(NULL, "192.0.2.1", T0), 7);

	assert_int_equal(throttle_attempt_succeeded(&t, "carol", 5,
	    "192.0.2.1", 9), 0);
	assert_int_equal(wait_for(NULL, "192.0.2.1", T0), 0);
	assert_int_equal(wait_for("carol", NULL, T0), 0);

	/* One more failure locks the address again. */
	assert_int_equal(attempt("dave", "192.0.2.1", T0, &retry), 0);
	assert_int_equal(wait_for(NULL, "192.0.2.1", T0), 7);

	/* Refunds of the only failure free the entry. */
	assert_int_equal(attempt("erin", "198.51.100.7", T0, &retry), 0);
	assert_int_equal(throttle_attempt_succeeded(&t, "erin", 4,
	    "198.51.100.7", 12), 0);
	assert_int_equal(t.shared->used[THROTTLE_ADDR], 1);
	assert_int_equal(t.shared->used[THROTTLE_USER], 3);
}

/*
 * Processes that attempt logins at the same moment pass exactly the
 * limit between them: the check and the count are one step.
 */
static void
test_attempts_race_across_processes(void **state)
{
	struct throttle_policy	p = { 20, 0, 7, 900, 900 };
	pid_t			pids[CHILDREN];
	int			go[2], out[2], i, j, status, passed, total;
	time_t			retry;
	char			c;

	(void)state;
	start(&p, SLOTS);

	assert_int_equal(pipe(go), 0);
	assert_int_equal(pipe(out), 0);
	for (i = 0; i < CHILDREN; i++) {
		if ((pids[i] = spawn()) != 0)
			continue;

		alarm(30);
		close(go[1]);
		close(out[0]);
		if (read(go[0], &c, 1) != 0)
			_exit(2);
		passed = 0;
		for (j = 0; j < 100; j++) {
			if (throttle_attempt(&t, "alice", 5, "192.0.2.1", 9,
			    T0, &retry) == 0)
				passed++;
		}
		if (write(out[1], &passed, sizeof(passed)) !=
		    (ssize_t)sizeof(passed))
			_exit(3);
		_exit(0);
	}

	close(go[0]);
	close(go[1]);
	close(out[1]);
	total = 0;
	for (i = 0; i < CHILDREN; i++) {
		reap(pids[i], &status);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
	for (i = 0; i < CHILDREN; i++) {
		assert_int_equal(read(out[0], &passed, sizeof(passed)),
		    (ssize_t)sizeof(passed));
		total += passed;
	}
	close(out[0]);

	assert_int_equal(total, 20);
}

/*
 * A million distinct usernames, each from its own address, fail once.
 * The mapping keeps its size, every claim either fills a free slot or
 * evicts, and the keys locked before the flood stay locked: the flood's
 * entries are unlocked, so they are evicted first.
 */
static void
test_flood_keeps_memory_fixed(void **state)
{
	struct throttle_stats	before, after;
	char			user[32], addr[32];
	unsigned int		i;

	(void)state;
	start(&defaults, SLOTS);

	record("victim", "198.51.100.7", 5, T0);
	for (i = 0; i < 20; i++) {
		snprintf(user, sizeof(user), "guess%u", i);
		record(user, "203.0.113.9", 1, T0);
	}
	stats(&before);

	for (i = 0; i < FLOOD; i++) {
		snprintf(user, sizeof(user), "flood%u", i);
		record(user, addr_n(addr, sizeof(addr), i), 1, T0 + 1);
	}
	stats(&after);

	assert_int_equal(after.slots, SLOTS);
	assert_int_equal(after.map_len, before.map_len);
	assert_true(after.used[THROTTLE_USER] <= SLOTS);
	assert_true(after.used[THROTTLE_ADDR] <= SLOTS);
	assert_true(after.evictions[THROTTLE_USER] >= FLOOD - SLOTS);

	/* 21 usernames and 2 addresses before the flood, none expired. */
	assert_int_equal(after.used[THROTTLE_USER] +
	    after.evictions[THROTTLE_USER], 21 + FLOOD);
	assert_int_equal(after.used[THROTTLE_ADDR] +
	    after.evictions[THROTTLE_ADDR], 2 + FLOOD);

	assert_int_equal(wait_for("victim", NULL, T0 + 2), 28);
	assert_int_equal(wait_for(NULL, "203.0.113.9", T0 + 2), 28);

	record("after", "192.0.2.1", 5, T0 + 2);
	assert_int_equal(wait_for("after", NULL, T0 + 2), 30);
}

static void
pause_ms(long ms)
{
	struct timespec	ts;

	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	(void)nanosleep(&ts, NULL);
}

/*
 * A child takes the table's lock and is killed while holding it.  Two
 * other children, blocked on the lock meanwhile, must still finish: the
 * robust mutex hands the first of them EOWNERDEAD.  alarm() turns a
 * deadlock into a failed child instead of a hung test.
 */
static void
test_dead_holder_no_deadlock(void **state)
{
	struct throttle_policy	p = { 20, 0, 7, 900, 900 };
	pid_t			holder, waiters[2];
	int			ready[2], i, j, status, rc;
	char			c;

	(void)state;
	start(&p, SLOTS);
	alarm(60);

	assert_int_equal(pipe(ready), 0);
	if ((holder = spawn()) == 0) {
		alarm(30);
		close(ready[0]);
		if (pthread_mutex_lock(&t.shared->lock) != 0)
			_exit(2);
		if (write(ready[1], "x", 1) != 1)
			_exit(3);
		for (;;)
			pause();
	}
	close(ready[1]);
	assert_int_equal(read(ready[0], &c, 1), 1);
	close(ready[0]);

	for (i = 0; i < 2; i++) {
		if ((waiters[i] = spawn()) != 0)
			continue;

		alarm(10);
		rc = 0;
		for (j = 0; j < 10; j++) {
			if (throttle_failure(&t, "alice", 5, NULL, 0, T0) != 0)
				rc = 1;
		}
		_exit(rc);
	}

	/* While the holder lives, the waiters stay blocked. */
	pause_ms(200);
	for (i = 0; i < 2; i++)
		assert_int_equal(waitpid(waiters[i], &status, WNOHANG), 0);

	assert_int_equal(kill(holder, SIGKILL), 0);
	reap(holder, &status);
	assert_true(WIFSIGNALED(status));

	for (i = 0; i < 2; i++) {
		reap(waiters[i], &status);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}

	/* 2 * 10 failures reach the limit of 20: locked for 7 s. */
	assert_int_equal(wait_for("alice", NULL, T0), 7);
	record("alice", NULL, 1, T0);
	assert_int_equal(wait_for("alice", NULL, T0), 14);
	alarm(0);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test_teardown(test_user_limit, teardown),
		cmocka_unit_test_teardown(test_addr_limit, teardown),
		cmocka_unit_test_teardown(test_doubling_and_cap, teardown),
		cmocka_unit_test_teardown(test_cap_after_many_failures,
		    teardown),
		cmocka_unit_test_teardown(test_window_expiry, teardown),
		cmocka_unit_test_teardown(test_cap_lock_then_forgotten,
		    teardown),
		cmocka_unit_test_teardown(test_cap_lock_kept_longer_window,
		    teardown),
		cmocka_unit_test_teardown(test_lock_outlasts_window, teardown),
		cmocka_unit_test_teardown(test_success_resets_user_only,
		    teardown),
		cmocka_unit_test_teardown(test_user_limit_zero, teardown),
		cmocka_unit_test_teardown(test_addr_limit_zero, teardown),
		cmocka_unit_test_teardown(test_both_limits_zero, teardown),
		cmocka_unit_test_teardown(test_retry_after_larger_key,
		    teardown),
		cmocka_unit_test_teardown(test_clock_step_back, teardown),
		cmocka_unit_test_teardown(test_invalid_policy, teardown),
		cmocka_unit_test_teardown(test_no_raw_keys_stored, teardown),
		cmocka_unit_test_teardown(test_eviction_keeps_locked,
		    teardown),
		cmocka_unit_test_teardown(test_expired_slot_reused, teardown),
		cmocka_unit_test_teardown(test_counts_across_processes,
		    teardown),
		cmocka_unit_test_teardown(test_attempt_counts_first, teardown),
		cmocka_unit_test_teardown(test_attempt_succeeded_refunds,
		    teardown),
		cmocka_unit_test_teardown(test_attempts_race_across_processes,
		    teardown),
		cmocka_unit_test_teardown(test_flood_keeps_memory_fixed,
		    teardown),
		cmocka_unit_test_teardown(test_dead_holder_no_deadlock,
		    teardown),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
