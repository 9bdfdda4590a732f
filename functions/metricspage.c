/*
 * GET and HEAD /metrics: the decision counters of every worker in the
 * Prometheus text exposition format 0.0.4, for clients in METRICS_ALLOW.
 */
#include <stdio.h>

#include <kore/kore.h>
#include <kore/http.h>

#include "app.h"
#include "metrics.h"

/* The rendered text is about 5 KB. */
#define METRICSPAGE_BUF_SIZE	16384

int	metricspage(struct http_request *);

static int	metricspage_throttle(char *, size_t, size_t *);

/* Each worker process has its own copy. */
static char	metricspage_buf[METRICSPAGE_BUF_SIZE];

int
metricspage(struct http_request *req)
{
	size_t		len;

	/*
	 * The same answer as a path with no route, which Kore closes the
	 * connection after, so a client outside the list cannot tell that
	 * the route exists.
	 */
	if (!app_metrics_allowed(req)) {
		req->owner->flags |= CONN_CLOSE_EMPTY;
		http_response(req, HTTP_STATUS_NOT_FOUND, NULL, 0);
		return (KORE_RESULT_OK);
	}

	if (req->method != HTTP_METHOD_GET && req->method != HTTP_METHOD_HEAD) {
		http_response_header(req, "allow", "GET, HEAD");
		app_respond_text(req, HTTP_STATUS_METHOD_NOT_ALLOWED,
		    "Method Not Allowed");
		return (KORE_RESULT_OK);
	}

	if (metrics_render(app.metrics, metricspage_buf,
	    sizeof(metricspage_buf), &len) == -1) {
		kore_log(LOG_ERR, "metrics: the text does not fit %d bytes",
		    METRICSPAGE_BUF_SIZE);
		app_respond_text(req, HTTP_STATUS_INTERNAL_ERROR,
		    "Internal Server Error");
		return (KORE_RESULT_OK);
	}

	if (app.cfg.throttle_store == CONFIG_THROTTLE_MEMORY &&
	    metricspage_throttle(metricspage_buf, sizeof(metricspage_buf),
	    &len) == -1) {
		kore_log(LOG_ERR, "metrics: the throttle gauges do not fit "
		    "%d bytes", METRICSPAGE_BUF_SIZE);
		app_respond_text(req, HTTP_STATUS_INTERNAL_ERROR,
		    "Internal Server Error");
		return (KORE_RESULT_OK);
	}

	http_response_header(req, "content-type", METRICS_CONTENT_TYPE);
	http_response_header(req, "cache-control", "no-store");
	http_response(req, HTTP_STATUS_OK, metricspage_buf, len);

	return (KORE_RESULT_OK);
}

/*
 * Appends the in-memory throttle table's usage to the len bytes of text
 * in buf: slots in use and evictions per kind of key.  Returns -1 when it
 * does not fit or the table's lock failed.
 */
static int
metricspage_throttle(char *buf, size_t size, size_t *len)
{
	struct throttle_stats	st;
	int			n;

	if (throttle_stats(&app.throttle, &st) == -1)
		return (-1);

	n = snprintf(buf + *len, size - *len,
	    "# HELP jwt_throttle_slots Slots of the login throttle table per "
	    "kind of key.\n"
	    "# TYPE jwt_throttle_slots gauge\n"
	    "jwt_throttle_slots %zu\n"
	    "# HELP jwt_throttle_entries Slots in use, expired entries "
	    "included.\n"
	    "# TYPE jwt_throttle_entries gauge\n"
	    "jwt_throttle_entries{kind=\"user\"} %zu\n"
	    "jwt_throttle_entries{kind=\"addr\"} %zu\n"
	    "# HELP jwt_throttle_evictions_total Live entries evicted to make "
	    "room for another key.\n"
	    "# TYPE jwt_throttle_evictions_total counter\n"
	    "jwt_throttle_evictions_total{kind=\"user\"} %lu\n"
	    "jwt_throttle_evictions_total{kind=\"addr\"} %lu\n",
	    st.slots, st.used[THROTTLE_USER], st.used[THROTTLE_ADDR],
	    st.evictions[THROTTLE_USER], st.evictions[THROTTLE_ADDR]);
	if (n < 0 || (size_t)n >= size - *len)
		return (-1);

	*len += (size_t)n;
	return (0);
}
