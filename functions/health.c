/*
 * GET and HEAD /health: tells a load balancer whether this worker serves
 * requests.  No authentication, no secrets and no version details.
 */
#include <string.h>

#include <kore/kore.h>
#include <kore/http.h>

#include "app.h"

#define HEALTH_BODY_OK		"{\"status\":\"ok\"}"
#define HEALTH_BODY_DEGRADED	"{\"status\":\"degraded\"}"

enum health_state {
	HEALTH_OK,
	HEALTH_DEGRADED		/* a dependency failed; answered with 503 */
};

int	health(struct http_request *);

static enum health_state	health_check(void);

int
health(struct http_request *req)
{
	const char	*body;
	int		 status;

	if (req->method != HTTP_METHOD_GET && req->method != HTTP_METHOD_HEAD) {
		http_response_header(req, "allow", "GET, HEAD");
		app_respond_text(req, HTTP_STATUS_METHOD_NOT_ALLOWED,
		    "Method Not Allowed");
		return (KORE_RESULT_OK);
	}

	if (health_check() == HEALTH_OK) {
		status = HTTP_STATUS_OK;
		body = HEALTH_BODY_OK;
	} else {
		status = HTTP_STATUS_SERVICE_UNAVAILABLE;
		body = HEALTH_BODY_DEGRADED;
	}

	http_response_header(req, "content-type", "application/json");
	http_response_header(req, "cache-control", "no-store");
	http_response(req, status, body, strlen(body));

	return (KORE_RESULT_OK);
}

/*
 * Returns the state of what this worker depends on.  A worker that runs
 * this code is serving, and the service has no other dependency yet.  A
 * check added here, such as a database ping, must stay cheap and bounded
 * in time, because load balancers call this often; it returns
 * HEALTH_DEGRADED when the dependency fails.
 */
static enum health_state
health_check(void)
{
	return (HEALTH_OK);
}
