#!/usr/bin/env python3
"""Writes a ping log of mixed, often damaged, line shapes to PATH (at least BYTES bytes), for
checking that a change to `kiriwake ping-log` keeps its output byte-identical
(bench/ping_log_compare.sh): iputils replies with and without -D stamps of odd lengths, DUPs,
CRLF, NUL bytes, host names, IPv6, reordered/old/wrapping icmp_seq, long numbers, the
rounding-bug forms, errors, headers and statistics mid-file, garbage, an over-long line, and
random byte edits of ordinary replies. Usage: ping_log_mixed_gen.py PATH BYTES SEED"""
import random
import sys

path, want, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = random.Random(seed)
hosts = ["192.168.100.114", "10.0.0.1", "host.example (10.1.2.3)", "fe80::1%eth0",
         "2001:db8::1", "a (b)", "x\x00y (1.2.3.4)"]
host = rng.choice(hosts[:5])
ts = 1700000000.0 + rng.randint(0, 10**6)
seq = rng.randint(0, 65535)
out = bytearray()


def stamp():
    r = rng.random()
    if r < 0.85:
        return "[%.6f] " % ts
    if r < 0.9:
        return ""
    return rng.choice(["[%.3f] " % ts, "[%d] " % int(ts), "[] ", "[.] ", "[1.2.3.4] ",
                       "[" + "9" * rng.randint(30, 42) + "] ", "[%.6f]" % ts, "[%.6f]  " % ts,
                       "[1e5] ", "[%.6f] \r" % ts])


def rtt():
    r = rng.random()
    if r < 0.7:
        return "%.3f" % rng.uniform(0.01, 0.999)
    return rng.choice(["%.2f" % rng.uniform(1, 99), "12.10", "9.100", "1.100", "%.3f" % rng.uniform(1, 9),
                       "%d" % rng.randint(0, 5000), "0", "0.0000000001", "123456789.5",
                       "1234567890", "%.1f" % rng.uniform(10, 999), "1.", ".5", "x", "-1",
                       "00000000000000000001.5", "1.1234567891234"])


def reply(h=None):
    global seq
    h = h or host
    r = rng.random()
    if r < 0.9:
        seq = (seq + 1) % 65536
    elif r < 0.95:
        seq = (seq + rng.randint(2, 6)) % 65536
    elif r < 0.98:
        seq = (seq - rng.randint(1, 5000)) % 65536
    else:
        seq = rng.randint(0, 70000)
    ttl = "64" if rng.random() < 0.95 else str(rng.choice([1, 255, 1000, 0]))
    tail = " ms"
    r = rng.random()
    if r < 0.02:
        tail = " ms (DUP!)"
    elif r < 0.03:
        tail = " ms\r"
    elif r < 0.035:
        tail = " ms "
    elif r < 0.04:
        tail = " ms\a"
    elif r < 0.045:
        tail = "ms"
    key = "icmp_seq=" if rng.random() < 0.98 else rng.choice(["icmp_req=", "seq=", "icmp_seq= "])
    return "%s64 bytes from %s: %s%d ttl=%s time=%s%s" % (stamp(), h, key, seq, ttl, rtt(), tail)


others = [
    lambda: "PING %s (%s) 56(84) bytes of data." % (host, host),
    lambda: "PING other (10.9.9.9) 56(84) bytes of data.",
    lambda: "From 10.0.0.254 icmp_seq=%d Destination Host Unreachable" % seq,
    lambda: "no answer yet for icmp_seq=%d" % seq,
    lambda: "--- %s ping statistics ---" % host,
    lambda: "%d packets transmitted, %d received, 1%% packet loss, time 1000ms" % (seq, seq - 1),
    lambda: "rtt min/avg/max/mdev = 0.1/0.2/0.3/0.04 ms",
    lambda: "garbage line",
    lambda: "",
    lambda: "\a" + reply(),
    lambda: "\r" + reply(),
    lambda: reply(rng.choice(hosts)),
    lambda: "64 bytes from %s: icmp_seq=%d ttl=64 (truncated)" % (host, seq),
    lambda: "ping: sendmsg: Network is unreachable",
    lambda: "x" * rng.choice([100, 2_000_000]) if rng.random() < 0.05 else "y" * 300,
]
if rng.random() < 0.5:
    out += ("PING %s (%s) 56(84) bytes of data.\n" % (host, host)).encode()
damage = rng.choice([0.0, 0.001, 0.01, 0.05])
while len(out) < want:
    ts += rng.choice([1.0, 1.0, 1.0, 0.2, 0.000001, 1000.0])
    if rng.random() < 0.97:
        line = reply().encode("latin-1")
    else:
        line = rng.choice(others)().encode("latin-1")
    if rng.random() < damage:
        b = bytearray(line)
        for _ in range(rng.randint(1, 3)):
            if b:
                b[rng.randrange(len(b))] = rng.choice([0, 0x20, 0x2E, 0x30, 0x39, 0x5D, 0x5B, 0x0A, 0xFF, rng.randrange(256)])
        line = bytes(b)
    out += line + (b"\r\n" if rng.random() < 0.002 else b"\n")
if rng.random() < 0.5:
    out += ("\n--- %s ping statistics ---\n%d packets transmitted, %d received, 1%% packet loss, "
            "time 99ms\nrtt min/avg/max/mdev = 0.1/0.2/0.3/0.04 ms\n" % (host, seq + 5, seq)).encode()
if rng.random() < 0.3:
    out = out[:-rng.randint(1, 40)]
open(path, "wb").write(out)
