'use strict';

/*
 * Node anchor for the benchmark: node:http and jsonwebtoken serving the
 * same two endpoints as the Kore service, with the same claims, checks
 * and response bodies.  The primary process forks BENCH_WORKERS workers
 * (node:cluster) and stops them when it gets SIGTERM or SIGINT.
 *
 * Environment: BENCH_PORT, BENCH_WORKERS, BENCH_KEY_MODE ("string" passes
 * the secret to jsonwebtoken as a string, "keyobject" as a KeyObject made
 * once at start), JWT_SECRET, AUTH_USERNAME, AUTH_PASSWORD and
 * BENCH_SALARIES (the file served by /bearer).
 */

const cluster = require('node:cluster');
const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const jwt = require('jsonwebtoken');

// The service's defaults for JWT_ISSUER, JWT_ORG and JWT_TTL.
const ISSUER = 'twil.io';
const ORG = 'twilio';
const TTL = 86400;
const BODY_MAX = 4096;
const REALM = 'Access to read salaries';

function requireEnv(name) {
	const value = process.env[name];

	if (value === undefined || value === '') {
		console.error(`node anchor: ${name} is missing from the environment`);
		process.exit(1);
	}
	return value;
}

function startPrimary(workers) {
	let stopping = false;

	for (let i = 0; i < workers; i++)
		cluster.fork();

	// A worker that dies during a run would distort it: stop everything.
	cluster.on('exit', (worker, code, signal) => {
		if (!stopping) {
			console.error(`node anchor: worker ${worker.process.pid} ` +
			    `exited (code ${code}, signal ${signal}); stopping`);
			stopping = true;
			for (const w of Object.values(cluster.workers))
				w.process.kill('SIGTERM');
			process.exitCode = 1;
		}
		if (Object.keys(cluster.workers).length === 0)
			process.exit();
	});

	const stop = () => {
		stopping = true;
		for (const w of Object.values(cluster.workers))
			w.process.kill('SIGTERM');
	};
	process.on('SIGTERM', stop);
	process.on('SIGINT', stop);
}

function startWorker(port) {
	const secret = requireEnv('JWT_SECRET');
	const mode = requireEnv('BENCH_KEY_MODE');
	const salaries = fs.readFileSync(requireEnv('BENCH_SALARIES'));
	const username = requireEnv('AUTH_USERNAME');
	const password = requireEnv('AUTH_PASSWORD');
	let key;

	if (mode === 'string')
		key = secret;
	else if (mode === 'keyobject')
		key = crypto.createSecretKey(Buffer.from(secret));
	else {
		console.error(`node anchor: BENCH_KEY_MODE ${mode} is invalid; ` +
		    'use string or keyobject');
		process.exit(1);
	}

	// Credentials are compared as HMAC digests under a random key, as the
	// service does, so the comparison takes the same time for any input.
	const credKey = crypto.randomBytes(32);
	const digest = (s) => crypto.createHmac('sha256', credKey).update(s).digest();
	const userDigest = digest(username);
	const passDigest = digest(password);

	const challenge = (res, status, error, description, body) => {
		let value = `Bearer realm="${REALM}"`;

		if (error !== undefined)
			value += `, error="${error}", error_description="${description}"`;
		if (status === 403)
			value += ', scope="read"';
		res.writeHead(status, {
			'content-type': 'text/plain; charset=utf-8',
			'www-authenticate': value,
		});
		res.end(body);
	};

	const bearer = (req, res) => {
		if (!['GET', 'HEAD', 'POST'].includes(req.method)) {
			res.writeHead(405, { allow: 'GET, HEAD, POST' });
			res.end('Method Not Allowed');
			return;
		}

		const auth = req.headers.authorization;
		if (auth === undefined) {
			challenge(res, 401, undefined, undefined, 'Unauthorized');
			return;
		}
		const m = /^bearer +([^ ]+) *$/i.exec(auth);
		if (m === null) {
			challenge(res, 401, 'invalid_token',
			    'The Authorization header holds no valid bearer token',
			    'Unauthorized');
			return;
		}

		let claims;
		try {
			claims = jwt.verify(m[1], key, {
				algorithms: ['HS256'],
				issuer: ISSUER,
			});
			if (typeof claims.iat !== 'number' ||
			    typeof claims.exp !== 'number' ||
			    claims.exp - claims.iat > TTL)
				throw new Error('lifetime');
			if (typeof claims.sub !== 'string' || claims.sub === '')
				throw new Error('subject');
			if (!Array.isArray(claims.perms) ||
			    !claims.perms.every((p) => typeof p === 'string'))
				throw new Error('perms');
			if (claims.aud !== undefined)
				throw new Error('audience');
		} catch (err) {
			challenge(res, 401, 'invalid_token',
			    'The access token is invalid', 'Unauthorized');
			return;
		}

		if (!claims.perms.includes('read')) {
			challenge(res, 403, 'insufficient_scope',
			    'The access token lacks the read perm', 'Forbidden');
			return;
		}

		res.writeHead(200, {
			'content-type': 'application/json',
			'cache-control': 'no-store',
		});
		res.end(salaries);
	};

	const login = (req, res, body) => {
		const type = (req.headers['content-type'] || '').split(';')[0]
		    .trim().toLowerCase();
		let fields;

		if (type === 'application/json') {
			try {
				fields = JSON.parse(body.toString('utf8'));
			} catch (err) {
				res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' });
				res.end('request body is not valid JSON');
				return;
			}
		} else if (type === 'application/x-www-form-urlencoded') {
			fields = Object.fromEntries(new URLSearchParams(body.toString('utf8')));
		} else {
			res.writeHead(415, { 'content-type': 'text/plain; charset=utf-8' });
			res.end('Content-Type must be application/json or ' +
			    'application/x-www-form-urlencoded');
			return;
		}

		if (fields === null || typeof fields.username !== 'string' ||
		    typeof fields.password !== 'string') {
			res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' });
			res.end('username and password must be strings');
			return;
		}

		const userOk = crypto.timingSafeEqual(digest(fields.username), userDigest);
		const passOk = crypto.timingSafeEqual(digest(fields.password), passDigest);
		if (!userOk || !passOk) {
			res.writeHead(401, { 'content-type': 'text/plain; charset=utf-8' });
			res.end('Unauthorized');
			return;
		}

		const token = jwt.sign({
			sub: username,
			iss: ISSUER,
			org: ORG,
			perms: ['read'],
		}, key, { algorithm: 'HS256', expiresIn: TTL });

		res.writeHead(200, {
			'content-type': 'text/plain; charset=utf-8',
			'access_token': token,
			'cache-control': 'no-store',
			'pragma': 'no-cache',
		});
		res.end('OK');
	};

	const issue = (req, res) => {
		if (req.method !== 'POST') {
			res.writeHead(405, { allow: 'POST' });
			res.end('Method Not Allowed');
			return;
		}

		const chunks = [];
		let size = 0;
		let tooLarge = false;

		req.on('data', (chunk) => {
			size += chunk.length;
			if (size > BODY_MAX)
				tooLarge = true;
			else
				chunks.push(chunk);
		});
		req.on('end', () => {
			if (tooLarge) {
				res.writeHead(413, { 'content-type': 'text/plain; charset=utf-8' });
				res.end('request body is over 4096 bytes');
				return;
			}
			login(req, res, Buffer.concat(chunks));
		});
	};

	const server = http.createServer((req, res) => {
		const path = req.url.split('?')[0];

		if (path === '/bearer')
			bearer(req, res);
		else if (path === '/jwt')
			issue(req, res);
		else {
			res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
			res.end('Not Found');
		}
	});

	server.listen(port, '127.0.0.1');
}

const port = Number(requireEnv('BENCH_PORT'));
const workers = Number(process.env.BENCH_WORKERS || '2');

if (cluster.isPrimary)
	startPrimary(workers);
else
	startWorker(port);
