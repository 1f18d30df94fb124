-- wrk script: POST /v1/events with one event of a unique id per request. Environment: TALLY_KEY; with RATE
-- (and CONNECTIONS, default 64) each connection pauses CONNECTIONS/RATE seconds between requests (wrk's
-- delay hook), pacing the offered load near RATE requests/s.
dofile("benchmarks/http/common.lua")

request = function()
  counter = counter + 1
  return post("/v1/events", string.format(
    '{"eventId":"%s%d","eventType":"purchase","userId":"u%d","properties":{"productId":"sku-1","amount":%d.5,"currency":"EUR"},"context":{"country":"US","device":"mobile"}}',
    prefix, counter, counter % 5000, counter % 500))
end

local rate = tonumber(os.getenv("RATE") or "0")
if rate > 0 then
  local pause_ms = tonumber(os.getenv("CONNECTIONS") or "64") * 1000 / rate
  function delay()
    return pause_ms
  end
end
