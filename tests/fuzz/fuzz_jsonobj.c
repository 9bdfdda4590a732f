/*
 * Differential fuzzing of jsonobj_parse(): its own reader for the compact
 * subset must give exactly what the yajl path gives, for every input the
 * reader accepts, and the same result code for every other input.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonobj.h"

#define FUZZ_JSON_MAX	4096

static void
fuzz_fail(const char *what)
{
	fprintf(stderr, "fuzz_jsonobj: the two paths differ: %s\n", what);
	abort();
}

static void
fuzz_same_value(const struct jsonobj_value *a, const struct jsonobj_value *b)
{
	if (a->type != b->type)
		fuzz_fail("type");
	if (a->num != b->num && !(a->num != a->num && b->num != b->num))
		fuzz_fail("number");
	if (a->len != b->len || a->first != b->first || a->count != b->count)
		fuzz_fail("length, first or count");
	if ((a->str == NULL) != (b->str == NULL))
		fuzz_fail("string presence");
	if (a->str != NULL && memcmp(a->str, b->str, a->len + 1) != 0)
		fuzz_fail("string bytes");
}

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static struct jsonobj	fast, slow;
	static char		arena_fast[JSONOBJ_ARENA_LEN(FUZZ_JSON_MAX)];
	static char		arena_slow[JSONOBJ_ARENA_LEN(FUZZ_JSON_MAX)];
	size_t			i;
	int			rf, rs;

	if (len > FUZZ_JSON_MAX)
		return (0);

	rf = jsonobj_parse(&fast, data, len, arena_fast, sizeof(arena_fast));
	rs = jsonobj_parse_yajl(&slow, data, len, arena_slow,
	    sizeof(arena_slow));
	if (rf != rs)
		fuzz_fail("result code");
	if (rf != JSONOBJ_OK)
		return (0);

	if (fast.nmembers != slow.nmembers || fast.nelems != slow.nelems)
		fuzz_fail("member or element count");
	for (i = 0; i < fast.nmembers; i++) {
		if (fast.members[i].name_len != slow.members[i].name_len ||
		    memcmp(fast.members[i].name, slow.members[i].name,
		    fast.members[i].name_len + 1) != 0)
			fuzz_fail("member name");
		fuzz_same_value(&fast.members[i].value, &slow.members[i].value);
	}
	for (i = 0; i < fast.nelems; i++)
		fuzz_same_value(&fast.elems[i], &slow.elems[i]);

	return (0);
}
