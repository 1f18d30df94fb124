-- wrk script: POST /v1/events with one event of a unique id per request. Environment: TALLY_KEY.
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
