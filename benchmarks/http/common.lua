-- Shared by batch.lua and single.lua: the API key, and per-thread id prefixes so every run's eventIds are new.
-- wrk's Lua random generator starts from the same seed in every wrk process, so the prefix takes RUN (run.sh
-- passes a fresh value per wrk invocation); without it, a second run would resend the first run's ids and measure
-- duplicate handling instead of ingestion.
key = os.getenv("TALLY_KEY")
counter = 0
local thread_id = 0

function setup(thread)
  thread:set("tid", thread_id)
  thread_id = thread_id + 1
end

function init(args)
  prefix = "t" .. tid .. "-" .. (os.getenv("RUN") or tostring(os.time())) .. "-"
end

function post(path, body)
  return wrk.format("POST", path, {["Authorization"] = "Bearer " .. key, ["Content-Type"] = "application/json"}, body)
end
