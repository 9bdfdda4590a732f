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
 * yajl's buffers hold decoded strings, passwords among them, so every
 * block carries its size in front and is wiped before it is freed.
 */
static yajl_alloc_funcs jsonobj_alloc_funcs = {
	jsonobj_malloc,
	jsonobj_realloc,
	jsonobj_free,
	NULL
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
	struct jsonobj_parser	p;
	yajl_handle		h;
	yajl_status		status;

	memset(obj, 0, sizeof(*obj));
	memset(&p, 0, sizeof(p));
	p.obj = obj;
	p.arena = arena;
	p.arena_len = arena_len;

	if (arena_len < JSONOBJ_ARENA_LEN(len))
		return (JSONOBJ_ERR_MEMORY);

	if ((h = yajl_alloc(&jsonobj_callbacks, &jsonobj_alloc_funcs,
	    &p)) == NULL)
		return (JSONOBJ_ERR_MEMORY);

	status = yajl_parse(h, json, len);
	if (status == yajl_status_ok)
		status = yajl_complete_parse(h);
	yajl_free(h);

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

/* The size header keeps max_align_t alignment for the block after it. */
union jsonobj_block {
	size_t		size;
	long double	align_ld;
	void		*align_ptr;
};

static void *
jsonobj_malloc(void *ctx, size_t size)
{
	union jsonobj_block	*b;

	(void)ctx;
	if (size > SIZE_MAX - sizeof(*b))
		return (NULL);
	if ((b = malloc(sizeof(*b) + size)) == NULL)
		return (NULL);
	b->size = size;

	return (b + 1);
}

static void
jsonobj_free(void *ctx, void *ptr)
{
	union jsonobj_block	*b;

	(void)ctx;
	if (ptr == NULL)
		return;
	b = (union jsonobj_block *)ptr - 1;
	OPENSSL_cleanse(ptr, b->size);
	free(b);
}

/* Moves the block instead of growing it in place, so no copy is left. */
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
	if ((m->name = jsonobj_arena_copy(p, (const char *)key, len)) == NULL)
		return (0);
	m->name_len = len;
	obj->nmembers++;
	p->member = m;

	return (1);
}
