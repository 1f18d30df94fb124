-- wrk script: like single.lua, but each connection pauses CONNECTIONS/RATE seconds between requests
-- (wrk's delay hook), pacing the offered load near RATE requests/s. Environment: TALLY_KEY, RATE, CONNECTIONS.
local key = os.getenv("TALLY_KEY")
local counter = 0
local thread_id = 0

function setup(thread)
  thread:set("tid", thread_id)
  thread_id = thread_id + 1
end

function init(args)
  prefix = "s" .. tid .. "-" .. math.random(1, 1e9) .. "-"
end

request = function()
  counter = counter + 1
  local body = string.format(
    '{"eventId":"%s%d","eventType":"purchase","userId":"u%d","properties":{"productId":"sku-1","amount":%d.5,"currency":"EUR"},"context":{"country":"US","device":"mobile"}}',
    prefix, counter, counter % 5000, counter % 500)
  return wrk.format("POST", "/v1/events",
    {["Authorization"] = "Bearer " .. key, ["Content-Type"] = "application/json"}, body)
end

local pause_ms = tonumber(os.getenv("CONNECTIONS") or "64") * 1000 / tonumber(os.getenv("RATE") or "10000")

function delay()
  return pause_ms
end
