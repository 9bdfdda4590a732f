#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <kore/kore.h>
#include <kore/http.h>
#include <kore/tasks.h>

#include <openssl/crypto.h>

#include "app.h"
#include "jsonobj.h"
#include "logincheck.h"
#include "passhash.h"
#include "pgstore.h"
#include "throttle.h"
#include "userstore.h"

/* Steps of a login, in order; each may sleep and resume. */
enum logincheck_phase {
	PHASE_THROTTLE,		/* is the username or address throttled? */
	PHASE_LOOKUP,		/* find the user's hash and perms */
	PHASE_HASH,		/* check the password on a task thread */
	PHASE_RECORD,		/* count the failure or reset the count */
	PHASE_RESPOND
};

/* A jwt_users row's perms: commas and perms, no longer than this. */
#define LOGINCHECK_PERMS_TEXT	(USERSTORE_PERMS_MAX * (USERSTORE_PERM_MAX + 1))

/* A throttle key for PostgreSQL: "\x" and 32 hex digits, bytea text. */
#define LOGINCHECK_KEY_HEX	(2 + 2 * 16)

struct login_check {
	struct kore_task	task;	/* first, so the task finds the state */
	struct pgstore_query	q;
	struct login_request	login;
	struct passhash		hash;	/* the user's, or the dummy */
	char			perms_text[LOGINCHECK_PERMS_TEXT + 1];
	struct token_claims	claims;
	char			addr[APP_ADDR_MAX];
	char			user_key[LOGINCHECK_KEY_HEX + 1];
	char			addr_key[LOGINCHECK_KEY_HEX + 1];
	char			limits[5][24];	/* query parameters */
	int			phase;
	int			known;		/* the username exists */
	int			task_started;
	int			abandoned;	/* set when Kore frees req */
	int			ok;		/* 1 right, 0 wrong, -1 error */
	long			retry_after;
};

static int	logincheck_throttle(struct http_request *,
		    struct login_check *);
static int	logincheck_lookup(struct http_request *, struct login_check *);
static int	logincheck_hash(struct http_request *, struct login_check *);
static int	logincheck_record_step(struct http_request *,
		    struct login_check *);
static void	logincheck_respond(struct http_request *,
		    struct login_check *);
static int	logincheck_task(struct kore_task *);
static int	logincheck_user_row(struct login_check *, struct kore_pgsql *);
static void	logincheck_key(const char *, const char *, size_t, char *);
static void	logincheck_unavailable(struct http_request *, const char *);
static void	logincheck_onfree(struct http_request *);
static void	logincheck_finish(struct http_request *, struct login_check *);

/* Tasks this worker has queued or running. */
static int	tasks_pending;

/*
 * A login attempt, as throttle_attempt() makes it in memory: returns the
 * seconds the username or the address stays locked (the larger), or a
 * value <= 0, in which case the attempt is counted as a failure of both
 * keys in the same statement, before the password is checked.  A count is
 * forgotten window seconds after its last failure, or when its lock ends
 * if that is later, and the next failure starts again at 1.  Rows with
 * no failure for window + delay_max seconds are deleted.  Parameters: $1
 * and $2 the user and address keys, $3 and $4 their limits (0 turns a
 * kind off), $5 delay, $6 delay_max, $7 window.
 */
#define LOCK(lim)	"least($5::float8 * power(2::float8, " \
	"least(t.fails - " lim ", 30)), $6::float8)"
#define LIM		"(CASE t.kind WHEN 'user' THEN $3::int ELSE $4::int END)"
static const char	throttle_attempt_sql[] =
	"WITH state AS (SELECT coalesce(max(ceil("
	"extract(epoch FROM t.last_fail - now()) + " LOCK("l.lim") ")), "
	"0)::bigint AS retry "
	"FROM login_throttle t JOIN (VALUES ('user', $1::bytea, $3::int), "
	"('addr', $2::bytea, $4::int)) AS l(kind, key, lim) "
	"ON t.kind = l.kind AND t.key = l.key "
	"WHERE l.lim > 0 AND t.fails >= l.lim), "
	"purge AS (DELETE FROM login_throttle WHERE last_fail < now() - "
	"make_interval(secs => $7::float8 + $6::float8) "
	"AND key <> $1::bytea AND key <> $2::bytea), "
	"counted AS (INSERT INTO login_throttle AS t (kind, key, fails, "
	"last_fail) SELECT v.kind, v.key, 1, now() FROM (VALUES "
	"('user', $1::bytea, $3::int), ('addr', $2::bytea, $4::int)) "
	"AS v(kind, key, lim), state WHERE v.lim > 0 AND state.retry <= 0 "
	"ON CONFLICT (kind, key) DO UPDATE SET fails = CASE WHEN "
	"extract(epoch FROM now() - t.last_fail) > greatest($7::float8, "
	"CASE WHEN " LIM " > 0 AND t.fails >= " LIM " THEN " LOCK(LIM) " "
	"ELSE 0 END) THEN 1 "
	"ELSE least(t.fails + 1, 1000000000) END, last_fail = now()) "
	"SELECT retry FROM state";
#undef LIM
#undef LOCK

/*
 * Takes back the failure counted for an attempt that succeeded: the
 * username's row goes, and the address loses one failure.
 */
static const char	throttle_succeeded_sql[] =
	"WITH user_row AS (DELETE FROM login_throttle "
	"WHERE kind = 'user' AND key = $1::bytea) "
	"UPDATE login_throttle SET fails = fails - 1 "
	"WHERE kind = 'addr' AND key = $2::bytea AND fails > 0";

/*
 * The user's hash and perms.  The third column is true when a perm is
 * NULL or contains a character that array_to_string() would blur, such
 * as a comma.  Such a row is rejected like an invalid line of the users
 * file.
 */
static const char	user_sql[] =
	"SELECT password_hash, array_to_string(perms, ','), "
	"EXISTS (SELECT 1 FROM unnest(perms) AS p "
	"WHERE p IS NULL OR p !~ '^[A-Za-z0-9._-]{1,64}$') "
	"FROM jwt_users WHERE username = $1";

struct login_check *
logincheck_create(struct http_request *req, const struct login_request *login)
{
	struct login_check	*st;

	st = http_state_create(req, sizeof(*st), logincheck_onfree);
	memcpy(st->login.username, login->username, login->username_len + 1);
	st->login.username_len = login->username_len;
	memcpy(st->login.password, login->password, login->password_len + 1);
	st->login.password_len = login->password_len;
	st->login.dirty = LOGIN_BODY_MAX + 1;

	app_client_address(req, st->addr, sizeof(st->addr));
	st->phase = PHASE_THROTTLE;
	st->ok = 0;

	if (app.cfg.throttle_store == CONFIG_THROTTLE_PGSQL) {
		logincheck_key("user", st->login.username,
		    st->login.username_len, st->user_key);
		logincheck_key("addr", st->addr, strlen(st->addr),
		    st->addr_key);
	}

	return (st);
}

int
logincheck_run(struct http_request *req)
{
	struct login_check	*st;
	int			r;

	st = http_state_get(req);

	for (;;) {
		switch (st->phase) {
		case PHASE_THROTTLE:
			r = logincheck_throttle(req, st);
			break;
		case PHASE_LOOKUP:
			r = logincheck_lookup(req, st);
			break;
		case PHASE_HASH:
			r = logincheck_hash(req, st);
			break;
		case PHASE_RECORD:
			r = logincheck_record_step(req, st);
			break;
		default:
			logincheck_respond(req, st);
			r = HTTP_STATE_COMPLETE;
			break;
		}

		if (r == HTTP_STATE_RETRY)
			return (KORE_RESULT_RETRY);
		if (r != HTTP_STATE_CONTINUE) {
			logincheck_finish(req, st);
			return (KORE_RESULT_OK);
		}
	}
}

/*
 * Each phase returns HTTP_STATE_CONTINUE to go on with st->phase,
 * HTTP_STATE_RETRY to sleep until Kore wakes the request, or
 * HTTP_STATE_COMPLETE once a response was sent.
 */
static int
logincheck_throttle(struct http_request *req, struct login_check *st)
{
	struct pgstore_query	*q;
	const char		*value;
	time_t			now;

	if (app.cfg.throttle_store == CONFIG_THROTTLE_MEMORY) {
		now = app_now();
		if (logincheck_attempt(&st->login, st->addr, now,
		    &st->retry_after)) {
			logincheck_reject_throttled(req, st->retry_after);
			return (HTTP_STATE_COMPLETE);
		}
		st->phase = PHASE_LOOKUP;
		return (HTTP_STATE_CONTINUE);
	}

	q = &st->q;
	if (!q->started) {
		pgstore_prepare(q, throttle_attempt_sql);
		(void)snprintf(st->limits[0], sizeof(st->limits[0]), "%ld",
		    app.cfg.throttle.user_limit);
		(void)snprintf(st->limits[1], sizeof(st->limits[1]), "%ld",
		    app.cfg.throttle.addr_limit);
		(void)snprintf(st->limits[2], sizeof(st->limits[2]), "%ld",
		    app.cfg.throttle.delay);
		(void)snprintf(st->limits[3], sizeof(st->limits[3]), "%ld",
		    app.cfg.throttle.delay_max);
		(void)snprintf(st->limits[4], sizeof(st->limits[4]), "%ld",
		    app.cfg.throttle.window);
		pgstore_param(q, st->user_key, strlen(st->user_key));
		pgstore_param(q, st->addr_key, strlen(st->addr_key));
		pgstore_param(q, st->limits[0], strlen(st->limits[0]));
		pgstore_param(q, st->limits[1], strlen(st->limits[1]));
		pgstore_param(q, st->limits[2], strlen(st->limits[2]));
		pgstore_param(q, st->limits[3], strlen(st->limits[3]));
		pgstore_param(q, st->limits[4], strlen(st->limits[4]));
	}

	switch (pgstore_step(q, req)) {
	case PGSTORE_WAIT:
		return (HTTP_STATE_RETRY);
	case PGSTORE_ROWS:
		value = kore_pgsql_ntuples(&q->sql) == 1 ?
		    kore_pgsql_getvalue(&q->sql, 0, 0) : NULL;
		st->retry_after = value != NULL ? strtol(value, NULL, 10) : 0;
		return (HTTP_STATE_CONTINUE);
	case PGSTORE_COMPLETE:
		break;
	default:
		logincheck_unavailable(req, "throttle_store");
		return (HTTP_STATE_COMPLETE);
	}

	if (st->retry_after > 0) {
		logincheck_reject_throttled(req, st->retry_after);
		return (HTTP_STATE_COMPLETE);
	}

	memset(q, 0, sizeof(*q));
	st->phase = PHASE_LOOKUP;
	return (HTTP_STATE_CONTINUE);
}

static int
logincheck_lookup(struct http_request *req, struct login_check *st)
{
	const struct userstore_user	*user;
	struct pgstore_query		*q;
	int				ok;

	switch (app.cfg.users_store) {
	case CONFIG_USERS_PAIR:
		/* Keyed digests: cheap enough for the event loop. */
		ok = credentials_check(&app.creds, st->login.username,
		    st->login.username_len, st->login.password,
		    st->login.password_len);
		if (ok == -1) {
			kore_log(LOG_ERR, "jwt: credential check failed "
			    "(OpenSSL)");
			(void)app_reject(req, "/jwt",
			    HTTP_STATUS_INTERNAL_ERROR, "internal",
			    "Internal Server Error");
			return (HTTP_STATE_COMPLETE);
		}
		st->ok = ok;
		st->claims = app.claims;
		st->phase = PHASE_RECORD;
		return (HTTP_STATE_CONTINUE);
	case CONFIG_USERS_FILE:
		user = userstore_lookup(&app.users, st->login.username,
		    st->login.username_len);
		if (user != NULL) {
			/* The perms point into the loaded file's text. */
			st->known = 1;
			st->hash = user->hash;
			memcpy(st->claims.perms, user->perms,
			    user->nperms * sizeof(user->perms[0]));
			st->claims.nperms = user->nperms;
		} else {
			st->hash = app.dummy_hash;
		}
		st->phase = PHASE_HASH;
		return (HTTP_STATE_CONTINUE);
	default:
		break;
	}

	/* PostgreSQL rejects text that is not UTF-8: no such user. */
	if (!jsonobj_is_utf8((const uint8_t *)st->login.username,
	    st->login.username_len)) {
		st->hash = app.dummy_hash;
		st->phase = PHASE_HASH;
		return (HTTP_STATE_CONTINUE);
	}

	q = &st->q;
	if (!q->started) {
		pgstore_prepare(q, user_sql);
		pgstore_param(q, st->login.username, st->login.username_len);
	}

	switch (pgstore_step(q, req)) {
	case PGSTORE_WAIT:
		return (HTTP_STATE_RETRY);
	case PGSTORE_ROWS:
		if (logincheck_user_row(st, &q->sql) == -1)
			st->ok = -1;
		return (HTTP_STATE_CONTINUE);
	case PGSTORE_COMPLETE:
		break;
	default:
		logincheck_unavailable(req, "users_store");
		return (HTTP_STATE_COMPLETE);
	}

	if (st->ok == -1) {
		(void)app_reject(req, "/jwt", HTTP_STATUS_INTERNAL_ERROR,
		    "users_store_row", "Internal Server Error");
		return (HTTP_STATE_COMPLETE);
	}
	if (!st->known)
		st->hash = app.dummy_hash;

	memset(q, 0, sizeof(*q));
	st->phase = PHASE_HASH;
	return (HTTP_STATE_CONTINUE);
}

/*
 * Reads the user's row: its hash and perms, checked like a line of the
 * users file.  Returns -1, having logged why, for a row that fails them.
 */
static int
logincheck_user_row(struct login_check *st, struct kore_pgsql *sql)
{
	const char	*hash, *perms, *reason;
	char		*p;
	size_t		len;

	if (kore_pgsql_ntuples(sql) == 0)
		return (0);

	hash = kore_pgsql_getvalue(sql, 0, 0);
	perms = kore_pgsql_getvalue(sql, 0, 1);
	if (strcmp(kore_pgsql_getvalue(sql, 0, 2), "f") != 0) {
		kore_log(LOG_ERR, "jwt: the perms of a jwt_users row are "
		    "invalid: a perm is NULL or has a character outside "
		    "[A-Za-z0-9._-]");
		return (-1);
	}

	if (passhash_parse(&st->hash, hash, strlen(hash)) != PASSHASH_OK) {
		kore_log(LOG_ERR, "jwt: the password_hash of a jwt_users row "
		    "is not a valid encoded hash");
		return (-1);
	}

	len = strlen(perms);
	if ((reason = userstore_perms_check(perms, len)) != NULL ||
	    len > LOGINCHECK_PERMS_TEXT) {
		kore_log(LOG_ERR, "jwt: the perms of a jwt_users row are "
		    "invalid: %s", reason != NULL ? reason : "too long");
		return (-1);
	}

	/* Checked above: at most USERSTORE_PERMS_MAX non-empty perms. */
	memcpy(st->perms_text, perms, len + 1);
	st->claims.nperms = 0;
	for (p = st->perms_text; len > 0 && p != NULL; ) {
		st->claims.perms[st->claims.nperms++] = strsep(&p, ",");
	}

	st->known = 1;
	return (0);
}

static int
logincheck_hash(struct http_request *req, struct login_check *st)
{
	if (!st->task_started) {
		if (tasks_pending >= LOGINCHECK_TASKS_MAX) {
			http_response_header(req, "retry-after", "1");
			(void)app_reject(req, "/jwt",
			    HTTP_STATUS_SERVICE_UNAVAILABLE, "busy",
			    "Service Unavailable: too many logins at once");
			return (HTTP_STATE_COMPLETE);
		}
		kore_task_create(&st->task, logincheck_task);
		kore_task_bind_request(&st->task, req);
		kore_task_run(&st->task);
		st->task_started = 1;
		tasks_pending++;
		return (HTTP_STATE_RETRY);
	}

	if (!kore_task_finished(&st->task))
		return (HTTP_STATE_RETRY);

	tasks_pending--;
	st->ok = kore_task_result(&st->task);
	kore_task_destroy(&st->task);
	st->task_started = 0;

	if (st->ok == -1) {
		kore_log(LOG_ERR, "jwt: password hash check failed (OpenSSL)");
		(void)app_reject(req, "/jwt", HTTP_STATUS_INTERNAL_ERROR,
		    "internal", "Internal Server Error");
		return (HTTP_STATE_COMPLETE);
	}

	/* The dummy hash never logs anyone in. */
	if (!st->known)
		st->ok = 0;

	st->phase = PHASE_RECORD;
	return (HTTP_STATE_CONTINUE);
}

/* Runs on a task thread: the one slow step, with no Kore calls. */
static int
logincheck_task(struct kore_task *t)
{
	struct login_check	*st = (struct login_check *)t;

	/* The client is gone; its attempt was counted already. */
	if (__atomic_load_n(&st->abandoned, __ATOMIC_ACQUIRE))
		return (0);

	return (passhash_verify(&st->hash, st->login.password,
	    st->login.password_len));
}

static int
logincheck_record_step(struct http_request *req, struct login_check *st)
{
	struct pgstore_query	*q;

	if (app.cfg.throttle_store == CONFIG_THROTTLE_MEMORY) {
		if (st->ok)
			logincheck_succeeded(&st->login, st->addr);
		st->phase = PHASE_RESPOND;
		return (HTTP_STATE_CONTINUE);
	}

	/* A failure was counted with the attempt; only a success is news. */
	if (!st->ok) {
		st->phase = PHASE_RESPOND;
		return (HTTP_STATE_CONTINUE);
	}

	q = &st->q;
	if (!q->started) {
		pgstore_prepare(q, throttle_succeeded_sql);
		pgstore_param(q, st->user_key, strlen(st->user_key));
		pgstore_param(q, st->addr_key, strlen(st->addr_key));
	}

	switch (pgstore_step(q, req)) {
	case PGSTORE_WAIT:
		return (HTTP_STATE_RETRY);
	case PGSTORE_ROWS:
		return (HTTP_STATE_CONTINUE);
	case PGSTORE_COMPLETE:
		st->phase = PHASE_RESPOND;
		return (HTTP_STATE_CONTINUE);
	default:
		/*
		 * The attempt stays counted against the username, so no token
		 * is issued either: the client tries again once the database
		 * is back.
		 */
		logincheck_unavailable(req, "throttle_store");
		return (HTTP_STATE_COMPLETE);
	}
}

static void
logincheck_respond(struct http_request *req, struct login_check *st)
{
	if (!st->ok) {
		(void)app_reject(req, "/jwt", HTTP_STATUS_UNAUTHORIZED,
		    "bad_credentials", "Unauthorized");
		return;
	}

	if (app.cfg.users_store != CONFIG_USERS_PAIR) {
		st->claims.sub = st->login.username;
		st->claims.iss = app.claims.iss;
		st->claims.org = app.claims.org;
		st->claims.ttl = app.claims.ttl;
	}
	jwt_issue(req, &st->claims);
}

int
logincheck_attempt(const struct login_request *login, const char *addr,
    time_t now, long *retry_after)
{
	time_t	wait;
	int	ret;

	ret = throttle_attempt(&app.throttle, login->username,
	    login->username_len, addr, strlen(addr), now, &wait);
	if (ret == -1) {
		/* A failed lock denies the login and logs one line. */
		kore_log(LOG_ERR, "jwt: the throttle table's lock failed");
		wait = 1;
	}

	*retry_after = (long)wait;
	return (ret != 0);
}

void
logincheck_succeeded(const struct login_request *login, const char *addr)
{
	if (throttle_attempt_succeeded(&app.throttle, login->username,
	    login->username_len, addr, strlen(addr)) == -1)
		kore_log(LOG_ERR, "jwt: the throttle table's lock failed");
}

void
logincheck_reject_throttled(struct http_request *req, long retry_after)
{
	char	value[24];

	(void)snprintf(value, sizeof(value), "%ld",
	    retry_after > 0 ? retry_after : 1);
	http_response_header(req, "retry-after", value);
	(void)app_reject(req, "/jwt", 429,
	    "throttled", "Too Many Requests: too many failed logins, "
	    "retry later");
}

/*
 * Writes the PostgreSQL throttle key of value: the first 16 bytes of its
 * HMAC under a key derived from JWT_SECRET, which every instance shares,
 * as bytea hex text.  So the table contains no usernames, and a username
 * typed into the password field stays unreadable.
 */
static void
logincheck_key(const char *kind, const char *value, size_t len, char *out)
{
	static const char	hex[] = "0123456789abcdef";
	uint8_t			digest[32], input[LOGIN_BODY_MAX + 8];
	size_t			i, n;

	n = strlen(kind);
	memcpy(input, kind, n);
	input[n++] = '\0';
	memcpy(input + n, value, len);
	n += len;

	hmac_sha256(&app.throttle_key, input, n, digest);
	OPENSSL_cleanse(input, n);

	out[0] = '\\';
	out[1] = 'x';
	for (i = 0; i < 16; i++) {
		out[2 + 2 * i] = hex[digest[i] >> 4];
		out[3 + 2 * i] = hex[digest[i] & 0x0f];
	}
	out[LOGINCHECK_KEY_HEX] = '\0';
	OPENSSL_cleanse(digest, sizeof(digest));
}

static void
logincheck_unavailable(struct http_request *req, const char *reason)
{
	http_response_header(req, "retry-after", "5");
	(void)app_reject(req, "/jwt", HTTP_STATUS_SERVICE_UNAVAILABLE, reason,
	    "Service Unavailable: the database is unreachable");
}

/*
 * Kore calls this when it frees the request, also while a hash check
 * still runs (Kore then frees the request later, once the task ends).
 * The task reads the password, so it is wiped only after the task.
 */
static void
logincheck_onfree(struct http_request *req)
{
	struct login_check	*st;

	if ((st = http_state_get(req)) == NULL)
		return;

	/*
	 * Kore destroys a task that ends after its request was dropped, and
	 * kore_task_destroy() then clears task.req.  Otherwise the task is
	 * destroyed here, before Kore walks the request's task list.
	 */
	if (st->task_started) {
		if (st->task.req != NULL) {
			if (!kore_task_finished(&st->task)) {
				__atomic_store_n(&st->abandoned, 1,
				    __ATOMIC_RELEASE);
				return;
			}
			kore_task_destroy(&st->task);
		}
		tasks_pending--;
		st->task_started = 0;
	}

	pgstore_release(&st->q);
	OPENSSL_cleanse(st, sizeof(*st));
}

static void
logincheck_finish(struct http_request *req, struct login_check *st)
{
	if (st->task_started) {
		/* Never reached: every path waits for its task first. */
		fatalx("jwt: login finished with its task running");
	}

	pgstore_release(&st->q);
	OPENSSL_cleanse(st, sizeof(*st));
	http_state_cleanup(req);
}
