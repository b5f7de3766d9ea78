-- A Lua workload that never throws: calls and string building. Prints the best of 5 rounds, in
-- seconds of os.clock(), as "calls <s> strings <s>".
local function fib(n) if n < 2 then return n end return fib(n - 1) + fib(n - 2) end
local best_calls, best_strings = math.huge, math.huge
for _ = 1, 5 do
  local t = os.clock()
  fib(27)
  best_calls = math.min(best_calls, os.clock() - t)
  t = os.clock()
  local parts = {}
  for i = 1, 200000 do parts[#parts + 1] = tostring(i) .. "x" end
  local _ = table.concat(parts)
  best_strings = math.min(best_strings, os.clock() - t)
end
print(string.format("calls %.4f strings %.4f", best_calls, best_strings))
