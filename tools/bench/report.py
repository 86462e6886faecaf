#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""report.py DIR: turn DIR/raw.csv (scenario,impl,variant,metric,rep,value,
from the guest and from schedbench) into DIR/results.csv (medians),
DIR/results.md (tables with ratios), DIR/summary.txt (one line per
scenario, also printed) and the data and script for DIR/bench.png.
Exit status 1 if a scenario produced no numbers (or failed in the guest),
if the balancer forwarded nothing in a window where the generator sent,
or, in a smoke run (DIR/env.txt says "smoke: 1"), if a check of
smoke_checks() fails."""

import csv
import os
import statistics
import sys
from collections import defaultdict

out = sys.argv[1]
rows = defaultdict(list)
status = {}
# pps windows of the rate scenarios and what the generator sent in each
RATE_SCENS = ("forward", "lookup", "profile")
window = {}
sent = {}
with open(os.path.join(out, "raw.csv")) as f:
    for r in csv.reader(f):
        if len(r) != 6:
            continue
        scen, impl, var, metric, rep, val = r
        if scen == "status":
            status[impl] = int(val)
            continue
        try:
            v = float(val)
        except ValueError:
            continue
        if scen in RATE_SCENS and metric == "sent_pps":
            sent[(scen, impl, var, rep)] = v
            continue
        if scen in RATE_SCENS and metric == "pps":
            window[(scen, impl, var, rep)] = v
            continue
        rows[(scen, impl, var, metric)].append(v)

# A window in which not one packet left the director is either a pktgen
# start that did not take (the generator's own device sent nothing either:
# no rate, left out of the medians and counted) or a balancer that
# forwarded nothing while packets came in: that is a failure, and its zero
# stays among the samples (a median over the good repetitions alone would
# hide it).
discarded = defaultdict(int)
zero_fwd = []
for (scen, impl, var, rep), v in window.items():
    if v == 0 and sent.get((scen, impl, var, rep), 0) == 0:
        discarded[(scen, impl, var)] += 1
        continue
    if v == 0:
        zero_fwd.append(f"{scen} {impl} {var} rep {rep}: nothing forwarded while "
                        f"the generator sent {sent[(scen, impl, var, rep)]:,.0f} pps")
    rows[(scen, impl, var, "pps")].append(v)

med = {k: statistics.median(v) for k, v in rows.items()}


def m(scen, impl, var, metric):
    return med.get((scen, impl, var, metric))


def ratio(a, b):
    return a / b if a is not None and b else None


def fmt(x, nd=0):
    if x is None:
        return "n/a"
    if nd == 0:
        return f"{x:,.0f}"
    return f"{x:.{nd}f}"


def verdict(x, target, higher=True):
    if x is None:
        return "not measured"
    ok = x >= target if higher else x <= target
    return "met" if ok else "MISSED"


with open(os.path.join(out, "results.csv"), "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["scenario", "impl", "variant", "metric", "n", "median", "min", "max"])
    for k in sorted(rows):
        w.writerow(list(k) + [len(rows[k]), f"{med[k]:g}", f"{min(rows[k]):g}", f"{max(rows[k]):g}"])

md = ["# l4vs benchmark results", ""]
env = os.path.join(out, "env.txt")
if os.path.exists(env):
    with open(env) as f:
        head = [l.rstrip() for l in f if l.startswith(("date", "kernel", "host load", "smoke"))]
    md += ["```"] + head + ["```", ""]
md += ["Medians over the repetitions; absolute numbers are from a qemu TCG "
       "guest and mean little, ratios within the run are the result.", ""]
summary = {}
failed = [s for s, rc in status.items() if rc != 0]

# ---- 1. forwarding ------------------------------------------------------
md += ["## 1. Forwarding (64-byte UDP, pps on the director's egress)", "",
       "| mode | flows | plain | ip_vs | l4vs | l4vs/plain | ip_vs/plain | l4vs/ip_vs | +ns/pkt ip_vs | +ns/pkt l4vs |",
       "|---|---|---|---|---|---|---|---|---|---|"]
plot_fwd = []
spread = []
for mode in ("nat", "dr", "tun"):
    for flows in ("1", "1000"):
        p = m("forward", "plain", flows, "pps")
        i = m("forward", "ipvs", f"{mode}-{flows}", "pps")
        l = m("forward", "l4vs", f"{mode}-{flows}", "pps")
        add_i = 1e9 / i - 1e9 / p if i and p else None
        add_l = 1e9 / l - 1e9 / p if l and p else None
        spread.append(f"{mode}-{flows}: " + ", ".join(
            f"{n} " + "/".join(fmt(x) for x in rows.get(("forward", n, v, "pps"), []))
            for n, v in (("plain", flows), ("ipvs", f"{mode}-{flows}"), ("l4vs", f"{mode}-{flows}"))))
        md.append(f"| {mode.upper()} | {flows} | {fmt(p)} | {fmt(i)} | {fmt(l)} | "
                  f"{fmt(ratio(l, p), 2)} | {fmt(ratio(i, p), 2)} | {fmt(ratio(l, i), 2)} | "
                  f"{fmt(add_i)} | {fmt(add_l)} |")
        plot_fwd.append((f"{mode}-{flows}", p or 0, i or 0, l or 0))
md += ["", "Samples (pps, in run order): " + "; ".join(spread).replace("ip_vs ", "ip_vs ")]
li = ratio(m("forward", "l4vs", "nat-1000", "pps"), m("forward", "ipvs", "nat-1000", "pps"))
lp = ratio(m("forward", "l4vs", "nat-1000", "pps"), m("forward", "plain", "1000", "pps"))
if any(k[0] == "forward" for k in rows):
    summary["forward"] = (f"forward: NAT 1k flows l4vs/ip_vs {fmt(li, 2)} (target >= 1.2: "
                          f"{verdict(li, 1.2)}), l4vs/plain {fmt(lp, 2)} (target >= 0.9: "
                          f"{verdict(lp, 0.9)})")
md.append("")

# ---- 2. new connections ----------------------------------------------------
nc_vars = sorted({k[2] for k in rows if k[0] == "newconn"}, key=lambda v: (v != "empty", v))
md += ["## 2. New connections per second", "",
       "| impl | " + " | ".join(nc_vars) + " | last/empty |", "|---|" + "---|" * (len(nc_vars) + 1)]
for impl in ("ipvs", "l4vs"):
    vals = [m("newconn", impl, v, "cps") for v in nc_vars]
    md.append(f"| {impl} | " + " | ".join(fmt(x) for x in vals) +
              f" | {fmt(ratio(vals[-1], vals[0]), 2) if vals else 'n/a'} |")
if nc_vars:
    le = m("newconn", "l4vs", "empty", "cps")
    ie = m("newconn", "ipvs", "empty", "cps")
    lmid = m("newconn", "l4vs", nc_vars[-1], "cps")
    r1, r2 = ratio(le, ie), ratio(lmid, le)
    summary["newconn"] = (f"newconn: l4vs {fmt(le)}/s, ip_vs {fmt(ie)}/s, l4vs/ip_vs {fmt(r1, 2)} "
                          f"(target >= 1.2: {verdict(r1, 1.2)}); l4vs at {nc_vars[-1]}/empty "
                          f"{fmt(r2, 2)} (target >= 0.9: {verdict(r2, 0.9)})")
md.append("")

# ---- 3. lookup -------------------------------------------------------------
def level_key(v):
    mult = {"k": 1e3, "M": 1e6}
    return float(v[:-1]) * mult[v[-1]] if v[-1] in mult else float(v)


levels = sorted({k[2] for k in rows if k[0] == "lookup"}, key=level_key)
md += ["## 3. Lookup: pps of 1,000 hot flows with N entries resident", "",
       "| impl | " + " | ".join(levels) + " | last/first |", "|---|" + "---|" * (len(levels) + 1)]
plot_lk = []
for impl in ("ipvs", "l4vs"):
    vals = [m("lookup", impl, v, "pps") for v in levels]
    md.append(f"| {impl} | " + " | ".join(fmt(x) for x in vals) +
              f" | {fmt(ratio(vals[-1], vals[0]), 2) if vals else 'n/a'} |")
    # the level is the target; filling may have stopped short of it
    md.append(f"| {impl} entries really resident | " +
              " | ".join(fmt(m("lookup", impl, v, "resident")) for v in levels) + " | |")
for v in levels:
    plot_lk.append((v, m("lookup", "ipvs", v, "pps") or 0, m("lookup", "l4vs", v, "pps") or 0))
if levels:
    rl = ratio(m("lookup", "l4vs", levels[-1], "pps"), m("lookup", "l4vs", levels[0], "pps"))
    ri = ratio(m("lookup", "ipvs", levels[-1], "pps"), m("lookup", "ipvs", levels[0], "pps"))
    summary["lookup"] = (f"lookup: pps({levels[-1]})/pps({levels[0]}) l4vs {fmt(rl, 2)} "
                         f"(target >= 0.9: {verdict(rl, 0.9)}), ip_vs {fmt(ri, 2)}")
md.append("")

# ---- 4. memory -------------------------------------------------------------
mlevels = sorted({k[2] for k in rows if k[0] == "memory"}, key=level_key)
md += ["## 4. Memory per connection (bytes)", "",
       "| impl | entries | slab objects | object size | slab bytes/conn | kernel memory bytes/conn | MemAvailable bytes/conn |",
       "|---|---|---|---|---|---|---|"]
for impl in ("ipvs", "l4vs"):
    for v in mlevels:
        md.append(f"| {impl} | {fmt(m('memory', impl, v, 'conns'))} | "
                  f"{fmt(m('memory', impl, v, 'slab_objs'))} | {fmt(m('memory', impl, v, 'objsize'))} | "
                  f"{fmt(m('memory', impl, v, 'slab_bytes_per_conn'))} | "
                  f"{fmt(m('memory', impl, v, 'kmem_bytes_per_conn'))} | "
                  f"{fmt(m('memory', impl, v, 'avail_bytes_per_conn'))} |")
if mlevels:
    top = mlevels[-1]
    la = m("memory", "l4vs", top, "kmem_bytes_per_conn")
    summary["memory"] = (f"memory at {top}: l4vs {fmt(m('memory', 'l4vs', top, 'slab_bytes_per_conn'))} "
                         f"B/conn slab, {fmt(la)} B all-in kernel memory (target <= 200: "
                         f"{verdict(la, 200, False)}), {fmt(m('memory', 'l4vs', top, 'avail_bytes_per_conn'))} "
                         f"by MemAvailable; ip_vs {fmt(m('memory', 'ipvs', top, 'slab_bytes_per_conn'))} slab, "
                         f"{fmt(m('memory', 'ipvs', top, 'kmem_bytes_per_conn'))} kernel, "
                         f"{fmt(m('memory', 'ipvs', top, 'avail_bytes_per_conn'))} MemAvailable")
md.append("")

# ---- 5. schedulers -----------------------------------------------------------
scheds = ["rr", "wrr", "lc", "wlc", "sed", "nq", "sh", "dh", "mh", "fo", "ovf"]
sizes = sorted({int(k[2]) for k in rows if k[0] == "sched"})
md += ["## 5. Scheduler pick cost (ns per pick, native build of net/sched/*.c)", "",
       "| scheduler | " + " | ".join(str(s) for s in sizes) + " |", "|---|" + "---|" * len(sizes)]
plot_sc = []
for s in scheds:
    vals = [m("sched", s, str(n), "ns_per_pick") for n in sizes]
    md.append(f"| {s} | " + " | ".join(fmt(x, 1) for x in vals) + " |")
md += ["", "| Maglev table build (65537 entries), µs | " +
       " | ".join(fmt(m("sched", "mh", str(n), "build_us")) for n in sizes) + " |",
       "|---|" + "---|" * len(sizes)]
for n in sizes:
    plot_sc.append([n] + [m("sched", s, str(n), "ns_per_pick") or 0 for s in scheds])
if sizes:
    big = str(sizes[-1])
    worst = max(scheds, key=lambda s: m("sched", s, big, "ns_per_pick") or 0)
    summary["sched"] = (f"sched: ns/pick at {big} servers: " +
                        " ".join(f"{s} {fmt(m('sched', s, big, 'ns_per_pick'), 0)}" for s in scheds) +
                        f"; Maglev build {fmt(m('sched', 'mh', big, 'build_us'))} us")
md.append("")

# ---- 6. flood ------------------------------------------------------------------
fl = sorted({(k[1], k[2]) for k in rows if k[0] == "flood"}, key=lambda x: (x[1], x[0]))
md += ["## 6. Floods of forged flows", "",
       "| flood | impl | pkt/s reached | flows | legit ok | legit fail | legit ok % | "
       "pps before | pps during | during/before % | MemAvailable drop KiB | kernel memory growth KiB | "
       "max entries (slab) | entries 1 s after | conn_max | recovery ms | ping loss % |",
       "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
for impl, var in fl:
    g = lambda met: m("flood", impl, var, met)
    md.append(f"| {var} | {impl} | {fmt(g('flood_pps'))} | {fmt(g('flood_flows'))} | "
              f"{fmt(g('legit_ok'))} | {fmt(g('legit_fail'))} | {fmt(g('legit_ok_pct'))} | "
              f"{fmt(g('pps_before'))} | {fmt(g('pps_during'))} | {fmt(g('during_over_before_pct'))} | "
              f"{fmt(g('mem_growth_kb'))} | {fmt(g('kmem_growth_kb'))} | "
              f"{fmt(g('max_conn_objs'))} | {fmt(g('conn_objs_after'))} | {fmt(g('conn_max'))} | "
              f"{fmt(g('recovery_ms'))} | {fmt(g('ping_loss_pct'), 1)} |")
parts = []
for impl, var in fl:
    if impl != "l4vs":
        continue
    g = lambda met: m("flood", impl, var, met)
    cm, after, ok = g("conn_max"), g("conn_objs_after"), g("legit_ok_pct")
    # slab objects: per-CPU slabs count as in use, so allow 5% or 512
    within = "yes" if cm and after is not None and after <= cm + max(cm * 0.05, 512) else "NO"
    parts.append(f"{var} at {fmt(g('flood_pps'))} pkt/s: legit {fmt(ok)}% "
                 f"(>= 95: {verdict(ok, 95)}), pps kept {fmt(g('during_over_before_pct'))}%, "
                 f"{fmt(after)} entries after (within {fmt(cm)}: {within})")
if parts:
    summary["flood"] = "flood: l4vs " + "; ".join(parts)
md.append("")

if discarded:
    md += ["Windows without a single packet (pktgen did not start), left out of the medians: " +
           ", ".join(f"{s} {i} {v} x{n}" for (s, i, v), n in sorted(discarded.items())), ""]

missing = [s for s in ("forward", "newconn", "lookup", "memory", "sched", "flood") if s not in summary]
for s in missing:
    summary[s] = f"{s}: NO NUMBERS"
if failed:
    md += [f"Scenarios that failed in the guest: {', '.join(failed)}", ""]


def smoke_checks():
    """What a smoke run must show, cheaply and robustly even at its tiny
    sizes on a loaded TCG host: every variant of every scenario that ran
    moved traffic (a rate above zero), the table was filled, legitimate
    clients got through each flood and l4vs kept its table within
    conn_max.  Returns the failures."""
    bad = []

    def positive(scen, impl, var, metric):
        x = m(scen, impl, var, metric)
        if not x or x <= 0:
            bad.append(f"{scen} {impl} {var}: {metric} {fmt(x)}, expected > 0")

    ran = set(status)
    if "forward" in ran:
        for flows in ("1", "1000"):
            positive("forward", "plain", flows, "pps")
        for impl in ("ipvs", "l4vs"):
            for mode in ("nat", "dr", "tun"):
                for flows in ("1", "1000"):
                    positive("forward", impl, f"{mode}-{flows}", "pps")
    if "table" in ran:
        for scen, metric in (("lookup", "pps"), ("newconn", "cps"), ("memory", "conns")):
            keys = sorted({(k[1], k[2]) for k in rows if k[0] == scen and k[3] == metric})
            if not any(i == "l4vs" for i, _ in keys):
                bad.append(f"{scen} l4vs: no {metric} recorded")
            for impl, var in keys:
                positive(scen, impl, var, metric)
    if "flood" in ran:
        if not any(i == "l4vs" for i, _ in fl):
            bad.append("flood l4vs: nothing recorded")
        for impl, var in fl:
            for metric in ("flood_pkts_sent", "pps_before", "legit_ok"):
                positive("flood", impl, var, metric)
            cm, after = m("flood", impl, var, "conn_max"), m("flood", impl, var, "conn_objs_after")
            if impl == "l4vs" and (not cm or after is None or after > cm + max(cm * 0.05, 512)):
                bad.append(f"flood l4vs {var}: {fmt(after)} entries after the flood, "
                           f"conn_max {fmt(cm)}")
    return bad


smoke = False
if os.path.exists(env):
    with open(env) as f:
        smoke = any(l.strip() == "smoke: 1" for l in f)
smoke_bad = smoke_checks() if smoke else []
problems = [f"FAIL {z}" for z in zero_fwd] + [f"FAIL smoke: {b}" for b in smoke_bad]
if problems:
    md += ["## Failures", ""] + [f"- {p}" for p in problems] + [""]

with open(os.path.join(out, "results.md"), "w") as f:
    f.write("\n".join(md) + "\n")
with open(os.path.join(out, "summary.txt"), "w") as f:
    for s in ("forward", "newconn", "lookup", "memory", "sched", "flood"):
        f.write(summary[s] + "\n")
        print(summary[s])
    for p in problems:
        f.write(p + "\n")
        print(p)

# ---- plot data ------------------------------------------------------------------
with open(os.path.join(out, "plot-forward.dat"), "w") as f:
    for r in plot_fwd:
        f.write("%s %g %g %g\n" % r)
with open(os.path.join(out, "plot-lookup.dat"), "w") as f:
    for r in plot_lk:
        f.write("%s %g %g\n" % r)
with open(os.path.join(out, "plot-sched.dat"), "w") as f:
    f.write("n " + " ".join(scheds) + "\n")
    for r in plot_sc:
        f.write(" ".join(str(x) for x in r) + "\n")
sys.exit(1 if missing or failed or problems else 0)
