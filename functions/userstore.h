/*
 * The users file named by AUTH_USERS_FILE: one user per line,
 *
 *	username:encoded-hash:perm1,perm2
 *
 * with '#' starting a comment line, blank lines allowed and LF or CRLF
 * line ends.  The encoded hash is described in passhash.h.
 */
#ifndef USERSTORE_H
#define USERSTORE_H

#include <stddef.h>

#include "passhash.h"
#include "token.h"

#define USERSTORE_USERS_MAX	100000
#define USERSTORE_LINE_MAX	2048		/* bytes, without the line end */
#define USERSTORE_FILE_MAX	(64 * 1024 * 1024)	/* bytes */
#define USERSTORE_NAME_MAX	255		/* bytes of a username */
#define USERSTORE_PERM_MAX	64		/* bytes of one perm */
#define USERSTORE_PERMS_MAX	TOKEN_PERMS_MAX	/* perms of one user */

struct userstore_user {
	const char		*name;		/* NUL-terminated */
	size_t			name_len;
	struct passhash		hash;
	const char		*perms[USERSTORE_PERMS_MAX];
	size_t			nperms;
	size_t			line;		/* line number in the file */
};

/*
 * The loaded users, sorted by name for bsearch(), and a dummy hash for
 * unknown users.  Names and perms point into text, a copy of the file.
 */
struct userstore {
	struct userstore_user	*users;
	size_t			nusers;
	char			*text;
	struct passhash		dummy;
};

/*
 * Parses len bytes of users-file text into st.  Returns 0, or -1 with a
 * one-line message in err such as "line 3: invalid perm"; the message
 * never contains a hash.  Lines are checked in order, then duplicate
 * usernames.  Needs passhash_init() only for userstore_check().
 */
int	userstore_parse(struct userstore *st, const char *text, size_t len,
	    char *err, size_t errlen);

/*
 * Reads the file at path (a regular file of at most USERSTORE_FILE_MAX
 * bytes; symbolic links are followed) and parses it as userstore_parse()
 * does.  Call it once at start, before workers fork.
 */
int	userstore_load(struct userstore *st, const char *path, char *err,
	    size_t errlen);

/* Frees what st holds. */
void	userstore_free(struct userstore *st);

/* Returns the user named by len bytes of name, or NULL.  Thread-safe. */
const struct userstore_user	*userstore_lookup(const struct userstore *st,
				    const char *name, size_t len);

/*
 * Verifies a password for a username.  An unknown username is verified
 * against the dummy hash, so it costs the same work as a wrong password
 * for a user whose hash has the default parameters.  Returns 1 and sets
 * *user on a match, 0 for an unknown user or a wrong password, -1 when
 * OpenSSL fails.  Thread-safe.
 */
int	userstore_check(const struct userstore *st, const char *name,
	    size_t name_len, const char *password, size_t password_len,
	    const struct userstore_user **user);

/*
 * Returns NULL when len bytes of name are a valid username (1 to
 * USERSTORE_NAME_MAX bytes of UTF-8, no control character, no ':', not
 * starting with '#'), or else the reason.
 */
const char	*userstore_name_check(const char *name, size_t len);

/*
 * Returns NULL when len bytes of list are a valid perms field (0 to
 * USERSTORE_PERMS_MAX comma-separated perms of 1 to USERSTORE_PERM_MAX
 * characters of [A-Za-z0-9._-], none repeated), or else the reason.
 */
const char	*userstore_perms_check(const char *list, size_t len);

/*
 * Reads the whole file at path into a NUL-terminated buffer that the
 * caller frees, with the same limits as userstore_load().  Returns 0,
 * or -1 with errno set: EFBIG over the limit, EINVAL for a file that is
 * not regular, EAGAIN for a file that grew while it was read.
 */
int	userstore_read(const char *path, char **text, size_t *len);

/*
 * Replaces the file at path with len bytes of text: writes a temporary
 * file in the same folder with mode 0600, syncs it, renames it over path
 * and syncs the folder.  Keeps the owner of an existing file and rejects
 * a path that is a symbolic link.  Returns 0, or -1 with errno set.
 */
int	userstore_write(const char *path, const char *text, size_t len);

#endif
