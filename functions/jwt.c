/*
 * POST /jwt: checks a username and password and issues an HS256 token in
 * the access_token response header.
 *
 * The users live in one of three stores (AUTH_USERS_STORE).  The
 * AUTH_USERNAME and AUTH_PASSWORD pair is compared at once on the event
 * loop, because its keyed digests cost microseconds.  Users from the
 * AUTH_USERS_FILE file or from PostgreSQL have slow password hashes,
 * which run on one of Kore's task threads while the worker goes on
 * serving other requests.  The request sleeps until its task finishes.
 * Failed logins are counted per username and per client address, in
 * memory shared by the workers or in PostgreSQL, and a throttled login
 * gets 429 with Retry-After before any hashing.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <kore/kore.h>
#include <kore/http.h>
#include <kore/tasks.h>

#include <openssl/crypto.h>
#include <yajl/yajl_gen.h>

#include "app.h"
#include "login.h"
#include "logincheck.h"
#include "media.h"

int	jwt(struct http_request *);

static int	jwt_begin(struct http_request *);
static int	jwt_resume(struct http_request *);
static int	jwt_parse(struct http_request *, struct login_request *);
static int	jwt_check_pair(struct http_request *, struct login_request *);
static void	jwt_reject(struct http_request *, int, const char *,
		    const char *);
static int	jwt_read_body(struct http_request *, uint8_t *, size_t,
		    size_t *);
static void	jwt_wipe_request_body(struct http_request *);

int
jwt(struct http_request *req)
{
	/* Woken again while a query or a hash check runs. */
	if (http_state_exists(req))
		return (jwt_resume(req));

	return (jwt_begin(req));
}

static int
jwt_begin(struct http_request *req)
{
	struct login_request	login;
	struct login_check	*st;
	int			ret;

	login.dirty = 0;

	if (app_reject_bad_head(req, "/jwt"))
		return (KORE_RESULT_OK);

	if (req->method != HTTP_METHOD_POST) {
		http_response_header(req, "allow", "POST");
		jwt_reject(req, HTTP_STATUS_METHOD_NOT_ALLOWED,
		    "Method Not Allowed", "method");
		return (KORE_RESULT_OK);
	}

	if (jwt_parse(req, &login) == -1) {
		login_request_clear(&login);
		return (KORE_RESULT_OK);
	}

	if (app.cfg.users_store == CONFIG_USERS_PAIR &&
	    app.cfg.throttle_store == CONFIG_THROTTLE_MEMORY) {
		ret = jwt_check_pair(req, &login);
		login_request_clear(&login);
		return (ret);
	}

	/* The slow path keeps the credentials in the request's state. */
	st = logincheck_create(req, &login);
	login_request_clear(&login);
	(void)st;

	return (jwt_resume(req));
}

static int
jwt_resume(struct http_request *req)
{
	return (logincheck_run(req));
}

/*
 * Reads and parses the body.  Returns 0, or -1 after sending the error
 * response.
 */
static int
jwt_parse(struct http_request *req, struct login_request *login)
{
	uint8_t		body[LOGIN_BODY_MAX + 1];
	const char	*content_type;
	size_t		body_len;
	int		ret;

	body_len = 0;
	ret = -1;

	if (app_request_header(req, "content-type", &content_type) > 1) {
		jwt_reject(req, HTTP_STATUS_BAD_REQUEST,
		    "more than one Content-Type header", "content_type");
		return (-1);
	}

	if (jwt_read_body(req, body, sizeof(body), &body_len) == -1) {
		jwt_reject(req, HTTP_STATUS_INTERNAL_ERROR,
		    "Internal Server Error", "body_read");
		goto cleanup;
	}

	switch (login_parse(login, content_type, body, body_len)) {
	case LOGIN_OK:
		ret = 0;
		break;
	case LOGIN_ERR_TOO_LARGE:
		jwt_reject(req, HTTP_STATUS_REQUEST_ENTITY_TOO_LARGE,
		    "request body is over 4096 bytes", "body_size");
		break;
	case LOGIN_ERR_MEDIA_TYPE:
		jwt_reject(req, HTTP_STATUS_UNSUPPORTED_MEDIA_TYPE,
		    "Content-Type must be application/json or "
		    "application/x-www-form-urlencoded", "content_type");
		break;
	default:
		jwt_reject(req, HTTP_STATUS_BAD_REQUEST, login->error,
		    "malformed_body");
		break;
	}

cleanup:
	OPENSSL_cleanse(body, body_len);
	jwt_wipe_request_body(req);
	return (ret);
}

/*
 * The fast path: the AUTH_USERNAME and AUTH_PASSWORD pair with throttling
 * in this instance's memory, all on the event loop.
 */
static int
jwt_check_pair(struct http_request *req, struct login_request *login)
{
	char		addr[APP_ADDR_MAX];
	long		retry_after;
	time_t		now;
	int		ok;

	now = app_now();
	app_client_address(req, addr, sizeof(addr));

	if (logincheck_attempt(login, addr, now, &retry_after)) {
		logincheck_reject_throttled(req, retry_after);
		return (KORE_RESULT_OK);
	}

	ok = credentials_check(&app.creds, login->username,
	    login->username_len, login->password, login->password_len);
	if (ok == -1) {
		kore_log(LOG_ERR, "jwt: credential check failed (OpenSSL)");
		jwt_reject(req, HTTP_STATUS_INTERNAL_ERROR,
		    "Internal Server Error", "internal");
		return (KORE_RESULT_OK);
	}

	if (ok == 1)
		logincheck_succeeded(login, addr);
	if (ok == 0) {
		jwt_reject(req, HTTP_STATUS_UNAUTHORIZED, "Unauthorized",
		    "bad_credentials");
		return (KORE_RESULT_OK);
	}

	jwt_issue(req, &app.claims);
	return (KORE_RESULT_OK);
}

static void
jwt_reject(struct http_request *req, int status, const char *body,
    const char *reason)
{
	(void)app_reject(req, "/jwt", status, reason, body);
}

/*
 * Copies the request body into buf.  One byte more than LOGIN_BODY_MAX is
 * read so that login_parse() can tell an oversized body.
 */
static int
jwt_read_body(struct http_request *req, uint8_t *buf, size_t buflen,
    size_t *len)
{
	ssize_t		n;

	*len = 0;
	for (;;) {
		n = http_body_read(req, buf + *len, buflen - *len);
		if (n == -1)
			return (-1);
		if (n == 0 || (*len += (size_t)n) == buflen)
			break;
	}

	return (0);
}

/*
 * Overwrites the body Kore buffered for the handler, which contains the
 * password.  XXX Kore 4.1.0 also keeps the first body bytes in the buffer
 * of the request head and frees its network buffers without wiping them;
 * the module cannot reach those.
 */
static void
jwt_wipe_request_body(struct http_request *req)
{
	if (req->http_body != NULL && req->http_body->data != NULL)
		OPENSSL_cleanse(req->http_body->data, req->http_body->length);
}

/*
 * Signs a token with claims and sends 200 with it in the access_token
 * header.  The body is "OK", or the RFC 6749 section 5.1 JSON when the
 * client prefers JSON.
 */
void
jwt_issue(struct http_request *req, const struct token_claims *claims)
{
	yajl_gen		g;
	const unsigned char	*json;
	const char		*accept;
	char			token[TOKEN_LEN_MAX + 1];
	size_t			json_len, len;

	len = 0;
	if (token_issue(&app.keys, claims, app_now(), token, sizeof(token),
	    &len) != TOKEN_OK) {
		kore_log(LOG_ERR, "jwt: token signing failed (OpenSSL or yajl)");
		jwt_reject(req, HTTP_STATUS_INTERNAL_ERROR,
		    "Internal Server Error", "internal");
		OPENSSL_cleanse(token, sizeof(token));
		return;
	}

	app_accept_issued(req, claims->sub, token, len);
	http_response_header(req, "access_token", token);
	http_response_header(req, "cache-control", "no-store");
	http_response_header(req, "pragma", "no-cache");

	if (app_request_header(req, "accept", &accept) == 0 ||
	    !media_prefers_json(accept)) {
		app_respond_text(req, HTTP_STATUS_OK, "OK");
		OPENSSL_cleanse(token, len);
		return;
	}

	if ((g = yajl_gen_alloc(NULL)) == NULL)
		fatalx("jwt: yajl_gen_alloc: out of memory");

	if (yajl_gen_map_open(g) != yajl_gen_status_ok ||
	    yajl_gen_string(g, (const unsigned char *)"access_token", 12) !=
	    yajl_gen_status_ok ||
	    yajl_gen_string(g, (const unsigned char *)token, len) !=
	    yajl_gen_status_ok ||
	    yajl_gen_string(g, (const unsigned char *)"token_type", 10) !=
	    yajl_gen_status_ok ||
	    yajl_gen_string(g, (const unsigned char *)"Bearer", 6) !=
	    yajl_gen_status_ok ||
	    yajl_gen_string(g, (const unsigned char *)"expires_in", 10) !=
	    yajl_gen_status_ok ||
	    yajl_gen_integer(g, claims->ttl) != yajl_gen_status_ok ||
	    yajl_gen_map_close(g) != yajl_gen_status_ok ||
	    yajl_gen_get_buf(g, &json, &json_len) != yajl_gen_status_ok) {
		yajl_gen_free(g);
		kore_log(LOG_ERR, "jwt: cannot write the JSON token response");
		app_respond_text(req, HTTP_STATUS_INTERNAL_ERROR,
		    "Internal Server Error");
		OPENSSL_cleanse(token, len);
		return;
	}

	http_response_header(req, "content-type", "application/json");
	http_response(req, HTTP_STATUS_OK, json, json_len);
	yajl_gen_free(g);
	OPENSSL_cleanse(token, len);
}
