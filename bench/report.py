#!/usr/bin/env python3
"""Helpers of bench/run.sh (Python standard library only, but `plot`: matplotlib).

  report.py snapshot PID...            one JSON line: CPU seconds of each PID and of the machine
  report.py h2load --before F --after F --stdout F --log F --scenario S --system S --pids P,P
                                       one result line (same schema as the load generators)
  report.py table --raw RAW.jsonl --meta META.json --out OUT.json [--instructions FILE]
                                       prints the table and the ratios, writes OUT.json
                                       (with the figures of bench/profile.sh if given)
  report.py scaling --json OUT.json    markdown tables: throughput/latency vs clients and digits
  report.py plot --json OUT.json --out PNG
                                       throughput and p99 against clients (scaling_plot.py)
  report.py quiet [--max-wait S] [--threshold C] [PID...]
                                       waits for the machine to be quiet (other work < C cores)
"""
import argparse
import json
import os
import re
import sys

CLK_TCK = os.sysconf("SC_CLK_TCK")


def process_cpu_s(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime, stime
    except (OSError, IndexError, ValueError):
        return -1.0


def status_kib(pid, key):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return -1


def machine_busy_s():
    with open("/proc/stat") as f:
        parts = f.readline().split()[1:9]
    user, nice, system, idle, iowait, irq, softirq, steal = map(int, parts)
    return (user + nice + system + irq + softirq + steal) / CLK_TCK


def cmd_snapshot(args):
    print(json.dumps({"machine_cpu_s": machine_busy_s(),
                      "pids": {str(p): process_cpu_s(p) for p in args.pids}}))


def cmd_quiet(args):
    """Waits (at most --max-wait s) until the machine's busy CPU over 1 s, minus
    the listed PIDs' own CPU, is below --threshold cores; prints what it saw."""
    import time
    deadline = time.monotonic() + args.max_wait
    while True:
        m0, p0 = machine_busy_s(), sum(max(0.0, process_cpu_s(p)) for p in args.pids)
        t0 = time.monotonic()
        time.sleep(1.0)
        m1, p1 = machine_busy_s(), sum(max(0.0, process_cpu_s(p)) for p in args.pids)
        other = max(0.0, (m1 - m0) - (p1 - p0)) / (time.monotonic() - t0)
        if other <= args.threshold or time.monotonic() >= deadline:
            print(f"{other:.2f}")
            return


def percentile(sorted_values, q):
    if not sorted_values:
        return 0.0
    index = min(len(sorted_values) - 1, int(q * len(sorted_values)))
    return float(sorted_values[index])


def cmd_h2load(args):
    with open(args.before) as f:
        before = json.load(f)
    with open(args.after) as f:
        after = json.load(f)
    with open(args.stdout) as f:
        text = f.read()
    # "requests: 123 total, 123 started, 123 done, 123 succeeded, 0 failed, 0 errored, 0 timeout"
    m = re.search(r"requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, "
                  r"(\d+) failed, (\d+) errored, (\d+) timeout", text)
    finished = re.search(r"finished in ([\d.]+)(m?s)", text)
    seconds = 0.0
    if finished:
        seconds = float(finished.group(1)) / (1000.0 if finished.group(2) == "ms" else 1.0)
    succeeded = int(m.group(4)) if m else 0
    errors = (int(m.group(5)) + int(m.group(6)) + int(m.group(7))) if m else 1
    latencies = []
    try:
        with open(args.log) as f:
            for line in f:
                parts = line.split()
                if len(parts) >= 3:
                    latencies.append(int(parts[2]))
    except OSError:
        pass
    latencies.sort()
    pids = [p for p in args.pids.split(",") if p]
    servers = []
    for p in pids:
        servers.append({"pid": int(p),
                        "cpu_s": round(after["pids"][p] - before["pids"][p], 3),
                        "rss_kib": status_kib(p, "VmRSS"), "hwm_kib": status_kib(p, "VmHWM")})
    machine = after["machine_cpu_s"] - before["machine_cpu_s"]
    ours = sum(s["cpu_s"] for s in servers) + args.load_cpu_s
    result = {
        "tool": "h2load", "scenario": args.scenario, "system": args.system, "mode": "square",
        "ops": succeeded, "seconds": seconds,
        "ops_per_s": succeeded / seconds if seconds > 0 else 0.0,
        "mean_us": sum(latencies) / len(latencies) if latencies else 0.0,
        "p50_us": percentile(latencies, 0.50), "p90_us": percentile(latencies, 0.90),
        "p99_us": percentile(latencies, 0.99), "p999_us": percentile(latencies, 0.999),
        "max_us": float(latencies[-1]) if latencies else 0.0,
        "errors": errors,
        "first_error": "" if errors == 0 else "h2load: " + (m.group(0) if m else "no summary"),
        "servers": servers, "load_cpu_s": round(args.load_cpu_s, 3),
        "machine_cpu_s": round(machine, 3), "other_cpu_s": round(max(0.0, machine - ours), 3),
        "options": args.options,
    }
    print(json.dumps(result))


# --- table --------------------------------------------------------------------

def cpu_us_per_op(r):
    if not r.get("ops"):
        return None
    total = sum(max(0.0, s["cpu_s"]) for s in r.get("servers", []))
    return total * 1e6 / r["ops"]


def load_cpu_us_per_op(r):
    """The load generator's CPU time per operation, in us."""
    if not r.get("ops") or not r.get("load_cpu_s"):
        return None
    return r["load_cpu_s"] * 1e6 / r["ops"]


def rss_mib(r):
    values = [s["rss_kib"] for s in r.get("servers", []) if s.get("rss_kib", -1) >= 0]
    return sum(values) / 1024.0 if values else None


def fmt(value, digits=0):
    if value is None:
        return "-"
    if digits == 0:
        return f"{value:,.0f}"
    return f"{value:,.{digits}f}"


def find(results, scenario, system):
    for r in results:
        if r.get("scenario") == scenario and r.get("system") == system:
            return r
    return None


def ratio_rows(results, all_runs=None):
    """(name, numerator, denominator, value, target, pass). With several passes
    (--repeat), a ratio is computed within each pass (both figures measured in
    the same run) and the median of those is the value."""
    rows = []
    all_runs = all_runs or results

    def add(name, num, den, target, field="ops_per_s", is_target=True, at_most=False):
        # field: a key of the results, or a function of one result.
        value_of = field if callable(field) else (lambda r: r.get(field))
        per_pass = {}
        for r in all_runs:
            key = (r.get("scenario"), r.get("system"))
            if key in (num, den):
                per_pass.setdefault(r.get("pass", 0), {})[key] = r
        ratios = []
        for p in sorted(per_pass):
            a, b = per_pass[p].get(num), per_pass[p].get(den)
            a_value, b_value = (value_of(a), value_of(b)) if a and b else (None, None)
            if a_value is not None and b_value:
                ratios.append(a_value / b_value)
        value = sorted(ratios)[(len(ratios) - 1) // 2] if ratios else None
        if len(ratios) % 2 == 0 and len(ratios) > 1:
            value = (sorted(ratios)[len(ratios) // 2 - 1] + sorted(ratios)[len(ratios) // 2]) / 2
        met = value is not None and (value <= target if at_most else value >= target)
        rows.append({"name": name, "numerator": " / ".join(num), "denominator": " / ".join(den),
                     "value": value, "per_pass": [round(x, 3) for x in ratios],
                     "target": target, "at_most": at_most, "is_target": is_target,
                     "pass": met if is_target else None})

    # The targets of issue 18 (performance round 2), then those of issue 5
    # that must not regress.
    add("TIME 1 client: bridge / original Python",
        ("TIME 1 client", "bridge+core"), ("TIME 1 client", "python"), 1.0)
    time_one = find(results, "TIME 1 client", "bridge+core")
    p50 = time_one["p50_us"] if time_one and time_one.get("ops") else None
    rows.append({"name": "TIME 1 client: bridge p50 <= 150 us",
                 "numerator": "TIME 1 client / bridge+core p50_us", "denominator": "",
                 "value": p50, "per_pass": [], "target": 150, "at_most": True,
                 "is_target": True, "pass": p50 is not None and p50 <= 150})
    add("TIME 64 clients: bridge / original Python",
        ("TIME 64 clients", "bridge+core"), ("TIME 64 clients", "python"), 1.2)
    for framing in ("original", "lines"):
        for clients, target in ((64, 0.6), (256, 0.6), (1000, 0.8), (10000, 0.8)):
            scenario = f"SQUARES {framing} {clients} clients"
            add(f"{scenario}: bridge / raw epoll", (scenario, "bridge+core"), (scenario, "direct"),
                target)
    for framing in ("original", "lines"):
        scenario = f"SQUARES {framing} 10000 clients"
        add(f"{scenario}: bridge p99 / raw epoll p99", (scenario, "bridge+core"),
            (scenario, "direct"), 1.5, field="p99_us", at_most=True)
    add("SQUARES 1 original client, all on 1 core: bridge / one gRPC round trip alone",
        ("SQUARES original 1 client, 1 core", "bridge+core"),
        ("SQUARES original 1 client, 1 core", "gRPC hop alone"), 0.8)
    add("unary Square, h2load -c16 -m32: core / grpc-go",
        ("unary Square h2load c16 m32", "core"), ("unary Square h2load c16 m32", "grpc-go"), 1.2)
    add("SquareStream pipelined (64 in flight): core / grpc-go",
        ("SquareStream pipelined w64", "core"), ("SquareStream pipelined w64", "grpc-go"), 1.0)
    # Informative: what decides the h2load row. h2load runs on the same two
    # CPUs, and its own CPU per call depends on how many answers share each
    # of the server's TCP writes (docs/performance.md, "The h2load row").
    h2load = "unary Square h2load c16 m32"
    add("unary Square, h2load -c16 -m32: server CPU per call, grpc-go / core",
        (h2load, "grpc-go"), (h2load, "core"), 0, field=cpu_us_per_op, is_target=False)
    add("unary Square, h2load -c16 -m32: h2load's CPU per call, against the core / against grpc-go",
        (h2load, "core"), (h2load, "grpc-go"), 0, field=load_cpu_us_per_op, is_target=False)
    add("SQUARES 1 original client (2 CPUs, nothing pinned): bridge / original Python",
        ("SQUARES original 1 client", "bridge+core"),
        ("SQUARES original 1 client", "python"), 0, is_target=False)
    add("SQUARES 1 original client (all on 1 core): bridge / original Python",
        ("SQUARES original 1 client, 1 core", "bridge+core"),
        ("SQUARES original 1 client, 1 core", "python"), 0, is_target=False)
    add("SQUARES 1 client, 1 core: one lockstep gRPC round trip alone (C++ client to the core) "
        "/ original Python", ("SQUARES original 1 client, 1 core", "gRPC hop alone"),
        ("SQUARES original 1 client, 1 core", "python"), 0, is_target=False)
    idle = find(results, "SQUARES 10000 idle sessions + 1 client", "bridge+core")
    rss = rss_mib(idle) if idle else None
    p99 = idle["p99_us"] / 1000.0 if idle and idle.get("ops") else None
    ok = rss is not None and p99 is not None and rss < 200 and p99 < 10 and idle["errors"] == 0
    rows.append({"name": "10,000 handshaked SQUARES sessions: bridge+core RSS < 200 MiB, "
                 "other client's p99 < 10 ms",
                 "numerator": "SQUARES 10000 idle sessions + 1 client / bridge+core",
                 "denominator": "", "value": None, "rss_mib": rss, "p99_ms": p99,
                 "target": None, "is_target": True, "pass": ok})
    # Informative: how the servers scale from 1 CPU (--threads=1) to 2 (--threads=2).
    for base, systems in (("unary Square 4000 digits c64 16 channels", ("core", "grpc-go")),
                          ("SquareStream 100 streams w1 4000 digits", ("core", "grpc-go")),
                          ("SQUARES original 256 clients", ("bridge+core",))):
        for system in systems:
            one, two = (f"{base}, 1 CPU", system), (f"{base}, 2 CPUs", system)
            if find(results, *one) and find(results, *two):
                add(f"{base}: {system} on 2 CPUs / on 1 CPU (scaling)", two, one, 0,
                    is_target=False)
    # Informative: what the gRPC hop costs, and core vs grpc-go everywhere.
    scenarios = []
    for r in results:
        if r["scenario"] not in scenarios:
            scenarios.append(r["scenario"])
    for s in scenarios:
        if find(results, s, "bridge+core") and find(results, s, "direct"):
            add(f"{s}: bridge / direct (cost of the RPC hop)", (s, "bridge+core"), (s, "direct"),
                0, is_target=False)
        if find(results, s, "bridge+core") and find(results, s, "python") and \
                s not in ("SQUARES original 1 client", "SQUARES original 1 client, 1 core",
                          "TIME 64 clients"):
            add(f"{s}: bridge / original Python", (s, "bridge+core"), (s, "python"), 0,
                is_target=False)
        if find(results, s, "core") and find(results, s, "grpc-go") and \
                s not in ("unary Square h2load c16 m32", "SquareStream pipelined w64"):
            add(f"{s}: core / grpc-go", (s, "core"), (s, "grpc-go"), 0, is_target=False)
    return rows


def median_runs(results):
    """One result per (scenario, system): the run with the median throughput
    (with --repeat), rows grouped by scenario in the order they first ran."""
    groups, order = {}, []
    for r in results:
        key = (r.get("scenario"), r.get("system"))
        if key not in groups:
            groups[key] = []
            order.append(key)
        groups[key].append(r)
    scenarios = []
    for scenario, _ in order:
        if scenario not in scenarios:
            scenarios.append(scenario)
    chosen = []
    for scenario in scenarios:
        for key in order:
            if key[0] != scenario:
                continue
            runs = groups[key]
            ranked = sorted(runs, key=lambda r: r.get("ops_per_s", 0))
            median = dict(ranked[(len(ranked) - 1) // 2])
            median["runs_ops_per_s"] = [round(r.get("ops_per_s", 0), 1) for r in runs]
            mid = median.get("ops_per_s", 0)
            median["spread"] = ((ranked[-1]["ops_per_s"] - ranked[0]["ops_per_s"]) / mid
                                if len(runs) > 1 and mid else None)
            chosen.append(median)
    return chosen


def cmd_table(args):
    results = []
    with open(args.raw) as f:
        for line in f:
            line = line.strip()
            if line.startswith("{"):
                try:
                    results.append(json.loads(line))
                except json.JSONDecodeError as e:
                    print(f"warning: bad result line: {e}: {line[:200]}", file=sys.stderr)
    all_runs = results
    results = median_runs(results)
    meta = {}
    if args.meta and os.path.exists(args.meta):
        with open(args.meta) as f:
            meta = json.load(f)
    for r in results:
        r["cpu_us_per_op"] = cpu_us_per_op(r)
        r["rss_mib"] = rss_mib(r)
    ratios = ratio_rows(results, all_runs)

    headers = ["scenario", "system", "ops/s", "p50 us", "p99 us", "max us", "CPU us/op",
               "RSS MiB", "err", "other CPU", "spread"]
    rows = []
    for r in results:
        other = r.get("other_cpu_s")
        other_cores = other / r["seconds"] if other is not None and r.get("seconds") else None
        machine = r.get("machine_cpu_s")
        saturated = machine is not None and r.get("seconds") and \
            machine / r["seconds"] > (os.cpu_count() or 1) - 0.2
        mark = "*" if saturated and other_cores is not None and other_cores > 0.3 else ""
        rows.append([r["scenario"], r["system"], fmt(r["ops_per_s"]), fmt(r["p50_us"]),
                     fmt(r["p99_us"]), fmt(r["max_us"]), fmt(r["cpu_us_per_op"], 1),
                     fmt(r["rss_mib"], 1), str(r["errors"]), fmt(other_cores, 2) + mark,
                     "-" if r["spread"] is None else f"{100 * r['spread']:.0f}%"])
    widths = [max(len(h), *(len(row[i]) for row in rows)) if rows else len(h)
              for i, h in enumerate(headers)]
    out = []
    line = "| " + " | ".join(h.ljust(widths[i]) for i, h in enumerate(headers)) + " |"
    out.append(line)
    out.append("|" + "|".join(("-" * (w + 2)) if i < 2 else ("-" * (w + 1) + ":")
                              for i, w in enumerate(widths)) + "|")
    for row in rows:
        out.append("| " + " | ".join(c.ljust(widths[i]) if i < 2 else c.rjust(widths[i])
                                     for i, c in enumerate(row)) + " |")
    print("\n".join(out))
    print("(other CPU: cores busy with other work during the window; * = the machine was "
          "saturated meanwhile, so the figure is disturbed. With --repeat, each row is the "
          "run with the median ops/s; spread = (max - min) / median ops/s over the runs.)")
    print()
    print("Targets (ratios of two figures measured in the same pass; with --repeat the "
          "median over the passes; ---- = not run):")
    for q in ratios:
        if not q["is_target"]:
            continue
        verdict = "PASS" if q["pass"] else "MISS"
        if q["target"] is not None and q["value"] is None:
            verdict = "----"
        if q["target"] is None:
            if q["rss_mib"] is None:
                verdict = "----"
            print(f"  {verdict}  {q['name']}: RSS {fmt(q['rss_mib'], 1)} MiB, "
                  f"p99 {fmt(q['p99_ms'], 2)} ms")
        else:
            runs = ""
            if len(q["per_pass"]) > 1:
                runs = " [runs: " + ", ".join(f"{x:.2f}" for x in q["per_pass"]) + "]"
            bound = "<=" if q.get("at_most") else ">="
            print(f"  {verdict}  {q['name']} = {fmt(q['value'], 2)} (target {bound} {q['target']}){runs}")
    print("Other ratios (informative):")
    for q in ratios:
        if not q["is_target"]:
            print(f"        {q['name']} = {fmt(q['value'], 2)}")
    errors = [r for r in results if r["errors"]]
    if errors:
        print("Scenarios with errors (first error of each):")
        for r in errors:
            print(f"  {r['scenario']} / {r['system']}: {r['errors']} errors: {r['first_error'][:300]}")

    document = {"meta": meta, "results": results, "ratios": ratios}
    if args.instructions:
        document["instructions"] = print_instructions(args.instructions)
    with open(args.out, "w") as f:
        json.dump(document, f, indent=1)
        f.write("\n")
    print(f"\nJSON: {args.out}")


def print_instructions(path):
    """Prints bench/profile.sh's figures (one JSON object a line); returns them."""
    figures = []
    try:
        with open(path) as f:
            figures = [json.loads(line) for line in f if line.startswith("{")]
    except (OSError, json.JSONDecodeError) as e:
        print(f"\nInstructions per operation: none ({path}: {e})")
        return figures
    print("\nInstructions per operation (callgrind, fixed workload, busy polling off; "
          "bench/profile.sh):")
    width = max([len(r["scenario"]) for r in figures] + [8])
    totals = {}
    for r in figures:
        key = (r["scenario"], r["system"])
        totals.setdefault(key, []).append(r["instructions_per_op"])
    for (scenario, system), values in totals.items():
        parts = [f"{r['process']} {r['instructions_per_op']:,}" for r in figures
                 if (r["scenario"], r["system"]) == (scenario, system)]
        detail = f"  ({', '.join(parts)})" if len(values) > 1 else ""
        print(f"  {scenario.ljust(width)}  {system.ljust(11)}  {sum(values):>9,}{detail}")
    return figures


def cmd_scaling(args):
    """Markdown tables: how throughput and latency grow with clients and digits."""
    with open(args.json) as f:
        doc = json.load(f)
    results = doc["results"]

    def cell(scenario, system):
        r = find(results, scenario, system)
        if not r or not r.get("ops"):
            return "-"
        return (f"{r['ops_per_s']:,.0f}/s, p50 {fmt_latency(r['p50_us'])}, "
                f"p99 {fmt_latency(r['p99_us'])}" + (f", {r['errors']} err" if r["errors"] else ""))

    meta = doc.get("meta", {})
    print(f"Measured {meta.get('date', '?')} on {meta.get('nproc', '?')} x "
          f"{meta.get('cpu_model', '?')} (load generator on the same machine; bridge to core "
          f"over {meta.get('core_link', 'tcp')}).\n")
    for mode in ("original", "lines"):
        print(f"SQUARES, {mode} framing, lockstep clients:\n")
        print("| clients | bridge+core | direct (no RPC hop) | bridge/direct |")
        print("|---:|---|---|---:|")
        for n in (1, 64, 256, 1000, 10000):
            scenario = f"SQUARES {mode} {n} client{'s' if n != 1 else ''}"
            a, b = find(results, scenario, "bridge+core"), find(results, scenario, "direct")
            ratio = f"{a['ops_per_s'] / b['ops_per_s']:.2f}" if a and b and b["ops_per_s"] else "-"
            print(f"| {n:,} | {cell(scenario, 'bridge+core')} | {cell(scenario, 'direct')} | {ratio} |")
        print()
    print("Big numbers (D-digit inputs, squares of 2D digits):\n")
    print("| digits | gRPC Square c16, core | gRPC Square c16, grpc-go | SQUARES 1 client, bridge+core "
          "| SQUARES 1 client, direct | SQUARES 1 client, Python | SQUARES 64 clients, bridge+core "
          "| SQUARES 64 clients, direct |")
    print("|---:|---|---|---|---|---|---|---|")
    for d in (10, 1000, 4000):
        u = f"unary Square {d} digits c16"
        one = f"SQUARES original {d} digits 1 client"
        many = f"SQUARES original {d} digits 64 clients"
        print(f"| {d:,} | {cell(u, 'core')} | {cell(u, 'grpc-go')} | {cell(one, 'bridge+core')} "
              f"| {cell(one, 'direct')} | {cell(one, 'python')} | {cell(many, 'bridge+core')} "
              f"| {cell(many, 'direct')} |")


def cmd_plot(args):
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import scaling_plot
    try:
        with open(args.json) as f:
            doc = json.load(f)
    except (OSError, json.JSONDecodeError) as e:
        print(f"report.py plot: cannot read {args.json}: {e}", file=sys.stderr)
        sys.exit(2)
    if not scaling_plot.render(doc, args.out):
        print(f"report.py plot: no SQUARES-by-clients or unary Square figures in {args.json}",
              file=sys.stderr)
        sys.exit(1)
    print(f"plot: {args.out}")


def fmt_latency(us):
    if us >= 10000:
        return f"{us / 1000:,.0f} ms"
    if us >= 1000:
        return f"{us / 1000:.1f} ms"
    return f"{us:.0f} us"


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("snapshot")
    p.add_argument("pids", nargs="*", type=int)
    p.set_defaults(func=cmd_snapshot)
    p = sub.add_parser("quiet")
    p.add_argument("--max-wait", type=float, default=30)
    p.add_argument("--threshold", type=float, default=0.3)
    p.add_argument("pids", nargs="*", type=int)
    p.set_defaults(func=cmd_quiet)
    p = sub.add_parser("h2load")
    for name in ("before", "after", "stdout", "log", "scenario", "system", "pids", "options"):
        p.add_argument("--" + name, default="")
    p.add_argument("--load-cpu-s", type=float, default=0.0)
    p.set_defaults(func=cmd_h2load)
    p = sub.add_parser("scaling")
    p.add_argument("--json", required=True)
    p.set_defaults(func=cmd_scaling)
    p = sub.add_parser("plot")
    p.add_argument("--json", required=True)
    p.add_argument("--out", required=True)
    p.set_defaults(func=cmd_plot)
    p = sub.add_parser("table")
    p.add_argument("--raw", required=True)
    p.add_argument("--meta")
    p.add_argument("--out", required=True)
    p.add_argument("--instructions", help="bench/profile.sh output (JSON lines)")
    p.set_defaults(func=cmd_table)
    args = parser.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()
