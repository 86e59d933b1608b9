-- events.lua - wrk script for fixitd's events benchmark (see README.md).
--
--   wrk -t2 -c64 -d10s --latency -s events.lua http://HOST:PORT -- TEMPLATE KEY
--
-- TEMPLATE is an EventBridge event (JSON) holding @@ID@@ (the event id),
-- @@IID@@ (the instance id) and @@ACTOR@@ (who launched it); every
-- request gets distinct ones, so every event is new and stored, each a
-- different person's launch. KEY is the events API key.

local counter = 0

function setup(thread)
	thread:set("tid", counter)
	counter = counter + 1
end

function init(args)
	local f = assert(io.open(args[1], "r"))
	template = f:read("*a")
	f:close()
	key = args[2]
	n = 0
end

function request()
	n = n + 1
	local id = string.format("bench-%d-%d", tid, n)
	local iid = string.format("i-%x%07x", 8 + tid, n)
	local actor = string.format("u%d-%d@example.com", tid, n)
	local body = template:gsub("@@ID@@", id):gsub("@@IID@@", iid)
	body = body:gsub("@@ACTOR@@", actor)
	return wrk.format("POST", "/v1/events", {
		["Content-Type"] = "application/json",
		["X-Fixit-Api-Key"] = key,
	}, body)
end

function done(summary, latency, requests)
	local non2xx = summary.errors.status
	io.write(string.format("BENCH requests=%d non2xx=%d rps=%.0f " ..
	    "p50_ms=%.2f p99_ms=%.2f max_ms=%.2f connect_err=%d " ..
	    "read_err=%d write_err=%d timeouts=%d\n",
	    summary.requests, non2xx,
	    summary.requests / (summary.duration / 1e6),
	    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
	    latency.max / 1000, summary.errors.connect, summary.errors.read,
	    summary.errors.write, summary.errors.timeout))
end
