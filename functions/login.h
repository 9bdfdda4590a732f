/*
 * The POST /jwt request body: a username and a password, as JSON or as an
 * HTML form.
 */
#ifndef LOGIN_H
#define LOGIN_H

#include <stddef.h>
#include <stdint.h>

#define LOGIN_BODY_MAX		4096	/* bytes of request body */

enum login_result {
	LOGIN_OK = 0,
	LOGIN_ERR_MEDIA_TYPE,		/* unsupported or missing Content-Type */
	LOGIN_ERR_TOO_LARGE,		/* body over LOGIN_BODY_MAX */
	LOGIN_ERR_MALFORMED		/* see login_request.error */
};

/*
 * Parsed credentials.  Neither field may contain a NUL byte, so both are
 * also C strings.  Wipe with login_request_clear() after use.
 */
struct login_request {
	char		username[LOGIN_BODY_MAX + 1];
	size_t		username_len;
	char		password[LOGIN_BODY_MAX + 1];
	size_t		password_len;
	const char	*error;		/* one-line reason for a 400 */
	size_t		dirty;		/* bytes of each field input reached */
};

/*
 * Parses a body of len bytes sent with the given Content-Type value (NULL
 * when absent).  JSON must be one object whose username and password are
 * strings; other members are ignored.  A form must name each field once
 * and use valid percent-encoding.  Duplicates, missing fields and NUL bytes
 * are LOGIN_ERR_MALFORMED with req->error set.
 */
int	login_parse(struct login_request *req, const char *content_type,
	    const uint8_t *body, size_t len);

/*
 * Wipes both fields as far as any input reached them: a decoded field is
 * never longer than the body, so login_parse() sets dirty to the body's
 * length plus its NUL.  Set dirty to 0 before a path that may skip
 * login_parse().
 */
void	login_request_clear(struct login_request *req);

#endif
