/*
 * State shared by the page handlers: the settings read at start, the keyed
 * HMAC and the approved credentials.  Set in the parent process before the
 * workers fork, so every worker starts with the same copy.
 */
#ifndef APP_H
#define APP_H

#include "config.h"
#include "credentials.h"
#include "token.h"

struct http_request;

#define APP_REALM		"Access to read salaries"
#define APP_PERM_READ		"read"

struct app_state {
	struct config		cfg;	/* secret and password wiped after use */
	struct token_key	key;
	struct credentials	creds;
	struct token_policy	policy;
	struct token_claims	claims;	/* what POST /jwt issues */
};

extern struct app_state	app;

/*
 * Finds the request header name.  Returns how many headers carry that name
 * (0, 1, or 2 for two or more) and sets *value to the first one.
 */
int	app_request_header(struct http_request *req, const char *name,
	    const char **value);

/*
 * Kore 4.1.0 splits at most HTTP_REQ_HEADER_MAX - 1 lines of a request
 * head (the request line and 23 header fields, Host included) and silently
 * drops the rest, so a request that reaches that count may carry fields, such as a
 * second Authorization header, that no handler can see.  Such a request
 * gets 431 and a log line; returns 1 when it was rejected.
 */
int	app_reject_truncated_head(struct http_request *req,
	    const char *route);

/* Sends a text/plain response with body text. */
void	app_respond_text(struct http_request *req, int status,
	    const char *text);

/*
 * Logs a rejected request at notice level with its route and reason, at
 * most APP_LOG_BURST lines a second per worker; the rest are counted and
 * the count logged once the next second starts.
 */
void	app_log_reject(const char *route, int status, const char *reason);

#define APP_LOG_BURST		50

#endif
