/*
 * The benchmark's ceiling: a Kore module that responds without any
 * authentication.  Its handlers have the service's names, so it runs under
 * the same conf/app.conf.  GET /bearer returns the salaries JSON with the
 * same headers as the service's 200, and POST /jwt reads the body and
 * returns the service's "OK" without issuing a token.
 *
 * bench/run.sh generates salaries.h from assets/salaries.json at build
 * time, as kodev embeds the asset in the service.
 */
#include <sys/types.h>

#include <kore/kore.h>
#include <kore/http.h>

#include "salaries.h"

int	bearer(struct http_request *);
int	jwt(struct http_request *);

int
bearer(struct http_request *req)
{
	http_response_header(req, "content-type", "application/json");
	http_response_header(req, "cache-control", "no-store");
	http_response(req, HTTP_STATUS_OK, ceiling_salaries,
	    sizeof(ceiling_salaries));

	return (KORE_RESULT_OK);
}

int
jwt(struct http_request *req)
{
	u_int8_t	buf[4096 + 1];
	ssize_t		n;

	/*
	 * Reads the whole body, as the service does.  Kore has already
	 * rejected a body over http_body_max.
	 */
	do {
		n = http_body_read(req, buf, sizeof(buf));
	} while (n > 0);

	http_response_header(req, "content-type", "text/plain; charset=utf-8");
	http_response_header(req, "cache-control", "no-store");
	http_response_header(req, "pragma", "no-cache");
	http_response(req, HTTP_STATUS_OK, "OK", 2);

	return (KORE_RESULT_OK);
}
