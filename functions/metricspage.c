/*
 * GET and HEAD /metrics: the decision counters of every worker in the
 * Prometheus text exposition format 0.0.4, for clients in METRICS_ALLOW.
 */
#include <kore/kore.h>
#include <kore/http.h>

#include "app.h"
#include "metrics.h"

/* The rendered text is about 5 KB. */
#define METRICSPAGE_BUF_SIZE	16384

int	metricspage(struct http_request *);

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

	http_response_header(req, "content-type", METRICS_CONTENT_TYPE);
	http_response_header(req, "cache-control", "no-store");
	http_response(req, HTTP_STATUS_OK, metricspage_buf, len);

	return (KORE_RESULT_OK);
}
