/*
 * Audit lines: one JSON object per authentication decision, written on one
 * line with yajl's generator.  Kore-free, so the unit tests can parse the
 * lines back.
 */
#ifndef AUDIT_H
#define AUDIT_H

#include <stddef.h>
#include <time.h>

/* Text before the JSON object in each log line, for log shippers. */
#define AUDIT_LOG_PREFIX	"audit: "

/* Hex characters of SHA-256 kept as a token fingerprint. */
#define AUDIT_FINGERPRINT_LEN	12

/*
 * Bytes of a subject written at most.  A longer one is cut at a UTF-8
 * character boundary and marked with "subject_truncated": true.  Even if every byte needs a
 * six-character \u escape, the line stays within AUDIT_LINE_MAX.
 */
#define AUDIT_SUBJECT_MAX	128

/*
 * Bytes of a formatted line at most, NUL excluded.  Kore 4.1.0 formats a
 * log message into 2048 bytes and adds the worker name in front.
 */
#define AUDIT_LINE_MAX		1536

#define AUDIT_RESULT_ISSUED	"issued"
#define AUDIT_RESULT_GRANTED	"granted"
#define AUDIT_RESULT_REJECTED	"rejected"

/* One authentication decision.  Every string is NUL-terminated except
 * subject and token, which are counted. */
struct audit_event {
	struct timespec	 time;		/* CLOCK_REALTIME */
	const char	*route;
	const char	*result;	/* AUDIT_RESULT_* */
	int		 status;	/* HTTP status sent */
	const char	*reason;	/* "ok" or a one-word rejection reason */
	const char	*subject;	/* NULL when not known */
	size_t		 subject_len;
	const char	*client;	/* client address text, NULL if unknown */
	const char	*token;		/* presented or issued; NULL if none */
	size_t		 token_len;
};

/*
 * Writes ev as one JSON object, with no newline, into buf of size bytes and
 * NUL-terminates it.  The token itself is never written, only its
 * fingerprint.  Returns 0 and sets *len, or -1 when yajl fails or the line
 * does not fit.
 */
int	audit_format(const struct audit_event *ev, char *buf, size_t size,
	    size_t *len);

/*
 * Writes the JSON line that reports count rejection lines dropped by a rate
 * limit.  Returns 0 and sets *len, or -1.
 */
int	audit_format_suppressed(const struct timespec *when,
	    unsigned long count, char *buf, size_t size, size_t *len);

/*
 * Writes the first AUDIT_FINGERPRINT_LEN lower-case hex characters of the
 * SHA-256 of token into out, NUL-terminated.  Returns 0, or -1 when OpenSSL
 * fails.
 */
int	audit_fingerprint(const char *token, size_t len,
	    char out[AUDIT_FINGERPRINT_LEN + 1]);

/*
 * Writes when as RFC 3339 UTC with milliseconds, such as
 * "2026-01-02T03:04:05.678Z", into out.  Returns 0, or -1 when out is
 * smaller than 25 bytes.
 */
int	audit_time_format(const struct timespec *when, char *out,
	    size_t size);

#endif
