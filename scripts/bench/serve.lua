-- wrk script for `make bench`: each thread posts its own slice of the signed
-- bodies in scripts/bench/serve_requests.py's file (REQUESTS), once each.
local requests = {}
for line in io.lines(os.getenv("REQUESTS")) do
    local sig, body = line:match("^([^\t]+)\t(.*)$")
    requests[#requests + 1] = { sig = sig, body = body }
end
local threads, counter = 0, 0
function setup(thread)
    thread:set("id", threads)
    threads = threads + 1
end
function init(args)
    local slice = math.floor(#requests / tonumber(os.getenv("THREADS") or "2"))
    counter = id * slice
end
function request()
    counter = counter + 1
    local r = requests[counter]
    return wrk.format("POST", "/webhooks/retell", { ["Content-Type"] = "application/json", ["x-retell-signature"] = r.sig }, r.body)
end
