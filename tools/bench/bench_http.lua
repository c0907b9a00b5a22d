-- SPDX-License-Identifier: Apache-2.0
-- wrk script of tools/bench/bench_http.sh: every request carries the API token from
-- CUNXIN_TOKEN (as a script would), and the summary is printed as one parseable line.
local token = os.getenv("CUNXIN_TOKEN") or ""
if token ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. token
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT p50_ms=%.2f p99_ms=%.2f max_ms=%.1f rps=%.1f requests=%d errors=%d non2xx=%d\n",
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    summary.requests / (summary.duration / 1e6), summary.requests,
    e.connect + e.read + e.write + e.timeout, e.status))
end
