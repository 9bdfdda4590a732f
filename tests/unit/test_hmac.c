/*
 * Unit tests for hmac.c: the RFC 4231 HMAC-SHA256 test cases, and the same
 * results as OpenSSL's one-shot HMAC() for keys and messages of every
 * length around the block size.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "hmac.h"

struct rfc4231_case {
	const char	*name;
	uint8_t		key[131];
	size_t		key_len;
	uint8_t		data[160];
	size_t		data_len;
	const char	*mac_hex;
};

static void
to_hex(const uint8_t *bytes, size_t len, char *out)
{
	size_t	i;

	for (i = 0; i < len; i++)
		snprintf(out + 2 * i, 3, "%02x", bytes[i]);
}

static void
fill(uint8_t *dst, uint8_t byte, size_t len)
{
	memset(dst, byte, len);
}

/* RFC 4231 section 4: test cases 1 to 4, 6 and 7 (5 truncates the MAC). */
static void
hmac_rfc4231_vectors(void **state)
{
	static struct rfc4231_case	cases[6];
	struct hmac_key			key;
	uint8_t				mac[HMAC_SHA256_LEN];
	char				hex[2 * HMAC_SHA256_LEN + 1];
	size_t				i;
	const char			*tc6 = "Test Using Larger Than Block-Size "
					    "Key - Hash Key First";
	const char			*tc7 = "This is a test using a larger "
					    "than block-size key and a larger than block-size "
					    "data. The key needs to be hashed before being used "
					    "by the HMAC algorithm.";

	(void)state;

	cases[0].name = "case 1";
	fill(cases[0].key, 0x0b, cases[0].key_len = 20);
	memcpy(cases[0].data, "Hi There", cases[0].data_len = 8);
	cases[0].mac_hex = "b0344c61d8db38535ca8afceaf0bf12b"
	    "881dc200c9833da726e9376c2e32cff7";

	cases[1].name = "case 2";
	memcpy(cases[1].key, "Jefe", cases[1].key_len = 4);
	memcpy(cases[1].data, "what do ya want for nothing?",
	    cases[1].data_len = 28);
	cases[1].mac_hex = "5bdcc146bf60754e6a042426089575c7"
	    "5a003f089d2739839dec58b964ec3843";

	cases[2].name = "case 3";
	fill(cases[2].key, 0xaa, cases[2].key_len = 20);
	fill(cases[2].data, 0xdd, cases[2].data_len = 50);
	cases[2].mac_hex = "773ea91e36800e46854db8ebd09181a7"
	    "2959098b3ef8c122d9635514ced565fe";

	cases[3].name = "case 4";
	for (i = 0; i < 25; i++)
		cases[3].key[i] = (uint8_t)(i + 1);
	cases[3].key_len = 25;
	fill(cases[3].data, 0xcd, cases[3].data_len = 50);
	cases[3].mac_hex = "82558a389a443c0ea4cc819899f2083a"
	    "85f0faa3e578f8077a2e3ff46729665b";

	cases[4].name = "case 6";
	fill(cases[4].key, 0xaa, cases[4].key_len = 131);
	memcpy(cases[4].data, tc6, cases[4].data_len = strlen(tc6));
	cases[4].mac_hex = "60e431591ee0b67f0d8a26aacbf5b77f"
	    "8e0bc6213728c5140546040f0ee37f54";

	cases[5].name = "case 7";
	fill(cases[5].key, 0xaa, cases[5].key_len = 131);
	memcpy(cases[5].data, tc7, cases[5].data_len = strlen(tc7));
	cases[5].mac_hex = "9b09ffa71b942fcb27635fbcd5b0e944"
	    "bfdc63644f0713938a7f51535c3a35e2";

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(hmac_key_init(&key, cases[i].key,
		    cases[i].key_len), 0);
		hmac_sha256(&key, cases[i].data, cases[i].data_len, mac);
		to_hex(mac, sizeof(mac), hex);
		if (strcmp(hex, cases[i].mac_hex) != 0)
			fail_msg("RFC 4231 %s: got %s", cases[i].name, hex);
		hmac_key_clear(&key);
	}
}

/* Keys and messages of 0 to 200 bytes agree with OpenSSL's HMAC(). */
static void
hmac_matches_openssl(void **state)
{
	struct hmac_key	key;
	uint8_t		secret[200], data[200];
	uint8_t		mac[HMAC_SHA256_LEN], want[EVP_MAX_MD_SIZE];
	unsigned int	want_len;
	size_t		i, klen, dlen;

	(void)state;

	for (i = 0; i < sizeof(secret); i++) {
		secret[i] = (uint8_t)(i * 7 + 3);
		data[i] = (uint8_t)(i * 13 + 1);
	}

	for (klen = 0; klen <= sizeof(secret); klen += 1) {
		assert_int_equal(hmac_key_init(&key, secret, klen), 0);
		for (dlen = 0; dlen <= sizeof(data); dlen += 17) {
			hmac_sha256(&key, data, dlen, mac);
			assert_non_null(HMAC(EVP_sha256(), secret, (int)klen,
			    data, dlen, want, &want_len));
			assert_int_equal(want_len, HMAC_SHA256_LEN);
			if (memcmp(mac, want, sizeof(mac)) != 0)
				fail_msg("key %zu bytes, data %zu bytes differ",
				    klen, dlen);
		}
		hmac_key_clear(&key);
	}
}

/* A key is reused: the same input gives the same MAC every time. */
static void
hmac_key_reused(void **state)
{
	struct hmac_key	key;
	uint8_t		first[HMAC_SHA256_LEN], again[HMAC_SHA256_LEN];
	int		i;

	(void)state;

	assert_int_equal(hmac_key_init(&key, (const uint8_t *)"k", 1), 0);
	hmac_sha256(&key, "message", 7, first);
	for (i = 0; i < 3; i++) {
		hmac_sha256(&key, "other", 5, again);
		hmac_sha256(&key, "message", 7, again);
		assert_memory_equal(first, again, sizeof(first));
	}
}

static void
hmac_clear_wipes(void **state)
{
	struct hmac_key	key;
	uint8_t		zero[sizeof(key)];

	(void)state;

	assert_int_equal(hmac_key_init(&key, (const uint8_t *)"k", 1), 0);
	hmac_key_clear(&key);
	memset(zero, 0, sizeof(zero));
	assert_memory_equal(&key, zero, sizeof(key));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hmac_rfc4231_vectors),
		cmocka_unit_test(hmac_matches_openssl),
		cmocka_unit_test(hmac_key_reused),
		cmocka_unit_test(hmac_clear_wipes),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
