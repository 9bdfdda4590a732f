/*
 * GET and POST /bearer: returns the salaries data to a request that carries
 * a valid token with the read perm (RFC 6750).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <kore/kore.h>
#include <kore/http.h>

#include "app.h"
#include "assets.h"
#include "authz.h"
#include "datastore.h"
#include "tokencache.h"

int	bearer(struct http_request *);

/* Each worker process has its own copy. */
static struct tokencache	bearer_cache;

static void	bearer_challenge(struct http_request *, int, const char *,
		    const char *, const char *);

int
bearer(struct http_request *req)
{
	const char		*value, *token, *sub;
	size_t			len, sub_len;
	int			ret, has_read;

	/* Woken again while the data is read from PostgreSQL. */
	if (http_state_exists(req))
		return (datastore_serve(req, NULL, 0, NULL, 0));

	if (app_reject_bad_head(req, "/bearer"))
		return (KORE_RESULT_OK);

	if (req->method != HTTP_METHOD_GET && req->method != HTTP_METHOD_HEAD &&
	    req->method != HTTP_METHOD_POST) {
		http_response_header(req, "allow", "GET, HEAD, POST");
		(void)app_reject(req, "/bearer",
		    HTTP_STATUS_METHOD_NOT_ALLOWED, "method",
		    "Method Not Allowed");
		return (KORE_RESULT_OK);
	}

	switch (app_request_header(req, "authorization", &value)) {
	case 0:
		bearer_challenge(req, HTTP_STATUS_UNAUTHORIZED, NULL, NULL,
		    "no_credentials");
		return (KORE_RESULT_OK);
	case 1:
		break;
	default:
		/* RFC 6750 section 3.1: more than one method is invalid. */
		bearer_challenge(req, HTTP_STATUS_BAD_REQUEST,
		    "invalid_request",
		    "The request has more than one Authorization header",
		    "several_authorization");
		return (KORE_RESULT_OK);
	}

	switch (authz_bearer_parse(value, &token, &len)) {
	case AUTHZ_TOKEN:
		break;
	case AUTHZ_MALFORMED:
		bearer_challenge(req, HTTP_STATUS_UNAUTHORIZED, "invalid_token",
		    "The Authorization header holds no valid bearer token",
		    "malformed_authorization");
		return (KORE_RESULT_OK);
	default:
		bearer_challenge(req, HTTP_STATUS_UNAUTHORIZED, NULL, NULL,
		    "other_scheme");
		return (KORE_RESULT_OK);
	}

	ret = tokencache_verify(&bearer_cache, &app.keys, &app.policy, token,
	    len, app_now(), APP_PERM_READ, &has_read, &sub, &sub_len);
	if (ret != TOKEN_OK) {
		if (ret == TOKEN_ERR_INTERNAL)
			kore_log(LOG_ERR, "bearer: token check failed (OpenSSL)");
		bearer_challenge(req, HTTP_STATUS_UNAUTHORIZED, "invalid_token",
		    token_result_description(ret), token_result_reason(ret));
		return (KORE_RESULT_OK);
	}

	if (!has_read) {
		bearer_challenge(req, HTTP_STATUS_FORBIDDEN,
		    "insufficient_scope",
		    "The access token lacks the read perm", "no_read_perm");
		return (KORE_RESULT_OK);
	}

	/* The audit line follows the query, so it gives the status sent. */
	if (app.cfg.data_store == CONFIG_DATA_PGSQL)
		return (datastore_serve(req, sub, sub_len, token, len));

	app_accept_granted(req, sub, sub_len, token, len);

	http_response_header(req, "content-type", "application/json");
	http_response_header(req, "cache-control", "no-store");
	http_response(req, HTTP_STATUS_OK, asset_salaries_json,
	    asset_len_salaries_json);

	return (KORE_RESULT_OK);
}

/*
 * Sends status with a Bearer challenge (RFC 6750 section 3).  Without an
 * error code the client sent no Bearer credentials at all, so the
 * challenge names only the realm.
 */
static void
bearer_challenge(struct http_request *req, int status, const char *error,
    const char *description, const char *reason)
{
	char		challenge[512];
	const char	*body;
	int		n;

	if (error == NULL) {
		n = snprintf(challenge, sizeof(challenge),
		    "Bearer realm=\"%s\"", APP_REALM);
	} else if (status == HTTP_STATUS_FORBIDDEN) {
		n = snprintf(challenge, sizeof(challenge),
		    "Bearer realm=\"%s\", error=\"%s\", "
		    "error_description=\"%s\", scope=\"%s\"",
		    APP_REALM, error, description, APP_PERM_READ);
	} else {
		n = snprintf(challenge, sizeof(challenge),
		    "Bearer realm=\"%s\", error=\"%s\", "
		    "error_description=\"%s\"", APP_REALM, error, description);
	}
	if (n < 0 || (size_t)n >= sizeof(challenge))
		fatalx("bearer: challenge does not fit %zu bytes",
		    sizeof(challenge));

	switch (status) {
	case HTTP_STATUS_BAD_REQUEST:
		body = "Bad Request";
		break;
	case HTTP_STATUS_FORBIDDEN:
		body = "Forbidden";
		break;
	default:
		body = "Unauthorized";
		break;
	}

	http_response_header(req, "www-authenticate", challenge);
	(void)app_reject(req, "/bearer", status, reason, body);
}
