-- Requests for wrk from a file, for bench/run.py.
--
--   wrk -t T -c T -d 8s --timeout 30s -s bench/wrk/requests.lua URL -- FILE EXPECTED T
--
-- FILE holds one request a line: method, path, headers ("Name: value" joined by \x1f) and body,
-- separated by tabs. Thread k (of T, each with one connection) takes lines k, k+T, ... and sends them in
-- turn, so threads never share a line: distinct event ids, distinct applicants, distinct cold ids. A
-- thread that runs out of lines starts again from its first (counted as "reused").
--
-- EXPECTED is the status counted as right; others are counted as "unexpected". Besides wrk's own figures
-- the script counts the requests SENT (written to the server): when the run ends a few may still await
-- their answer, and the server still handles them, so the exactness checks compare with what was sent.
-- "distinct" is how many different lines were sent.
--
-- done() prints one line: BENCH {"requests", "sent", "distinct", "reused", "seconds", "p50_ms", "p99_ms",
-- "unexpected", "errors"}.

local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("thread_number", counter)
  table.insert(threads, thread)
end

local function split(text, separator)
  local parts = {}
  local start = 1
  while true do
    local i, j = string.find(text, separator, start, true)
    if not i then
      table.insert(parts, string.sub(text, start))
      return parts
    end
    table.insert(parts, string.sub(text, start, i - 1))
    start = j + 1
  end
end

function init(args)
  local file = args[1]
  expected = tonumber(args[2])
  local count = tonumber(args[3]) or 1
  requests = {}
  local line_number = 0
  for line in io.lines(file) do
    if line_number % count == thread_number - 1 then
      local fields = split(line, "\t")
      local headers = {}
      if fields[3] ~= "" then
        for _, header in ipairs(split(fields[3], "\x1f")) do
          local colon = string.find(header, ":", 1, true)
          headers[string.sub(header, 1, colon - 1)] = string.sub(header, colon + 2)
        end
      end
      local body = fields[4]
      if body == "" then body = nil end
      table.insert(requests, wrk.format(fields[1], fields[2], headers, body))
    end
    line_number = line_number + 1
  end
  lines = #requests
  index = 0
  sent = 0
  unexpected = 0
  -- wrk calls request() once in the first thread before the run, to check it: that call sends nothing.
  checking = thread_number == 1
end

function request()
  if checking then
    checking = false
    return requests[1]
  end
  index = index % #requests + 1
  sent = sent + 1
  return requests[index]
end

function response(status, headers, body)
  if status ~= expected then
    unexpected = unexpected + 1
  end
end

function done(summary, latency, requests)
  local totals = {sent = 0, distinct = 0, reused = 0, unexpected = 0}
  for _, thread in ipairs(threads) do
    local sent = thread:get("sent") or 0
    local lines = thread:get("lines") or 0
    totals.sent = totals.sent + sent
    totals.distinct = totals.distinct + math.min(sent, lines)
    totals.reused = totals.reused + math.max(0, sent - lines)
    totals.unexpected = totals.unexpected + (thread:get("unexpected") or 0)
  end
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format(
    'BENCH {"requests": %d, "sent": %d, "distinct": %d, "reused": %d, "seconds": %.4f, "p50_ms": %.3f, ' ..
    '"p99_ms": %.3f, "unexpected": %d, "errors": %d}\n',
    summary.requests, totals.sent, totals.distinct, totals.reused, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, totals.unexpected, errors
  ))
end
