-- Example data for a development database: the same four salaries the
-- compiled-in asset holds.  Users are added with the jwt-users tool's
-- hashes (README, "PostgreSQL"), never with a password in SQL.
--   psql -v ON_ERROR_STOP=1 -d jwt -f conf/sql/seed.sql

INSERT INTO salaries (id, name, salary) VALUES
	(1, 'Alice', 4000),
	(2, 'Bob', 3500),
	(3, 'Carol', 5200),
	(4, 'Dave', 4100)
ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name,
    salary = EXCLUDED.salary;
