/*
 * Audit lines for authentication decisions, generated with yajl so that
 * every value is escaped and each line stays one JSON object.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <yajl/yajl_gen.h>

#include "audit.h"

#define AUDIT_TIME_LEN		24	/* "2026-01-02T03:04:05.678Z" */

static int	audit_gen_member(yajl_gen, const char *, const char *,
		    size_t);
static int	audit_gen_key(yajl_gen, const char *);
static int	audit_gen_time(yajl_gen, const struct timespec *);
static int	audit_gen_event(yajl_gen, const struct audit_event *, int);
static int	audit_gen_finish(yajl_gen, char *, size_t, size_t *);
static size_t	audit_subject_cut(const char *, size_t);

int
audit_time_format(const struct timespec *when, char *out, size_t size)
{
	struct tm	tm;
	time_t		secs;
	int		n;

	if (size < AUDIT_TIME_LEN + 1)
		return (-1);

	secs = when->tv_sec;
	if (gmtime_r(&secs, &tm) == NULL)
		return (-1);

	n = snprintf(out, size, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, (long)(when->tv_nsec / 1000000));
	if (n != AUDIT_TIME_LEN)
		return (-1);

	return (0);
}

int
audit_fingerprint(const char *token, size_t len,
    char out[AUDIT_FINGERPRINT_LEN + 1])
{
	static const char	hex[] = "0123456789abcdef";
	unsigned char		digest[EVP_MAX_MD_SIZE];
	unsigned int		digest_len;
	size_t			i;

	if (EVP_Digest(token, len, digest, &digest_len, EVP_sha256(),
	    NULL) != 1 || digest_len * 2 < AUDIT_FINGERPRINT_LEN)
		return (-1);

	for (i = 0; i < AUDIT_FINGERPRINT_LEN / 2; i++) {
		out[2 * i] = hex[digest[i] >> 4];
		out[2 * i + 1] = hex[digest[i] & 0x0f];
	}
	out[AUDIT_FINGERPRINT_LEN] = '\0';

	return (0);
}

int
audit_format(const struct audit_event *ev, char *buf, size_t size,
    size_t *len)
{
	yajl_gen	g;
	int		ret;

	/*
	 * A subject that is not UTF-8 makes yajl stop; the line is then
	 * written again without it, so the decision is still recorded.
	 */
	if ((g = yajl_gen_alloc(NULL)) == NULL)
		return (-1);
	(void)yajl_gen_config(g, yajl_gen_validate_utf8, 1);
	ret = audit_gen_event(g, ev, 1);
	if (ret == 0)
		ret = audit_gen_finish(g, buf, size, len);
	yajl_gen_free(g);
	if (ret == 0 || ev->subject == NULL)
		return (ret);

	if ((g = yajl_gen_alloc(NULL)) == NULL)
		return (-1);
	(void)yajl_gen_config(g, yajl_gen_validate_utf8, 1);
	ret = audit_gen_event(g, ev, 0);
	if (ret == 0)
		ret = audit_gen_finish(g, buf, size, len);
	yajl_gen_free(g);

	return (ret);
}

int
audit_format_suppressed(const struct timespec *when, unsigned long count,
    char *buf, size_t size, size_t *len)
{
	yajl_gen	g;
	int		ret;

	if ((g = yajl_gen_alloc(NULL)) == NULL)
		return (-1);

	ret = -1;
	if (yajl_gen_map_open(g) != yajl_gen_status_ok ||
	    audit_gen_time(g, when) == -1 ||
	    audit_gen_member(g, "event", "audit_suppressed", 16) == -1 ||
	    audit_gen_key(g, "suppressed") == -1 ||
	    yajl_gen_integer(g, (long long)count) != yajl_gen_status_ok ||
	    yajl_gen_map_close(g) != yajl_gen_status_ok)
		goto cleanup;

	ret = audit_gen_finish(g, buf, size, len);

cleanup:
	yajl_gen_free(g);
	return (ret);
}

/*
 * Generates the members of ev in a fixed order.  with_subject 0 leaves the
 * subject out and marks it as invalid instead.
 */
static int
audit_gen_event(yajl_gen g, const struct audit_event *ev, int with_subject)
{
	char		fp[AUDIT_FINGERPRINT_LEN + 1];
	size_t		cut;

	if (yajl_gen_map_open(g) != yajl_gen_status_ok ||
	    audit_gen_time(g, &ev->time) == -1 ||
	    audit_gen_member(g, "event", "auth", 4) == -1 ||
	    audit_gen_member(g, "route", ev->route, strlen(ev->route)) == -1 ||
	    audit_gen_member(g, "result", ev->result,
	    strlen(ev->result)) == -1 ||
	    audit_gen_key(g, "status") == -1 ||
	    yajl_gen_integer(g, ev->status) != yajl_gen_status_ok ||
	    audit_gen_member(g, "reason", ev->reason,
	    strlen(ev->reason)) == -1)
		return (-1);

	if (ev->subject != NULL && with_subject) {
		cut = audit_subject_cut(ev->subject, ev->subject_len);
		if (audit_gen_member(g, "subject", ev->subject, cut) == -1)
			return (-1);
		if (cut < ev->subject_len &&
		    (audit_gen_key(g, "subject_truncated") == -1 ||
		    yajl_gen_bool(g, 1) != yajl_gen_status_ok))
			return (-1);
	} else if (ev->subject != NULL) {
		if (audit_gen_key(g, "subject_invalid") == -1 ||
		    yajl_gen_bool(g, 1) != yajl_gen_status_ok)
			return (-1);
	}

	if (ev->client != NULL &&
	    audit_gen_member(g, "client", ev->client,
	    strlen(ev->client)) == -1)
		return (-1);

	if (ev->token != NULL) {
		if (audit_fingerprint(ev->token, ev->token_len, fp) == -1 ||
		    audit_gen_member(g, "token_fingerprint", fp,
		    AUDIT_FINGERPRINT_LEN) == -1)
			return (-1);
	}

	if (yajl_gen_map_close(g) != yajl_gen_status_ok)
		return (-1);

	return (0);
}

/*
 * Returns how many bytes of the subject to write: all of it, or at most
 * AUDIT_SUBJECT_MAX, ending before a UTF-8 continuation byte.
 */
static size_t
audit_subject_cut(const char *subject, size_t len)
{
	size_t		cut;

	if (len <= AUDIT_SUBJECT_MAX)
		return (len);

	cut = AUDIT_SUBJECT_MAX;
	while (cut > 0 && ((unsigned char)subject[cut] & 0xc0) == 0x80)
		cut--;

	return (cut);
}

static int
audit_gen_time(yajl_gen g, const struct timespec *when)
{
	char		text[AUDIT_TIME_LEN + 1];

	if (audit_time_format(when, text, sizeof(text)) == -1)
		return (-1);

	return (audit_gen_member(g, "time", text, AUDIT_TIME_LEN));
}

static int
audit_gen_key(yajl_gen g, const char *key)
{
	if (yajl_gen_string(g, (const unsigned char *)key, strlen(key)) !=
	    yajl_gen_status_ok)
		return (-1);

	return (0);
}

static int
audit_gen_member(yajl_gen g, const char *key, const char *value,
    size_t len)
{
	if (audit_gen_key(g, key) == -1 ||
	    yajl_gen_string(g, (const unsigned char *)value, len) !=
	    yajl_gen_status_ok)
		return (-1);

	return (0);
}

/* Copies the generated line into buf when it fits AUDIT_LINE_MAX. */
static int
audit_gen_finish(yajl_gen g, char *buf, size_t size, size_t *len)
{
	const unsigned char	*out;
	size_t			 out_len;

	if (yajl_gen_get_buf(g, &out, &out_len) != yajl_gen_status_ok ||
	    out_len > AUDIT_LINE_MAX || out_len >= size)
		return (-1);

	memcpy(buf, out, out_len);
	buf[out_len] = '\0';
	*len = out_len;

	return (0);
}
