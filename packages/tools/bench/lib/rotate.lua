-- wrk script: tools/call over the sessions listed in a file (one id a line), a new session and a
-- new JSON-RPC id on every request, all requests built once in init(). Counts answers that carry
-- no JSON-RPC result; done() prints one JSON line for wrk.ts.
--   wrk -t1 -c10 -d5s -s rotate.lua http://127.0.0.1:PORT/mcp -- <ids file> <echo|stream> <check|nocheck>
local threads = {}
local requests = {}
local count = 0
local cursor = 0
bad = 0

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  local ids = {}
  for line in io.lines(args[1]) do
    if #line > 0 then ids[#ids + 1] = line end
  end
  local call = '"name":"echo","arguments":{"text":"hello"}'
  if args[2] == 'stream' then call = '"name":"slow","arguments":{"count":3,"delayMs":0}' end
  -- At least 1,000 distinct ids, so no two requests in flight on one session share a JSON-RPC id.
  count = math.max(#ids, 1000)
  for j = 0, count - 1 do
    local body = string.format('{"jsonrpc":"2.0","id":%d,"method":"tools/call","params":{%s}}', j + 2, call)
    requests[j] = wrk.format('POST', '/mcp', {
      ['Content-Type'] = 'application/json',
      ['Accept'] = 'application/json, text/event-stream',
      ['Mcp-Session-Id'] = ids[(j % #ids) + 1],
      ['Mcp-Protocol-Version'] = '2025-11-25'
    }, body)
  end
  if args[3] == 'check' then
    -- Defined only when asked: without it wrk does not keep response bodies at all.
    response = function(status, headers, body)
      if not string.find(body, '"result"', 1, true) then bad = bad + 1 end
    end
  end
end

function request()
  local r = requests[cursor]
  cursor = (cursor + 1) % count
  return r
end

function done(summary, latency)
  local invalid = 0
  for _, thread in ipairs(threads) do invalid = invalid + thread:get('bad') end
  local e = summary.errors
  io.write(string.format(
    '{"wrk":1,"requests":%d,"durationUs":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,"bad":%d,"p50Us":%d,"p99Us":%d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout, invalid,
    math.floor(latency:percentile(50)), math.floor(latency:percentile(99))))
end
