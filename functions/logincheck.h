/*
 * The slow path of POST /jwt: throttling, the user lookup and the password
 * hash check, run as a state machine over Kore's pgsql and task APIs, so
 * the worker's event loop does not wait for queries or hashes.  Opening a
 * PostgreSQL connection still blocks it (see pgstore.c).
 */
#ifndef LOGINCHECK_H
#define LOGINCHECK_H

#include <time.h>

#include "login.h"
#include "token.h"

struct http_request;
struct login_check;

/* Hash checks queued or running per worker before logins get 503. */
#define LOGINCHECK_TASKS_MAX	64

/*
 * Copies the parsed credentials into new request state; the caller wipes
 * its own copy.  logincheck_run() then drives the request to its
 * response.
 */
struct login_check	*logincheck_create(struct http_request *req,
			    const struct login_request *login);

/*
 * Moves the login on: called when the request starts and each time Kore
 * wakes it.  Returns the handler's result.
 */
int	logincheck_run(struct http_request *req);

/*
 * In-memory throttling.  logincheck_attempt() returns 1 and sets
 * *retry_after (seconds) when the username or the address has failed too
 * often; otherwise it counts the attempt as a failure before the password
 * is checked, so attempts sent at the same time cannot all pass.
 * logincheck_succeeded() takes that failure back for a right password.
 */
int	logincheck_attempt(const struct login_request *login,
	    const char *addr, time_t now, long *retry_after);
void	logincheck_succeeded(const struct login_request *login,
	    const char *addr);

/* Sends 429 with Retry-After. */
void	logincheck_reject_throttled(struct http_request *req,
	    long retry_after);

/* Signs a token with claims and sends it (defined in jwt.c). */
void	jwt_issue(struct http_request *req, const struct token_claims *claims);

#endif
