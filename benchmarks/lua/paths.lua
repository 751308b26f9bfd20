-- Rotate over the request paths listed (one per line) in the file named by BENCH_PATHS.
local paths = {}
for line in io.lines(os.getenv("BENCH_PATHS")) do
  paths[#paths + 1] = line
end
local i = math.random(#paths)

request = function()
  i = (i % #paths) + 1
  return wrk.format(nil, paths[i])
end
