/*
 * Unit tests for the strict base64url codec.  The test vectors are those
 * of RFC 4648 section 10, mapped to the URL alphabet of section 5 without
 * padding.  Longer inputs are checked against OpenSSL's encoder.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>

#include <cmocka.h>

#include "b64url.h"
#include "testutil.h"

/* Decodes a C string and returns b64url_decode()'s result. */
static int
decode_str(const char *in, uint8_t *out, size_t outmax, size_t *outlen)
{
	return (b64url_decode(in, strlen(in), out, outmax, outlen));
}

/* Asserts that in is rejected, with room for any output. */
static void
assert_rejected(const char *in, size_t inlen)
{
	uint8_t		out[128];
	size_t		outlen;

	assert_int_equal(b64url_decode(in, inlen, out, sizeof(out), &outlen),
	    -1);
}

/* RFC 4648 section 10 test vectors.  None of them contains '+' or '/'. */
static const struct {
	const char	*bytes;
	const char	*text;
} rfc4648_vectors[] = {
	{ "",		"" },
	{ "f",		"Zg" },
	{ "fo",		"Zm8" },
	{ "foo",	"Zm9v" },
	{ "foob",	"Zm9vYg" },
	{ "fooba",	"Zm9vYmE" },
	{ "foobar",	"Zm9vYmFy" },
};

static void
b64url_encode_rfc4648(void **state)
{
	char		out[16];
	size_t		i, n;

	(void)state;

	for (i = 0; i < sizeof(rfc4648_vectors) / sizeof(rfc4648_vectors[0]);
	    i++) {
		n = b64url_encode((const uint8_t *)rfc4648_vectors[i].bytes,
		    strlen(rfc4648_vectors[i].bytes), out, sizeof(out));
		assert_int_equal(n, strlen(rfc4648_vectors[i].text));
		assert_string_equal(out, rfc4648_vectors[i].text);
	}
}

static void
b64url_decode_rfc4648(void **state)
{
	uint8_t		out[16];
	size_t		i, outlen;

	(void)state;

	for (i = 0; i < sizeof(rfc4648_vectors) / sizeof(rfc4648_vectors[0]);
	    i++) {
		outlen = 99;
		assert_int_equal(decode_str(rfc4648_vectors[i].text, out,
		    sizeof(out), &outlen), 0);
		assert_int_equal(outlen, strlen(rfc4648_vectors[i].bytes));
		assert_memory_equal(out, rfc4648_vectors[i].bytes, outlen);
	}
}

/*
 * fb ff bf is 111110 111111 111110 111111: sextets 62 63 62 63, which are
 * "+/+/" in base64 and "-_-_" in base64url.  fb ff alone is "-_8".
 */
static void
b64url_encode_url_alphabet(void **state)
{
	const uint8_t	in[] = { 0xfb, 0xff, 0xbf };
	char		out[8];

	(void)state;

	assert_int_equal(b64url_encode(in, 3, out, sizeof(out)), 4);
	assert_string_equal(out, "-_-_");
	assert_int_equal(b64url_encode(in, 2, out, sizeof(out)), 3);
	assert_string_equal(out, "-_8");
}

static void
b64url_decode_url_alphabet(void **state)
{
	const uint8_t	want[] = { 0xfb, 0xff, 0xbf };
	uint8_t		out[8];
	size_t		outlen;

	(void)state;

	assert_int_equal(decode_str("-_-_", out, sizeof(out), &outlen), 0);
	assert_int_equal(outlen, 3);
	assert_memory_equal(out, want, 3);
	assert_int_equal(decode_str("-_8", out, sizeof(out), &outlen), 0);
	assert_int_equal(outlen, 2);
	assert_memory_equal(out, want, 2);
}

/* Every one of the 64 characters decodes and encodes back to itself. */
static void
b64url_full_alphabet(void **state)
{
	const char	*all = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "abcdefghijklmnopqrstuvwxyz0123456789-_";
	uint8_t		bytes[48];
	char		text[65], expect[TU_B64_BUF(48)];
	size_t		outlen;

	(void)state;

	assert_int_equal(decode_str(all, bytes, sizeof(bytes), &outlen), 0);
	assert_int_equal(outlen, 48);
	tu_b64url(bytes, outlen, expect);
	assert_string_equal(expect, all);
	assert_int_equal(b64url_encode(bytes, outlen, text, sizeof(text)), 64);
	assert_string_equal(text, all);
}

/*
 * For every length 0..64, the encoding equals OpenSSL's mapped to the URL
 * alphabet, has B64URL_ENCODED_LEN characters, and decodes back.
 */
static void
b64url_round_trip_lengths(void **state)
{
	uint8_t		in[64], back[64];
	char		out[B64URL_ENCODED_LEN(64) + 1], expect[TU_B64_BUF(64)];
	size_t		len, i, n, outlen;

	(void)state;

	/* Bytes that hit both ends of the alphabet, '-' and '_' included. */
	for (i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)(i * 37 + 0xf0);

	for (len = 0; len <= sizeof(in); len++) {
		n = b64url_encode(in, len, out, sizeof(out));
		tu_b64url(in, len, expect);
		assert_int_equal(n, B64URL_ENCODED_LEN(len));
		assert_string_equal(out, expect);

		outlen = 999;
		assert_int_equal(b64url_decode(out, n, back, sizeof(back),
		    &outlen), 0);
		assert_int_equal(outlen, len);
		assert_memory_equal(back, in, len);
		assert_true(B64URL_DECODED_MAX(n) >= len);
	}
}

static void
b64url_decode_empty(void **state)
{
	uint8_t		out[1];
	size_t		outlen = 99;

	(void)state;

	assert_int_equal(b64url_decode("", 0, out, 0, &outlen), 0);
	assert_int_equal(outlen, 0);
}

/* Characters past inlen are not read. */
static void
b64url_decode_stops_at_inlen(void **state)
{
	uint8_t		out[16];
	size_t		outlen;

	(void)state;

	assert_int_equal(b64url_decode("Zm9v!!!!", 4, out, sizeof(out),
	    &outlen), 0);
	assert_int_equal(outlen, 3);
	assert_memory_equal(out, "foo", 3);
}

static void
b64url_reject_padding(void **state)
{
	(void)state;

	assert_rejected("Zg==", 4);
	assert_rejected("Zg=", 3);
	assert_rejected("Zm8=", 4);
	assert_rejected("Zm9v=", 5);
	assert_rejected("Zm9v====", 8);
	assert_rejected("====", 4);
}

static void
b64url_reject_std_alphabet(void **state)
{
	(void)state;

	assert_rejected("+/+/", 4);
	assert_rejected("-_+/", 4);
	assert_rejected("Zm9/", 4);
	assert_rejected("+_8", 3);
}

static void
b64url_reject_whitespace(void **state)
{
	(void)state;

	assert_rejected("Zm 9v", 5);
	assert_rejected(" Zm9v", 5);
	assert_rejected("Zm9v ", 5);
	assert_rejected("Zm9v\n", 5);
	assert_rejected("Zm9\nv", 5);
	assert_rejected("Zm9v\r\n", 6);
	assert_rejected("Zm\t9v", 5);
}

static void
b64url_reject_nul(void **state)
{
	(void)state;

	assert_rejected("Zm\0v", 4);
	assert_rejected("Zm9v\0\0\0\0", 8);
	assert_rejected("Zm8\0", 4);
}

static void
b64url_reject_non_ascii(void **state)
{
	(void)state;

	assert_rejected("Zm\x80v", 4);
	assert_rejected("Zm9\xff", 4);
	assert_rejected("\xc3\xa9xx", 4);
}

/* Each byte value outside the alphabet is rejected in every position. */
static void
b64url_reject_every_other_byte(void **state)
{
	const char	*alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "abcdefghijklmnopqrstuvwxyz0123456789-_";
	char		in[4];
	int		c;
	size_t		pos;

	(void)state;

	for (c = 0; c < 256; c++) {
		if (c != 0 && strchr(alphabet, c) != NULL)
			continue;
		for (pos = 0; pos < 4; pos++) {
			memcpy(in, "AAAA", 4);
			in[pos] = (char)c;
			assert_rejected(in, 4);
		}
	}
}

/* Four characters plus one carry 6 bits: not a whole byte. */
static void
b64url_reject_len_1_mod_4(void **state)
{
	(void)state;

	assert_rejected("Z", 1);
	assert_rejected("A", 1);
	assert_rejected("Zm9vY", 5);
	assert_rejected("Zm9vYmFyZ", 9);
}

/*
 * One byte takes two characters: 6 bits, then 2 bits and 4 zero bits.
 * "QQ" is 010000 010000, the byte 0x41 ('A') and trailing 0000, so it is
 * the canonical encoding.  "QR" ends in 010001: trailing bits 0001.
 */
static void
b64url_trailing_bits_1_byte(void **state)
{
	uint8_t		out[4];
	size_t		outlen;

	(void)state;

	assert_int_equal(decode_str("QQ", out, sizeof(out), &outlen), 0);
	assert_int_equal(outlen, 1);
	assert_int_equal(out[0], 0x41);
	assert_rejected("QR", 2);
	assert_rejected("QS", 2);
	assert_rejected("QU", 2);
	assert_rejected("Q_", 2);
}

/*
 * Two bytes take three characters: 6 + 6 + 4 bits, then 2 zero bits.
 * "QUE" is 010000 010100 000100: bytes 0x41 0x41 ("AA") and trailing 00,
 * the canonical encoding (base64 "QUE=").  "QUF" ends in 000101, trailing
 * bits 01, and "QUG"/"QUH" end in 10 and 11.
 */
static void
b64url_trailing_bits_2_bytes(void **state)
{
	uint8_t		out[4];
	size_t		outlen;

	(void)state;

	assert_int_equal(decode_str("QUE", out, sizeof(out), &outlen), 0);
	assert_int_equal(outlen, 2);
	assert_memory_equal(out, "AA", 2);
	assert_rejected("QUF", 3);
	assert_rejected("QUG", 3);
	assert_rejected("QUH", 3);
}

/* Trailing bits are checked after whole quads too. */
static void
b64url_trailing_bits_long(void **state)
{
	(void)state;

	assert_rejected("Zm9vYh", 6);
	assert_rejected("Zm9vYmF", 7);
}

static void
b64url_decode_outmax_small(void **state)
{
	uint8_t		out[8];
	size_t		outlen;

	(void)state;

	assert_int_equal(decode_str("Zm9v", out, 2, &outlen), -1);
	assert_int_equal(decode_str("Zm9v", out, 3, &outlen), 0);
	assert_int_equal(outlen, 3);
	assert_int_equal(decode_str("Zm9vYg", out, 3, &outlen), -1);
	assert_int_equal(decode_str("Zm9vYg", out, 4, &outlen), 0);
	assert_int_equal(decode_str("Zm9vYmE", out, 4, &outlen), -1);
	assert_int_equal(decode_str("Zm9vYmE", out, 5, &outlen), 0);
}

/* outmax counts the NUL: "foo" needs 4 characters and 5 bytes. */
static void
b64url_encode_outmax_small(void **state)
{
	char		out[8];

	(void)state;

	assert_int_equal(b64url_encode((const uint8_t *)"foo", 3, out, 4), 0);
	assert_int_equal(b64url_encode((const uint8_t *)"foo", 3, out, 5), 4);
	assert_string_equal(out, "Zm9v");
	assert_int_equal(b64url_encode((const uint8_t *)"f", 1, out, 2), 0);
	assert_int_equal(b64url_encode((const uint8_t *)"f", 1, out, 3), 2);
}

static void
b64url_encode_empty(void **state)
{
	char		out[2] = { 'x', 'x' };

	(void)state;

	assert_int_equal(b64url_encode((const uint8_t *)"", 0, out, 1), 0);
	assert_int_equal(out[0], '\0');
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(b64url_encode_rfc4648),
		cmocka_unit_test(b64url_decode_rfc4648),
		cmocka_unit_test(b64url_encode_url_alphabet),
		cmocka_unit_test(b64url_decode_url_alphabet),
		cmocka_unit_test(b64url_full_alphabet),
		cmocka_unit_test(b64url_round_trip_lengths),
		cmocka_unit_test(b64url_decode_empty),
		cmocka_unit_test(b64url_decode_stops_at_inlen),
		cmocka_unit_test(b64url_reject_padding),
		cmocka_unit_test(b64url_reject_std_alphabet),
		cmocka_unit_test(b64url_reject_whitespace),
		cmocka_unit_test(b64url_reject_nul),
		cmocka_unit_test(b64url_reject_non_ascii),
		cmocka_unit_test(b64url_reject_every_other_byte),
		cmocka_unit_test(b64url_reject_len_1_mod_4),
		cmocka_unit_test(b64url_trailing_bits_1_byte),
		cmocka_unit_test(b64url_trailing_bits_2_bytes),
		cmocka_unit_test(b64url_trailing_bits_long),
		cmocka_unit_test(b64url_decode_outmax_small),
		cmocka_unit_test(b64url_encode_outmax_small),
		cmocka_unit_test(b64url_encode_empty),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
