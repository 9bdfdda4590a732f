/*
 * Signs and verifies tokens with libjwt (Debian libjwt-dev 1.x), for the
 * interop tests.  The secret comes from JWT_TEST_SECRET, never argv.
 *
 *   libjwt_tool sign CLAIMS_JSON [ALG [KID]]
 *                                        prints a token (HS256, HS512,
 *                                        none), with a kid header if given
 *   libjwt_tool verify TOKEN             prints the payload as JSON, or
 *                                        exits 1 when libjwt rejects it
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jwt.h>

static int
libjwt_sign(const char *secret, const char *claims, const char *alg_name,
    const char *kid)
{
	jwt_t		*jwt;
	jwt_alg_t	 alg;
	char		*token;
	size_t		 keylen;

	alg = jwt_str_alg(alg_name);
	if (alg == JWT_ALG_INVAL) {
		fprintf(stderr, "libjwt_tool: unknown algorithm %s\n", alg_name);
		return (1);
	}
	keylen = alg == JWT_ALG_NONE ? 0 : strlen(secret);

	if (jwt_new(&jwt) != 0)
		return (1);
	if (jwt_add_grants_json(jwt, claims) != 0 ||
	    (kid != NULL && jwt_add_header(jwt, "kid", kid) != 0) ||
	    jwt_set_alg(jwt, alg, alg == JWT_ALG_NONE ? NULL :
	    (const unsigned char *)secret, (int)keylen) != 0 ||
	    (token = jwt_encode_str(jwt)) == NULL) {
		fprintf(stderr, "libjwt_tool: cannot sign the claims\n");
		jwt_free(jwt);
		return (1);
	}

	printf("%s\n", token);
	free(token);
	jwt_free(jwt);
	return (0);
}

static int
libjwt_verify(const char *secret, const char *token)
{
	jwt_t		*jwt;
	char		*claims;
	int		 ret;

	/* libjwt 1.x checks the signature for the alg the header names. */
	ret = jwt_decode(&jwt, token, (const unsigned char *)secret,
	    (int)strlen(secret));
	if (ret != 0) {
		fprintf(stderr, "libjwt_tool: token rejected: %s\n",
		    strerror(ret));
		return (1);
	}
	if (jwt_get_alg(jwt) != JWT_ALG_HS256) {
		fprintf(stderr, "libjwt_tool: alg is not HS256\n");
		jwt_free(jwt);
		return (1);
	}

	claims = jwt_get_grants_json(jwt, NULL);
	printf("%s\n", claims != NULL ? claims : "{}");
	free(claims);
	jwt_free(jwt);
	return (0);
}

int
main(int argc, char **argv)
{
	const char	*secret;

	if ((secret = getenv("JWT_TEST_SECRET")) == NULL) {
		fprintf(stderr, "libjwt_tool: JWT_TEST_SECRET is not set\n");
		return (2);
	}
	if (argc >= 3 && strcmp(argv[1], "sign") == 0)
		return (libjwt_sign(secret, argv[2], argc > 3 ? argv[3] : "HS256",
		    argc > 4 ? argv[4] : NULL));
	if (argc == 3 && strcmp(argv[1], "verify") == 0)
		return (libjwt_verify(secret, argv[2]));

	fprintf(stderr,
	    "usage: libjwt_tool sign CLAIMS [ALG [KID]] | verify TOKEN\n");
	return (2);
}
