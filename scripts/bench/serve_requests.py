#!/usr/bin/env python3
"""Signed Retell `call_analyzed` webhook bodies for distinct calls, one
`signature<TAB>body` a line, for `make bench`'s serve figures (wrk replays
them through scripts/bench/serve.lua).

usage: serve_requests.py OUT COUNT KEY
"""
import hashlib
import hmac
import json
import sys
import time

out, count, key = sys.argv[1], int(sys.argv[2]), sys.argv[3].encode()
v = str(int(time.time() * 1000))
with open(out, "w") as f:
    for i in range(count):
        body = json.dumps({
            "event": "call_analyzed",
            "call": {"call_id": f"bench-{i}", "call_status": "ended", "disconnection_reason": "user_hangup",
                     "start_timestamp": 1795438810000, "end_timestamp": 1795438870000, "transcript": "Agent: Hi",
                     "call_analysis": {"call_summary": "Bench call.", "user_sentiment": "Neutral", "call_successful": True}},
        }, separators=(",", ":"))
        d = hmac.new(key, body.encode() + v.encode(), hashlib.sha256).hexdigest()
        f.write(f"v={v},d={d}\t{body}\n")
