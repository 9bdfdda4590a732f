// Signs and verifies tokens with Node's jsonwebtoken, for the interop
// tests.  The secret comes from JWT_TEST_SECRET, never the command line.
//
//   node jwt.js sign CLAIMS_JSON [ALG [KID]]
//                                        prints a token (ALG "none" too),
//                                        with a kid header if given
//   node jwt.js issue CLAIMS_JSON TTL KID
//                                        prints the token the service
//                                        issues: HS256, keyid KID and
//                                        expiresIn TTL seconds after iat
//   node jwt.js verify TOKEN ISSUER      prints the payload as JSON, or
//                                        exits 1 with the error message
'use strict';

const jwt = require('jsonwebtoken');

function main(argv) {
	const secret = process.env.JWT_TEST_SECRET;
	const [command, arg, extra, kid] = argv;

	if (secret === undefined) {
		throw new Error('JWT_TEST_SECRET is not set');
	}
	if (command === 'sign') {
		const alg = extra || 'HS256';
		const key = alg === 'none' ? null : secret;
		// The claims carry their own iat and exp, as the tests set them.
		const options = { algorithm: alg };
		if (kid !== undefined) {
			options.keyid = kid;
		}
		return jwt.sign(JSON.parse(arg), key, options);
	}
	if (command === 'issue') {
		// iat in the claims keeps its place; exp is appended after it.
		return jwt.sign(JSON.parse(arg), secret, { algorithm: 'HS256',
		    expiresIn: Number(extra), keyid: kid });
	}
	if (command === 'verify') {
		const payload = jwt.verify(arg, secret,
		    { algorithms: ['HS256'], issuer: extra });
		return JSON.stringify(payload);
	}
	throw new Error('usage: jwt.js sign CLAIMS [ALG [KID]] | ' +
	    'issue CLAIMS TTL KID | verify TOKEN ISSUER');
}

try {
	process.stdout.write(main(process.argv.slice(2)) + '\n');
} catch (err) {
	process.stderr.write(`jwt.js: ${err.message}\n`);
	process.exit(1);
}
