/*
 * A flat view of one JSON object, parsed with yajl's event parser.
 *
 * Only the top-level members are recorded, with their type, their string or
 * number value, and the elements of a top-level array.  Deeper values are
 * checked for syntax and depth but not kept.  JWT headers, JWT payloads and
 * login bodies are all read through this one parser.
 */
#ifndef JSONOBJ_H
#define JSONOBJ_H

#include <stddef.h>
#include <stdint.h>

#define JSONOBJ_MEMBERS_MAX	32	/* top-level members */
#define JSONOBJ_ELEMS_MAX	32	/* elements of all top-level arrays */
#define JSONOBJ_DEPTH_MAX	16	/* nesting, counting the object itself */

enum jsonobj_type {
	JSONOBJ_NULL,
	JSONOBJ_FALSE,
	JSONOBJ_TRUE,
	JSONOBJ_NUMBER,
	JSONOBJ_STRING,
	JSONOBJ_ARRAY,
	JSONOBJ_OBJECT
};

enum jsonobj_result {
	JSONOBJ_OK = 0,
	JSONOBJ_ERR_SYNTAX,		/* not JSON, trailing data, bad UTF-8 */
	JSONOBJ_ERR_NOT_OBJECT,		/* valid JSON, but not an object */
	JSONOBJ_ERR_DUPLICATE,		/* a top-level member name repeats */
	JSONOBJ_ERR_DEPTH,		/* nested deeper than JSONOBJ_DEPTH_MAX */
	JSONOBJ_ERR_TOO_MANY,		/* over the member or element limit */
	JSONOBJ_ERR_NUMBER,		/* over 63 characters or not finite */
	JSONOBJ_ERR_MEMORY
};

/*
 * One value.  A string's bytes are in str (len bytes, NUL-terminated in the
 * arena, but they may contain NUL bytes from \u0000).  A number keeps its
 * source text in str and its value in num.  An array at the top level lists
 * its elements in jsonobj.elems[first .. first + count - 1].
 */
struct jsonobj_value {
	enum jsonobj_type	type;
	const char		*str;
	size_t			len;
	double			num;
	size_t			first;
	size_t			count;
};

struct jsonobj_member {
	const char		*name;
	size_t			name_len;
	struct jsonobj_value	value;
};

struct jsonobj {
	struct jsonobj_member	members[JSONOBJ_MEMBERS_MAX];
	size_t			nmembers;
	struct jsonobj_value	elems[JSONOBJ_ELEMS_MAX];
	size_t			nelems;
};

/* Arena bytes that parsing len bytes of JSON can need. */
#define JSONOBJ_ARENA_LEN(len)	((len) + 1)

/*
 * Parses len bytes as exactly one JSON object (no comments, no trailing
 * data, strings must be valid UTF-8).  Names and strings are copied into
 * arena, which must hold JSONOBJ_ARENA_LEN(len) bytes and outlive obj.
 * Returns JSONOBJ_OK or the reason for rejecting the input.
 */
int	jsonobj_parse(struct jsonobj *obj, const uint8_t *json, size_t len,
	    char *arena, size_t arena_len);

/*
 * The same, always through yajl.  jsonobj_parse() first tries a reader for
 * the compact subset most tokens use; tests compare the two paths.
 */
int	jsonobj_parse_yajl(struct jsonobj *obj, const uint8_t *json,
	    size_t len, char *arena, size_t arena_len);

/* Returns the member whose name is exactly name, or NULL. */
const struct jsonobj_member	*jsonobj_get(const struct jsonobj *obj,
				    const char *name);

/*
 * Returns 1 when len bytes at s are UTF-8 as RFC 3629 defines it: no
 * overlong forms, no surrogates, nothing above U+10FFFF.
 */
int	jsonobj_is_utf8(const uint8_t *s, size_t len);

/* Returns 1 when v is a string of len bytes with no NUL byte. */
int	jsonobj_is_text(const struct jsonobj_value *v);

#endif
