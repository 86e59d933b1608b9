-- clicks.lua - wrk script for fixitd's click benchmark (see README.md).
--
--   wrk -t2 -c64 -d10s --latency -s clicks.lua http://HOST:PORT -- REQFILE NTHREADS
--
-- REQFILE has one pre-signed Slack click per line: TIMESTAMP \t SIGNATURE \t
-- BODY (the form body "payload=..."). Thread k of NTHREADS sends the lines
-- whose 0-based number is k mod NTHREADS, each once, in order; when a thread
-- runs out it starts over (counted as "wrapped": those repeats are clicks on
-- already decided findings).

local counter = 0
local threads = {}

function setup(thread)
	thread:set("id", counter)
	table.insert(threads, thread)
	counter = counter + 1
end

function init(args)
	local file, nthreads = args[1], tonumber(args[2] or "1")
	reqs = {}
	sent = 0
	wrapped = 0
	local i = 0
	for line in io.lines(file) do
		if i % nthreads == id then
			local ts, sig, body = line:match("^(%d+)\t(%S+)\t(.*)$")
			reqs[#reqs + 1] = wrk.format("POST", "/slack/actions", {
				["Content-Type"] = "application/x-www-form-urlencoded",
				["X-Slack-Request-Timestamp"] = ts,
				["X-Slack-Signature"] = sig,
			}, body)
		end
		i = i + 1
	end
	loaded = #reqs
	idx = 0
end

function request()
	idx = idx + 1
	if idx > loaded then
		idx = 1
		wrapped = wrapped + 1
	end
	sent = sent + 1
	return reqs[idx]
end

function done(summary, latency, requests)
	local sent_total, wraps, loaded_total = 0, 0, 0
	for _, t in ipairs(threads) do
		sent_total = sent_total + (t:get("sent") or 0)
		wraps = wraps + (t:get("wrapped") or 0)
		loaded_total = loaded_total + (t:get("loaded") or 0)
	end
	local e = summary.errors
	local secs = summary.duration / 1e6
	io.write(string.format("BENCH requests=%d duration_s=%.3f rps=%.0f " ..
		"non2xx=%d connect_err=%d read_err=%d write_err=%d timeouts=%d " ..
		"p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f " ..
		"sent=%d loaded=%d wrapped=%d\n",
		summary.requests, secs, summary.requests / secs, e.status,
		e.connect, e.read, e.write, e.timeout,
		latency:percentile(50) / 1000, latency:percentile(90) / 1000,
		latency:percentile(99) / 1000, latency.max / 1000,
		sent_total, loaded_total, wraps))
end
