/*
 * State shared by the page handlers: the settings read at start, the keyed
 * HMAC and the approved credentials.  Set in the parent process before the
 * workers fork, so every worker starts with the same copy.
 */
#ifndef APP_H
#define APP_H

#include <time.h>

#include "config.h"
#include "credentials.h"
#include "hmac.h"
#include "passhash.h"
#include "throttle.h"
#include "metrics.h"
#include "token.h"
#include "userstore.h"

struct http_request;

#define APP_REALM		"Access to read salaries"
#define APP_PERM_READ		"read"
#define APP_ADDR_MAX		46	/* INET6_ADDRSTRLEN */
#define APP_THROTTLE_SLOTS	16384	/* per kind of key */

struct app_state {
	struct config		cfg;	/* secret and password wiped after use */
	struct token_keyset	keys;	/* keys.keys[0] signs */
	struct credentials	creds;
	struct token_policy	policy;
	struct token_claims	claims;	/* what POST /jwt issues */
	struct userstore	users;	/* AUTH_USERS_FILE's users */
	struct passhash		dummy_hash;	/* checked for unknown users */
	struct throttle		throttle;	/* shared by the workers */
	struct hmac_key		throttle_key;	/* keys PostgreSQL's counts */
	struct metrics		*metrics; /* shared by every worker */
	struct metrics_allow	metrics_allow;	/* who may read GET /metrics */
	struct metrics_allow	proxies;	/* who may set X-Real-IP */
};

extern struct app_state	app;

/*
 * Finds the request header name.  Returns how many headers carry that name
 * (0, 1, or 2 for two or more) and sets *value to the first one.
 */
int	app_request_header(struct http_request *req, const char *name,
	    const char **value);

/*
 * Rejects a request head that Kore 4.1.0 parsed in a way no handler can
 * trust, and logs it; returns 1 when it did.  A method not written in
 * upper case: 400.  A NUL byte or a bare LF in the head, after which Kore
 * drops the rest: 400.  Kore splits at most
 * HTTP_REQ_HEADER_MAX - 1 lines of a head (the request line and 23 header
 * fields, Host included) and silently drops the rest, so a request that
 * reaches that count may carry fields, such as a second Authorization
 * header, that no handler can see: 431.  Kore also takes the first of
 * several Content-Length fields, accepts a sign or leading zeros in one,
 * and ignores Transfer-Encoding, which a proxy in front may read the
 * other way (request smuggling): 400.
 */
int	app_reject_bad_head(struct http_request *req, const char *route);

/*
 * Writes the client's address as text ("127.0.0.1", "::1") into buf, or
 * "unknown" for a connection without one.  For a connection from an
 * address in TRUSTED_PROXIES it is the address in the request's one
 * X-Real-IP header, when that is a valid IPv4 or IPv6 address.
 */
void	app_client_address(struct http_request *req, char *buf, size_t len);

/* Returns the current time from the precise clock, not the coarse one
 * time() may read, which can trail a client's clock by a tick. */
time_t	app_now(void);

/*
 * Counts and audits a rejected request, as app_log_reject() does but with
 * the client address and, on /bearer, the fingerprint of a presented
 * token, then sends status with the text/plain body text.  Returns 1, so
 * handlers can return its result.
 */
int	app_reject(struct http_request *req, const char *route, int status,
	    const char *reason, const char *text);

/* Sends a text/plain response with body text. */
void	app_respond_text(struct http_request *req, int status,
	    const char *text);

/*
 * Counts a rejected request in the metrics and logs its audit line at
 * notice level, at most APP_LOG_BURST lines a second per worker.  The rest
 * are counted, and the count is logged as a JSON line with the first
 * rejection of a later second.
 */
void	app_log_reject(const char *route, int status, const char *reason);

/*
 * Counts and audits a token issued by POST /jwt to the user sub.  Every
 * success is logged, at notice level, without a rate limit.
 */
void	app_accept_issued(struct http_request *req, const char *sub,
	    const char *token, size_t token_len);

/* Counts and audits a request that /bearer granted to subject sub. */
void	app_accept_granted(struct http_request *req, const char *sub,
	    size_t sub_len, const char *token, size_t token_len);

/* Returns 1 when the client's address is in METRICS_ALLOW, else 0. */
int	app_metrics_allowed(struct http_request *req);

#define APP_LOG_BURST		50

#endif
