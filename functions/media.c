#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "media.h"

/* Specificity of a media range matching a type (RFC 9110 section 12.5.1). */
#define MEDIA_MATCH_NONE	0
#define MEDIA_MATCH_ANY		1	/* star/star */
#define MEDIA_MATCH_TYPE	2	/* type/star */
#define MEDIA_MATCH_EXACT	3

static const char *
media_skip_ows(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return (p);
}

/* RFC 9110 section 5.6.2 tchar. */
static int
media_is_tchar(int c)
{
	return (isalnum(c) || (c != '\0' && strchr("!#$%&'*+-.^_`|~", c)));
}

static const char *
media_token_end(const char *p)
{
	while (media_is_tchar((unsigned char)*p))
		p++;
	return (p);
}

/*
 * Reads one parameter value, a token or a quoted-string, into buf (up to
 * buflen - 1 bytes).  Returns the position after it, or NULL.
 */
static const char *
media_param_value(const char *p, char *buf, size_t buflen)
{
	size_t		n;

	n = 0;
	if (*p == '"') {
		for (p++; *p != '"'; p++) {
			if (*p == '\\')
				p++;
			if (*p == '\0' || n + 1 >= buflen)
				return (NULL);
			buf[n++] = *p;
		}
		p++;
	} else {
		for (; media_is_tchar((unsigned char)*p); p++) {
			if (n + 1 >= buflen)
				return (NULL);
			buf[n++] = *p;
		}
		if (n == 0)
			return (NULL);
	}

	buf[n] = '\0';
	return (p);
}

enum media_body
media_body_type(const char *content_type)
{
	const char	*p, *end, *name;
	size_t		len, name_len;
	enum media_body	type;
	char		value[32];

	if (content_type == NULL)
		return (MEDIA_BODY_UNSUPPORTED);

	p = media_skip_ows(content_type);
	end = media_token_end(p);
	if (*end != '/')
		return (MEDIA_BODY_UNSUPPORTED);
	end = media_token_end(end + 1);
	len = (size_t)(end - p);

	if (len == 16 && strncasecmp(p, "application/json", len) == 0)
		type = MEDIA_BODY_JSON;
	else if (len == 33 &&
	    strncasecmp(p, "application/x-www-form-urlencoded", len) == 0)
		type = MEDIA_BODY_FORM;
	else
		return (MEDIA_BODY_UNSUPPORTED);

	/* Parameters: only charset=utf-8, which both types mean anyway. */
	for (p = media_skip_ows(end); *p != '\0'; p = media_skip_ows(p)) {
		if (*p != ';')
			return (MEDIA_BODY_UNSUPPORTED);
		name = media_skip_ows(p + 1);
		end = media_token_end(name);
		name_len = (size_t)(end - name);
		if (*end != '=' || name_len != 7 ||
		    strncasecmp(name, "charset", 7) != 0)
			return (MEDIA_BODY_UNSUPPORTED);
		if ((p = media_param_value(end + 1, value,
		    sizeof(value))) == NULL)
			return (MEDIA_BODY_UNSUPPORTED);
		if (strcasecmp(value, "utf-8") != 0)
			return (MEDIA_BODY_UNSUPPORTED);
	}

	return (type);
}

/* Parses a qvalue (RFC 9110 section 12.4.2) into thousandths, or -1. */
static int
media_qvalue(const char *s)
{
	int		q, digits, place;

	if (s[0] == '1') {
		q = 1000;
	} else if (s[0] == '0') {
		q = 0;
	} else {
		return (-1);
	}
	s++;

	if (*s == '\0')
		return (q);
	if (*s++ != '.')
		return (-1);

	place = 100;
	for (digits = 0; *s != '\0'; s++, digits++) {
		if (digits == 3 || !isdigit((unsigned char)*s))
			return (-1);
		if (q == 1000 && *s != '0')
			return (-1);
		if (q < 1000)
			q += (*s - '0') * place;
		place /= 10;
	}

	return (q);
}

/* How specifically the range type/subtype matches want_type/want_sub. */
static int
media_range_match(const char *type, size_t type_len, const char *sub,
    size_t sub_len, const char *want_type, const char *want_sub)
{
	if (type_len == 1 && type[0] == '*')
		return (sub_len == 1 && sub[0] == '*' ? MEDIA_MATCH_ANY :
		    MEDIA_MATCH_NONE);
	if (type_len != strlen(want_type) ||
	    strncasecmp(type, want_type, type_len) != 0)
		return (MEDIA_MATCH_NONE);
	if (sub_len == 1 && sub[0] == '*')
		return (MEDIA_MATCH_TYPE);
	if (sub_len != strlen(want_sub) ||
	    strncasecmp(sub, want_sub, sub_len) != 0)
		return (MEDIA_MATCH_NONE);

	return (MEDIA_MATCH_EXACT);
}

int
media_prefers_json(const char *accept)
{
	const char	*p, *type, *sub, *end, *name;
	size_t		type_len, sub_len, name_len;
	int		q, m, json_q, json_m, text_q, text_m;
	char		value[16];

	if (accept == NULL)
		return (0);

	json_q = text_q = 0;
	json_m = text_m = MEDIA_MATCH_NONE;

	for (p = accept;;) {
		p = media_skip_ows(p);
		if (*p == ',') {
			p++;
			continue;
		}
		if (*p == '\0')
			break;

		type = p;
		end = media_token_end(type);
		type_len = (size_t)(end - type);
		if (type_len == 0 || *end != '/')
			return (0);
		sub = end + 1;
		end = media_token_end(sub);
		sub_len = (size_t)(end - sub);
		if (sub_len == 0)
			return (0);

		q = 1000;
		for (p = media_skip_ows(end); *p == ';'; p = media_skip_ows(p)) {
			name = media_skip_ows(p + 1);
			end = media_token_end(name);
			name_len = (size_t)(end - name);
			if (name_len == 0 || *end != '=')
				return (0);
			if ((p = media_param_value(end + 1, value,
			    sizeof(value))) == NULL)
				return (0);
			if (name_len == 1 && (*name == 'q' || *name == 'Q') &&
			    (q = media_qvalue(value)) == -1)
				return (0);
		}
		if (*p != ',' && *p != '\0')
			return (0);

		m = media_range_match(type, type_len, sub, sub_len,
		    "application", "json");
		if (m > json_m) {
			json_m = m;
			json_q = q;
		}
		m = media_range_match(type, type_len, sub, sub_len,
		    "text", "plain");
		if (m > text_m) {
			text_m = m;
			text_q = q;
		}
	}

	return (json_q > text_q);
}
