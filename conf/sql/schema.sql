-- Schema of the JWT service's PostgreSQL store (PostgreSQL 13 or newer).
-- Apply it once as the database owner:
--   psql -v ON_ERROR_STOP=1 -d jwt -f conf/sql/schema.sql
-- It creates the tables and grants the service's role, jwt_service, only
-- what the service needs.  Run it again after an upgrade: every statement
-- is idempotent.

BEGIN;

DO $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'jwt_service') THEN
		CREATE ROLE jwt_service LOGIN;
	END IF;
END
$$;

-- Approved users.  password_hash is an encoded hash written by the
-- jwt-users tool (the users file format's second field), perms go into
-- the token's perms claim.
CREATE TABLE IF NOT EXISTS jwt_users (
	username	text PRIMARY KEY
	    CHECK (octet_length(username) BETWEEN 1 AND 255
	    AND strpos(username, ':') = 0),
	password_hash	text NOT NULL CHECK (octet_length(password_hash) <= 512),
	perms		text[] NOT NULL DEFAULT '{}'
	    CHECK (cardinality(perms) <= 16),
	updated_at	timestamptz NOT NULL DEFAULT now()
);

-- The protected data /bearer returns, in id order.
CREATE TABLE IF NOT EXISTS salaries (
	id		integer PRIMARY KEY,
	name		text NOT NULL CHECK (octet_length(name) BETWEEN 1 AND 255),
	salary		bigint NOT NULL
);

-- Failed logins counted across every instance of the service.  key is a
-- keyed digest of the username or client address, never the value
-- itself; kind is 'user' or 'addr'.
CREATE TABLE IF NOT EXISTS login_throttle (
	kind		text NOT NULL CHECK (kind IN ('user', 'addr')),
	key		bytea NOT NULL CHECK (octet_length(key) = 16),
	fails		integer NOT NULL CHECK (fails >= 0),
	last_fail	timestamptz NOT NULL,
	PRIMARY KEY (kind, key)
);
CREATE INDEX IF NOT EXISTS login_throttle_last_fail
    ON login_throttle (last_fail);

REVOKE ALL ON jwt_users, salaries, login_throttle FROM PUBLIC;
GRANT SELECT ON jwt_users, salaries TO jwt_service;
GRANT SELECT, INSERT, UPDATE, DELETE ON login_throttle TO jwt_service;

COMMIT;
