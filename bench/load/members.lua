-- wrk script: each request comes from the next member in turn, with their own cookies.
--
--   wrk ... -s members.lua URL -- <members file> <threads> <GET|RSVP> <path> <origin>
--
-- The members file has one member a line: "<session key> <CSRF secret>". Each wrk
-- thread takes every <threads>-th line, so no two threads share a member. GET sends
-- the member's cookies (session and CSRF, which a browser has kept from earlier pages);
-- RSVP POSTs "going" to <path> with those cookies, the form token that matches the CSRF
-- cookie and an Origin header, as a browser does.

local next_id = 0
local threads = {}

function setup(thread)
  thread:set("thread_id", next_id)
  next_id = next_id + 1
  threads[#threads + 1] = thread
end

function init(args)
  local file, threads = args[1], tonumber(args[2])
  mode, path, origin = args[3], args[4], args[5]
  members = {}
  local number = 0
  for line in io.lines(file) do
    if number % threads == thread_id then
      local session, csrf = line:match("^(%S+) (%S+)$")
      members[#members + 1] = { session = session, csrf = csrf }
    end
    number = number + 1
  end
  turn = 0
  refused = {}
end

-- Answers of 400 and above, counted by status and printed at the end ("Status 429: 3").
function response(status, headers, body)
  if status >= 400 then
    refused[status] = (refused[status] or 0) + 1
  end
end

function done(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("refused")) do
      total[status] = (total[status] or 0) + count
    end
  end
  for status, count in pairs(total) do
    io.write(string.format("Status %d: %d\n", status, count))
  end
end

function request()
  turn = turn % #members + 1
  local member = members[turn]
  local cookie = "sessionid=" .. member.session .. "; csrftoken=" .. member.csrf
  if mode == "GET" then
    return wrk.format("GET", path, { Cookie = cookie })
  end
  local headers = {
    Cookie = cookie,
    ["Content-Type"] = "application/x-www-form-urlencoded",
    Origin = origin,
  }
  return wrk.format("POST", path, headers, "answer=going&csrfmiddlewaretoken=" .. member.csrf)
end
