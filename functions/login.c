#include <string.h>

#include <openssl/crypto.h>

#include "jsonobj.h"
#include "login.h"
#include "media.h"

static int	login_parse_json(struct login_request *, const uint8_t *,
		    size_t);
static int	login_parse_form(struct login_request *, const uint8_t *,
		    size_t);
static int	login_json_field(struct login_request *,
		    const struct jsonobj *, const char *, char *, size_t *);

int
login_parse(struct login_request *req, const char *content_type,
    const uint8_t *body, size_t len)
{
	req->username[0] = '\0';
	req->password[0] = '\0';
	req->username_len = 0;
	req->password_len = 0;
	req->error = NULL;
	req->dirty = 1;

	if (len > LOGIN_BODY_MAX)
		return (LOGIN_ERR_TOO_LARGE);
	req->dirty = len + 1;

	switch (media_body_type(content_type)) {
	case MEDIA_BODY_JSON:
		return (login_parse_json(req, body, len));
	case MEDIA_BODY_FORM:
		return (login_parse_form(req, body, len));
	default:
		return (LOGIN_ERR_MEDIA_TYPE);
	}
}

void
login_request_clear(struct login_request *req)
{
	size_t		n;

	n = req->dirty < sizeof(req->username) ? req->dirty :
	    sizeof(req->username);
	OPENSSL_cleanse(req->username, n);
	OPENSSL_cleanse(req->password, n);
	req->username_len = 0;
	req->password_len = 0;
}

static int
login_malformed(struct login_request *req, const char *error)
{
	login_request_clear(req);
	req->error = error;
	return (LOGIN_ERR_MALFORMED);
}

static int
login_parse_json(struct login_request *req, const uint8_t *body, size_t len)
{
	struct jsonobj	obj;
	char		arena[JSONOBJ_ARENA_LEN(LOGIN_BODY_MAX)];
	int		ret;

	if (len == 0)
		return (login_malformed(req, "request body is empty"));

	switch (jsonobj_parse(&obj, body, len, arena, sizeof(arena))) {
	case JSONOBJ_OK:
		ret = login_json_field(req, &obj, "username", req->username,
		    &req->username_len);
		if (ret == LOGIN_OK)
			ret = login_json_field(req, &obj, "password",
			    req->password, &req->password_len);
		break;
	case JSONOBJ_ERR_NOT_OBJECT:
		ret = login_malformed(req, "body must be a JSON object");
		break;
	case JSONOBJ_ERR_DUPLICATE:
		ret = login_malformed(req, "body repeats a member name");
		break;
	case JSONOBJ_ERR_DEPTH:
		ret = login_malformed(req, "body is nested too deeply");
		break;
	case JSONOBJ_ERR_TOO_MANY:
		ret = login_malformed(req, "body has too many members");
		break;
	case JSONOBJ_ERR_NUMBER:
		ret = login_malformed(req, "body holds a number out of range");
		break;
	default:
		ret = login_malformed(req, "body is not valid JSON");
		break;
	}

	/* The arena contains the decoded password, whatever the outcome. */
	OPENSSL_cleanse(arena, JSONOBJ_ARENA_LEN(len));
	return (ret);
}

static int
login_json_field(struct login_request *req, const struct jsonobj *obj,
    const char *name, char *dst, size_t *dst_len)
{
	const struct jsonobj_member	*m;
	int				is_user;

	is_user = strcmp(name, "username") == 0;

	if ((m = jsonobj_get(obj, name)) == NULL)
		return (login_malformed(req, is_user ?
		    "missing username" : "missing password"));
	if (m->value.type != JSONOBJ_STRING)
		return (login_malformed(req, is_user ?
		    "username must be a string" : "password must be a string"));
	if (!jsonobj_is_text(&m->value))
		return (login_malformed(req, is_user ?
		    "username must not contain NUL" :
		    "password must not contain NUL"));

	memcpy(dst, m->value.str, m->value.len);
	dst[m->value.len] = '\0';
	*dst_len = m->value.len;

	return (LOGIN_OK);
}

static int
login_hex(int c)
{
	if (c >= '0' && c <= '9')
		return (c - '0');
	if (c >= 'a' && c <= 'f')
		return (c - 'a' + 10);
	if (c >= 'A' && c <= 'F')
		return (c - 'A' + 10);
	return (-1);
}

/*
 * Decodes len bytes of application/x-www-form-urlencoded text (the WHATWG
 * URL standard): '+' is a space and %XX a byte.  Returns the decoded
 * length, or -1 for a bad escape.
 */
static long
login_form_decode(const uint8_t *s, size_t len, char *out)
{
	size_t		i, o;
	int		hi, lo;

	for (i = 0, o = 0; i < len; i++) {
		if (s[i] == '+') {
			out[o++] = ' ';
		} else if (s[i] == '%') {
			if (i + 2 >= len)
				return (-1);
			hi = login_hex(s[i + 1]);
			lo = login_hex(s[i + 2]);
			if (hi == -1 || lo == -1)
				return (-1);
			out[o++] = (char)(hi << 4 | lo);
			i += 2;
		} else {
			out[o++] = (char)s[i];
		}
	}

	out[o] = '\0';
	return ((long)o);
}

static int	login_parse_form_fields(struct login_request *,
		    const uint8_t *, size_t, char *);

/* Parses the form, wiping the scratch buffer that saw every value. */
static int
login_parse_form(struct login_request *req, const uint8_t *body, size_t len)
{
	char		scratch[LOGIN_BODY_MAX + 1];
	int		ret;

	ret = login_parse_form_fields(req, body, len, scratch);
	OPENSSL_cleanse(scratch, len + 1);

	return (ret);
}

static int
login_parse_form_fields(struct login_request *req, const uint8_t *body,
    size_t len, char *name)
{
	const uint8_t	*pair, *eq, *end;
	char		*dst;
	size_t		i, *dst_len;
	long		n;
	int		have_user, have_pass, is_user;

	if (len == 0)
		return (login_malformed(req, "request body is empty"));

	/* Serializers percent-encode everything but visible ASCII. */
	for (i = 0; i < len; i++) {
		if (body[i] < 0x21 || body[i] > 0x7e)
			return (login_malformed(req,
			    "form body must be percent-encoded"));
	}

	have_user = have_pass = 0;
	for (pair = body; pair < body + len; pair = end + 1) {
		if ((end = memchr(pair, '&', (size_t)(body + len - pair))) == NULL)
			end = body + len;
		if ((eq = memchr(pair, '=', (size_t)(end - pair))) == NULL)
			return (login_malformed(req, "form field without '='"));

		n = login_form_decode(pair, (size_t)(eq - pair), name);
		if (n == -1)
			return (login_malformed(req, "invalid percent-encoding"));

		if (n == 8 && memcmp(name, "username", 8) == 0) {
			is_user = 1;
			dst = req->username;
			dst_len = &req->username_len;
			if (have_user++)
				return (login_malformed(req,
				    "form repeats username"));
		} else if (n == 8 && memcmp(name, "password", 8) == 0) {
			is_user = 0;
			dst = req->password;
			dst_len = &req->password_len;
			if (have_pass++)
				return (login_malformed(req,
				    "form repeats password"));
		} else {
			/* Other fields are ignored, but must be well-formed. */
			if (login_form_decode(eq + 1, (size_t)(end - eq - 1),
			    name) == -1)
				return (login_malformed(req,
				    "invalid percent-encoding"));
			continue;
		}

		n = login_form_decode(eq + 1, (size_t)(end - eq - 1), dst);
		if (n == -1)
			return (login_malformed(req, "invalid percent-encoding"));
		if (memchr(dst, '\0', (size_t)n) != NULL)
			return (login_malformed(req, is_user ?
			    "username must not contain NUL" :
			    "password must not contain NUL"));
		*dst_len = (size_t)n;
	}

	if (!have_user)
		return (login_malformed(req, "missing username"));
	if (!have_pass)
		return (login_malformed(req, "missing password"));

	return (LOGIN_OK);
}
