/*
 * libFuzzer harness for the POST /jwt body parser and the media type
 * parsers.
 *
 * The first input byte, modulo 5, picks the Content-Type value passed to
 * login_parse() and the rest is the body.  The body, cut at its first NUL
 * byte, is also parsed as a Content-Type value and as an Accept value.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "login.h"
#include "media.h"

#define FUZZ_CHECK(cond)	do {					\
	if (!(cond))							\
		fuzz_fail(#cond, __LINE__);				\
} while (0)

/* NULL stands for a request without a Content-Type header. */
static const char	*fuzz_content_types[] = {
	"application/json",
	"application/x-www-form-urlencoded",
	"application/json; charset=utf-8",
	"text/plain",
	NULL
};
#define FUZZ_CONTENT_TYPES	\
	(sizeof(fuzz_content_types) / sizeof(fuzz_content_types[0]))

static struct login_request	*fuzz_req;

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void	fuzz_fail(const char *, int) __attribute__((noreturn));
static int	fuzz_is_zero(const char *, size_t);
static void	fuzz_login(const char *, const uint8_t *, size_t);
static void	fuzz_media(const uint8_t *, size_t);

static void
fuzz_fail(const char *cond, int line)
{
	fprintf(stderr, "fuzz_login.c:%d: check failed: %s\n", line, cond);
	abort();
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;

	/*
	 * Allocated once, off the stack, because the request has two 4 KB
	 * fields.  Zeroed, so after each login_request_clear() both fields
	 * must be all zero again.
	 */
	if ((fuzz_req = calloc(1, sizeof(*fuzz_req))) == NULL) {
		fprintf(stderr, "fuzz_login: out of memory\n");
		exit(1);
	}

	return (0);
}

/*
 * Returns 1 when all len bytes at p are zero, for len up to the size of a
 * field.  One memcmp() keeps the check cheap under AddressSanitizer.
 */
static int
fuzz_is_zero(const char *p, size_t len)
{
	static const char	zero[LOGIN_BODY_MAX + 1];

	if (len > sizeof(zero))
		abort();
	return (memcmp(p, zero, len) == 0);
}

/*
 * Parses the body and checks the result against the contract in login.h.
 * The size limit is checked first, then the media type.  The fields of an
 * accepted body are C strings of the recorded lengths, and
 * login_request_clear() wipes every byte the parse wrote.
 */
static void
fuzz_login(const char *content_type, const uint8_t *body, size_t len)
{
	struct login_request	*req = fuzz_req;
	enum media_body		type;
	int			ret;

	type = media_body_type(content_type);
	ret = login_parse(req, content_type, body, len);

	FUZZ_CHECK(ret >= LOGIN_OK && ret <= LOGIN_ERR_MALFORMED);
	if (len > LOGIN_BODY_MAX) {
		FUZZ_CHECK(ret == LOGIN_ERR_TOO_LARGE);
		return;
	}
	FUZZ_CHECK(ret != LOGIN_ERR_TOO_LARGE);
	FUZZ_CHECK((ret == LOGIN_ERR_MEDIA_TYPE) ==
	    (type == MEDIA_BODY_UNSUPPORTED));

	switch (ret) {
	case LOGIN_OK:
		FUZZ_CHECK(len > 0);
		FUZZ_CHECK(req->username_len <= len);
		FUZZ_CHECK(req->password_len <= len);
		FUZZ_CHECK(strlen(req->username) == req->username_len);
		FUZZ_CHECK(strlen(req->password) == req->password_len);
		break;
	case LOGIN_ERR_MALFORMED:
		/* The reason goes into a 400 body as one line. */
		FUZZ_CHECK(req->error != NULL);
		FUZZ_CHECK(*req->error != '\0');
		FUZZ_CHECK(strpbrk(req->error, "\r\n") == NULL);
		FUZZ_CHECK(req->username_len == 0 && req->password_len == 0);
		break;
	default:
		break;
	}

	login_request_clear(req);
	FUZZ_CHECK(req->username_len == 0 && req->password_len == 0);
	FUZZ_CHECK(fuzz_is_zero(req->username, sizeof(req->username)));
	FUZZ_CHECK(fuzz_is_zero(req->password, sizeof(req->password)));
}

/* Parses the body as Content-Type and Accept values, checking the range. */
static void
fuzz_media(const uint8_t *body, size_t len)
{
	char	*value;
	int	prefers, type;

	if ((value = malloc(len + 1)) == NULL)
		abort();
	memcpy(value, body, len);
	value[len] = '\0';

	prefers = media_prefers_json(value);
	FUZZ_CHECK(prefers == 0 || prefers == 1);

	type = media_body_type(value);
	FUZZ_CHECK(type == MEDIA_BODY_UNSUPPORTED || type == MEDIA_BODY_JSON ||
	    type == MEDIA_BODY_FORM);

	free(value);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*content_type;

	if (size == 0)
		return (0);

	content_type = fuzz_content_types[data[0] % FUZZ_CONTENT_TYPES];
	fuzz_login(content_type, data + 1, size - 1);
	fuzz_media(data + 1, size - 1);

	return (0);
}
