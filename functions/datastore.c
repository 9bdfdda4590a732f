#include <stdlib.h>
#include <string.h>

#include <kore/kore.h>
#include <kore/http.h>

#include <yajl/yajl_gen.h>

#include "app.h"
#include "datastore.h"
#include "pgstore.h"

#define DATASTORE_QUERY \
	"SELECT name, salary::text FROM salaries ORDER BY id LIMIT 10001"

/* Request state while the query runs. */
struct datastore_state {
	struct pgstore_query	q;
	struct kore_buf		*body;	/* the JSON, once the rows are read */
	int			bad_rows;
	char			*sub;	/* a copy: the token cache may move */
	size_t			sub_len;
	const char		*token;	/* in the request's Authorization */
	size_t			token_len;
};

static void	datastore_onfree(struct http_request *);
static void	datastore_release(struct datastore_state *);
static void	datastore_finish(struct http_request *,
		    struct datastore_state *);
static int	datastore_write(struct kore_pgsql *, struct kore_buf *);
static int	datastore_is_integer(const char *);

int
datastore_serve(struct http_request *req, const char *sub, size_t sub_len,
    const char *token, size_t token_len)
{
	struct datastore_state	*st;
	int			status;

	if ((st = http_state_get(req)) == NULL) {
		st = http_state_create(req, sizeof(*st), datastore_onfree);
		pgstore_prepare(&st->q, DATASTORE_QUERY);
		st->sub = kore_malloc(sub_len + 1);
		memcpy(st->sub, sub, sub_len);
		st->sub[sub_len] = '\0';
		st->sub_len = sub_len;
		st->token = token;
		st->token_len = token_len;
	}

	while ((status = pgstore_step(&st->q, req)) == PGSTORE_ROWS) {
		st->body = kore_buf_alloc(1024);
		if (datastore_write(&st->q.sql, st->body) == -1)
			st->bad_rows = 1;
	}

	switch (status) {
	case PGSTORE_WAIT:
		return (KORE_RESULT_RETRY);
	case PGSTORE_COMPLETE:
		if (st->bad_rows || st->body == NULL) {
			(void)app_reject(req, "/bearer",
			    HTTP_STATUS_INTERNAL_ERROR, "database_rows",
			    "Internal Server Error");
			break;
		}
		app_accept_granted(req, st->sub, st->sub_len, st->token,
		    st->token_len);
		http_response_header(req, "content-type", "application/json");
		http_response_header(req, "cache-control", "no-store");
		http_response(req, HTTP_STATUS_OK, st->body->data,
		    st->body->offset);
		break;
	default:
		/* pgstore logged why the query failed. */
		http_response_header(req, "retry-after", "5");
		(void)app_reject(req, "/bearer",
		    HTTP_STATUS_SERVICE_UNAVAILABLE, "database",
		    "Service Unavailable: the database is unreachable");
		break;
	}

	datastore_finish(req, st);
	return (KORE_RESULT_OK);
}

static void
datastore_finish(struct http_request *req, struct datastore_state *st)
{
	datastore_release(st);
	http_state_cleanup(req);
}

/* Runs when Kore frees a request that is still waiting for the database. */
static void
datastore_onfree(struct http_request *req)
{
	struct datastore_state	*st;

	if ((st = http_state_get(req)) != NULL)
		datastore_release(st);
}

/* Frees what st holds; safe to call more than once. */
static void
datastore_release(struct datastore_state *st)
{
	pgstore_release(&st->q);
	if (st->body != NULL) {
		kore_buf_free(st->body);
		st->body = NULL;
	}
	kore_free(st->sub);
	st->sub = NULL;
}

/*
 * Writes the rows into out as JSON with yajl, which checks the names are
 * UTF-8.  Returns -1, having logged why, when the table does not have the
 * expected shape.
 */
static int
datastore_write(struct kore_pgsql *sql, struct kore_buf *out)
{
	yajl_gen		g;
	const unsigned char	*json;
	const char		*name, *salary;
	size_t			json_len;
	int			i, rows, ok;

	rows = kore_pgsql_ntuples(sql);
	if (rows > DATASTORE_ROWS_MAX) {
		kore_log(LOG_ERR, "bearer: the salaries table has more than "
		    "%d rows", DATASTORE_ROWS_MAX);
		return (-1);
	}
	if (kore_pgsql_nfields(sql) != 2) {
		kore_log(LOG_ERR, "bearer: the salaries query returned %d "
		    "columns, expected 2", kore_pgsql_nfields(sql));
		return (-1);
	}

	if ((g = yajl_gen_alloc(NULL)) == NULL)
		fatalx("bearer: yajl_gen_alloc: out of memory");
	(void)yajl_gen_config(g, yajl_gen_validate_utf8, 1);

	ok = yajl_gen_array_open(g) == yajl_gen_status_ok;
	for (i = 0; ok && i < rows; i++) {
		name = kore_pgsql_getvalue(sql, i, 0);
		salary = kore_pgsql_getvalue(sql, i, 1);
		if (!datastore_is_integer(salary)) {
			kore_log(LOG_ERR, "bearer: salaries row %d has no "
			    "whole-number salary", i + 1);
			ok = 0;
			break;
		}
		ok = yajl_gen_map_open(g) == yajl_gen_status_ok &&
		    yajl_gen_string(g, (const unsigned char *)"name", 4) ==
		    yajl_gen_status_ok &&
		    yajl_gen_string(g, (const unsigned char *)name,
		    strlen(name)) == yajl_gen_status_ok &&
		    yajl_gen_string(g, (const unsigned char *)"salary", 6) ==
		    yajl_gen_status_ok &&
		    yajl_gen_number(g, salary, strlen(salary)) ==
		    yajl_gen_status_ok &&
		    yajl_gen_map_close(g) == yajl_gen_status_ok;
		if (!ok)
			kore_log(LOG_ERR, "bearer: salaries row %d cannot be "
			    "written as JSON (invalid UTF-8?)", i + 1);
	}
	ok = ok && yajl_gen_array_close(g) == yajl_gen_status_ok &&
	    yajl_gen_get_buf(g, &json, &json_len) == yajl_gen_status_ok;

	if (ok)
		kore_buf_append(out, json, json_len);
	yajl_gen_free(g);

	return (ok ? 0 : -1);
}

/* Returns 1 when s is an optional minus sign and 1 to 19 digits. */
static int
datastore_is_integer(const char *s)
{
	size_t	n;

	if (s == NULL)
		return (0);
	if (*s == '-')
		s++;
	n = strspn(s, "0123456789");
	return (n > 0 && n <= 19 && s[n] == '\0');
}
