#!/usr/bin/env python3
"""Writes N log files of mixed formats (syslog RFC 3164, ESXi vmkernel, Ceph cluster log,
PostgreSQL, journald short-iso, ping -D) totalling about SIZE_MB, for bench/timeline.sh.
Each file is time-ordered within itself and covers the same day, so a merge interleaves them.
Usage: gen_timeline_logs.py DIR FILES SIZE_MB"""
import os
import sys
import time

out_dir, n_files, size_mb = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
os.makedirs(out_dir, exist_ok=True)
per_file = size_mb * 1024 * 1024 // n_files
base = 1584230400  # 2020-03-15T00:00:00Z
MON = "Mar"


def lines(kind, idx, step):
    host = f"node{idx:03d}"
    t = base + idx * 0.37
    seq = 0
    while True:
        seq += 1
        t += step
        s = int(t)
        us = int((t - s) * 1e6)
        g = time.gmtime(s)
        if kind == 0:
            yield (f"{MON} {g.tm_mday:2d} {g.tm_hour:02d}:{g.tm_min:02d}:{g.tm_sec:02d} {host} "
                   f"kernel: [{seq}.{us:06d}] libceph: osd{seq % 8} 192.168.100.{110 + seq % 8}:6802 "
                   f"socket closed (con state OPEN)\n")
        elif kind == 1:
            yield (f"2020-03-{g.tm_mday:02d}T{g.tm_hour:02d}:{g.tm_min:02d}:{g.tm_sec:02d}.{us // 1000:03d}Z "
                   f"cpu{seq % 16}:{2097152 + seq % 999})NetPort: 1936: disabled port 0x{seq:x} "
                   f"vmnic{seq % 4} status check ok\n")
        elif kind == 2:
            yield (f"2020-03-{g.tm_mday:02d} {g.tm_hour:02d}:{g.tm_min:02d}:{g.tm_sec:02d}.{us:06d} "
                   f"mon.a (mon.0) {seq} : cluster [WRN] Health check update: {seq % 9} slow ops, "
                   f"oldest one blocked for {seq % 60} sec, osd.{seq % 8} has slow ops (SLOW_OPS)\n")
        elif kind == 3:
            yield (f"2020-03-{g.tm_mday:02d} {g.tm_hour:02d}:{g.tm_min:02d}:{g.tm_sec:02d}.{us // 1000:03d} UTC "
                   f"[{1000 + seq % 5000}] LOG:  duration: {seq % 997}.{seq % 1000:03d} ms  statement: "
                   f"SELECT * FROM statuses WHERE id = {seq}\n")
        elif kind == 4:
            yield (f"2020-03-{g.tm_mday:02d}T{g.tm_hour:02d}:{g.tm_min:02d}:{g.tm_sec:02d}+0000 {host} "
                   f"systemd[1]: Started Session {seq} of user admin (unit session-{seq}.scope).\n")
        else:
            yield (f"[{s}.{us:06d}] 64 bytes from 192.168.100.{110 + idx % 8}: icmp_seq={seq} "
                   f"ttl=64 time={(seq % 97) / 10 + 0.3:.3g} ms\n")


for i in range(n_files):
    kind = i % 6
    ext = ["syslog", "vmkernel.log", "ceph.log", "postgresql.log", "journal.txt", "ping.txt"][kind]
    path = os.path.join(out_dir, f"node{i:03d}-{ext}")
    step = 86400.0 / (per_file / 120)  # ~120 bytes a line over one day
    written = 0
    with open(path, "w") as f:
        if kind == 5:
            f.write(f"PING 192.168.100.{110 + i % 8} (192.168.100.{110 + i % 8}) 56(84) bytes of data.\n")
        buf = []
        for line in lines(kind, i, step):
            buf.append(line)
            written += len(line)
            if len(buf) >= 20000:
                f.write("".join(buf))
                buf = []
            if written >= per_file:
                break
        f.write("".join(buf))
