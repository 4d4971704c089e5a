#!/usr/bin/env python3
"""Writes a synthetic iputils 20221126 ping log of at least N bytes to PATH: one long run of
`ping -D 192.168.100.114` (icmp_seq wraps past 65535) with ~1% random loss in bursts, a DUP
now and then, and the statistics block at the end. Usage: ping_log_gen.py PATH BYTES [SEED]"""
import random
import sys

path, want = sys.argv[1], int(sys.argv[2])
rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 7)
ts = 1700000000.0
sent = received = dups = 0
out = open(path, "w", buffering=1 << 22)
out.write("PING 192.168.100.114 (192.168.100.114) 56(84) bytes of data.\n")
written = 0
lost_run = 0
block = []
while written < want:
    sent += 1
    ts += 1.0
    if lost_run == 0 and rng.random() < 0.004:
        lost_run = rng.randint(1, 4)
    if lost_run:
        lost_run -= 1
        continue
    rtt = rng.uniform(0.250, 0.700) if rng.random() > 0.001 else rng.uniform(50, 250)
    t = "%.3f" % rtt if rtt < 1 else ("%.2f" % rtt if rtt < 10 else ("%.1f" % rtt if rtt < 100 else "%d" % rtt))
    line = "[%.6f] 64 bytes from 192.168.100.114: icmp_seq=%d ttl=64 time=%s ms\n" % (ts, sent % 65536, t)
    block.append(line)
    received += 1
    written += len(line)
    if rng.random() < 0.0002:
        block.append(line[:-1] + " (DUP!)\n")
        dups += 1
    if len(block) >= 10000:
        out.write("".join(block))
        block = []
out.write("".join(block))
loss = (sent - received) * 100.0 / sent
out.write("\n--- 192.168.100.114 ping statistics ---\n")
out.write("%d packets transmitted, %d received, +%d duplicates, %g%% packet loss, time %dms\n"
          % (sent, received, dups, loss, sent * 1000))
out.write("rtt min/avg/max/mdev = 0.250/0.520/250.000/3.100 ms\n")
out.close()
