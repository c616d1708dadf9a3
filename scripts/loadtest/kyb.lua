-- wrk script for `make loadtest` (scripts/loadtest/run.py starts wrk with it).
-- wrk -s kyb.lua URL -- MODE THINK_MS IDS_FILE MERCHANTS_FILE KEY ZIPF_N CONNECTIONS_PER_THREAD
--   MODE: mix (70% GET by id, 20% list of 50, 10% POST), get, list, post, healthz
--   THINK_MS: each connection waits a uniform 0..THINK_MS before each request (0 = closed loop)
--   ZIPF_N: GET ids follow Zipf (s = 1) over the first ZIPF_N ids (the hottest first)
--   CONNECTIONS_PER_THREAD: wrk opens every connection at the start and calls delay() before
--     its first request too. A user arrives with a request; a connection that sat idle before
--     its first request longer than the front's client_header_timeout (10 s) is closed by nginx
--     and wrk counts a read error (that was the plan scenario's 150 "errors"). So the first
--     delay of each connection is drawn from 0..FIRST_MAX_MS (arrivals spread over 8 s), the
--     think time from 0..THINK_MS after that.
-- Prints one JSON line (prefixed "RESULT ") with counts and latency percentiles in ms.

local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

local ids, merchants, cdf = {}, {}, {}
local mode, think, key, first_delays
local FIRST_MAX_MS = 8000
non2xx, codes = 0, {}  -- globals: done() reads them from every thread

function init(args)
  mode = args[1]
  think = tonumber(args[2])
  for line in io.lines(args[3]) do ids[#ids + 1] = line end
  for line in io.lines(args[4]) do merchants[#merchants + 1] = line end
  key = args[5]
  first_delays = tonumber(args[7] or "0")
  local n = math.min(tonumber(args[6]), #ids)
  local total = 0
  for i = 1, n do total = total + 1 / i; cdf[i] = total end
  for i = 1, n do cdf[i] = cdf[i] / total end
  math.randomseed(os.time() * 1000 + id)
end

local function zipf_id()
  local u, lo, hi = math.random(), 1, #cdf
  while lo < hi do
    local mid = math.floor((lo + hi) / 2)
    if cdf[mid] < u then lo = mid + 1 else hi = mid end
  end
  return ids[lo]
end

local auth = nil
local function headers(extra)
  local h = {["Authorization"] = "Bearer " .. key, ["Accept"] = "application/json"}
  if extra then for k, v in pairs(extra) do h[k] = v end end
  return h
end

local function get_one() return wrk.format("GET", "/api/v1/verifications/" .. zipf_id(), headers()) end
local function list() return wrk.format("GET", "/api/v1/verifications?limit=50", headers()) end
local counter = 0
local function post()
  counter = counter + 1
  local body = '{"merchant_id": "' .. merchants[math.random(#merchants)] .. '"}'
  return wrk.format("POST", "/api/v1/verifications",
    headers({["Content-Type"] = "application/json",
             ["Idempotency-Key"] = string.format("lt-%d-%d-%d", id, os.time(), counter)}), body)
end

function request()
  if mode == "healthz" then return wrk.format("GET", "/healthz") end
  if mode == "get" then return get_one() end
  if mode == "list" then return list() end
  if mode == "post" then return post() end
  local r = math.random()
  if r < 0.7 then return get_one() elseif r < 0.9 then return list() else return post() end
end

function delay()
  if think <= 0 then return 0 end
  if first_delays > 0 then  -- this thread's connections, before their first request
    first_delays = first_delays - 1
    return math.random(0, math.min(think, FIRST_MAX_MS))
  end
  return math.random(0, think)
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
    codes[status] = (codes[status] or 0) + 1
  end
end

function done(summary, latency, requests)
  local bad, byc = 0, {}
  for _, t in ipairs(threads) do
    bad = bad + t:get("non2xx")
    local c = t:get("codes")
    if c then for k, v in pairs(c) do byc[tostring(k)] = (byc[tostring(k)] or 0) + v end end
  end
  local e = summary.errors
  local parts = {}
  for k, v in pairs(byc) do parts[#parts + 1] = string.format('"%s": %d', k, v) end
  io.write(string.format(
    'RESULT {"requests": %d, "duration_s": %.3f, "non2xx": %d, "codes": {%s}, '
    .. '"socket_errors": {"connect": %d, "read": %d, "write": %d, "timeout": %d}, '
    .. '"p50_ms": %.2f, "p95_ms": %.2f, "p99_ms": %.2f, "max_ms": %.2f}\n',
    summary.requests, summary.duration / 1e6, bad, table.concat(parts, ", "),
    e.connect, e.read, e.write, e.timeout,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
end
