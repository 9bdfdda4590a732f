#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <kore/kore.h>
#include <kore/http.h>
#include <kore/hooks.h>
#include <kore/seccomp.h>

#include <openssl/crypto.h>

#include "app.h"
#include "pgstore.h"
#include "audit.h"
#include "authz.h"

/*
 * Header fields besides Host that a request can have with none dropped by
 * Kore: its HTTP_REQ_HEADER_MAX slots hold the request line, Host, these
 * fields, and a last slot that marks the end of the list.
 */
#define APP_HEADER_FIELDS_MAX	21
#if HTTP_REQ_HEADER_MAX != APP_HEADER_FIELDS_MAX + 4
#error "Kore's HTTP_REQ_HEADER_MAX changed: recompute APP_HEADER_FIELDS_MAX"
#endif

#define APP_HEAD_NUL_TEXT	"request head contains a NUL byte or a bare LF"

struct app_state	app;

/*
 * Kore's task threads run the password hashes.  glibc 2.36 creates a
 * thread with clone3 and registers it with rseq, and Kore 4.1.0's sandbox
 * allows neither, so a worker that starts its first task dies of a
 * sandbox violation.  clone3 fails with ENOSYS, so glibc falls back to
 * clone, which Kore's task filter allows.  rseq is allowed: glibc aborts
 * a new thread whose rseq registration fails when the main thread has
 * one.  AddressSanitizer (make SANITIZE=1) also calls gettid and
 * sched_getaffinity when a thread starts; both only read.
 *
 * libpq connecting over TCP with its default gssencmode=prefer looks for
 * the Kerberos configuration with newfstatat and getdents64, and glibc
 * stats /etc/localtime with newfstatat; both calls only read file
 * metadata, and Kore 4.1.0's worker filter kills a worker for either.
 *
 * glibc's realloc() of a large block (a /bearer response of some 10,000
 * rows from PostgreSQL) calls mremap, which Kore's filter also lacks, and
 * ASan's spin locks call sched_yield.
 */
KORE_SECCOMP_FILTER("app",
	KORE_SYSCALL_DENY(clone3, ENOSYS),
	KORE_SYSCALL_ALLOW(rseq),
	KORE_SYSCALL_ALLOW(gettid),
	KORE_SYSCALL_ALLOW(sched_getaffinity),
	KORE_SYSCALL_ALLOW(newfstatat),
	KORE_SYSCALL_ALLOW(getdents64),
	KORE_SYSCALL_ALLOW(mremap),
	KORE_SYSCALL_ALLOW(sched_yield)
);

static void		app_refuse_start(const char *, ...)
			    __attribute__((format(printf, 1, 2), noreturn));
static void		app_configure_stores(void);
static void		app_check_users(void);
static double		app_hash_cost(const struct passhash *);
static void		app_keys_init(void);
static void		app_metrics_configure(void);
static void		app_proxies_configure(void);
static void		app_audit_reject(struct http_request *, const char *,
			    int, const char *);
static void		app_audit(struct http_request *, struct audit_event *);
static void		app_accept(struct http_request *, const char *,
			    const char *, const char *, size_t, const char *,
			    size_t);
static const char	*app_client_ip(struct http_request *, char *, size_t);

static time_t		log_window;
static unsigned int	log_count;
static unsigned long	log_suppressed;

/*
 * Reads the settings and keys the HMAC before any worker starts.  A bad
 * setting stops Kore with one line and exit status 1.
 */
void
kore_parent_configure(int argc, char **argv)
{
	char		err[256];

#if defined(KORE_SINGLE_BINARY)
	/*
	 * Kore 4.1.0's single-binary main() leaves the options (-f, -n, -r,
	 * -q) to this hook, so without this call the binary ignores them.
	 */
	kore_default_getopt(argc, argv);
#else
	(void)argc;
	(void)argv;
#endif

	/* Log lines reach a redirected stdout as they happen. */
	(void)fflush(stdout);
	(void)setvbuf(stdout, NULL, _IOLBF, 0);

	if (config_load(&app.cfg, err, sizeof(err)) == -1)
		app_refuse_start("configuration: %s", err);

	app_keys_init();

	if (credentials_init(&app.creds, app.cfg.username,
	    strlen(app.cfg.username), app.cfg.password,
	    strlen(app.cfg.password)) == -1)
		app_refuse_start("configuration: digesting the credentials "
		    "failed (OpenSSL)");

	app_configure_stores();
	app_metrics_configure();
	app_proxies_configure();

	if (app.cfg.pgsql_dsn[0] != '\0' &&
	    pgstore_register(app.cfg.pgsql_dsn) == -1)
		app_refuse_start("configuration: cannot register PGSQL_DSN");

	/*
	 * The keyed HMAC, the digests and Kore's copy of the connection
	 * string are all that is needed from now.
	 */
	config_clear(&app.cfg);

	app.policy.issuer = app.cfg.issuer;
	app.policy.ttl = app.cfg.ttl;
	app.policy.leeway = app.cfg.leeway;

	app.claims.sub = app.cfg.username;
	app.claims.iss = app.cfg.issuer;
	app.claims.org = app.cfg.org;
	app.claims.perms[0] = APP_PERM_READ;
	app.claims.nperms = 1;
	app.claims.ttl = app.cfg.ttl;

	kore_log(LOG_NOTICE, "jwt: issuer %s, ttl %lds, leeway %lds",
	    app.cfg.issuer, app.cfg.ttl, app.cfg.leeway);
}

/*
 * Keys the HMAC for the current secret, which signs, and for the previous
 * one, which only verifies, and logs their kids.  Kids are public: every
 * token carries one.
 */
static void
app_keys_init(void)
{
	struct config	*cfg = &app.cfg;
	int		ret;

	if (cfg->secret_short) {
		kore_log(LOG_WARNING, "JWT_SECRET is shorter than %d bytes, "
		    "accepted because JWT_ALLOW_SHORT_SECRET=1; replace it",
		    CONFIG_SECRET_MIN);
	}
	if (cfg->secret_previous_short) {
		kore_log(LOG_WARNING, "JWT_SECRET_PREVIOUS is shorter than %d "
		    "bytes, accepted because JWT_ALLOW_SHORT_SECRET=1",
		    CONFIG_SECRET_MIN);
	}

	token_keyset_init(&app.keys);
	ret = token_keyset_add(&app.keys, cfg->secret, cfg->secret_len,
	    cfg->kid[0] != '\0' ? cfg->kid : NULL);
	if (ret == TOKEN_OK && cfg->secret_previous_len > 0) {
		ret = token_keyset_add(&app.keys, cfg->secret_previous,
		    cfg->secret_previous_len,
		    cfg->kid_previous[0] != '\0' ? cfg->kid_previous : NULL);
		if (ret == TOKEN_ERR_KID)
			app_refuse_start("configuration: the kids of "
			    "JWT_SECRET and JWT_SECRET_PREVIOUS are the same "
			    "(%s); set JWT_KID or JWT_KID_PREVIOUS so they "
			    "differ", app.keys.keys[0].kid);
	}
	if (ret != TOKEN_OK)
		app_refuse_start("configuration: keying HMAC-SHA256 failed "
		    "(OpenSSL)");

	if (app.keys.nkeys > 1) {
		kore_log(LOG_NOTICE, "jwt: signing with kid %s, also "
		    "verifying kid %s", app.keys.keys[0].kid,
		    app.keys.keys[1].kid);
	} else {
		kore_log(LOG_NOTICE, "jwt: signing with kid %s",
		    app.keys.keys[0].kid);
	}
}

/*
 * Loads the users file, makes the hash checked for unknown usernames, the
 * throttle table every worker shares and the key of PostgreSQL's throttle
 * counts.  Runs in the parent, before the workers fork.
 */
static void
app_configure_stores(void)
{
	struct throttle_policy	policy;
	struct hmac_key		secret;
	char			err[256];
	uint8_t			key[HMAC_SHA256_LEN];

	if (passhash_init() == -1 || passhash_dummy(&app.dummy_hash) == -1)
		app_refuse_start("configuration: preparing the password "
		    "hash failed (OpenSSL)");

	if (app.cfg.users_store == CONFIG_USERS_FILE) {
		if (userstore_load(&app.users, app.cfg.users_file, err,
		    sizeof(err)) == -1)
			app_refuse_start("configuration: AUTH_USERS_FILE: %s",
			    err);
		app_check_users();
	}

	policy.user_limit = (unsigned int)app.cfg.throttle.user_limit;
	policy.addr_limit = (unsigned int)app.cfg.throttle.addr_limit;
	policy.delay = app.cfg.throttle.delay;
	policy.delay_max = app.cfg.throttle.delay_max;
	policy.window = app.cfg.throttle.window;
	if (app.cfg.throttle_store == CONFIG_THROTTLE_MEMORY &&
	    throttle_init(&app.throttle, &policy, APP_THROTTLE_SLOTS) == -1)
		app_refuse_start("configuration: cannot map the throttle "
		    "table");

	/* Every instance derives the same key from the signing secret. */
	if (hmac_key_init(&secret, app.cfg.secret, app.cfg.secret_len) == -1)
		app_refuse_start("configuration: keying the throttle failed "
		    "(OpenSSL)");
	hmac_sha256(&secret, "login-throttle", 14, key);
	hmac_key_clear(&secret);
	if (hmac_key_init(&app.throttle_key, key, sizeof(key)) == -1)
		app_refuse_start("configuration: keying the throttle failed "
		    "(OpenSSL)");
	OPENSSL_cleanse(key, sizeof(key));
}

/*
 * Logs how many users the file has and how many have weak hashes, and
 * gives the dummy hash for unknown usernames the highest cost in the
 * file, so that no username costs less to try than a real one.
 */
static void
app_check_users(void)
{
	const struct passhash	*ph, *costliest;
	size_t			i, weak, mixed;

	weak = 0;
	mixed = 0;
	costliest = NULL;
	for (i = 0; i < app.users.nusers; i++) {
		ph = &app.users.users[i].hash;
		if (passhash_is_weak(ph))
			weak++;
		if (i > 0 && memcmp(&ph->params, &app.users.users[0].hash.params,
		    sizeof(ph->params)) != 0)
			mixed++;
		if (costliest == NULL || app_hash_cost(ph) >
		    app_hash_cost(costliest))
			costliest = ph;
	}
	if (costliest != NULL)
		app.dummy_hash.params = costliest->params;

	kore_log(LOG_NOTICE, "jwt: %zu users from %s", app.users.nusers,
	    app.cfg.users_file);
	if (weak > 0)
		kore_log(LOG_WARNING, "jwt: %zu users in %s have password "
		    "hashes below today's recommended cost; set their "
		    "passwords again with jwt-users", weak,
		    app.cfg.users_file);
	if (mixed > 0)
		kore_log(LOG_WARNING, "jwt: the hashes in %s use different "
		    "parameters; an unknown username costs as much as the "
		    "costliest, so users with cheaper hashes can be told apart "
		    "by timing: give every user the same parameters",
		    app.cfg.users_file);
}

/*
 * Estimates the work of one check of ph in PBKDF2-HMAC-SHA256 iterations:
 * scrypt's N * r * p block mixes cost about one iteration each.  An
 * estimate from one 2-core x86-64 VM, where N=2^17, r=8 took 0.58 s and
 * 600,000 iterations 0.38 s; good enough to rank one deployment's
 * parameters.
 */
static double
app_hash_cost(const struct passhash *ph)
{
	if (ph->params.alg == PASSHASH_SCRYPT)
		return ((double)(1UL << ph->params.scrypt_ln) *
		    ph->params.scrypt_r * ph->params.scrypt_p);

	return ((double)ph->params.pbkdf2_iter);
}

void
app_client_address(struct http_request *req, char *buf, size_t len)
{
	if (app_client_ip(req, buf, len) == NULL)
		(void)snprintf(buf, len, "unknown");
}

/*
 * Reads METRICS_ALLOW and maps the counters every worker forked later
 * shares.
 */
static void
app_metrics_configure(void)
{
	const char	*allow;
	char		 err[256];

	if ((allow = getenv("METRICS_ALLOW")) == NULL)
		metrics_allow_default(&app.metrics_allow);
	else if (metrics_allow_parse(&app.metrics_allow, allow, err,
	    sizeof(err)) == -1)
		app_refuse_start("configuration: METRICS_ALLOW: %s", err);

	/*
	 * glibc reads the time zone file on the first gmtime_r(), which the
	 * workers' seccomp filter would kill them for, so it is read here.
	 */
	tzset();

	if ((app.metrics = metrics_create(time(NULL))) == NULL)
		app_refuse_start("metrics: mmap of the shared counters "
		    "failed: %s", strerror(errno));
}

/*
 * Reads TRUSTED_PROXIES, in METRICS_ALLOW's list syntax: the proxies whose
 * X-Real-IP header names the client (app_client_address()).
 */
static void
app_proxies_configure(void)
{
	const char	*list;
	char		 err[256];

	if ((list = getenv("TRUSTED_PROXIES")) != NULL &&
	    metrics_allow_parse(&app.proxies, list, err, sizeof(err)) == -1)
		app_refuse_start("configuration: TRUSTED_PROXIES: %s", err);
}

/*
 * Logs why Kore cannot start and ends the parent with status 1.  _exit()
 * skips the exit handlers: nothing has started that needs them, and under
 * AddressSanitizer p11-kit's destructor (loaded through libpq) was seen to
 * deadlock in exit().
 */
static void
app_refuse_start(const char *fmt, ...)
{
	va_list		ap;
	char		msg[512];

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);

	kore_log(LOG_ERR, "%s", msg);
	(void)fflush(stdout);
	_exit(1);
}

void
kore_parent_teardown(void)
{
	token_keyset_free(&app.keys);
	credentials_clear(&app.creds);
	metrics_destroy(app.metrics);
	app.metrics = NULL;
}

void
kore_worker_teardown(void)
{
	token_keyset_free(&app.keys);
	credentials_clear(&app.creds);
	hmac_key_clear(&app.throttle_key);

#if defined(__SANITIZE_ADDRESS__)
	/*
	 * Under AddressSanitizer, a worker that had connected to PostgreSQL
	 * was seen to hang in exit() until the tests killed it, so it ends
	 * with _exit() as app_refuse_start() does.  Nothing after this hook
	 * needs to run.
	 */
	(void)fflush(stdout);
	_exit(0);
#endif
}

int
app_request_header(struct http_request *req, const char *name,
    const char **value)
{
	struct http_header	*hdr;
	int			count;

	count = 0;
	*value = NULL;

	TAILQ_FOREACH(hdr, &req->req_headers, list) {
		if (strcasecmp(hdr->header, name) != 0)
			continue;
		if (count++ == 0)
			*value = hdr->value;
		else
			break;
	}

	return (count);
}

/*
 * Returns 1 when the C string value, cut from the request head by Kore,
 * did not end at a line end.  Kore splits the head in place with
 * strsep() on "\r\n", which turns each CRLF into two NUL bytes, and it
 * marks the end of the head with a NUL before the final "\n\r\n".  So a
 * value ends in NUL NUL and the next field name, or in NUL "\n" at the end
 * of the head.  Both reads stay inside the head buffer.  A NUL byte sent
 * inside a value ends the string early, and Kore drops the rest of the
 * head.  XXX A NUL followed by a second NUL and a field name looks like a
 * line end and still hides what follows.
 */
static int
app_value_cut_short(const char *value)
{
	const char	*end;

	end = value + strlen(value);
	if (end[1] == '\n')
		return (0);

	return (end[1] != '\0' || end[2] == '\0' || end[2] == '\r' ||
	    end[2] == '\n');
}

/*
 * Returns 1 when the method as the client wrote it is not the upper-case
 * name: Kore matches method names ignoring case, but RFC 9110 section 9.1
 * makes them case-sensitive, and a proxy in front may not.  The request
 * line is the first string in the head buffer that Kore split in place.
 */
static int
app_method_not_canonical(struct http_request *req)
{
	const char	*method;

	method = (const char *)req->headers;
	while (*method == '\0' || *method == '\r' || *method == '\n')
		method++;

	return (strcmp(method, http_method_text(req->method)) != 0);
}

int
app_reject_bad_head(struct http_request *req, const char *route)
{
	struct http_header	*hdr;
	const char		*p;
	int			fields, lengths;

	/* 400, as Kore rejects any other method it does not know. */
	if (app_method_not_canonical(req))
		return (app_reject(req, route, HTTP_STATUS_BAD_REQUEST,
		    "method_case", "method names are case-sensitive"));

	if (app_value_cut_short(req->host))
		return (app_reject(req, route, HTTP_STATUS_BAD_REQUEST,
		    "head_nul", APP_HEAD_NUL_TEXT));

	fields = 0;
	lengths = 0;
	TAILQ_FOREACH(hdr, &req->req_headers, list) {
		fields++;
		if (app_value_cut_short(hdr->value))
			return (app_reject(req, route, HTTP_STATUS_BAD_REQUEST,
			    "head_nul", APP_HEAD_NUL_TEXT));
		if (strcasecmp(hdr->header, "transfer-encoding") == 0)
			return (app_reject(req, route, HTTP_STATUS_BAD_REQUEST,
			    "transfer_encoding",
			    "Transfer-Encoding is not supported"));
		if (strcasecmp(hdr->header, "content-length") != 0)
			continue;

		lengths++;
		for (p = hdr->value; *p >= '0' && *p <= '9'; p++)
			;
		if (lengths > 1 || *p != '\0' ||
		    (hdr->value[0] == '0' && hdr->value[1] != '\0'))
			return (app_reject(req, route, HTTP_STATUS_BAD_REQUEST,
			    "content_length",
			    "Content-Length must be one decimal number"));
	}

	if (fields > APP_HEADER_FIELDS_MAX)
		return (app_reject(req, route, 431, "too_many_header_fields",
		    "request has more than 21 header fields besides Host"));

	return (0);
}

time_t
app_now(void)
{
	struct timespec		ts;

	if (clock_gettime(CLOCK_REALTIME, &ts) == -1)
		fatalx("clock_gettime: %s", errno_s);

	return (ts.tv_sec);
}

void
app_respond_text(struct http_request *req, int status, const char *text)
{
	http_response_header(req, "content-type", "text/plain; charset=utf-8");
	http_response(req, status, text, strlen(text));
}

int
app_reject(struct http_request *req, const char *route, int status,
    const char *reason, const char *text)
{
	app_audit_reject(req, route, status, reason);
	app_respond_text(req, status, text);

	return (1);
}

void
app_log_reject(const char *route, int status, const char *reason)
{
	app_audit_reject(NULL, route, status, reason);
}

void
app_accept_issued(struct http_request *req, const char *sub,
    const char *token, size_t token_len)
{
	app_accept(req, "/jwt", AUDIT_RESULT_ISSUED, sub, strlen(sub), token,
	    token_len);
}

void
app_accept_granted(struct http_request *req, const char *sub,
    size_t sub_len, const char *token, size_t token_len)
{
	app_accept(req, "/bearer", AUDIT_RESULT_GRANTED, sub, sub_len, token,
	    token_len);
}

/* Counts and audits a success on route with result (issued, granted). */
static void
app_accept(struct http_request *req, const char *route, const char *result,
    const char *sub, size_t sub_len, const char *token, size_t token_len)
{
	struct audit_event	ev;

	(void)metrics_count(app.metrics, route, METRICS_REASON_OK);

	memset(&ev, 0, sizeof(ev));
	ev.route = route;
	ev.result = result;
	ev.status = HTTP_STATUS_OK;
	ev.reason = METRICS_REASON_OK;
	ev.subject = sub;
	ev.subject_len = sub_len;
	ev.token = token;
	ev.token_len = token_len;
	app_audit(req, &ev);
}

int
app_metrics_allowed(struct http_request *req)
{
	const struct sockaddr	*sa;

	sa = (const struct sockaddr *)(const void *)&req->owner->addr;
	return (metrics_allow_match(&app.metrics_allow, sa));
}

/*
 * Counts a rejection and logs its audit line unless this second's
 * APP_LOG_BURST lines are spent.  req may be NULL, and then the line has
 * no client address or token fingerprint.  A failed login's username is
 * never logged: it may be a password typed into the wrong field.
 */
static void
app_audit_reject(struct http_request *req, const char *route, int status,
    const char *reason)
{
	struct audit_event	ev;
	struct timespec		ts;
	const char		*value;
	char			line[AUDIT_LINE_MAX + 1];
	size_t			len;
	time_t			now;

	(void)metrics_count(app.metrics, route, reason);

	now = time(NULL);
	if (now != log_window) {
		if (log_suppressed > 0) {
			(void)clock_gettime(CLOCK_REALTIME, &ts);
			if (audit_format_suppressed(&ts, log_suppressed, line,
			    sizeof(line), &len) == 0)
				kore_log(LOG_NOTICE, AUDIT_LOG_PREFIX "%s",
				    line);
		}
		log_window = now;
		log_count = 0;
		log_suppressed = 0;
	}

	if (log_count >= APP_LOG_BURST) {
		log_suppressed++;
		metrics_count_suppressed(app.metrics, 1);
		return;
	}
	log_count++;

	memset(&ev, 0, sizeof(ev));
	ev.route = route;
	ev.result = AUDIT_RESULT_REJECTED;
	ev.status = status;
	ev.reason = reason;

	/* The token as the client sent it, when it looks like one. */
	if (req != NULL && strcmp(route, "/bearer") == 0 &&
	    app_request_header(req, "authorization", &value) == 1 &&
	    authz_bearer_parse(value, &ev.token, &ev.token_len) != AUTHZ_TOKEN)
		ev.token = NULL;

	app_audit(req, &ev);
}

/* Stamps ev with the time and the client address and logs its line. */
static void
app_audit(struct http_request *req, struct audit_event *ev)
{
	char		line[AUDIT_LINE_MAX + 1];
	char		client[INET6_ADDRSTRLEN];
	size_t		len;

	if (clock_gettime(CLOCK_REALTIME, &ev->time) == -1)
		fatalx("clock_gettime: %s", errno_s);
	if (req != NULL)
		ev->client = app_client_ip(req, client, sizeof(client));

	if (audit_format(ev, line, sizeof(line), &len) == -1) {
		kore_log(LOG_ERR, "audit: cannot write the line of a %s %s "
		    "decision (yajl or OpenSSL)", ev->route, ev->reason);
		return;
	}

	kore_log(LOG_NOTICE, AUDIT_LOG_PREFIX "%s", line);
}

/*
 * Returns the client's IPv4 or IPv6 address as text, or NULL: the peer's,
 * or the one a trusted proxy put in X-Real-IP.
 */
static const char *
app_client_ip(struct http_request *req, char *buf, size_t size)
{
	struct connection	*c;
	const void		*addr;
	const char		*value;
	uint8_t			parsed[sizeof(struct in6_addr)];
	int			family;

	c = req->owner;
	if (app.proxies.count > 0 && metrics_allow_match(&app.proxies,
	    (const struct sockaddr *)(const void *)&c->addr) &&
	    app_request_header(req, "x-real-ip", &value) == 1) {
		family = strchr(value, ':') != NULL ? AF_INET6 : AF_INET;
		if (inet_pton(family, value, parsed) == 1)
			return (inet_ntop(family, parsed, buf,
			    (socklen_t)size));
	}

	switch (c->family) {
	case AF_INET:
		addr = &c->addr.ipv4.sin_addr;
		break;
	case AF_INET6:
		addr = &c->addr.ipv6.sin6_addr;
		break;
	default:
		return (NULL);
	}

	return (inet_ntop(c->family, addr, buf, (socklen_t)size));
}
