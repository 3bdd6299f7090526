#!/usr/bin/env python3
"""Turns kstone_bench --json output (JSON lines) into Markdown tables.

usage: bench/compare/summarize.py results.jsonl [more.jsonl ...]

Rows from later files replace rows of earlier files with the same engine,
workload and threads. The ratio column is kstone ops/s over the engine's
ops/s on the same medium (kstone-mem for *-mem, kstone-disk for *-disk).
"""
import json
import sys


def human(v):
    for div, suffix in ((1e6, "M"), (1e3, "k")):
        if v >= div:
            return f"{v / div:.2f}{suffix}" if div == 1e6 else f"{v / div:.1f}{suffix}"
    return f"{v:.0f}"


def main(paths):
    rows = {}
    order = []
    for path in paths:
        with open(path) as f:
            for line in f:
                line = line.strip()
                if not line.startswith("{"):
                    continue
                r = json.loads(line)
                key = (r["workload"], r.get("threads", 1), r["engine"])
                if key not in rows:
                    order.append(key)
                rows[key] = r
    workloads = []
    for w, t, _ in order:
        if (w, t) not in workloads:
            workloads.append((w, t))
    print("| workload | T | engine | ops/s | ns/op | CPU ns/op | peak RSS "
          "| RSS B/item | disk B/item | kstone/engine |")
    print("| --- | --: | --- | --: | --: | --: | --: | --: | --: | --: |")
    for w, t in workloads:
        for (w2, t2, e) in order:
            if (w2, t2) != (w, t):
                continue
            r = rows[(w2, t2, e)]
            if r["status"] != "ok":
                print(f"| {w} | {t} | {e} | {r['status']}: "
                      f"{r.get('message', '')} | | | | | | |")
                continue
            k = rows.get((w, t, "kstone-disk" if e.endswith("-disk")
                          else "kstone-mem"))
            ratio = ""
            if (k and k["status"] == "ok" and not e.startswith("kstone")
                    and r["ops_per_sec"] > 0):
                ratio = f"{k['ops_per_sec'] / r['ops_per_sec']:.2f}x"
            if w == "recover":
                ops = f"reopen {r.get('recover_seconds', 0):.3f} s"
            else:
                ops = human(r["ops_per_sec"])
            disk = (f"{r['disk_bytes_per_item']:.0f}"
                    if "disk_bytes_per_item" in r else "-")
            cpu = r.get("cpu_ns_per_op", 0)
            print(f"| {w} | {t} | {e} | {ops} | {r['ns_per_op']:.0f} "
                  f"| {cpu:.0f} "
                  f"| {r['peak_rss_bytes'] / 2**20:.0f} MiB "
                  f"| {r['bytes_per_item']:.0f} | {disk} | {ratio} |")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
