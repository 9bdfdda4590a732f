-- wrk script: sends the requests described by a spec file, in turn, and
-- prints one summary line for bench/load.py.
--
--   wrk -tTHREADS ... -s requests.lua URL -- SPEC THREADS
--
-- SPEC is a Lua file that returns a table with method, path, headers,
-- body and an optional list of tokens.  With tokens, request i carries
-- "Authorization: Bearer tokens[i]", cycling through the list; without,
-- every request is the same.  Every test, the ceiling's included, goes
-- through this script, so wrk spends the same work per request on each.

local counter = 0

function setup(thread)
	thread:set("thread_index", counter)
	counter = counter + 1
end

local requests = {}
local next_request = 1

function init(args)
	local spec = dofile(args[1])
	local nthreads = tonumber(args[2] or "1")
	local headers = spec.headers or {}

	if spec.tokens == nil then
		requests[1] = wrk.format(spec.method, spec.path, headers, spec.body)
	else
		for i, token in ipairs(spec.tokens) do
			headers["Authorization"] = "Bearer " .. token
			requests[i] = wrk.format(spec.method, spec.path, headers,
			    spec.body)
		end
	end

	-- Each thread starts at its own place in the list, so the threads
	-- do not send the same token at the same moment.
	next_request = (thread_index * math.floor(#requests / nthreads)) %
	    #requests + 1
end

function request()
	local r = requests[next_request]

	next_request = next_request + 1
	if next_request > #requests then
		next_request = 1
	end
	return r
end

-- Latencies are in microseconds.  errors.status counts responses with a
-- status above 399.
function done(summary, latency)
	local e = summary.errors

	io.write(string.format(
	    "BENCH requests=%d duration_us=%d bytes=%d status_errors=%d " ..
	    "connect_errors=%d read_errors=%d write_errors=%d timeouts=%d " ..
	    "p50_us=%d p99_us=%d mean_us=%.1f max_us=%d\n",
	    summary.requests, summary.duration, summary.bytes, e.status,
	    e.connect, e.read, e.write, e.timeout,
	    latency:percentile(50), latency:percentile(99), latency.mean,
	    latency.max))
end
