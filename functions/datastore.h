/*
 * The protected data of /bearer, read from PostgreSQL's salaries table
 * when DATA_STORE=pgsql.
 */
#ifndef DATASTORE_H
#define DATASTORE_H

struct http_request;

/* Rows sent at most; a larger table is an error, not a truncated list. */
#define DATASTORE_ROWS_MAX	10000

/*
 * Sends the salaries as a JSON array of {"name", "salary"} objects, read
 * asynchronously; the handler calls it again each time Kore wakes the
 * request and returns its result.  An unreachable database gets 503 with
 * Retry-After.
 */
int	datastore_serve(struct http_request *req);

#endif
