/*
 * Media types of request bodies and the Accept header (RFC 9110 sections
 * 8.3 and 12.5.1).
 */
#ifndef MEDIA_H
#define MEDIA_H

enum media_body {
	MEDIA_BODY_UNSUPPORTED = 0,
	MEDIA_BODY_JSON,		/* application/json */
	MEDIA_BODY_FORM			/* application/x-www-form-urlencoded */
};

/*
 * Classifies a Content-Type value (NULL when the header is absent).  The
 * type is case-insensitive; the only parameter allowed is a charset of
 * utf-8 (quoted or not).  Anything else is MEDIA_BODY_UNSUPPORTED.
 */
enum media_body	media_body_type(const char *content_type);

/*
 * Returns 1 when an Accept value (NULL when absent) gives application/json
 * a higher quality than text/plain, counting the wildcards that match
 * each, otherwise 0.  A malformed Accept value returns 0.
 */
int	media_prefers_json(const char *accept);

#endif
