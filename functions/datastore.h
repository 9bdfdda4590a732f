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
 * asynchronously, to a request granted to subject sub with token; the
 * handler calls it again with NULL and 0 each time Kore wakes the request,
 * and returns its result.  An unreachable database gets 503 with
 * Retry-After.  The audit line is written with the status sent.
 */
int	datastore_serve(struct http_request *req, const char *sub,
	    size_t sub_len, const char *token, size_t token_len);

#endif
