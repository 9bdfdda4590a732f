#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "jsonobj.h"
#include "userstore.h"

static int	userstore_error(char *err, size_t errlen, const char *fmt, ...)
		    __attribute__((format(printf, 3, 4)));
static const char	*userstore_line(struct userstore_user *user,
			    char *line, size_t len);
static int	userstore_name_cmp(const char *name, size_t len,
		    const struct userstore_user *user);
static int	userstore_cmp(const void *a, const void *b);
static int	userstore_perm_char(int c);
static int	userstore_write_all(int fd, const char *text, size_t len);

static int
userstore_error(char *err, size_t errlen, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	(void)vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return (-1);
}

static int
userstore_perm_char(int c)
{
	return ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-');
}

const char *
userstore_name_check(const char *name, size_t len)
{
	size_t	i;

	if (len == 0)
		return ("empty username");
	if (len > USERSTORE_NAME_MAX)
		return ("username longer than 255 bytes");
	if (name[0] == '#')
		return ("username starts with '#'");
	for (i = 0; i < len; i++) {
		if ((unsigned char)name[i] < 0x20 ||
		    (unsigned char)name[i] == 0x7f)
			return ("username contains a control character");
		if (name[i] == ':')
			return ("username contains ':'");
	}
	if (!jsonobj_is_utf8((const uint8_t *)name, len))
		return ("username is not valid UTF-8");

	return (NULL);
}

const char *
userstore_perms_check(const char *list, size_t len)
{
	const char	*perm[USERSTORE_PERMS_MAX];
	size_t		plen[USERSTORE_PERMS_MAX];
	size_t		i, j, n, start;

	if (len == 0)
		return (NULL);

	n = 0;
	start = 0;
	for (i = 0; i <= len; i++) {
		if (i < len && list[i] != ',') {
			if (!userstore_perm_char((unsigned char)list[i]))
				return ("perm contains a character outside "
				    "[A-Za-z0-9._-]");
			continue;
		}
		if (i == start)
			return ("empty perm");
		if (i - start > USERSTORE_PERM_MAX)
			return ("perm longer than 64 bytes");
		if (n == USERSTORE_PERMS_MAX)
			return ("more than 16 perms");
		for (j = 0; j < n; j++) {
			if (plen[j] == i - start &&
			    memcmp(perm[j], list + start, plen[j]) == 0)
				return ("duplicate perm");
		}
		perm[n] = list + start;
		plen[n] = i - start;
		n++;
		start = i + 1;
	}

	return (NULL);
}

/*
 * Parses one line of len bytes (line end removed) into user, writing NUL
 * bytes over the separators.  Returns NULL or the reason for rejecting it.
 */
static const char *
userstore_line(struct userstore_user *user, char *line, size_t len)
{
	char		*hash, *perms, *end, *p;
	const char	*reason;
	int		result;

	end = line + len;
	if ((hash = memchr(line, ':', len)) == NULL ||
	    (perms = memchr(hash + 1, ':', (size_t)(end - hash - 1))) == NULL)
		return ("expected username:hash:perms");
	hash++;
	perms++;

	if ((reason = userstore_name_check(line,
	    (size_t)(hash - 1 - line))) != NULL)
		return (reason);
	if (memchr(perms, ':', (size_t)(end - perms)) != NULL)
		return ("more than three fields");
	result = passhash_parse(&user->hash, hash, (size_t)(perms - 1 - hash));
	if (result != PASSHASH_OK) {
		switch (result) {
		case PASSHASH_ERR_PARAMS:
			return ("password hash parameter out of range");
		case PASSHASH_ERR_SALT:
			return ("invalid salt in password hash");
		case PASSHASH_ERR_HASH:
			return ("invalid hash in password hash");
		default:
			return ("malformed password hash");
		}
	}
	if ((reason = userstore_perms_check(perms,
	    (size_t)(end - perms))) != NULL)
		return (reason);

	user->name = line;
	user->name_len = (size_t)(hash - 1 - line);
	hash[-1] = '\0';
	perms[-1] = '\0';
	*end = '\0';

	user->nperms = 0;
	for (p = perms; p < end; p++) {
		if (p == perms || p[-1] == '\0')
			user->perms[user->nperms++] = p;
		if (*p == ',')
			*p = '\0';
	}

	return (NULL);
}

/* Orders names bytewise, a prefix first. */
static int
userstore_name_cmp(const char *name, size_t len,
    const struct userstore_user *user)
{
	size_t	n;
	int	c;

	n = len < user->name_len ? len : user->name_len;
	if ((c = memcmp(name, user->name, n)) != 0)
		return (c);
	if (len != user->name_len)
		return (len < user->name_len ? -1 : 1);

	return (0);
}

/* Orders users by name, and equal names by line. */
static int
userstore_cmp(const void *a, const void *b)
{
	const struct userstore_user	*ua = a, *ub = b;
	int				c;

	if ((c = userstore_name_cmp(ua->name, ua->name_len, ub)) != 0)
		return (c);
	if (ua->line != ub->line)
		return (ua->line < ub->line ? -1 : 1);

	return (0);
}

int
userstore_parse(struct userstore *st, const char *text, size_t len,
    char *err, size_t errlen)
{
	struct userstore_user	*user;
	const char		*reason;
	char			*line, *next, *end;
	size_t			lineno, linelen, i, dup, first;

	memset(st, 0, sizeof(*st));
	if (len > USERSTORE_FILE_MAX)
		return (userstore_error(err, errlen, "file larger than %d bytes",
		    USERSTORE_FILE_MAX));
	if (passhash_dummy(&st->dummy) == -1)
		return (userstore_error(err, errlen,
		    "cannot make the dummy hash: OpenSSL failed"));

	/* One byte more, so the last line always has room for a NUL. */
	if ((st->text = malloc(len + 1)) == NULL)
		return (userstore_error(err, errlen, "out of memory"));
	memcpy(st->text, text, len);
	st->text[len] = '\0';

	end = st->text + len;
	lineno = 0;
	for (line = st->text; line < end; line = next) {
		lineno++;
		if ((next = memchr(line, '\n', (size_t)(end - line))) == NULL)
			next = end;
		linelen = (size_t)(next - line);
		if (next < end)
			next++;
		if (linelen > 0 && line[linelen - 1] == '\r')
			linelen--;

		if (linelen > USERSTORE_LINE_MAX) {
			userstore_free(st);
			return (userstore_error(err, errlen,
			    "line %zu: longer than %d bytes", lineno,
			    USERSTORE_LINE_MAX));
		}
		if (line[0] == '#' || strspn(line, " ") >= linelen)
			continue;

		if (st->nusers == USERSTORE_USERS_MAX) {
			userstore_free(st);
			return (userstore_error(err, errlen,
			    "line %zu: more than %d users", lineno,
			    USERSTORE_USERS_MAX));
		}
		if (st->nusers % 1024 == 0) {
			user = reallocarray(st->users, st->nusers + 1024,
			    sizeof(*user));
			if (user == NULL) {
				userstore_free(st);
				return (userstore_error(err, errlen,
				    "out of memory"));
			}
			st->users = user;
		}

		user = &st->users[st->nusers];
		memset(user, 0, sizeof(*user));
		user->line = lineno;
		if ((reason = userstore_line(user, line, linelen)) != NULL) {
			userstore_free(st);
			return (userstore_error(err, errlen, "line %zu: %s",
			    lineno, reason));
		}
		st->nusers++;
	}

	if (st->nusers > 0)
		qsort(st->users, st->nusers, sizeof(*st->users), userstore_cmp);

	/* Report the duplicate that comes first in the file. */
	dup = 0;
	first = 0;
	for (i = 1; i < st->nusers; i++) {
		if (st->users[i].name_len != st->users[i - 1].name_len ||
		    memcmp(st->users[i].name, st->users[i - 1].name,
		    st->users[i].name_len) != 0)
			continue;
		if (dup == 0 || st->users[i].line < dup) {
			dup = st->users[i].line;
			first = st->users[i - 1].line;
		}
	}
	if (dup != 0) {
		userstore_free(st);
		return (userstore_error(err, errlen,
		    "line %zu: duplicate username (first on line %zu)", dup,
		    first));
	}

	return (0);
}

int
userstore_read(const char *path, char **text, size_t *len)
{
	struct stat	sb;
	char		*buf;
	size_t		off;
	ssize_t		n;
	int		fd, saved;

	*text = NULL;
	*len = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return (-1);

	buf = NULL;
	if (fstat(fd, &sb) == -1)
		goto fail;
	if (!S_ISREG(sb.st_mode)) {
		errno = EINVAL;
		goto fail;
	}
	if (sb.st_size > USERSTORE_FILE_MAX) {
		errno = EFBIG;
		goto fail;
	}

	/* Read one byte past the size seen, to notice a file that grew. */
	if ((buf = malloc((size_t)sb.st_size + 2)) == NULL)
		goto fail;
	off = 0;
	while (off < (size_t)sb.st_size + 1) {
		n = read(fd, buf + off, (size_t)sb.st_size + 1 - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			goto fail;
		if (n == 0)
			break;
		off += (size_t)n;
	}
	if (off > (size_t)sb.st_size) {
		errno = EAGAIN;
		goto fail;
	}

	buf[off] = '\0';
	(void)close(fd);
	*text = buf;
	*len = off;
	return (0);

fail:
	saved = errno;
	free(buf);
	(void)close(fd);
	errno = saved;
	return (-1);
}

int
userstore_load(struct userstore *st, const char *path, char *err,
    size_t errlen)
{
	char	*text;
	size_t	len;
	int	ret;

	memset(st, 0, sizeof(*st));
	if (userstore_read(path, &text, &len) == -1) {
		return (userstore_error(err, errlen, "cannot read %s: %s", path,
		    errno == EINVAL ? "not a regular file" : strerror(errno)));
	}

	ret = userstore_parse(st, text, len, err, errlen);
	OPENSSL_cleanse(text, len);
	free(text);
	return (ret);
}

void
userstore_free(struct userstore *st)
{
	free(st->users);
	free(st->text);
	memset(st, 0, sizeof(*st));
}

const struct userstore_user *
userstore_lookup(const struct userstore *st, const char *name, size_t len)
{
	size_t	lo, hi, mid;
	int	c;

	/* A binary search of the array sorted by userstore_cmp(). */
	lo = 0;
	hi = st->nusers;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = userstore_name_cmp(name, len, &st->users[mid]);
		if (c == 0)
			return (&st->users[mid]);
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}

	return (NULL);
}

int
userstore_check(const struct userstore *st, const char *name,
    size_t name_len, const char *password, size_t password_len,
    const struct userstore_user **user)
{
	const struct userstore_user	*u;
	int				ret;

	*user = NULL;
	if ((u = userstore_lookup(st, name, name_len)) == NULL) {
		ret = passhash_verify(&st->dummy, password, password_len);
		return (ret == -1 ? -1 : 0);
	}

	if ((ret = passhash_verify(&u->hash, password, password_len)) == 1)
		*user = u;
	return (ret);
}

static int
userstore_write_all(int fd, const char *text, size_t len)
{
	ssize_t	n;

	while (len > 0) {
		if ((n = write(fd, text, len)) == -1) {
			if (errno == EINTR)
				continue;
			return (-1);
		}
		text += n;
		len -= (size_t)n;
	}

	return (0);
}

int
userstore_write(const char *path, const char *text, size_t len)
{
	struct stat	sb;
	char		*copy, *tmp;
	const char	*dir, *base;
	size_t		tmplen;
	int		fd, dfd, saved, exists;

	if (lstat(path, &sb) == 0) {
		if (S_ISLNK(sb.st_mode)) {
			errno = ELOOP;
			return (-1);
		}
		if (!S_ISREG(sb.st_mode)) {
			errno = EINVAL;
			return (-1);
		}
		exists = 1;
	} else if (errno == ENOENT) {
		exists = 0;
	} else {
		return (-1);
	}

	tmp = NULL;
	fd = -1;
	dfd = -1;
	if ((copy = strdup(path)) == NULL)
		return (-1);
	dir = dirname(copy);
	base = strrchr(path, '/') != NULL ? strrchr(path, '/') + 1 : path;
	tmplen = strlen(dir) + strlen(base) + sizeof("/..XXXXXX");
	if ((tmp = malloc(tmplen)) == NULL)
		goto fail;
	(void)snprintf(tmp, tmplen, "%s/.%s.XXXXXX", dir, base);

	if ((fd = mkstemp(tmp)) == -1)
		goto fail;
	if (fchmod(fd, S_IRUSR | S_IWUSR) == -1)
		goto fail;
	if (exists && (sb.st_uid != geteuid() || sb.st_gid != getegid()) &&
	    fchown(fd, sb.st_uid, sb.st_gid) == -1)
		goto fail;
	if (userstore_write_all(fd, text, len) == -1 || fsync(fd) == -1)
		goto fail;
	if (close(fd) == -1) {
		fd = -1;
		goto fail;
	}
	fd = -1;

	if (rename(tmp, path) == -1)
		goto fail;
	free(tmp);
	tmp = NULL;

	/* The rename is durable once the folder is synced. */
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1 ||
	    fsync(dfd) == -1)
		goto fail;
	(void)close(dfd);
	free(copy);
	return (0);

fail:
	saved = errno;
	if (fd != -1)
		(void)close(fd);
	if (dfd != -1)
		(void)close(dfd);
	if (tmp != NULL) {
		(void)unlink(tmp);
		free(tmp);
	}
	free(copy);
	errno = saved;
	return (-1);
}
