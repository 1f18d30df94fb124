-- Shared by batch.lua and single.lua: the API key, and per-thread id prefixes so every run's eventIds are new.
key = os.getenv("TALLY_KEY")
counter = 0
local thread_id = 0

function setup(thread)
  thread:set("tid", thread_id)
  thread_id = thread_id + 1
end

function init(args)
  prefix = "t" .. tid .. "-" .. math.random(1, 1e9) .. "-"
end

function post(path, body)
  return wrk.format("POST", path, {["Authorization"] = "Bearer " .. key, ["Content-Type"] = "application/json"}, body)
end
