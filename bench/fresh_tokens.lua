-- wrk script for the cache-miss rows of bench/run.sh: every request carries the next token
-- of a file of distinct valid tokens, so the verified-token cache never hits.
--
--   wrk -t1 ... -s bench/fresh_tokens.lua URL -- TOKEN_FILE FIRST COUNT
--
-- Uses tokens FIRST+1 .. FIRST+COUNT (each round of run.sh takes its own slice). The
-- requests are formatted once in init(): formatting per request would make wrk the
-- bottleneck. done() prints how many tokens were sent; more than COUNT means the slice
-- wrapped around and some tokens repeated.

local threads = {}
local reqs = {}
used = 0
count = 0

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  local file, first, want = args[1], tonumber(args[2]), tonumber(args[3])
  local k = 0
  for line in io.lines(file) do
    k = k + 1
    if k > first then
      if #reqs >= want then break end
      reqs[#reqs + 1] = wrk.format("GET", "/", { Authorization = "Bearer " .. line })
    end
  end
  count = #reqs
end

function request()
  used = used + 1
  return reqs[(used - 1) % count + 1]
end

function done(summary, latency, requests)
  for _, t in ipairs(threads) do
    io.write(string.format("fresh tokens sent: %d of %d\n", t:get("used"), t:get("count")))
  end
end
