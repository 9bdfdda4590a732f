/*
 * Asynchronous PostgreSQL queries bound to a request, through Kore's pgsql
 * API, for the stores that live in PostgreSQL: the users, the protected
 * data and the login throttle.
 */
#ifndef PGSTORE_H
#define PGSTORE_H

#include <kore/kore.h>
#include <kore/http.h>
#include <kore/pgsql.h>

#define PGSTORE_DB		"jwt"	/* the name Kore registers the DSN as */
#define PGSTORE_PARAMS_MAX	8

/* Results of pgstore_step(). */
enum pgstore_status {
	PGSTORE_WAIT,		/* the request sleeps until Kore wakes it */
	PGSTORE_ROWS,		/* the result is in q->sql, read it now */
	PGSTORE_COMPLETE,	/* done, the connection went back to Kore */
	PGSTORE_ERROR		/* failed and logged, the database is down */
};

/*
 * One query.  The text and the parameters must stay valid until
 * pgstore_step() returns PGSTORE_COMPLETE or PGSTORE_ERROR.
 */
struct pgstore_query {
	struct kore_pgsql	sql;
	const char		*text;
	const char		*values[PGSTORE_PARAMS_MAX];
	int			lengths[PGSTORE_PARAMS_MAX];
	int			formats[PGSTORE_PARAMS_MAX];
	int			nparams;
	int			started;
	int			rows_read;
	int			finished;
};

/* Registers the database under PGSTORE_DB; called once, in the parent. */
int	pgstore_register(const char *dsn);

/* Prepares q for text with no parameters; add them with pgstore_param(). */
void	pgstore_prepare(struct pgstore_query *q, const char *text);

/* Appends a text parameter of len bytes. */
void	pgstore_param(struct pgstore_query *q, const char *value, size_t len);

/*
 * Starts the query on its first call and moves it on at every later call,
 * each time the handler runs again.  The handler returns KORE_RESULT_RETRY
 * on PGSTORE_WAIT, reads the result on PGSTORE_ROWS and then calls again.
 */
int	pgstore_step(struct pgstore_query *q, struct http_request *req);

/* Releases whatever q still holds; safe to call more than once. */
void	pgstore_release(struct pgstore_query *q);

#endif
