/*
 * Decision counters in an anonymous shared mapping: Kore's parent creates
 * it before forking the workers, and each worker adds to it with atomic
 * increments, so GET /metrics on any worker returns the totals of all.
 */
#include <sys/types.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "metrics.h"

#define METRICS_ROUTE_JWT	0x01
#define METRICS_ROUTE_BEARER	0x02
#define METRICS_ROUTE_BOTH	(METRICS_ROUTE_JWT | METRICS_ROUTE_BEARER)

#define METRICS_ROUTE_COUNT	2

/*
 * Every reason a handler gives, and the routes that give it.  A counter is
 * rendered, even at zero, on the routes its reason belongs to, and on any
 * other route once it is non-zero.  "other" counts reasons missing here.
 */
static const struct metrics_reason {
	const char	*name;
	int		 routes;
} metrics_reasons[] = {
	{ METRICS_REASON_OK,		METRICS_ROUTE_BOTH },
	/* functions/app.c: the request head */
	{ "method_case",		METRICS_ROUTE_BOTH },
	{ "head_nul",			METRICS_ROUTE_BOTH },
	{ "transfer_encoding",		METRICS_ROUTE_BOTH },
	{ "content_length",		METRICS_ROUTE_BOTH },
	{ "too_many_header_fields",	METRICS_ROUTE_BOTH },
	{ "method",			METRICS_ROUTE_BOTH },
	{ "internal",			METRICS_ROUTE_BOTH },
	/* functions/jwt.c */
	{ "content_type",		METRICS_ROUTE_JWT },
	{ "body_read",			METRICS_ROUTE_JWT },
	{ "body_size",			METRICS_ROUTE_JWT },
	{ "malformed_body",		METRICS_ROUTE_JWT },
	{ "bad_credentials",		METRICS_ROUTE_JWT },
	/* functions/logincheck.c */
	{ "throttled",			METRICS_ROUTE_JWT },
	{ "busy",			METRICS_ROUTE_JWT },
	{ "throttle_store",		METRICS_ROUTE_JWT },
	{ "users_store",		METRICS_ROUTE_JWT },
	{ "users_store_row",		METRICS_ROUTE_JWT },
	/* functions/bearer.c */
	{ "no_credentials",		METRICS_ROUTE_BEARER },
	{ "several_authorization",	METRICS_ROUTE_BEARER },
	{ "malformed_authorization",	METRICS_ROUTE_BEARER },
	{ "other_scheme",		METRICS_ROUTE_BEARER },
	{ "no_read_perm",		METRICS_ROUTE_BEARER },
	/* functions/datastore.c */
	{ "database",			METRICS_ROUTE_BEARER },
	{ "database_rows",		METRICS_ROUTE_BEARER },
	/* token_result_reason() in functions/token.c */
	{ "format",			METRICS_ROUTE_BEARER },
	{ "encoding",			METRICS_ROUTE_BEARER },
	{ "header",			METRICS_ROUTE_BEARER },
	{ "alg",			METRICS_ROUTE_BEARER },
	{ "crit",			METRICS_ROUTE_BEARER },
	{ "typ",			METRICS_ROUTE_BEARER },
	{ "kid",			METRICS_ROUTE_BEARER },
	{ "signature",			METRICS_ROUTE_BEARER },
	{ "payload",			METRICS_ROUTE_BEARER },
	{ "claim_missing",		METRICS_ROUTE_BEARER },
	{ "claim_type",			METRICS_ROUTE_BEARER },
	{ "expired",			METRICS_ROUTE_BEARER },
	{ "not_yet_valid",		METRICS_ROUTE_BEARER },
	{ "issued_in_future",		METRICS_ROUTE_BEARER },
	{ "lifetime",			METRICS_ROUTE_BEARER },
	{ "issuer",			METRICS_ROUTE_BEARER },
	{ "subject",			METRICS_ROUTE_BEARER },
	{ "perms",			METRICS_ROUTE_BEARER },
	{ "audience",			METRICS_ROUTE_BEARER },
	{ "other",			0 },
};

#define METRICS_REASON_COUNT	\
	(sizeof(metrics_reasons) / sizeof(metrics_reasons[0]))
#define METRICS_REASON_OTHER	(METRICS_REASON_COUNT - 1)

static const struct metrics_route {
	const char	*path;
	int		 mask;
	const char	*success;	/* the result label of reason "ok" */
} metrics_routes[METRICS_ROUTE_COUNT] = {
	{ "/jwt",	METRICS_ROUTE_JWT,	"issued" },
	{ "/bearer",	METRICS_ROUTE_BEARER,	"granted" },
};

struct metrics {
	uint64_t	decisions[METRICS_ROUTE_COUNT][METRICS_REASON_COUNT];
	uint64_t	suppressed;
	int64_t		start_time;
};

/* A bounded writer: after the first overflow every append fails. */
struct metrics_out {
	char		*buf;
	size_t		 size;
	size_t		 len;
	int		 full;
};

static int	metrics_route_index(const char *);
static size_t	metrics_reason_index(const char *);
static void	metrics_printf(struct metrics_out *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static void	metrics_label(struct metrics_out *, const char *,
		    const char *, int);
static int	metrics_prefix_parse(struct metrics_prefix *, const char *,
		    char *, size_t);
static int	metrics_prefix_match(const struct metrics_prefix *, int,
		    const uint8_t *);
static void	metrics_error(char *, size_t, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

struct metrics *
metrics_create(time_t start)
{
	struct metrics	*m;

	m = mmap(NULL, sizeof(*m), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return (NULL);

	/* An anonymous mapping starts zeroed. */
	m->start_time = (int64_t)start;

	return (m);
}

void
metrics_destroy(struct metrics *m)
{
	if (m != NULL)
		(void)munmap(m, sizeof(*m));
}

int
metrics_count(struct metrics *m, const char *route, const char *reason)
{
	int		r;

	if ((r = metrics_route_index(route)) == -1)
		return (-1);

	__atomic_fetch_add(&m->decisions[r][metrics_reason_index(reason)], 1,
	    __ATOMIC_RELAXED);

	return (0);
}

void
metrics_count_suppressed(struct metrics *m, unsigned long count)
{
	__atomic_fetch_add(&m->suppressed, (uint64_t)count, __ATOMIC_RELAXED);
}

uint64_t
metrics_value(const struct metrics *m, const char *route, const char *reason)
{
	int		r;

	if ((r = metrics_route_index(route)) == -1)
		return (0);

	return (__atomic_load_n(&m->decisions[r][metrics_reason_index(reason)],
	    __ATOMIC_RELAXED));
}

int
metrics_render(const struct metrics *m, char *buf, size_t size, size_t *len)
{
	struct metrics_out	out;
	const char		*result;
	uint64_t		value;
	size_t			i;
	int			r;

	out.buf = buf;
	out.size = size;
	out.len = 0;
	out.full = 0;

	metrics_printf(&out, "# HELP jwt_auth_decisions_total "
	    "Authentication decisions by route, result and reason.\n"
	    "# TYPE jwt_auth_decisions_total counter\n");
	for (r = 0; r < METRICS_ROUTE_COUNT; r++) {
		for (i = 0; i < METRICS_REASON_COUNT; i++) {
			value = __atomic_load_n(&m->decisions[r][i],
			    __ATOMIC_RELAXED);
			if (value == 0 &&
			    !(metrics_reasons[i].routes & metrics_routes[r].mask))
				continue;
			result = (i == 0) ? metrics_routes[r].success :
			    "rejected";
			metrics_printf(&out, "jwt_auth_decisions_total");
			metrics_label(&out, "route", metrics_routes[r].path, 1);
			metrics_label(&out, "result", result, 0);
			metrics_label(&out, "reason", metrics_reasons[i].name, 0);
			metrics_printf(&out, "} %llu\n",
			    (unsigned long long)value);
		}
	}

	metrics_printf(&out, "# HELP jwt_audit_lines_suppressed_total "
	    "Rejection audit lines not logged because of the per-worker "
	    "rate limit.\n"
	    "# TYPE jwt_audit_lines_suppressed_total counter\n"
	    "jwt_audit_lines_suppressed_total %llu\n",
	    (unsigned long long)__atomic_load_n(&m->suppressed,
	    __ATOMIC_RELAXED));

	metrics_printf(&out, "# HELP process_start_time_seconds "
	    "Start time of the Kore parent process since the Unix epoch in "
	    "seconds.\n"
	    "# TYPE process_start_time_seconds gauge\n"
	    "process_start_time_seconds %lld\n", (long long)m->start_time);

	if (out.full)
		return (-1);

	*len = out.len;
	return (0);
}

int
metrics_label_escape(const char *value, char *out, size_t size)
{
	const char	*p;
	size_t		 n;

	n = 0;
	for (p = value; *p != '\0'; p++) {
		if (*p == '\\' || *p == '"' || *p == '\n') {
			if (n + 2 >= size)
				return (-1);
			out[n++] = '\\';
			out[n++] = (*p == '\n') ? 'n' : *p;
		} else {
			if (n + 1 >= size)
				return (-1);
			out[n++] = *p;
		}
	}
	if (n >= size)
		return (-1);
	out[n] = '\0';

	return ((int)n);
}

void
metrics_allow_default(struct metrics_allow *allow)
{
	memset(allow, 0, sizeof(*allow));

	allow->prefixes[0].family = AF_INET;
	allow->prefixes[0].addr[0] = 127;
	allow->prefixes[0].bits = 8;

	allow->prefixes[1].family = AF_INET6;
	allow->prefixes[1].addr[15] = 1;
	allow->prefixes[1].bits = 128;

	allow->count = 2;
}

int
metrics_allow_parse(struct metrics_allow *allow, const char *text,
    char *err, size_t errlen)
{
	char		item[INET6_ADDRSTRLEN + 5];
	const char	*p, *end;
	size_t		len;

	memset(allow, 0, sizeof(*allow));

	if (strlen(text) > METRICS_ALLOW_TEXT_MAX) {
		metrics_error(err, errlen, "longer than %d bytes",
		    METRICS_ALLOW_TEXT_MAX);
		return (-1);
	}
	if (*text == '\0') {
		metrics_error(err, errlen, "empty; unset it to allow only "
		    "loopback addresses");
		return (-1);
	}

	for (p = text;; p = end + 1) {
		if ((end = strchr(p, ',')) == NULL)
			end = p + strlen(p);
		len = (size_t)(end - p);

		if (len == 0) {
			metrics_error(err, errlen, "empty entry in the "
			    "comma-separated list");
			return (-1);
		}
		if (len >= sizeof(item)) {
			metrics_error(err, errlen, "'%.*s...' is not an IPv4 "
			    "or IPv6 address or CIDR prefix", 48, p);
			return (-1);
		}
		if (allow->count == METRICS_ALLOW_MAX) {
			metrics_error(err, errlen, "more than %d entries",
			    METRICS_ALLOW_MAX);
			return (-1);
		}

		memcpy(item, p, len);
		item[len] = '\0';
		if (metrics_prefix_parse(&allow->prefixes[allow->count], item,
		    err, errlen) == -1)
			return (-1);
		allow->count++;

		if (*end == '\0')
			break;
	}

	return (0);
}

int
metrics_allow_match(const struct metrics_allow *allow,
    const struct sockaddr *sa)
{
	const struct sockaddr_in	*sin;
	const struct sockaddr_in6	*sin6;
	const uint8_t			*addr;
	size_t				 i;
	int				 family;

	switch (sa->sa_family) {
	case AF_INET:
		sin = (const struct sockaddr_in *)(const void *)sa;
		family = AF_INET;
		addr = (const uint8_t *)&sin->sin_addr;
		break;
	case AF_INET6:
		sin6 = (const struct sockaddr_in6 *)(const void *)sa;
		family = AF_INET6;
		addr = (const uint8_t *)&sin6->sin6_addr;
		if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr)) {
			family = AF_INET;
			addr += 12;
		}
		break;
	default:
		return (0);
	}

	for (i = 0; i < allow->count; i++) {
		if (metrics_prefix_match(&allow->prefixes[i], family, addr))
			return (1);
	}

	return (0);
}

static int
metrics_prefix_match(const struct metrics_prefix *prefix, int family,
    const uint8_t *addr)
{
	unsigned int	whole, rest;
	uint8_t		mask;

	if (prefix->family != family)
		return (0);

	whole = prefix->bits / 8;
	rest = prefix->bits % 8;
	if (memcmp(prefix->addr, addr, whole) != 0)
		return (0);
	if (rest == 0)
		return (1);

	mask = (uint8_t)(0xff << (8 - rest));
	return ((prefix->addr[whole] & mask) == (addr[whole] & mask));
}

/* Parses "address" or "address/bits" into prefix. */
static int
metrics_prefix_parse(struct metrics_prefix *prefix, const char *item,
    char *err, size_t errlen)
{
	char		addr[INET6_ADDRSTRLEN + 5];
	char		*slash;
	const char	*p;
	unsigned int	max, bits, i;

	(void)strcpy(addr, item);
	if ((slash = strchr(addr, '/')) != NULL)
		*slash = '\0';

	if (inet_pton(AF_INET, addr, prefix->addr) == 1) {
		prefix->family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, addr, prefix->addr) == 1) {
		prefix->family = AF_INET6;
		max = 128;
	} else {
		metrics_error(err, errlen, "'%s' is not an IPv4 or IPv6 "
		    "address or CIDR prefix", item);
		return (-1);
	}

	bits = max;
	if (slash != NULL) {
		p = slash + 1;
		if (*p == '\0' || strlen(p) > 3 || (p[0] == '0' && p[1] != '\0'))
			goto bad_length;
		bits = 0;
		for (; *p != '\0'; p++) {
			if (*p < '0' || *p > '9')
				goto bad_length;
			bits = bits * 10 + (unsigned int)(*p - '0');
		}
		if (bits > max)
			goto bad_length;
	}
	prefix->bits = bits;

	/* 10.1.0.0/8 is most likely a typing error for 10.0.0.0/8 or /16. */
	for (i = bits; i < max; i++) {
		if (prefix->addr[i / 8] & (0x80 >> (i % 8))) {
			metrics_error(err, errlen, "'%s' has bits set after "
			    "its /%u prefix length", item, bits);
			return (-1);
		}
	}

	return (0);

bad_length:
	metrics_error(err, errlen, "'%s' has an invalid prefix length "
	    "(0 to %u)", item, max);
	return (-1);
}

static int
metrics_route_index(const char *route)
{
	int		r;

	for (r = 0; r < METRICS_ROUTE_COUNT; r++) {
		if (strcmp(metrics_routes[r].path, route) == 0)
			return (r);
	}

	return (-1);
}

static size_t
metrics_reason_index(const char *reason)
{
	size_t		i;

	for (i = 0; i < METRICS_REASON_OTHER; i++) {
		if (strcmp(metrics_reasons[i].name, reason) == 0)
			return (i);
	}

	return (METRICS_REASON_OTHER);
}

static void
metrics_printf(struct metrics_out *out, const char *fmt, ...)
{
	va_list		ap;
	int		n;

	if (out->full)
		return;

	va_start(ap, fmt);
	n = vsnprintf(out->buf + out->len, out->size - out->len, fmt, ap);
	va_end(ap);

	if (n < 0 || (size_t)n >= out->size - out->len) {
		out->full = 1;
		return;
	}
	out->len += (size_t)n;
}

/* Appends name="value" with the value escaped, after "{" or ",". */
static void
metrics_label(struct metrics_out *out, const char *name, const char *value,
    int first)
{
	char		escaped[128];

	if (metrics_label_escape(value, escaped, sizeof(escaped)) == -1) {
		out->full = 1;
		return;
	}

	metrics_printf(out, "%s%s=\"%s\"", first ? "{" : ",", name, escaped);
}

static void
metrics_error(char *err, size_t errlen, const char *fmt, ...)
{
	va_list		ap;

	va_start(ap, fmt);
	(void)vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}
