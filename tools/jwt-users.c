/*
 * jwt-users: adds, changes, removes and lists the users in a users file
 * (the format is in functions/userstore.h).  Passwords come from the
 * terminal with echo off, or from standard input, never from argv.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "jsonobj.h"
#include "passhash.h"
#include "userstore.h"

#define TOOL_NAME		"jwt-users"
#define TOOL_PASSWORD_MAX	1024	/* bytes, as for AUTH_PASSWORD */

enum tool_cmd {
	TOOL_ADD,
	TOOL_PASSWD,
	TOOL_PERMS,
	TOOL_DEL,
	TOOL_LIST
};

struct tool_opts {
	const char		*file;
	enum tool_cmd		cmd;
	const char		*user;
	const char		*perms;
	int			password_stdin;
	struct passhash_params	params;
	int			params_set;
};

static void	tool_usage(FILE *out);
static int	tool_error(const char *fmt, ...)
		    __attribute__((format(printf, 1, 2)));
static int	tool_number(const char *s, unsigned long max,
		    unsigned long *value);
static int	tool_options(int argc, char **argv, struct tool_opts *opts);
static int	tool_password_check(const char *pw, size_t len);
static int	tool_read_line(int fd, char *buf, size_t bufmax, size_t *len);
static int	tool_password_stdin(char *pw, size_t pwmax, size_t *len);
static int	tool_password_tty(char *pw, size_t pwmax, size_t *len);
static void	tool_tty_restore(int sig);
static void	tool_tty_write(int fd, const char *prompt);
static int	tool_hash(const struct tool_opts *opts, char *out,
		    size_t outmax);
static char	*tool_edit(const char *text, size_t len, size_t lineno,
		    const char *replace, size_t *outlen);
static int	tool_list(const struct userstore *st);
static int	tool_run(const struct tool_opts *opts);

/* The terminal state to restore if a signal ends the password prompt. */
static int		tool_tty_fd = -1;
static struct termios	tool_tty_saved;

static void
tool_usage(FILE *out)
{
	fprintf(out,
	    "usage: " TOOL_NAME " FILE add USER [--perms LIST] [--pbkdf2] "
	    "[--password-stdin]\n"
	    "       " TOOL_NAME " FILE passwd USER [--pbkdf2] "
	    "[--password-stdin]\n"
	    "       " TOOL_NAME " FILE perms USER LIST\n"
	    "       " TOOL_NAME " FILE del USER\n"
	    "       " TOOL_NAME " FILE list\n"
	    "\n"
	    "Edits the users file FILE (created with mode 0600 by add).\n"
	    "LIST is comma-separated perms, e.g. read,write; \"\" for none.\n"
	    "The password is asked twice on the terminal, with echo off.\n"
	    "\n"
	    "  --perms LIST          perms of a new user (default: none)\n"
	    "  --password-stdin      read the password from the first line "
	    "of standard input\n"
	    "  --pbkdf2              hash with PBKDF2-HMAC-SHA256 instead of "
	    "scrypt\n"
	    "  --scrypt-ln N         scrypt cost: N = 2^ln (default %d)\n"
	    "  --scrypt-r N          scrypt block size (default %d)\n"
	    "  --scrypt-p N          scrypt parallelization (default %d)\n"
	    "  --pbkdf2-iterations N PBKDF2 iterations (default %d)\n"
	    "  -h, --help            print this help\n",
	    PASSHASH_SCRYPT_LN, PASSHASH_SCRYPT_R, PASSHASH_SCRYPT_P,
	    PASSHASH_PBKDF2_ITER);
}

static int
tool_error(const char *fmt, ...)
{
	va_list	ap;

	fprintf(stderr, TOOL_NAME ": ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return (-1);
}

/* Parses a decimal number of 1 to max.  Returns 0 or -1. */
static int
tool_number(const char *s, unsigned long max, unsigned long *value)
{
	char	*end;

	if (*s < '0' || *s > '9')
		return (-1);
	errno = 0;
	*value = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || *value < 1 || *value > max)
		return (-1);

	return (0);
}

static int
tool_options(int argc, char **argv, struct tool_opts *opts)
{
	enum { OPT_PERMS = 256, OPT_PBKDF2, OPT_STDIN, OPT_LN, OPT_R, OPT_P,
	    OPT_ITER };
	static const struct option	longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "perms", required_argument, NULL, OPT_PERMS },
		{ "pbkdf2", no_argument, NULL, OPT_PBKDF2 },
		{ "password-stdin", no_argument, NULL, OPT_STDIN },
		{ "scrypt-ln", required_argument, NULL, OPT_LN },
		{ "scrypt-r", required_argument, NULL, OPT_R },
		{ "scrypt-p", required_argument, NULL, OPT_P },
		{ "pbkdf2-iterations", required_argument, NULL, OPT_ITER },
		{ NULL, 0, NULL, 0 }
	};
	struct passhash_params	scrypt, pbkdf2;
	unsigned long		n;
	int			ch, use_pbkdf2, nargs;
	const char		*cmd;

	memset(opts, 0, sizeof(*opts));
	passhash_params_default(&scrypt, PASSHASH_SCRYPT);
	passhash_params_default(&pbkdf2, PASSHASH_PBKDF2_SHA256);
	use_pbkdf2 = 0;

	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			tool_usage(stdout);
			exit(0);
		case OPT_PERMS:
			opts->perms = optarg;
			break;
		case OPT_PBKDF2:
			use_pbkdf2 = 1;
			break;
		case OPT_STDIN:
			opts->password_stdin = 1;
			break;
		case OPT_LN:
		case OPT_R:
		case OPT_P:
			if (tool_number(optarg, 1000, &n) == -1)
				return (tool_error("invalid --%s: %s",
				    ch == OPT_LN ? "scrypt-ln" : ch == OPT_R ?
				    "scrypt-r" : "scrypt-p", optarg));
			if (ch == OPT_LN)
				scrypt.scrypt_ln = (unsigned int)n;
			else if (ch == OPT_R)
				scrypt.scrypt_r = (unsigned int)n;
			else
				scrypt.scrypt_p = (unsigned int)n;
			opts->params_set = 1;
			break;
		case OPT_ITER:
			if (tool_number(optarg, PASSHASH_PBKDF2_ITER_MAX,
			    &n) == -1)
				return (tool_error("invalid --pbkdf2-iterations:"
				    " %s (1 to %d)", optarg,
				    PASSHASH_PBKDF2_ITER_MAX));
			pbkdf2.pbkdf2_iter = n;
			use_pbkdf2 = 1;
			opts->params_set = 1;
			break;
		default:
			tool_usage(stderr);
			return (-1);
		}
	}

	opts->params = use_pbkdf2 ? pbkdf2 : scrypt;
	if (passhash_params_check(&opts->params) != PASSHASH_OK)
		return (tool_error("invalid scrypt parameters: ln 1 to %d, r 1 "
		    "to %d, p 1 to %d, 128 * r * 2^ln bytes at most 256 MiB, "
		    "and ln below 16 * r", PASSHASH_SCRYPT_LN_MAX,
		    PASSHASH_SCRYPT_R_MAX, PASSHASH_SCRYPT_P_MAX));

	argc -= optind;
	argv += optind;
	if (argc < 2) {
		tool_usage(stderr);
		return (-1);
	}
	opts->file = argv[0];
	cmd = argv[1];
	if (strcmp(cmd, "add") == 0) {
		opts->cmd = TOOL_ADD;
		nargs = 3;
	} else if (strcmp(cmd, "passwd") == 0) {
		opts->cmd = TOOL_PASSWD;
		nargs = 3;
	} else if (strcmp(cmd, "perms") == 0) {
		opts->cmd = TOOL_PERMS;
		nargs = 4;
	} else if (strcmp(cmd, "del") == 0) {
		opts->cmd = TOOL_DEL;
		nargs = 3;
	} else if (strcmp(cmd, "list") == 0) {
		opts->cmd = TOOL_LIST;
		nargs = 2;
	} else {
		tool_usage(stderr);
		return (tool_error("unknown command: %s", cmd));
	}
	if (argc != nargs) {
		tool_usage(stderr);
		return (tool_error("wrong number of arguments for %s", cmd));
	}
	if (nargs >= 3)
		opts->user = argv[2];
	if (opts->cmd == TOOL_PERMS)
		opts->perms = argv[3];

	if (opts->perms != NULL && opts->cmd != TOOL_ADD &&
	    opts->cmd != TOOL_PERMS)
		return (tool_error("--perms applies to add only"));
	if ((opts->password_stdin || opts->params_set || use_pbkdf2) &&
	    opts->cmd != TOOL_ADD && opts->cmd != TOOL_PASSWD)
		return (tool_error("password options apply to add and passwd "
		    "only"));

	return (0);
}

/* The rule config.c applies to AUTH_PASSWORD, so both read the same. */
static int
tool_password_check(const char *pw, size_t len)
{
	size_t	i;

	if (len == 0)
		return (tool_error("empty password"));
	if (len > TOOL_PASSWORD_MAX)
		return (tool_error("password longer than %d bytes",
		    TOOL_PASSWORD_MAX));
	for (i = 0; i < len; i++) {
		if ((unsigned char)pw[i] < 0x20 || (unsigned char)pw[i] == 0x7f)
			return (tool_error("password contains a control "
			    "character"));
	}
	if (!jsonobj_is_utf8((const uint8_t *)pw, len))
		return (tool_error("password is not valid UTF-8"));

	return (0);
}

/*
 * Reads one line from fd into buf, a byte at a time so that nothing past
 * the line is consumed or buffered, and removes its LF or CRLF.  Returns 0,
 * or -1 on a read error, on end of input before any byte, or when the line
 * does not fit (then *len is bufmax).
 */
static int
tool_read_line(int fd, char *buf, size_t bufmax, size_t *len)
{
	ssize_t	n;
	char	c;
	int	any;

	*len = 0;
	any = 0;
	for (;;) {
		n = read(fd, &c, 1);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return (-1);
		if (n == 0 || c == '\n')
			break;
		any = 1;
		if (*len == bufmax)
			return (-1);
		buf[(*len)++] = c;
	}
	c = 0;
	if (n == 0 && !any)
		return (-1);

	if (*len > 0 && buf[*len - 1] == '\r')
		(*len)--;
	return (0);
}

static int
tool_password_stdin(char *pw, size_t pwmax, size_t *len)
{
	if (tool_read_line(STDIN_FILENO, pw, pwmax, len) == -1) {
		if (*len == pwmax)
			return (tool_error("password longer than %d bytes",
			    TOOL_PASSWORD_MAX));
		return (tool_error("no password on standard input"));
	}

	return (tool_password_check(pw, *len));
}

static void
tool_tty_restore(int sig)
{
	if (tool_tty_fd != -1)
		(void)tcsetattr(tool_tty_fd, TCSAFLUSH, &tool_tty_saved);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void
tool_tty_write(int fd, const char *prompt)
{
	ssize_t	n;

	/* A prompt that cannot be shown does not stop the read. */
	n = write(fd, prompt, strlen(prompt));
	(void)n;
}

/* Asks twice on /dev/tty with echo off.  Returns 0 or -1. */
static int
tool_password_tty(char *pw, size_t pwmax, size_t *len)
{
	struct termios	noecho;
	char		*again;
	size_t		againlen;
	int		fd, ret, i;
	static const int	sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };

	if ((fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)) == -1)
		return (tool_error("cannot open /dev/tty: %s (use "
		    "--password-stdin)", strerror(errno)));
	if ((again = malloc(pwmax)) == NULL) {
		(void)close(fd);
		return (tool_error("out of memory"));
	}
	if (tcgetattr(fd, &tool_tty_saved) == -1) {
		ret = tool_error("cannot read the terminal settings: %s",
		    strerror(errno));
		goto done;
	}

	tool_tty_fd = fd;
	for (i = 0; i < (int)(sizeof(sigs) / sizeof(sigs[0])); i++)
		signal(sigs[i], tool_tty_restore);
	noecho = tool_tty_saved;
	noecho.c_lflag &= ~(tcflag_t)ECHO;
	noecho.c_lflag |= ECHONL;
	ret = -1;
	if (tcsetattr(fd, TCSAFLUSH, &noecho) == -1) {
		tool_error("cannot turn off echo: %s", strerror(errno));
		goto restore;
	}

	tool_tty_write(fd, "Password: ");
	if (tool_read_line(fd, pw, pwmax, len) == -1) {
		tool_error(*len == pwmax ? "password longer than 1024 bytes" :
		    "no password read");
		goto restore;
	}
	tool_tty_write(fd, "Repeat password: ");
	if (tool_read_line(fd, again, pwmax, &againlen) == -1) {
		tool_error("no password read");
		goto restore;
	}
	if (againlen != *len || CRYPTO_memcmp(again, pw, *len) != 0) {
		tool_error("the passwords do not match");
		goto restore;
	}
	ret = 0;

restore:
	(void)tcsetattr(fd, TCSAFLUSH, &tool_tty_saved);
	tool_tty_fd = -1;
	for (i = 0; i < (int)(sizeof(sigs) / sizeof(sigs[0])); i++)
		signal(sigs[i], SIG_DFL);
done:
	OPENSSL_cleanse(again, pwmax);
	free(again);
	(void)close(fd);
	if (ret == 0)
		ret = tool_password_check(pw, *len);
	return (ret);
}

/* Reads the password and writes its encoded hash into out. */
static int
tool_hash(const struct tool_opts *opts, char *out, size_t outmax)
{
	struct passhash	ph;
	char		pw[TOOL_PASSWORD_MAX + 1];
	size_t		len;
	int		ret;

	len = 0;
	if (opts->password_stdin)
		ret = tool_password_stdin(pw, sizeof(pw), &len);
	else
		ret = tool_password_tty(pw, sizeof(pw), &len);

	if (ret == 0 && passhash_create(&opts->params, pw, len, out,
	    outmax) == -1)
		ret = tool_error("cannot hash the password: OpenSSL failed");
	OPENSSL_cleanse(pw, sizeof(pw));
	if (ret == -1)
		return (-1);

	memset(&ph, 0, sizeof(ph));
	ph.params = opts->params;
	if (passhash_is_weak(&ph))
		fprintf(stderr, TOOL_NAME ": warning: hash parameters below "
		    "the defaults (scrypt ln=%d,r=%d,p=%d; pbkdf2 i=%d)\n",
		    PASSHASH_SCRYPT_LN, PASSHASH_SCRYPT_R, PASSHASH_SCRYPT_P,
		    PASSHASH_PBKDF2_ITER);
	return (0);
}

/*
 * Returns a copy of text with line lineno (counted from 1) replaced by
 * replace, or removed when replace is NULL; lineno 0 appends replace as a
 * new line.  The other lines keep their bytes and line ends.
 */
static char *
tool_edit(const char *text, size_t len, size_t lineno, const char *replace,
    size_t *outlen)
{
	const char	*line, *next, *end;
	char		*out;
	size_t		n, off, rlen;

	rlen = replace != NULL ? strlen(replace) : 0;
	if ((out = malloc(len + rlen + 3)) == NULL)
		return (NULL);

	off = 0;
	end = text + len;
	n = 0;
	for (line = text; line < end; line = next) {
		n++;
		next = memchr(line, '\n', (size_t)(end - line));
		next = next != NULL ? next + 1 : end;
		if (n != lineno) {
			memcpy(out + off, line, (size_t)(next - line));
			off += (size_t)(next - line);
			continue;
		}
		if (replace == NULL)
			continue;
		memcpy(out + off, replace, rlen);
		off += rlen;
		if (next[-1] == '\n') {
			if (next - line >= 2 && next[-2] == '\r')
				out[off++] = '\r';
			out[off++] = '\n';
		}
	}

	if (lineno == 0) {
		if (off > 0 && out[off - 1] != '\n')
			out[off++] = '\n';
		memcpy(out + off, replace, rlen);
		off += rlen;
		out[off++] = '\n';
	}

	out[off] = '\0';
	*outlen = off;
	return (out);
}

static int
tool_list(const struct userstore *st)
{
	const struct userstore_user	*u;
	size_t				i, j;

	for (i = 0; i < st->nusers; i++) {
		u = &st->users[i];
		printf("%s\t", u->name);
		for (j = 0; j < u->nperms; j++)
			printf("%s%s", j == 0 ? "" : ",", u->perms[j]);
		printf("\n");
	}
	if (fflush(stdout) == EOF || ferror(stdout))
		return (tool_error("cannot write the list: %s",
		    strerror(errno)));

	return (0);
}

static int
tool_run(const struct tool_opts *opts)
{
	struct userstore		st;
	const struct userstore_user	*u;
	const char			*reason, *perms;
	char				hash[PASSHASH_ENCODED_MAX + 1];
	char				line[USERSTORE_LINE_MAX + 1];
	char				*text, *edited;
	char				err[256];
	size_t				len, edited_len, lineno, i;
	int				ret, n;

	text = NULL;
	edited = NULL;
	ret = -1;
	memset(&st, 0, sizeof(st));

	if (userstore_read(opts->file, &text, &len) == -1) {
		if (errno != ENOENT || opts->cmd != TOOL_ADD)
			return (tool_error("cannot read %s: %s", opts->file,
			    errno == EINVAL ? "not a regular file" :
			    strerror(errno)));
		if ((text = strdup("")) == NULL)
			return (tool_error("out of memory"));
		len = 0;
	}
	if (userstore_parse(&st, text, len, err, sizeof(err)) == -1) {
		tool_error("%s: %s", opts->file, err);
		goto done;
	}

	if (opts->cmd == TOOL_LIST) {
		ret = tool_list(&st);
		goto done;
	}

	if ((reason = userstore_name_check(opts->user,
	    strlen(opts->user))) != NULL) {
		tool_error("invalid username: %s", reason);
		goto done;
	}
	u = userstore_lookup(&st, opts->user, strlen(opts->user));
	if (opts->cmd == TOOL_ADD && u != NULL) {
		tool_error("user %s exists (line %zu)", opts->user, u->line);
		goto done;
	}
	if (opts->cmd != TOOL_ADD && u == NULL) {
		tool_error("unknown user: %s", opts->user);
		goto done;
	}

	perms = opts->perms != NULL ? opts->perms : "";
	if ((reason = userstore_perms_check(perms, strlen(perms))) != NULL) {
		tool_error("invalid perms: %s", reason);
		goto done;
	}

	lineno = u != NULL ? u->line : 0;
	switch (opts->cmd) {
	case TOOL_ADD:
	case TOOL_PASSWD:
		if (tool_hash(opts, hash, sizeof(hash)) == -1)
			goto done;
		if (opts->cmd == TOOL_PASSWD) {
			n = snprintf(line, sizeof(line), "%s:%s:", u->name,
			    hash);
			for (i = 0; i < u->nperms && n > 0 &&
			    (size_t)n < sizeof(line); i++)
				n += snprintf(line + n, sizeof(line) - (size_t)n,
				    "%s%s", i == 0 ? "" : ",", u->perms[i]);
		} else {
			n = snprintf(line, sizeof(line), "%s:%s:%s",
			    opts->user, hash, perms);
		}
		break;
	case TOOL_PERMS:
		if (passhash_encode(&u->hash, hash, sizeof(hash)) == -1) {
			tool_error("cannot encode the hash of %s", u->name);
			goto done;
		}
		n = snprintf(line, sizeof(line), "%s:%s:%s", u->name, hash,
		    perms);
		break;
	default:
		n = 0;
		line[0] = '\0';
		break;
	}
	if (n < 0 || (size_t)n >= sizeof(line)) {
		tool_error("line longer than %d bytes", USERSTORE_LINE_MAX);
		goto done;
	}

	edited = tool_edit(text, len, lineno,
	    opts->cmd == TOOL_DEL ? NULL : line, &edited_len);
	if (edited == NULL) {
		tool_error("out of memory");
		goto done;
	}

	/* Check the result as the service will read it before replacing. */
	userstore_free(&st);
	if (userstore_parse(&st, edited, edited_len, err, sizeof(err)) == -1) {
		tool_error("the edited file would be invalid: %s", err);
		goto done;
	}
	if (userstore_write(opts->file, edited, edited_len) == -1) {
		tool_error("cannot write %s: %s", opts->file,
		    errno == ELOOP ? "it is a symbolic link" : errno == EINVAL ?
		    "not a regular file" : strerror(errno));
		goto done;
	}
	ret = 0;

done:
	userstore_free(&st);
	free(text);
	free(edited);
	return (ret);
}

int
main(int argc, char **argv)
{
	struct tool_opts	opts;
	int			ret;

	if (tool_options(argc, argv, &opts) == -1)
		return (1);
	if (passhash_init() == -1) {
		tool_error("cannot load scrypt and PBKDF2 from OpenSSL");
		return (1);
	}
	umask(077);

	ret = tool_run(&opts);
	passhash_cleanup();
	return (ret == -1 ? 1 : 0);
}
