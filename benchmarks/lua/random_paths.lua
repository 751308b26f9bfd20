-- Each request a path picked at random from the file named by BENCH_PATHS (one a line).
local paths = {}
for line in io.lines(os.getenv("BENCH_PATHS")) do
  paths[#paths + 1] = line
end

-- Each wrk thread has a Lua state of its own: number them, so each draws its own sequence.
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("number", threads)
end

function init(args)
  math.randomseed(os.time() * 1000 + (number or 0))
end

request = function()
  return wrk.format(nil, paths[math.random(#paths)])
end
