-- POST a form whose body (in the file named by BENCH_BODY) holds {EMAIL}: each request
-- gets a new address, unique across threads and runs (BENCH_RUN).
local file = assert(io.open(os.getenv("BENCH_BODY")))
local template = file:read("*a")
file:close()
local run = os.getenv("BENCH_RUN") or "0"
local counter = 0
local next_thread = 0
thread_id = 0 -- a global: setup() sets it in each thread's own Lua state

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"

setup = function(thread)
  next_thread = next_thread + 1
  thread:set("thread_id", next_thread)
end

request = function()
  counter = counter + 1
  local email = string.format("bench-%s-%d-%d%%40load.example", run, thread_id, counter)
  local body = template:gsub("{EMAIL}", function() return email end)
  return wrk.format(nil, nil, nil, body)
end
