-- wrk script for tools/load-test.py: sends pre-signed requests from a data file in rotation,
-- counts the answers by status on every thread, and prints one machine-readable line at the end.
--   wrk -s tools/load/kore.lua http://127.0.0.1:PORT/ -- <requests file>
-- Each line of the requests file: METHOD <TAB> PATH <TAB> kore-signature <TAB> body
-- (an empty signature field sends no kore-signature header).

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

local function split_tabs(line)
  local fields = {}
  for field in (line .. "\t"):gmatch("([^\t]*)\t") do
    table.insert(fields, field)
  end
  return fields
end

function init(args)
  local requests = {}
  for line in io.lines(args[1]) do
    local f = split_tabs(line)
    local headers = { ["Content-Type"] = "application/json" }
    if f[3] ~= "" then
      headers["kore-signature"] = f[3]
    end
    headers["kore-idempotency-token"] = tostring(#requests + 1)
    table.insert(requests, wrk.format(f[1], f[2], headers, f[4]))
  end
  -- Each thread starts at its own offset so that threads do not send the same request together.
  index = (wrk.thread and math.random(#requests)) or 1
  all = requests
  statuses = {}
end

function request()
  index = index % #all + 1
  return all[index]
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local counts = {}
  for _, thread in ipairs(threads) do
    local s = thread:get("statuses")
    for status, n in pairs(s) do
      counts[status] = (counts[status] or 0) + n
    end
  end
  local parts = {}
  for status, n in pairs(counts) do
    table.insert(parts, string.format("%d=%d", status, n))
  end
  io.write(string.format(
    "KORE-LOAD requests=%d duration_us=%d errors_connect=%d errors_read=%d errors_write=%d errors_timeout=%d " ..
    "p50_us=%d p99_us=%d max_us=%d statuses=%s\n",
    summary.requests, summary.duration, summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.timeout, latency:percentile(50), latency:percentile(99), latency.max, table.concat(parts, ",")))
end
