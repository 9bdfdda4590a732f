#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <yajl/yajl_parse.h>

#include "jsonobj.h"

struct jsonobj_parser {
	struct jsonobj		*obj;
	struct jsonobj_member	*member;	/* awaiting its value */
	char			*arena;
	size_t			arena_len;
	size_t			arena_used;
	size_t			depth;		/* containers open */
	int			in_top_array;
	int			root_closed;
	int			error;
};

static int	jsonobj_parse_flat(struct jsonobj *, const uint8_t *, size_t,
		    char *);
static const uint8_t	*jsonobj_flat_string(const uint8_t *,
			    const uint8_t *, char *, size_t *, const char **,
			    size_t *);
static const uint8_t	*jsonobj_flat_scalar(const uint8_t *,
			    const uint8_t *, char *, size_t *,
			    struct jsonobj_value *);
static int	jsonobj_text_check(const uint8_t *, size_t);
static size_t	jsonobj_utf8_char(const uint8_t *, size_t);
static int	jsonobj_escape_unit(const uint8_t *);
static int	jsonobj_value_add(struct jsonobj_parser *, enum jsonobj_type,
		    const char *, size_t, double);
static const char	*jsonobj_arena_copy(struct jsonobj_parser *,
			    const char *, size_t);

static int	jsonobj_on_null(void *);
static int	jsonobj_on_boolean(void *, int);
static int	jsonobj_on_number(void *, const char *, size_t);
static int	jsonobj_on_string(void *, const unsigned char *, size_t);
static int	jsonobj_on_map_start(void *);
static int	jsonobj_on_map_key(void *, const unsigned char *, size_t);
static int	jsonobj_on_map_end(void *);
static int	jsonobj_on_array_start(void *);
static int	jsonobj_on_array_end(void *);

static void	*jsonobj_malloc(void *, size_t);
static void	*jsonobj_realloc(void *, void *, size_t);
static void	 jsonobj_free(void *, void *);

/*
 * Memory for yajl's handle, lexer and buffers: a bump allocator over a
 * stack buffer that one parse of a token or login body fits in, so the
 * hot path never calls malloc.  Larger needs fall back to the heap.  The
 * used part is wiped when the parse ends, because it contains decoded
 * strings, passwords among them.
 */
#define JSONOBJ_POOL_LEN	8192

struct jsonobj_pool {
	unsigned char	*base;
	size_t		used;
};

/* The size header keeps max_align_t alignment for the block after it. */
union jsonobj_block {
	size_t		size;
	long double	align_ld;
	void		*align_ptr;
};

/* Numbers arrive as text (no integer callback), so none overflows in yajl. */
static const yajl_callbacks jsonobj_callbacks = {
	jsonobj_on_null,
	jsonobj_on_boolean,
	NULL,
	NULL,
	jsonobj_on_number,
	jsonobj_on_string,
	jsonobj_on_map_start,
	jsonobj_on_map_key,
	jsonobj_on_map_end,
	jsonobj_on_array_start,
	jsonobj_on_array_end
};

int
jsonobj_parse(struct jsonobj *obj, const uint8_t *json, size_t len,
    char *arena, size_t arena_len)
{
	if (arena_len < JSONOBJ_ARENA_LEN(len))
		return (JSONOBJ_ERR_MEMORY);

	if (jsonobj_parse_flat(obj, json, len, arena) == JSONOBJ_OK)
		return (JSONOBJ_OK);

	return (jsonobj_parse_yajl(obj, json, len, arena, arena_len));
}

/*
 * Reads the compact JSON this service writes and most issuers send: one
 * object with no white space whose values are strings of printable ASCII
 * without escapes, whole numbers of up to 15 digits, true, false, null, or
 * arrays of such strings.  That is a subset of the JSON grammar in which
 * the text alone fixes every value, so the result is the one the yajl path
 * gives; tests/fuzz/fuzz_jsonobj.c and the unit tests compare the two.  It
 * reads each byte once and allocates nothing.  Returns JSONOBJ_OK, or -1
 * for anything else, valid or not, which the yajl path then decides.
 */
static int
jsonobj_parse_flat(struct jsonobj *obj, const uint8_t *json, size_t len,
    char *arena)
{
	struct jsonobj_member	*m;
	struct jsonobj_value	*v;
	const uint8_t		*p, *end;
	size_t			used, i;

	p = json;
	end = json + len;
	used = 0;
	obj->nmembers = 0;
	obj->nelems = 0;

	if (len < 2 || *p++ != '{')
		return (-1);
	if (*p == '}')
		return (p + 1 == end ? JSONOBJ_OK : -1);

	for (;;) {
		if (obj->nmembers == JSONOBJ_MEMBERS_MAX)
			return (-1);
		m = &obj->members[obj->nmembers];
		memset(m, 0, sizeof(*m));

		if ((p = jsonobj_flat_string(p, end, arena, &used, &m->name,
		    &m->name_len)) == NULL)
			return (-1);
		for (i = 0; i < obj->nmembers; i++) {
			if (obj->members[i].name_len == m->name_len &&
			    obj->members[i].name[0] == m->name[0] &&
			    memcmp(obj->members[i].name, m->name,
			    m->name_len) == 0)
				return (-1);
		}
		obj->nmembers++;

		if (p >= end || *p++ != ':' || p >= end)
			return (-1);

		v = &m->value;
		if (*p == '[') {
			v->type = JSONOBJ_ARRAY;
			v->first = obj->nelems;
			if (++p < end && *p == ']') {
				p++;
			} else {
				for (;;) {
					if (obj->nelems == JSONOBJ_ELEMS_MAX)
						return (-1);
					v = &obj->elems[obj->nelems++];
					memset(v, 0, sizeof(*v));
					v->type = JSONOBJ_STRING;
					if ((p = jsonobj_flat_string(p, end, arena,
					    &used, &v->str, &v->len)) == NULL)
						return (-1);
					m->value.count++;
					if (p < end && *p == ',') {
						p++;
						continue;
					}
					if (p < end && *p == ']') {
						p++;
						break;
					}
					return (-1);
				}
			}
		} else if ((p = jsonobj_flat_scalar(p, end, arena, &used,
		    v)) == NULL) {
			return (-1);
		}

		if (p < end && *p == ',') {
			p++;
			continue;
		}
		if (p < end && *p == '}' && p + 1 == end)
			return (JSONOBJ_OK);
		return (-1);
	}
}

/* 1 for the bytes a string of the compact subset may hold as they are. */
static const uint8_t jsonobj_flat_plain[256] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

/*
 * Reads a string of printable ASCII other than '"' and '\\' at p, copies
 * it NUL-terminated into the arena, and returns the position after it,
 * or NULL.
 */
static const uint8_t *
jsonobj_flat_string(const uint8_t *p, const uint8_t *end, char *arena,
    size_t *used, const char **str, size_t *len)
{
	const uint8_t	*start;
	char		*dst;

	if (p >= end || *p++ != '"')
		return (NULL);

	start = p;
	while (p < end && jsonobj_flat_plain[*p])
		p++;
	if (p >= end || *p != '"')
		return (NULL);

	dst = arena + *used;
	*len = (size_t)(p - start);
	memcpy(dst, start, *len);
	dst[*len] = '\0';
	*used += *len + 1;
	*str = dst;

	return (p + 1);
}

/* Reads a string, a whole number, true, false or null into v. */
static const uint8_t *
jsonobj_flat_scalar(const uint8_t *p, const uint8_t *end, char *arena,
    size_t *used, struct jsonobj_value *v)
{
	const uint8_t	*start;
	char		*dst;
	size_t		n;
	double		num;

	if (*p == '"') {
		v->type = JSONOBJ_STRING;
		return (jsonobj_flat_string(p, end, arena, used, &v->str,
		    &v->len));
	}

	if (*p >= '0' && *p <= '9') {
		/* 15 digits stay exact in a double, as strtod would give. */
		start = p;
		num = 0;
		while (p < end && *p >= '0' && *p <= '9' && p - start < 16)
			num = num * 10 + (*p++ - '0');
		n = (size_t)(p - start);
		if (n > 15 || (n > 1 && *start == '0') ||
		    (p < end && (*p == '.' || *p == 'e' || *p == 'E')))
			return (NULL);

		dst = arena + *used;
		memcpy(dst, start, n);
		dst[n] = '\0';
		*used += n + 1;
		v->type = JSONOBJ_NUMBER;
		v->str = dst;
		v->len = n;
		v->num = num;
		return (p);
	}

	n = (size_t)(end - p);
	if (n >= 4 && memcmp(p, "true", 4) == 0) {
		v->type = JSONOBJ_TRUE;
		return (p + 4);
	}
	if (n >= 5 && memcmp(p, "false", 5) == 0) {
		v->type = JSONOBJ_FALSE;
		return (p + 5);
	}
	if (n >= 4 && memcmp(p, "null", 4) == 0) {
		v->type = JSONOBJ_NULL;
		return (p + 4);
	}

	return (NULL);
}

int
jsonobj_parse_yajl(struct jsonobj *obj, const uint8_t *json, size_t len,
    char *arena, size_t arena_len)
{
	struct jsonobj_parser	p;
	struct jsonobj_pool	pool;
	union jsonobj_block	pool_mem[JSONOBJ_POOL_LEN /
				    sizeof(union jsonobj_block)];
	yajl_alloc_funcs	alloc;
	yajl_handle		h;
	yajl_status		status;

	obj->nmembers = 0;
	obj->nelems = 0;
	memset(&p, 0, sizeof(p));
	p.obj = obj;
	p.arena = arena;
	p.arena_len = arena_len;

	if (arena_len < JSONOBJ_ARENA_LEN(len))
		return (JSONOBJ_ERR_MEMORY);

	pool.base = (unsigned char *)pool_mem;
	pool.used = 0;
	alloc.malloc = jsonobj_malloc;
	alloc.realloc = jsonobj_realloc;
	alloc.free = jsonobj_free;
	alloc.ctx = &pool;

	if ((h = yajl_alloc(&jsonobj_callbacks, &alloc, &p)) == NULL)
		return (JSONOBJ_ERR_MEMORY);

	status = yajl_parse(h, json, len);
	if (status == yajl_status_ok)
		status = yajl_complete_parse(h);
	yajl_free(h);
	OPENSSL_cleanse(pool_mem, pool.used);

	if (p.error != JSONOBJ_OK)
		return (p.error);
	if (status != yajl_status_ok || !p.root_closed)
		return (JSONOBJ_ERR_SYNTAX);
	if (jsonobj_text_check(json, len) == -1)
		return (JSONOBJ_ERR_SYNTAX);

	return (JSONOBJ_OK);
}

/*
 * Checks what yajl 2.1 lets through: the text must be UTF-8 as RFC 3629
 * defines it (no overlong forms, no surrogates, nothing above U+10FFFF),
 * and every \u escape of a surrogate must be half of a high-low pair, as
 * RFC 7493 section 2.1 requires.  yajl turns a lone \ud800 into '?', so
 * this is checked on the source text, which yajl has already found to be
 * valid JSON.  Returns 0 or -1.
 */
static int
jsonobj_text_check(const uint8_t *json, size_t len)
{
	size_t		i, n;
	int		in_string, unit, next;

	in_string = 0;
	for (i = 0; i < len; i += n) {
		if ((n = jsonobj_utf8_char(json + i, len - i)) == 0)
			return (-1);
		if (json[i] == '"') {
			in_string = !in_string;
			continue;
		}
		if (!in_string || json[i] != '\\')
			continue;

		/* An escape: yajl has checked its form. */
		if (json[i + 1] != 'u') {
			n = 2;
			continue;
		}
		n = 6;
		unit = jsonobj_escape_unit(json + i);
		if (unit >= 0xdc00 && unit <= 0xdfff)
			return (-1);
		if (unit < 0xd800 || unit > 0xdbff)
			continue;

		next = -1;
		if (i + 12 <= len && json[i + 6] == '\\' && json[i + 7] == 'u')
			next = jsonobj_escape_unit(json + i + 6);
		if (next < 0xdc00 || next > 0xdfff)
			return (-1);
		n = 12;
	}

	return (0);
}

/* Returns the value of the \uXXXX escape at s, which yajl has validated. */
static int
jsonobj_escape_unit(const uint8_t *s)
{
	int		i, c, unit;

	unit = 0;
	for (i = 2; i < 6; i++) {
		c = s[i];
		if (c >= '0' && c <= '9')
			c -= '0';
		else if (c >= 'a' && c <= 'f')
			c -= 'a' - 10;
		else
			c -= 'A' - 10;
		unit = unit << 4 | c;
	}

	return (unit);
}

/*
 * Returns the length of the UTF-8 character at s (RFC 3629 section 4), or
 * 0 when the bytes there are not one.
 */
static size_t
jsonobj_utf8_char(const uint8_t *s, size_t len)
{
	uint8_t		lo, hi;
	size_t		n, i;

	if (s[0] < 0x80)
		return (1);

	lo = 0x80;
	hi = 0xbf;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		if (s[0] == 0xe0)
			lo = 0xa0;		/* overlong */
		else if (s[0] == 0xed)
			hi = 0x9f;		/* surrogates */
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		if (s[0] == 0xf0)
			lo = 0x90;		/* overlong */
		else if (s[0] == 0xf4)
			hi = 0x8f;		/* above U+10FFFF */
	} else {
		return (0);
	}

	if (n > len || s[1] < lo || s[1] > hi)
		return (0);
	for (i = 2; i < n; i++) {
		if (s[i] < 0x80 || s[i] > 0xbf)
			return (0);
	}

	return (n);
}

static int
jsonobj_in_pool(const struct jsonobj_pool *pool, const void *ptr)
{
	const unsigned char	*p = ptr;

	return (p >= pool->base && p < pool->base + JSONOBJ_POOL_LEN);
}

static void *
jsonobj_malloc(void *ctx, size_t size)
{
	struct jsonobj_pool	*pool = ctx;
	union jsonobj_block	*b;
	size_t			need;

	if (size > SIZE_MAX / 2)
		return (NULL);
	need = sizeof(*b) + (size + sizeof(*b) - 1) / sizeof(*b) * sizeof(*b);

	if (need <= JSONOBJ_POOL_LEN - pool->used) {
		b = (union jsonobj_block *)(void *)(pool->base + pool->used);
		pool->used += need;
	} else if ((b = malloc(need)) == NULL) {
		return (NULL);
	}
	b->size = size;

	return (b + 1);
}

static void
jsonobj_free(void *ctx, void *ptr)
{
	union jsonobj_block	*b;

	if (ptr == NULL || jsonobj_in_pool(ctx, ptr))
		return;
	b = (union jsonobj_block *)ptr - 1;
	OPENSSL_cleanse(ptr, b->size);
	free(b);
}

static void *
jsonobj_realloc(void *ctx, void *ptr, size_t size)
{
	union jsonobj_block	*b;
	void			*p;

	if ((p = jsonobj_malloc(ctx, size)) == NULL)
		return (NULL);
	if (ptr != NULL) {
		b = (union jsonobj_block *)ptr - 1;
		memcpy(p, ptr, b->size < size ? b->size : size);
		if (jsonobj_in_pool(ctx, ptr))
			OPENSSL_cleanse(ptr, b->size);
		else
			jsonobj_free(ctx, ptr);
	}

	return (p);
}

const struct jsonobj_member *
jsonobj_get(const struct jsonobj *obj, const char *name)
{
	size_t		i, len;

	len = strlen(name);
	for (i = 0; i < obj->nmembers; i++) {
		if (obj->members[i].name_len == len &&
		    memcmp(obj->members[i].name, name, len) == 0)
			return (&obj->members[i]);
	}

	return (NULL);
}

int
jsonobj_is_utf8(const uint8_t *s, size_t len)
{
	size_t		i, n;

	for (i = 0; i < len; i += n) {
		if ((n = jsonobj_utf8_char(s + i, len - i)) == 0)
			return (0);
	}

	return (1);
}

int
jsonobj_is_text(const struct jsonobj_value *v)
{
	return (v->type == JSONOBJ_STRING && memchr(v->str, '\0', v->len) == NULL);
}

static const char *
jsonobj_arena_copy(struct jsonobj_parser *p, const char *s, size_t len)
{
	char		*dst;

	if (len + 1 > p->arena_len - p->arena_used) {
		p->error = JSONOBJ_ERR_MEMORY;
		return (NULL);
	}

	dst = p->arena + p->arena_used;
	memcpy(dst, s, len);
	dst[len] = '\0';
	p->arena_used += len + 1;

	return (dst);
}

/*
 * Records a scalar, or the start of a container, at its place: a member of
 * the root object, an element of a top-level array, or deeper (not kept).
 */
static int
jsonobj_value_add(struct jsonobj_parser *p, enum jsonobj_type type,
    const char *s, size_t len, double num)
{
	struct jsonobj_value	*v;
	const char		*copy;

	if (p->depth == 0) {
		p->error = JSONOBJ_ERR_NOT_OBJECT;
		return (0);
	}

	if (p->depth == 1) {
		v = &p->member->value;
	} else if (p->depth == 2 && p->in_top_array) {
		if (p->obj->nelems == JSONOBJ_ELEMS_MAX) {
			p->error = JSONOBJ_ERR_TOO_MANY;
			return (0);
		}
		v = &p->obj->elems[p->obj->nelems++];
		memset(v, 0, sizeof(*v));
		p->member->value.count++;
	} else {
		return (1);
	}

	v->type = type;
	v->num = num;
	if (s != NULL) {
		if ((copy = jsonobj_arena_copy(p, s, len)) == NULL)
			return (0);
		v->str = copy;
		v->len = len;
	}

	return (1);
}

static int
jsonobj_on_null(void *ctx)
{
	return (jsonobj_value_add(ctx, JSONOBJ_NULL, NULL, 0, 0));
}

static int
jsonobj_on_boolean(void *ctx, int value)
{
	return (jsonobj_value_add(ctx,
	    value ? JSONOBJ_TRUE : JSONOBJ_FALSE, NULL, 0, 0));
}

static int
jsonobj_on_number(void *ctx, const char *text, size_t len)
{
	struct jsonobj_parser	*p = ctx;
	char			buf[64], *end;
	double			num;

	/* yajl has checked the JSON number grammar; only the range is left. */
	if (len >= sizeof(buf)) {
		p->error = JSONOBJ_ERR_NUMBER;
		return (0);
	}
	memcpy(buf, text, len);
	buf[len] = '\0';

	num = strtod(buf, &end);
	if (*end != '\0' || !isfinite(num)) {
		p->error = JSONOBJ_ERR_NUMBER;
		return (0);
	}

	return (jsonobj_value_add(p, JSONOBJ_NUMBER, text, len, num));
}

static int
jsonobj_on_string(void *ctx, const unsigned char *s, size_t len)
{
	return (jsonobj_value_add(ctx, JSONOBJ_STRING, (const char *)s, len,
	    0));
}

static int
jsonobj_container_open(struct jsonobj_parser *p, enum jsonobj_type type)
{
	if (p->depth == JSONOBJ_DEPTH_MAX) {
		p->error = JSONOBJ_ERR_DEPTH;
		return (0);
	}

	if (p->depth == 0) {
		if (type != JSONOBJ_OBJECT || p->root_closed) {
			p->error = JSONOBJ_ERR_NOT_OBJECT;
			return (0);
		}
	} else {
		if (!jsonobj_value_add(p, type, NULL, 0, 0))
			return (0);
		if (p->depth == 1 && type == JSONOBJ_ARRAY) {
			p->in_top_array = 1;
			p->member->value.first = p->obj->nelems;
		}
	}

	p->depth++;
	return (1);
}

static int
jsonobj_container_close(struct jsonobj_parser *p)
{
	p->depth--;
	if (p->depth == 1)
		p->in_top_array = 0;
	else if (p->depth == 0)
		p->root_closed = 1;

	return (1);
}

static int
jsonobj_on_map_start(void *ctx)
{
	return (jsonobj_container_open(ctx, JSONOBJ_OBJECT));
}

static int
jsonobj_on_array_start(void *ctx)
{
	return (jsonobj_container_open(ctx, JSONOBJ_ARRAY));
}

static int
jsonobj_on_map_end(void *ctx)
{
	return (jsonobj_container_close(ctx));
}

static int
jsonobj_on_array_end(void *ctx)
{
	return (jsonobj_container_close(ctx));
}

static int
jsonobj_on_map_key(void *ctx, const unsigned char *key, size_t len)
{
	struct jsonobj_parser	*p = ctx;
	struct jsonobj		*obj = p->obj;
	struct jsonobj_member	*m;
	size_t			i;

	if (p->depth != 1)
		return (1);

	/* RFC 7515 section 5.2 and RFC 7519 section 4: names are unique. */
	for (i = 0; i < obj->nmembers; i++) {
		if (obj->members[i].name_len == len &&
		    memcmp(obj->members[i].name, key, len) == 0) {
			p->error = JSONOBJ_ERR_DUPLICATE;
			return (0);
		}
	}

	if (obj->nmembers == JSONOBJ_MEMBERS_MAX) {
		p->error = JSONOBJ_ERR_TOO_MANY;
		return (0);
	}

	m = &obj->members[obj->nmembers];
	memset(m, 0, sizeof(*m));
	if ((m->name = jsonobj_arena_copy(p, (const char *)key, len)) == NULL)
		return (0);
	m->name_len = len;
	obj->nmembers++;
	p->member = m;

	return (1);
}
