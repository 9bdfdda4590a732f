#include <string.h>
#include <time.h>

#include <libpq-fe.h>

#include "pgstore.h"

/*
 * Kore 4.1.0 puts a connection whose server went away back into its free
 * list and hands it out again, so without a reset every later query on it
 * fails.  A broken connection is reset before use, at most once per
 * PGSTORE_RESET_INTERVAL seconds per worker: PQreset() blocks the worker
 * for as long as the connect takes, so the README tells users to put a
 * connect_timeout in PGSQL_DSN.
 */
#define PGSTORE_RESET_INTERVAL	1

static int	pgstore_start(struct pgstore_query *, struct http_request *);
static int	pgstore_usable(struct pgstore_query *);
static int	pgstore_fail(struct pgstore_query *);
static void	pgstore_log_error(const char *, const char *);

static time_t	last_reset;

/* Error lines logged this second, at most PGSTORE_LOG_BURST. */
#define PGSTORE_LOG_BURST	10
static time_t		log_second;
static unsigned int	log_lines;
static unsigned long	log_dropped;

int
pgstore_register(const char *dsn)
{
	return (kore_pgsql_register(PGSTORE_DB, dsn) == KORE_RESULT_OK ?
	    0 : -1);
}

void
pgstore_prepare(struct pgstore_query *q, const char *text)
{
	memset(q, 0, sizeof(*q));
	q->text = text;
}

void
pgstore_param(struct pgstore_query *q, const char *value, size_t len)
{
	if (q->nparams == PGSTORE_PARAMS_MAX)
		fatalx("pgstore: more than %d parameters", PGSTORE_PARAMS_MAX);

	q->values[q->nparams] = value;
	q->lengths[q->nparams] = (int)len;
	q->formats[q->nparams] = 0;
	q->nparams++;
}

int
pgstore_step(struct pgstore_query *q, struct http_request *req)
{
	if (q->finished)
		return (PGSTORE_COMPLETE);

	if (!q->started) {
		kore_pgsql_init(&q->sql);
		kore_pgsql_bind_request(&q->sql, req);
		q->started = 1;
		return (pgstore_start(q, req));
	}

	for (;;) {
		switch (q->sql.state) {
		case KORE_PGSQL_STATE_INIT:
			/* Queued for a free connection, and now woken. */
			return (pgstore_start(q, req));
		case KORE_PGSQL_STATE_WAIT:
			return (PGSTORE_WAIT);
		case KORE_PGSQL_STATE_RESULT:
			if (!q->rows_read) {
				q->rows_read = 1;
				return (PGSTORE_ROWS);
			}
			kore_pgsql_continue(&q->sql);
			break;
		case KORE_PGSQL_STATE_DONE:
			kore_pgsql_continue(&q->sql);
			break;
		case KORE_PGSQL_STATE_COMPLETE:
			pgstore_release(q);
			return (PGSTORE_COMPLETE);
		case KORE_PGSQL_STATE_ERROR:
			return (pgstore_fail(q));
		default:
			/* Notifications are never listened for. */
			kore_pgsql_continue(&q->sql);
			break;
		}
	}
}

void
pgstore_release(struct pgstore_query *q)
{
	if (q->started && !q->finished)
		kore_pgsql_cleanup(&q->sql);
	q->finished = 1;
}

/* Takes a connection and sends the query; Kore queues it when none is free. */
static int
pgstore_start(struct pgstore_query *q, struct http_request *req)
{
	(void)req;

	if (!kore_pgsql_setup(&q->sql, PGSTORE_DB, KORE_PGSQL_ASYNC)) {
		if (q->sql.state == KORE_PGSQL_STATE_INIT)
			return (PGSTORE_WAIT);
		return (pgstore_fail(q));
	}

	if (!pgstore_usable(q))
		return (pgstore_fail(q));

	if (!kore_pgsql_query_param_fields(&q->sql, q->text, 0, q->nparams,
	    q->nparams > 0 ? q->values : NULL,
	    q->nparams > 0 ? q->lengths : NULL,
	    q->nparams > 0 ? q->formats : NULL))
		return (pgstore_fail(q));

	return (PGSTORE_WAIT);
}

/* Returns 1 when the connection Kore handed out can take a query. */
static int
pgstore_usable(struct pgstore_query *q)
{
	PGconn		*db;
	time_t		now;

	db = q->sql.conn->db;
	if (PQstatus(db) == CONNECTION_OK)
		return (1);

	now = time(NULL);
	if (now - last_reset < PGSTORE_RESET_INTERVAL) {
		kore_log(LOG_NOTICE, "pgsql: connection is down, "
		    "reconnect already tried this second");
		return (0);
	}
	last_reset = now;

	PQreset(db);
	if (PQstatus(db) == CONNECTION_OK) {
		kore_log(LOG_NOTICE, "pgsql: reconnected");
		return (1);
	}

	pgstore_log_error("reconnect failed", PQerrorMessage(db));
	return (0);
}

/*
 * Logs the failure on one line (libpq's messages span lines and hold no
 * password) and releases q.
 */
static int
pgstore_fail(struct pgstore_query *q)
{
	pgstore_log_error("query failed", q->sql.error);
	pgstore_release(q);
	return (PGSTORE_ERROR);
}

static void
pgstore_log_error(const char *what, const char *error)
{
	char	line[256];
	size_t	i, n;

	n = 0;
	for (i = 0; error != NULL && error[i] != '\0' &&
	    n < sizeof(line) - 1; i++) {
		if (error[i] == '\n' || error[i] == '\t' ||
		    error[i] == '\r') {
			if (n > 0 && line[n - 1] != ' ')
				line[n++] = ' ';
			continue;
		}
		line[n++] = error[i];
	}
	while (n > 0 && line[n - 1] == ' ')
		n--;
	line[n] = '\0';

	/* An outage fails every request: log a few a second, count the rest. */
	if (time(NULL) != log_second) {
		if (log_dropped > 0)
			kore_log(LOG_NOTICE, "pgsql: %lu error lines dropped",
			    log_dropped);
		log_second = time(NULL);
		log_lines = 0;
		log_dropped = 0;
	}
	if (log_lines++ >= PGSTORE_LOG_BURST) {
		log_dropped++;
		return;
	}

	kore_log(LOG_NOTICE, "pgsql: %s: %s", what,
	    n > 0 ? line : "connection lost");
}
