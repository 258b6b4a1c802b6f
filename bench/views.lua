-- wrk script: every request comes from a different visitor (its own X-Forwarded-For, a browser
-- User-Agent), so every request is a view that must be counted. done() reports how many
-- requests were sent, which is what the server received, including those still in flight
-- when wrk stopped (wrk's own total leaves those out).
local threads = {}
function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end
function init(args)
  sent = 0
  -- Each measured mode passes its own number, so no visitor of one run is a "quick repeat" in the next.
  run = tonumber(args[1] or "0")
end
function request()
  sent = sent + 1
  -- 1.3 million distinct private addresses per thread and run (a header value only; nothing is sent to them).
  local block = run * 40 + (id - 1) * 20 + math.floor(sent / 65536) % 20
  local ip = string.format("10.%d.%d.%d", block % 256, math.floor(sent / 256) % 256, sent % 256)
  return wrk.format("GET", nil, {
    ["X-Forwarded-For"] = ip,
    ["User-Agent"] = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36",
  })
end
function done(summary, latency, requests)
  local total = 0
  -- Each thread asks request() once more than it sends (wrk primes a request buffer when the
  -- thread starts); checked against nginx's access log: received = sent - 1 per thread.
  for _, t in ipairs(threads) do total = total + t:get("sent") - 1 end
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format("RESULT sent=%d completed=%d errors=%d non2xx=%d p50_ms=%.2f p99_ms=%.2f\n",
    total, summary.requests, errors, summary.errors.status, latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
