-- wrk script: POST /v1/events/batch with BATCH events of unique ids per request.
-- Environment: TALLY_KEY (ingest key), BATCH (events per request, default 200).
dofile("benchmarks/http/common.lua")
local size = tonumber(os.getenv("BATCH") or "200")
local countries = {"US", "DE", "FR", "BR", "IN"}
local devices = {"mobile", "desktop", "tablet"}

request = function()
  local parts = {}
  for i = 1, size do
    counter = counter + 1
    parts[i] = string.format(
      '{"eventId":"%s%d","eventType":"purchase","userId":"u%d","properties":{"productId":"sku-%d","amount":%d.5,"currency":"USD"},"context":{"country":"%s","device":"%s"}}',
      prefix, counter, counter % 5000, counter % 100, counter % 500, countries[counter % 5 + 1], devices[counter % 3 + 1])
  end
  return post("/v1/events/batch", '{"events":[' .. table.concat(parts, ",") .. ']}')
end
