#!/usr/bin/env python3
"""An anonymous flood against a running SaferStreets, and what everyone else sees meanwhile.

    python3 scripts/bench/flood.py http://127.0.0.1:8099 [--seconds 20] [--spread]

For `--seconds`, 100 threads send wrong sign-ins as fast as the server answers them and 4
threads send the largest polygon the police.uk API accepts (9,999 points round Norwich, by
POST). Meanwhile one prober asks for /health and another for a signed-in page (the
analyst's /campaigns), one after the other, and records each time. The flood runs in a
child process at the lowest CPU priority (nice 19): on this two-core machine the load
generator would otherwise take the very cores it is measuring, where a real attacker's
would be elsewhere. `--spread` gives every
sign-in its own X-Forwarded-For address (start the server with SAFERSTREETS_TRUST_PROXY=1):
a flood from many addresses, which the per-address limit cannot stop, so bcrypt's bounded
pool must. Prints status counts and the probes' p50/p99/max; exits 1 if anything answered
500 or a probe's p99 is over 1 s. Only loopback is ever contacted.
"""
import argparse
import math
import multiprocessing
import os
import random
import re
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(NoRedirect)


def request(url, data=None, headers=None, timeout=60):
    req = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with OPENER.open(req, timeout=timeout) as res:
            return res.status, res.headers, res.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()
    except Exception:
        return 0, {}, b""


def cookies(headers):
    jar = {}
    for value in headers.get_all("Set-Cookie") or []:
        name, _, rest = value.partition("=")
        jar[name.strip()] = rest.split(";")[0]
    return jar


def login_token(base):
    _, headers, _ = request(base + "/login")
    jar = cookies(headers)
    name = next(k for k in jar if k.endswith("saferstreets_csrf"))
    return name, jar[name]


def sign_in(base, email, password):
    name, token = login_token(base)
    body = urllib.parse.urlencode({"email": email, "password": password, "_csrf": token}).encode()
    status, headers, _ = request(base + "/login", body, {"Cookie": f"{name}={token}", "Content-Type": "application/x-www-form-urlencoded"})
    jar = cookies(headers)
    session = next((f"{k}={v}" for k, v in jar.items() if k.endswith("saferstreets_session")), None)
    return status, session


def percentile(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(math.ceil(q * len(values))) - 1)] if values else float("nan")


def flood(base, args, name, token, poly_body, start_at, stop, results):
    """The attacker: sign-in and polygon threads, at the lowest CPU priority."""
    os.nice(19)
    statuses = {"sign-in": Counter(), "polygon": Counter()}
    polygon_times = []
    lock = threading.Lock()

    def signins(k):
        rng = random.Random(k)
        while time.monotonic() < start_at:
            time.sleep(0.01)
        while time.monotonic() < stop:
            headers = {"Cookie": f"{name}={token}", "Content-Type": "application/x-www-form-urlencoded"}
            if args.spread:
                headers["X-Forwarded-For"] = f"10.{k}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
            body = urllib.parse.urlencode({"email": f"nobody{rng.randrange(10**6)}@example.org", "password": "guess " + str(rng.random()),
                                           "_csrf": token}).encode()
            s, _, _ = request(base + "/login", body, headers)
            with lock:
                statuses["sign-in"][s] += 1

    def polygons(_):
        while time.monotonic() < start_at:
            time.sleep(0.01)
        while time.monotonic() < stop:
            t = time.monotonic()
            s, _, _ = request(base + "/api/crimes-street/all-crime", poly_body, {"Content-Type": "application/x-www-form-urlencoded"})
            with lock:
                statuses["polygon"][s] += 1
                polygon_times.append(time.monotonic() - t)

    threads = [threading.Thread(target=signins, args=(k,)) for k in range(args.signins)]
    threads += [threading.Thread(target=polygons, args=(k,)) for k in range(args.polygons)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    results.put((statuses, polygon_times))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("base")
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--spread", action="store_true")
    ap.add_argument("--signins", type=int, default=100)
    ap.add_argument("--polygons", type=int, default=4)
    args = ap.parse_args()
    base = args.base.rstrip("/")
    host = urllib.parse.urlparse(base).hostname
    if host not in ("127.0.0.1", "localhost", "::1"):
        sys.exit("flood.py only ever targets this machine's loopback")

    status, session = sign_in(base, "analyst@opcc.demo", "demo-opcc-figures")
    if not session:
        sys.exit(f"could not sign in as the demo analyst ({status}); is this the demo database?")
    name, token = login_token(base)
    points = ":".join(f"{52.6286 + 0.05 * math.sin(2 * math.pi * k / 9999):.6f},{1.2925 + 0.08 * math.cos(2 * math.pi * k / 9999):.6f}"
                      for k in range(9999))
    poly_body = urllib.parse.urlencode({"poly": points}).encode()

    start_at = time.monotonic() + 1.0
    stop = start_at + args.seconds
    results = multiprocessing.Queue()
    child = multiprocessing.Process(target=flood, args=(base, args, name, token, poly_body, start_at, stop, results))
    child.start()

    statuses = {"health": Counter(), "page": Counter()}
    times = {"health": [], "page": []}
    lock = threading.Lock()

    def probe(kind, url, headers):
        while time.monotonic() < start_at:
            time.sleep(0.01)
        while time.monotonic() < stop:
            t = time.monotonic()
            s, _, _ = request(url, headers=headers)
            with lock:
                statuses[kind][s] += 1
                times[kind].append(time.monotonic() - t)
            time.sleep(0.05)

    probes = [threading.Thread(target=probe, args=("health", base + "/health", {})),
              threading.Thread(target=probe, args=("page", base + "/campaigns", {"Cookie": session}))]
    for t in probes:
        t.start()
    for t in probes:
        t.join()
    flooded, polygon_times = results.get()
    child.join()
    statuses = {**flooded, **statuses}
    times["polygon"] = polygon_times

    failed = False
    print(f"flood: {args.signins} sign-in threads{' from spread addresses' if args.spread else ' from one address'} "
          f"+ {args.polygons} polygon threads (9,999 points) for {args.seconds:.0f} s")
    for kind, counter in statuses.items():
        line = ", ".join(f"{code or 'no answer'}: {n}" for code, n in sorted(counter.items()))
        print(f"  {kind:8} {sum(counter.values()):6} requests  {line}")
        if counter.get(500) or counter.get(0):
            failed = True
    for kind in ("health", "page", "polygon"):
        values = [v * 1000 for v in times[kind]]
        if values:
            print(f"  {kind:8} p50 {percentile(values, 0.5):8.1f} ms  p99 {percentile(values, 0.99):8.1f} ms  max {max(values):8.1f} ms")
    for kind in ("health", "page"):
        if percentile([v * 1000 for v in times[kind]], 0.99) > 1000:
            failed = True
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
