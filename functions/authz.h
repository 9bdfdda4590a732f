/*
 * The Authorization request header with the Bearer scheme (RFC 6750
 * section 2.1).
 */
#ifndef AUTHZ_H
#define AUTHZ_H

#include <stddef.h>

enum authz_result {
	AUTHZ_NONE = 0,		/* no Bearer credentials: another scheme */
	AUTHZ_TOKEN,		/* *token and *len name the b64token */
	AUTHZ_MALFORMED		/* Bearer scheme with a missing or bad token */
};

/*
 * Splits an Authorization value into the scheme, matched case-insensitively,
 * and a b64token after one or more spaces.  Trailing spaces are ignored.
 * A scheme that only starts with "Bearer" is another scheme; any other
 * character outside the b64token syntax makes the value malformed.
 */
enum authz_result	authz_bearer_parse(const char *value,
			    const char **token, size_t *len);

#endif
