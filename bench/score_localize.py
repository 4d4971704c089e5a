#!/usr/bin/env python3
"""Scores a `kiriwake localize --json` document against a `kiriwake sim` truth.json.

Prints "precision recall mean_group": precision = diagnosed groups holding an injected fault /
diagnosed groups; recall = injected faults inside a diagnosed group / injected faults; mean_group =
mean size of the diagnosed groups that hold a fault (as localize_bench counts them).
  bench/score_localize.py LOCALIZE.json TRUTH.json
"""
import json
import sys

doc = json.load(open(sys.argv[1]))
truth = {f["component"] for f in json.load(open(sys.argv[2]))["faults"]}
groups = [set(s["components"]) for s in doc["suspects"] if s["diagnosed"]]
hit = sum(1 for g in groups if g & truth)
found = sum(1 for t in truth if any(t in g for g in groups))
sizes = [len(g) for g in groups if g & truth]
print(f"{hit / len(groups) if groups else 1.0:.3f} {found / len(truth) if truth else 1.0:.3f} "
      f"{sum(sizes) / len(sizes) if sizes else 0:.1f}")
