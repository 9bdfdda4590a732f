#include <string.h>
#include <strings.h>

#include "authz.h"

/* RFC 6750 section 2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" /
 * "~" / "+" / "/" ) *"=" */
#define AUTHZ_B64TOKEN(c)						\
	(((c) >= 'A' && (c) <= 'Z') || ((c) >= 'a' && (c) <= 'z') ||	\
	 ((c) >= '0' && (c) <= '9') || (c) == '-' || (c) == '.' ||	\
	 (c) == '_' || (c) == '~' || (c) == '+' || (c) == '/')

#define AUTHZ_R4(n)	AUTHZ_B64TOKEN(n), AUTHZ_B64TOKEN((n) + 1),	\
			AUTHZ_B64TOKEN((n) + 2), AUTHZ_B64TOKEN((n) + 3)
#define AUTHZ_R16(n)	AUTHZ_R4(n), AUTHZ_R4((n) + 4), AUTHZ_R4((n) + 8), \
			AUTHZ_R4((n) + 12)
#define AUTHZ_R64(n)	AUTHZ_R16(n), AUTHZ_R16((n) + 16),		\
			AUTHZ_R16((n) + 32), AUTHZ_R16((n) + 48)

/* 1 for each byte a b64token may hold before its trailing '='. */
static const unsigned char authz_b64token[256] = {
	AUTHZ_R64(0), AUTHZ_R64(64), AUTHZ_R64(128), AUTHZ_R64(192)
};

/* RFC 9110 section 5.6.2 tchar: what an auth-scheme is made of. */
static int
authz_is_tchar(int c)
{
	return ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || (c != '\0' && strchr("!#$%&'*+-.^_`|~", c)));
}

enum authz_result
authz_bearer_parse(const char *value, const char **token, size_t *len)
{
	const char	*p, *start;

	*token = NULL;
	*len = 0;

	if (value == NULL || strncasecmp(value, "Bearer", 6) != 0)
		return (AUTHZ_NONE);

	/* "Bearerx" is another scheme; "Bearer" then a tab is a bad one. */
	p = value + 6;
	if (authz_is_tchar((unsigned char)*p))
		return (AUTHZ_NONE);
	if (*p != ' ' && *p != '\0')
		return (AUTHZ_MALFORMED);

	while (*p == ' ')
		p++;

	start = p;
	while (authz_b64token[(unsigned char)*p])
		p++;
	if (p == start)
		return (AUTHZ_MALFORMED);
	while (*p == '=')
		p++;

	*len = (size_t)(p - start);
	while (*p == ' ')
		p++;
	if (*p != '\0') {
		*len = 0;
		return (AUTHZ_MALFORMED);
	}

	*token = start;
	return (AUTHZ_TOKEN);
}
