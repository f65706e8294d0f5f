-- wrk script for tools/load-test.py: sends pre-signed requests from a data file in rotation,
-- counts the answers by status on every thread, and prints one machine-readable line at the end.
--   wrk -t<threads> -s tools/load/kore.lua http://127.0.0.1:PORT/ -- <requests file> <threads>
-- Each line of the requests file: METHOD <TAB> PATH <TAB> kore-signature <TAB> body
-- (an empty signature field sends no kore-signature header).
--
-- wrk calls init() for one thread after another, each thread starting as soon as its own init
-- returns, but starts its clock only after the last: with a large requests file the first thread
-- sends for a while before the clock starts, and wrk's own rate comes out too high. So every
-- thread also counts its answers per millisecond, and the rate printed (window_requests over
-- window_us) covers only the time when every thread was sending.

local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } kore_load_timespec;
int clock_gettime(int clock_id, kore_load_timespec *ts);
]]
local CLOCK_MONOTONIC = 1
local now_buffer = ffi.new("kore_load_timespec")

local function now_ms()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, now_buffer)
  return tonumber(now_buffer.tv_sec) * 1000 + math.floor(tonumber(now_buffer.tv_nsec) / 1000000)
end

local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_number", #threads)  -- 1, 2, ...: which share of the requests file it sends
end

local function split_tabs(line)
  local fields = {}
  for field in (line .. "\t"):gmatch("([^\t]*)\t") do
    table.insert(fields, field)
  end
  return fields
end

-- args: the requests file, the number of wrk threads. Thread k of n sends lines k, k + n, k + 2n,
-- ... in rotation, so that no two threads send the same genuine callback (it would be a duplicate).
-- A file with fewer lines than threads is sent whole by every thread.
function init(args)
  local requests = {}
  local thread_count = tonumber(args[2]) or 1
  local line_number = 0
  local lines = {}
  for line in io.lines(args[1]) do
    line_number = line_number + 1
    if line_number % thread_count == thread_number % thread_count then
      table.insert(lines, line)
    end
  end
  if line_number < thread_count then
    lines = {}
    for line in io.lines(args[1]) do
      table.insert(lines, line)
    end
  end
  for _, line in ipairs(lines) do
    local f = split_tabs(line)
    local headers = { ["Content-Type"] = "application/json" }
    if f[3] ~= "" then
      headers["kore-signature"] = f[3]
    end
    headers["kore-idempotency-token"] = tostring(#requests + 1)
    table.insert(requests, wrk.format(f[1], f[2], headers, f[4]))
  end
  index = 0
  all = requests
  statuses = {}
  answered_at = {}  -- millisecond -> answers received in it
  first_ms = -1
  last_ms = -1
end

function request()
  if first_ms < 0 then
    first_ms = now_ms()
  end
  index = index % #all + 1
  return all[index]
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  last_ms = now_ms()
  answered_at[last_ms] = (answered_at[last_ms] or 0) + 1
end

function done(summary, latency, requests)
  local counts = {}
  local window_start, window_end = nil, nil
  for _, thread in ipairs(threads) do
    local s = thread:get("statuses")
    for status, n in pairs(s) do
      counts[status] = (counts[status] or 0) + n
    end
    local first, last = thread:get("first_ms"), thread:get("last_ms")
    if window_start == nil or first > window_start then
      window_start = first
    end
    if window_end == nil or last < window_end then
      window_end = last
    end
  end
  local window_requests = 0
  if window_start and window_start >= 0 and window_end > window_start then
    for _, thread in ipairs(threads) do
      for ms, n in pairs(thread:get("answered_at")) do
        if ms >= window_start and ms < window_end then
          window_requests = window_requests + n
        end
      end
    end
  else
    window_start, window_end = 0, 0
  end
  local parts = {}
  for status, n in pairs(counts) do
    table.insert(parts, string.format("%d=%d", status, n))
  end
  io.write(string.format(
    "KORE-LOAD requests=%d duration_us=%d window_requests=%d window_us=%d errors_connect=%d errors_read=%d " ..
    "errors_write=%d errors_timeout=%d p50_us=%d p99_us=%d max_us=%d statuses=%s\n",
    summary.requests, summary.duration, window_requests, (window_end - window_start) * 1000, summary.errors.connect,
    summary.errors.read, summary.errors.write, summary.errors.timeout, latency:percentile(50), latency:percentile(99),
    latency.max, table.concat(parts, ",")))
end
