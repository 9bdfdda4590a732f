/*
 * Counters of authentication decisions shared by every Kore worker, their
 * Prometheus text rendering, and the address allow list of GET /metrics.
 * Kore-free, so the unit tests can run them without a server.
 */
#ifndef METRICS_H
#define METRICS_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct sockaddr;

/* Prefixes an allow list holds at most. */
#define METRICS_ALLOW_MAX	32

/* Bytes of METRICS_ALLOW read at most. */
#define METRICS_ALLOW_TEXT_MAX	2048

#define METRICS_CONTENT_TYPE	"text/plain; version=0.0.4; charset=utf-8"

/* The reason counted for a success. */
#define METRICS_REASON_OK	"ok"

/* One IPv4 or IPv6 CIDR prefix. */
struct metrics_prefix {
	int		family;		/* AF_INET or AF_INET6 */
	uint8_t		addr[16];	/* network byte order */
	unsigned int	bits;
};

struct metrics_allow {
	struct metrics_prefix	prefixes[METRICS_ALLOW_MAX];
	size_t			count;
};

/* Counters in memory that every process forked after metrics_create()
 * shares; the layout is private to metrics.c. */
struct metrics;

/*
 * Maps zeroed counters shared with every process forked afterwards and
 * records start as the process start time.  Returns NULL when mmap()
 * fails.  Free with metrics_destroy().
 */
struct metrics	*metrics_create(time_t start);
void		 metrics_destroy(struct metrics *m);

/*
 * Counts one decision on route ("/jwt" or "/bearer"): a success when reason
 * is METRICS_REASON_OK, otherwise a rejection.  A reason outside the fixed
 * set counts as "other".  Returns 0, or -1 for an unknown route, which is
 * not counted.  Safe to call from several processes at once.
 */
int	metrics_count(struct metrics *m, const char *route,
	    const char *reason);

/* Counts rejection audit lines that a rate limit dropped. */
void	metrics_count_suppressed(struct metrics *m, unsigned long count);

/*
 * Returns the decisions counted so far for route and reason, or 0 for an
 * unknown route.
 */
uint64_t	metrics_value(const struct metrics *m, const char *route,
		    const char *reason);

/*
 * Writes every metric in the Prometheus text exposition format 0.0.4 into
 * buf, NUL-terminated.  Returns 0 and sets *len, or -1 when buf is too
 * small.
 */
int	metrics_render(const struct metrics *m, char *buf, size_t size,
	    size_t *len);

/*
 * Escapes a label value as the text format requires (backslash, double
 * quote and line feed) into out, NUL-terminated.  Returns the length
 * written, or -1 when out is too small.
 */
int	metrics_label_escape(const char *value, char *out, size_t size);

/* Sets allow to the loopback prefixes 127.0.0.0/8 and ::1/128. */
void	metrics_allow_default(struct metrics_allow *allow);

/*
 * Parses a comma-separated list of IPv4 or IPv6 addresses or CIDR prefixes
 * ("127.0.0.1, ::1" is invalid: no white space).  A prefix must have no
 * bits set after its length.  Returns 0, or -1 with a message in err.
 */
int	metrics_allow_parse(struct metrics_allow *allow, const char *text,
	    char *err, size_t errlen);

/*
 * Returns 1 when the IPv4 or IPv6 address sa is inside a prefix of allow,
 * else 0.  An IPv4-mapped IPv6 address is matched as the IPv4 address.
 */
int	metrics_allow_match(const struct metrics_allow *allow,
	    const struct sockaddr *sa);

#endif
