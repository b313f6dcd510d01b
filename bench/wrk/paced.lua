-- bench/wrk/requests.lua at a fixed offered rate, for bench/cdn.py (run from the repository's root):
--
--   wrk -t T -c T -d 60s -s bench/wrk/paced.lua URL -- FILE EXPECTED T DELAY_MS
--
-- Each thread waits DELAY_MS before each request it sends, so T threads offer at most T * 1000 / DELAY_MS
-- requests a second (less when answers are slow): a stream of a known rate rather than as fast as the
-- node answers.
dofile("bench/wrk/requests.lua")

local requests_init = init

function init(args)
  requests_init(args)
  pause = tonumber(args[4])
end

function delay()
  return pause
end
