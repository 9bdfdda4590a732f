"""Print the benchmark's tables and targets and draw its chart.

Reads OUT/load.tsv (bench/load.py), OUT/micro.tsv (bench/micro/run.sh,
optional) and OUT/machine.txt (bench/run.sh).  Prints the load table, the
micro-benchmark table and the targets, writes the same as Markdown to
OUT/report.md, and draws the requests per second of every server into
the PNG given by --chart with gnuplot.  With --round N the load figures
are those of round N alone, from OUT/load-rounds.tsv.
"""

import argparse
import csv
import math
import os
import subprocess
import sys

SERVERS = {
    "ceiling": "ceiling (Kore, no auth)",
    "app": "this app (Kore)",
    "node-key": "Node, KeyObject",
    "node-string": "Node, string secret",
}
TESTS = {
    "bearer-one": "/bearer, one token",
    "bearer-rotating": "/bearer, rotating tokens",
    "bearer-invalid": "/bearer, invalid tokens",
    "jwt-post": "POST /jwt",
}
CHART_TESTS = {
    "bearer-one": "/bearer one token",
    "bearer-rotating": "/bearer rotating",
    "bearer-invalid": "/bearer invalid",
    "jwt-post": "POST /jwt",
}
MIB = 1024

# Share of the CPUs, in percent, taken by other jobs during a run above
# which the report flags it.  It read 0 for a run on an idle machine here,
# and 35 to 48 while two fuzzers shared the cores.
OTHER_CPU_NOTICE = 10


def read_tsv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def one_round(path, number):
    """Return the rows of round number from load-rounds.tsv in the form of
    load.tsv."""
    rows = [r for r in read_tsv(path) if int(r["round"]) == number]
    if not rows:
        sys.exit(f"report.py: {path} has no round {number}")
    for r in rows:
        r["rounds"] = "1"
    return rows


def ceiling_test(test):
    """Return the ceiling's test that test is compared with: its /bearer for
    every /bearer test, its POST /jwt for POST /jwt."""
    return "jwt-post" if test == "jwt-post" else "bearer-one"


def ratio(a, b):
    return a / b if b else float("nan")


class Load:
    def __init__(self, rows):
        self.rows = []
        for r in rows:
            for k in ("rps", "p50_ms", "p99_ms", "cpu_us"):
                r[k] = float(r[k])
            # Missing from files written before the column existed.
            r["other_cpu_pct"] = float(r.get("other_cpu_pct") or "nan")
            for k in ("rounds", "requests", "rss_kib", "non2xx",
                      "socket_errors", "expected"):
                r[k] = int(r[k])
            self.rows.append(r)

    def get(self, server, test):
        for r in self.rows:
            if r["server"] == server and r["test"] == test:
                return r
        return None

    def ordered(self):
        out = []
        for server in SERVERS:
            for test in TESTS:
                r = self.get(server, test)
                if r is not None:
                    out.append(r)
        return out


def load_table(load):
    head = ["server", "test", "req/s", "p50 ms", "p99 ms", "CPU µs/req",
            "peak RSS/worker MiB", "non-2xx", "× ceiling", "p99 × ceiling",
            "× Node key", "× Node string", "other CPU %"]
    lines = [head, ["---"] * 2 + ["---:"] * (len(head) - 2)]
    for r in load.ordered():
        ceil = load.get("ceiling", ceiling_test(r["test"]))
        nkey = load.get("node-key", r["test"])
        nstr = load.get("node-string", r["test"])

        def vs(other):
            if other is None or other is r:
                return "–"
            return f"{ratio(r['rps'], other['rps']):.2f}"

        non2xx = str(r["non2xx"])
        if r["expected"] != 200 and r["non2xx"] == r["requests"]:
            non2xx += " (all, expected)"
        p99_vs = "–"
        if ceil is not None and ceil is not r:
            p99_vs = f"{ratio(r['p99_ms'], ceil['p99_ms']):.2f}"
        lines.append([
            SERVERS[r["server"]], TESTS[r["test"]], f"{r['rps']:.0f}",
            f"{r['p50_ms']:.2f}", f"{r['p99_ms']:.2f}", f"{r['cpu_us']:.1f}",
            f"{r['rss_kib'] / MIB:.1f}", non2xx, vs(ceil), p99_vs, vs(nkey),
            vs(nstr), other_cpu(r["other_cpu_pct"])])
    return lines


def other_cpu(pct):
    return "–" if math.isnan(pct) else f"{pct:.0f}"


def micro_table(micro):
    by_op = {m["op"]: m for m in micro}
    floor = float(by_op["hmac-floor"]["instructions_per_op"])
    head = ["operation", "ns/op", "instructions/op", "× HMAC floor",
            "what it runs"]
    lines = [head, ["---", "---:", "---:", "---:", "---"]]
    for m in micro:
        ins = float(m["instructions_per_op"])
        lines.append([m["op"], f"{float(m['ns_per_op']):.0f}",
                      f"{ins:.0f}", f"{ins / floor:.2f}", m["about"]])
    return lines


def markdown(lines):
    return "\n".join("| " + " | ".join(cells) + " |" for cells in lines)


def plain(lines):
    rows = [lines[0]] + lines[2:]
    widths = [max(len(r[i]) for r in rows) for i in range(len(lines[0]))]
    out = []
    for n, r in enumerate(rows):
        out.append("  ".join(c.ljust(w) if i < 2 else c.rjust(w)
                             for i, (c, w) in enumerate(zip(r, widths))))
        if n == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def targets(load, micro):
    """Return (target, measured, met) for every target that was measured."""
    out = []

    def rps_vs(server, test, other_server, other_test, goal, text):
        a, b = load.get(server, test), load.get(other_server, other_test)
        if a is None or b is None:
            return
        x = ratio(a["rps"], b["rps"])
        out.append((text, f"{x:.2f}×" if goal >= 2 else f"{x:.1%}",
                    x >= goal))

    rps_vs("app", "bearer-one", "ceiling", "bearer-one", 0.95,
           "/bearer one token ≥ 95% of the ceiling's req/s")
    a, c = load.get("app", "bearer-one"), load.get("ceiling", "bearer-one")
    if a is not None and c is not None:
        x = ratio(a["p99_ms"], c["p99_ms"])
        out.append(("/bearer one token p99 ≤ 1.25× the ceiling's",
                    f"{x:.2f}×", x <= 1.25))
    rps_vs("app", "bearer-rotating", "ceiling", "bearer-one", 0.90,
           "/bearer rotating tokens ≥ 90% of the ceiling's req/s")
    rps_vs("app", "bearer-invalid", "ceiling", "bearer-one", 0.95,
           "/bearer invalid tokens ≥ 95% of the ceiling's req/s")
    rps_vs("app", "jwt-post", "ceiling", "jwt-post", 0.85,
           "POST /jwt ≥ 85% of the ceiling's req/s")
    rps_vs("app", "bearer-one", "node-string", "bearer-one", 40,
           "/bearer ≥ 40× Node with a string secret")
    rps_vs("app", "bearer-one", "node-key", "bearer-one", 4,
           "/bearer ≥ 4× Node with a KeyObject")

    if a is not None and c is not None:
        d = (a["rss_kib"] - c["rss_kib"]) / MIB
        out.append(("peak RSS per worker within 2 MiB of the ceiling's",
                    f"{d:+.2f} MiB", abs(d) <= 2))

    if micro:
        by_op = {m["op"]: float(m["instructions_per_op"]) for m in micro}
        v, f, lj = by_op["app-verify"], by_op["hmac-floor"], \
            by_op["libjwt-verify"]
        out.append(("verification ≤ 1.5× the HMAC floor's instructions",
                    f"{v / f:.2f}×", v / f <= 1.5))
        out.append(("verification ≥ 5× fewer instructions than libjwt",
                    f"{lj / v:.2f}×", lj / v >= 5))
    return out


def checks(load):
    """Return lines about results that do not look like a valid run, and
    lines about runs that other jobs slowed down."""
    out = []
    notices = []
    for r in load.rows:
        label = f"{r['server']} {r['test']}"
        if r["expected"] == 200 and r["non2xx"] > 0:
            out.append(f"{label}: {r['non2xx']} responses were not 2xx")
        if r["expected"] != 200 and r["non2xx"] != r["requests"]:
            out.append(f"{label}: {r['requests'] - r['non2xx']} of "
                       f"{r['requests']} invalid tokens were accepted")
        if r["other_cpu_pct"] > OTHER_CPU_NOTICE:
            notices.append(f"{label}: other jobs took "
                           f"{r['other_cpu_pct']:.0f}% of the CPUs")
        if r["socket_errors"] > 0:
            out.append(f"{label}: {r['socket_errors']} socket errors or "
                       "timeouts")
    return out, notices


def chart(load, out_dir, png, gnuplot_script, title):
    data = os.path.join(out_dir, "chart.dat")
    with open(data, "w") as f:
        f.write("# test " + " ".join(SERVERS) + "\n")
        for test, label in CHART_TESTS.items():
            values = []
            for server in SERVERS:
                r = load.get(server, ceiling_test(test)
                             if server == "ceiling" else test)
                values.append(f"{r['rps']:.0f}" if r else "NaN")
            f.write(f'"{label}" ' + " ".join(values) + "\n")
    title = title.replace("'", "")
    subprocess.run(["gnuplot", "-e",
                    f"datafile='{data}'; outfile='{png}'; "
                    f"charttitle='{title}'", gnuplot_script], check=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="output folder")
    parser.add_argument("--chart", help="PNG to draw (needs gnuplot)")
    parser.add_argument("--gnuplot-script")
    parser.add_argument("--title", default="Requests per second",
                        help="title of the chart")
    parser.add_argument("--round", type=int,
                        help="report this round alone instead of the "
                        "medians of all rounds")
    parser.add_argument("--markdown", help="Markdown report to write "
                        "(default OUT/report.md)")
    args = parser.parse_args()

    if args.round is None:
        load = Load(read_tsv(os.path.join(args.out, "load.tsv")))
    else:
        load = Load(one_round(os.path.join(args.out, "load-rounds.tsv"),
                              args.round))
    micro_path = os.path.join(args.out, "micro.tsv")
    micro = read_tsv(micro_path) if os.path.exists(micro_path) else []

    lt = load_table(load)
    mt = micro_table(micro) if micro else None
    tg = targets(load, micro)
    problems, notices = checks(load)

    print()
    print(plain(lt))
    if mt:
        print()
        print(plain(mt))
    print()
    for text, measured, met in tg:
        print(f"{'met    ' if met else 'NOT met'}  {text}: {measured}")
    for line in problems:
        print("check:", line)
    for line in notices:
        print("under load:", line)

    machine_path = os.path.join(args.out, "machine.txt")
    with open(args.markdown or os.path.join(args.out, "report.md"),
              "w") as f:
        if os.path.exists(machine_path):
            with open(machine_path) as m:
                f.write("```\n" + m.read() + "```\n\n")
        f.write(markdown(lt) + "\n\n")
        if mt:
            f.write(markdown(mt) + "\n\n")
        f.write("| target | measured | met |\n| --- | ---: | --- |\n")
        for text, measured, met in tg:
            f.write(f"| {text} | {measured} | {'yes' if met else 'no'} |\n")
        for line in problems:
            f.write(f"\ncheck: {line}\n")
        for line in notices:
            f.write(f"\nunder load: {line}\n")

    if args.chart:
        chart(load, args.out, args.chart, args.gnuplot_script, args.title)
        print(f"\nchart: {args.chart}")

    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
