"""Load-test the JWT service, its no-auth ceiling and two Node anchors.

Started by bench/run.sh, which builds everything first.  Each round starts
every server in turn on its own free 127.0.0.1 port, all with the same
number of workers.  For each of its tests the server gets a wrk warm-up and
then a measured wrk run of fixed length, and the CPU time of its processes
is read from /proc before and after.  The peak resident memory of its
workers is read before it is stopped by PID.  The servers' order rotates
from round to round.

Writes OUT/load-rounds.tsv (one line per round and test) and
OUT/load.tsv (medians over the rounds), which bench/report.py turns into
the table and the chart.
"""

import argparse
import http.client
import json
import os
import re
import resource
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time

import jwt  # Debian python3-jwt (PyJWT)

ISSUER = "twil.io"
ORG = "twilio"
TTL = 86400
USERNAME = "bench"

CLK_TCK = os.sysconf("SC_CLK_TCK")
START_TIMEOUT = 15      # seconds until a server must respond to HTTP
STOP_TIMEOUT = 5        # seconds between SIGTERM and SIGKILL

# Test name and the status the app returns.  Each test sends the requests
# of the spec file of its name: bearer-one one valid token, bearer-rotating
# a different valid token each request, bearer-invalid tokens signed with
# another key, and jwt-post the right credentials as JSON.
TESTS = {
    "bearer-one": 200,
    "bearer-rotating": 200,
    "bearer-invalid": 401,
    "jwt-post": 200,
}
ALL_TESTS = list(TESTS)


class Server:
    """One server under test: how to start it and which tests it runs."""

    def __init__(self, name, tests, launch):
        self.name = name
        self.tests = tests
        self.launch = launch    # function(port, run_dir) -> (argv, env)
        self.proc = None
        self.port = None
        self.log = None

    def start(self, run_dir):
        """Start the server and wait until it responds to HTTP."""
        os.makedirs(run_dir, exist_ok=True)
        for _attempt in range(3):
            self.port = free_port()
            argv, env = self.launch(self.port, run_dir)
            self.log = os.path.join(run_dir, "server.log")
            with open(self.log, "ab") as log:
                self.proc = subprocess.Popen(
                    argv, cwd=run_dir, env=env, stdin=subprocess.DEVNULL,
                    stdout=log, stderr=subprocess.STDOUT,
                    start_new_session=True)
            if self.wait_ready():
                return
            self.stop()
            with open(self.log, "rb") as log:
                if b"Address already in use" not in log.read():
                    break
        raise RuntimeError(f"{self.name} did not respond on port {self.port} "
                           f"within {START_TIMEOUT} s; see {self.log}")

    def wait_ready(self):
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port,
                                                  timeout=1)
                conn.request("GET", "/bearer")
                conn.getresponse().read()
                conn.close()
                return True
            except OSError:
                time.sleep(0.1)
        return False

    def members(self):
        """Return the ids of the processes in the server's session."""
        return session_members(self.proc.pid)

    def cpu_ticks(self):
        """Return user + system clock ticks of the session's processes,
        with those of children they already reaped."""
        total = 0
        for pid in self.members():
            fields = proc_stat(pid)
            if fields is not None:
                total += sum(int(f) for f in fields[11:15])
        return total

    def worker_peak_kib(self):
        """Return the largest VmHWM, in KiB, of the server's workers (the
        processes of its session other than the one started)."""
        peak = 0
        for pid in self.members():
            if pid == self.proc.pid:
                continue
            peak = max(peak, vm_hwm_kib(pid))
        return peak

    def stop(self):
        """Stop the server by PID: SIGTERM, SIGKILL after STOP_TIMEOUT,
        then SIGKILL to whatever its session still holds."""
        if self.proc is None:
            return
        pid = self.proc.pid
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                print(f"{self.name}: {pid} ignored SIGTERM; sending SIGKILL",
                      file=sys.stderr)
                self.proc.kill()
                self.proc.wait()
        left = session_members(pid)
        if left:
            print(f"{self.name}: killing processes left behind: {left}",
                  file=sys.stderr)
            for p in left:
                try:
                    os.kill(p, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        self.proc = None


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def proc_stat(pid):
    """Return the fields of /proc/PID/stat after the command name (field 3
    onward), or None when the process is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            data = f.read()
    except OSError:
        return None
    return data[data.rindex(")") + 2:].split()


def machine_busy_ticks():
    """Return the clock ticks all CPUs spent on anything but idle and I/O
    wait since boot (/proc/stat)."""
    with open("/proc/stat") as f:
        fields = [int(v) for v in f.readline().split()[1:]]
    return sum(fields) - fields[3] - fields[4]


def children_cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def session_members(sid):
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        fields = proc_stat(int(entry))
        # fields[0] is the state (field 3), fields[3] the session (field 6).
        if fields is not None and int(fields[3]) == sid and fields[0] != "Z":
            pids.append(int(entry))
    return pids


def vm_hwm_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def lua_string(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def mint_tokens(secret, count, now):
    """Return count tokens with the claims the service issues, each with
    its own iat (now, now - 1, ...) so that no two are alike."""
    tokens = []
    for i in range(count):
        iat = now - i
        claims = {"sub": USERNAME, "iss": ISSUER, "org": ORG,
                  "perms": ["read"], "iat": iat, "exp": iat + TTL}
        tokens.append(jwt.encode(claims, secret, algorithm="HS256"))
    return tokens


def write_spec(path, method, target, headers, body=None, tokens=None):
    lines = ["return {",
             f"\tmethod = {lua_string(method)},",
             f"\tpath = {lua_string(target)},",
             "\theaders = {"]
    for name, value in headers.items():
        lines.append(f"\t\t[{lua_string(name)}] = {lua_string(value)},")
    lines.append("\t},")
    if body is not None:
        lines.append(f"\tbody = {lua_string(body)},")
    if tokens is not None:
        lines.append("\ttokens = {")
        lines.extend(f"\t\t{lua_string(t)}," for t in tokens)
        lines.append("\t},")
    lines.append("}")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def write_specs(spec_dir, secret, password, ntokens):
    """Write the wrk request specs and return, for each, one request
    (method, path, headers, body) used to check the status beforehand."""
    os.makedirs(spec_dir, exist_ok=True)
    now = int(time.time())
    valid = mint_tokens(secret, ntokens, now)
    other_key = secrets.token_hex(32)
    invalid = mint_tokens(other_key, ntokens, now)
    body = json.dumps({"username": USERNAME, "password": password},
                      separators=(",", ":"))

    write_spec(f"{spec_dir}/bearer-one.lua", "GET", "/bearer", {},
               tokens=valid[:1])
    write_spec(f"{spec_dir}/bearer-rotating.lua", "GET", "/bearer", {},
               tokens=valid)
    write_spec(f"{spec_dir}/bearer-invalid.lua", "GET", "/bearer", {},
               tokens=invalid)
    write_spec(f"{spec_dir}/jwt-post.lua", "POST", "/jwt",
               {"Content-Type": "application/json"}, body=body)

    auth = lambda t: {"Authorization": "Bearer " + t}
    return {
        "bearer-one": ("GET", "/bearer", auth(valid[0]), None),
        "bearer-rotating": ("GET", "/bearer", auth(valid[-1]), None),
        "bearer-invalid": ("GET", "/bearer", auth(invalid[0]), None),
        "jwt-post": ("POST", "/jwt", {"Content-Type": "application/json"},
                     body),
    }


def check_status(server, probe):
    """Send one request of the test and return its status."""
    method, target, headers, body = probe
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    conn.request(method, target, body=body, headers=headers)
    status = conn.getresponse().status
    conn.close()
    return status


def run_wrk(args, server, spec, seconds):
    """Run wrk against server with spec for seconds; return its summary."""
    argv = ["wrk", f"-t{args.threads}", f"-c{args.connections}",
            f"-d{seconds}s", "--latency", "--timeout", "5s",
            "-s", args.wrk_script, f"http://127.0.0.1:{server.port}",
            "--", spec, str(args.threads)]
    done = subprocess.run(argv, capture_output=True, text=True,
                          timeout=seconds + 60)
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): "
                           f"{done.stderr.strip()}")
    for line in done.stdout.splitlines():
        if line.startswith("BENCH "):
            return dict((k, float(v)) for k, v in
                        (item.split("=") for item in line.split()[1:]))
    raise RuntimeError("wrk printed no BENCH line:\n" + done.stdout)


def top_conf(root, module, port, run_dir, workers):
    """Fill in conf/server.conf.in as the Makefile does, and add the worker
    count, so both Kore servers run under the service's own settings."""
    values = {"MODULE": module, "PORT": str(port),
              "PIDFILE": os.path.join(run_dir, "kore.pid"),
              "APP_CONF": os.path.join(root, "conf", "app.conf")}
    lines = []
    with open(os.path.join(root, "conf", "server.conf.in")) as f:
        for line in f:
            if not line.lstrip().startswith("#"):
                for name, value in values.items():
                    line = line.replace(f"@{name}@", value)
                if re.search(r"@[A-Z_]+@", line):
                    raise RuntimeError("conf/server.conf.in has a "
                                       "placeholder that bench/load.py does "
                                       f"not fill: {line.strip()}")
            lines.append(line)
    lines.append(f"\n# Added by bench/load.py.\nworkers\t\t{workers}\n")
    return "".join(lines)


def make_servers(args, env_common):
    root = args.root
    path_env = "/usr/local/bin:/usr/bin:/bin"

    def kore(module):
        def launch(port, run_dir):
            conf = os.path.join(run_dir, "top.conf")
            with open(conf, "w") as f:
                f.write(top_conf(root, module, port, run_dir, args.workers))
            return ["kore", "-fnr", "-c", conf], dict(env_common,
                                                       PATH=path_env)
        return launch

    def node(mode):
        def launch(port, run_dir):
            env = dict(env_common, PATH=path_env, NODE_ENV="production",
                       BENCH_PORT=str(port), BENCH_WORKERS=str(args.workers),
                       BENCH_KEY_MODE=mode,
                       BENCH_SALARIES=f"{root}/assets/salaries.json")
            return ["node", f"{root}/bench/node/server.js"], env
        return launch

    return [
        Server("ceiling", ["bearer-one", "jwt-post"],
               kore(args.ceiling_module)),
        Server("app", ALL_TESTS, kore(args.app_module)),
        Server("node-key", ALL_TESTS, node("keyobject")),
        Server("node-string", ALL_TESTS, node("string")),
    ]


def run_round(args, servers, probes, rnd, rows):
    order = servers[rnd % len(servers):] + servers[:rnd % len(servers)]
    for server in order:
        run_dir = os.path.join(args.out, "servers", f"{server.name}-{rnd + 1}")
        server.start(run_dir)
        try:
            for test in server.tests:
                # The ceiling returns 200 to every request.
                expected = 200 if server.name == "ceiling" else TESTS[test]
                status = check_status(server, probes[test])
                if status != expected:
                    raise RuntimeError(f"{server.name} {test}: status "
                                       f"{status}, expected {expected}")
                spec = os.path.join(args.out, "specs", test + ".lua")
                if args.warmup > 0:
                    run_wrk(args, server, spec, args.warmup)

                started = time.strftime("%H:%M:%S", time.gmtime())
                machine = machine_busy_ticks()
                client = children_cpu_seconds()
                elapsed = time.monotonic()
                ticks = server.cpu_ticks()
                result = run_wrk(args, server, spec, args.duration)
                ticks = server.cpu_ticks() - ticks
                elapsed = time.monotonic() - elapsed
                client = children_cpu_seconds() - client
                machine = machine_busy_ticks() - machine

                # CPU time of everything but this server and wrk: other
                # jobs, and kernel work not charged to either.
                other = (machine - ticks) / CLK_TCK - client
                row = summarize(server, test, rnd, result, ticks, expected)
                row["start_utc"] = started
                row["other_cpu_pct"] = max(0.0, 100 * other /
                                           (elapsed * os.cpu_count()))
                rows.append(row)
                print(f"round {rnd + 1}/{args.rounds} {server.name:<11} "
                      f"{test:<15} {row['rps']:>9.0f} req/s  "
                      f"p99 {row['p99_ms']:.2f} ms  "
                      f"{row['cpu_us']:.1f} us CPU/req  "
                      f"other CPU {row['other_cpu_pct']:.0f}%", flush=True)
            peak = server.worker_peak_kib()
            for row in rows:
                if row["server"] == server.name and row["round"] == rnd + 1:
                    row["rss_kib"] = peak
        finally:
            server.stop()


def profile(args, servers, probes):
    """Record the workers of --profile-server with perf while wrk runs one
    test, and print where their CPU time goes."""
    server = next(s for s in servers if s.name == args.profile_server)
    test = args.profile
    spec = os.path.join(args.out, "specs", test + ".lua")
    data = os.path.join(args.out, f"perf-{server.name}-{test}.data")

    server.start(os.path.join(args.out, "servers", f"{server.name}-profile"))
    try:
        status = check_status(server, probes[test])
        print(f"{server.name} {test}: status {status}", flush=True)
        run_wrk(args, server, spec, args.warmup or 1)
        workers = [p for p in server.members() if p != server.proc.pid]
        wrk = subprocess.Popen(
            ["wrk", f"-t{args.threads}", f"-c{args.connections}",
             f"-d{args.duration + 2}s", "-s", args.wrk_script,
             f"http://127.0.0.1:{server.port}", "--", spec,
             str(args.threads)], stdout=subprocess.DEVNULL)
        try:
            time.sleep(1)
            subprocess.run(["perf", "record", "-q", "-g", "-o", data, "-p",
                            ",".join(map(str, workers)), "--", "sleep",
                            str(args.duration)], check=True)
        finally:
            wrk.wait(timeout=args.duration + 60)
    finally:
        server.stop()

    for sort in ("dso", "dso,symbol"):
        subprocess.run(["perf", "report", "-i", data, "--no-children",
                        "--percent-limit", "0.7", "--stdio", "-g", "none",
                        "--sort", sort], check=True)


def summarize(server, test, rnd, result, ticks, expected):
    requests = result["requests"]
    seconds = result["duration_us"] / 1e6
    socket_errors = sum(result[k] for k in ("connect_errors", "read_errors",
                                            "write_errors", "timeouts"))
    return {
        "server": server.name,
        "test": test,
        "round": rnd + 1,
        "requests": int(requests),
        "rps": requests / seconds,
        "p50_ms": result["p50_us"] / 1000,
        "p99_ms": result["p99_us"] / 1000,
        "cpu_us": ticks / CLK_TCK * 1e6 / requests if requests else 0,
        "rss_kib": 0,
        "non2xx": int(result["status_errors"]),
        "socket_errors": int(socket_errors),
        "expected": expected,
    }


ROUND_COLUMNS = ["server", "test", "round", "start_utc", "requests", "rps",
                 "p50_ms", "p99_ms", "cpu_us", "rss_kib", "non2xx",
                 "socket_errors", "expected", "other_cpu_pct"]
SUMMARY_COLUMNS = ["server", "test", "rounds", "requests", "rps", "p50_ms",
                   "p99_ms", "cpu_us", "rss_kib", "non2xx", "socket_errors",
                   "expected", "other_cpu_pct"]


def write_tsv(path, columns, rows):
    with open(path, "w") as f:
        f.write("\t".join(columns) + "\n")
        for row in rows:
            f.write("\t".join(fmt(row[c]) for c in columns) + "\n")


def fmt(value):
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def aggregate(servers, rows):
    """Return the medians over the rounds.  Peak memory and other jobs' CPU
    share are the largest of the rounds, and counts add up."""
    summary = []
    for server in servers:
        for test in server.tests:
            mine = [r for r in rows
                    if r["server"] == server.name and r["test"] == test]
            if not mine:
                continue
            summary.append({
                "server": server.name,
                "test": test,
                "rounds": len(mine),
                "requests": sum(r["requests"] for r in mine),
                "rps": statistics.median(r["rps"] for r in mine),
                "p50_ms": statistics.median(r["p50_ms"] for r in mine),
                "p99_ms": statistics.median(r["p99_ms"] for r in mine),
                "cpu_us": statistics.median(r["cpu_us"] for r in mine),
                "rss_kib": max(r["rss_kib"] for r in mine),
                "non2xx": sum(r["non2xx"] for r in mine),
                "socket_errors": sum(r["socket_errors"] for r in mine),
                "expected": mine[0]["expected"],
                "other_cpu_pct": max(r["other_cpu_pct"] for r in mine),
            })
    return summary


def main():
    # SIGTERM unwinds like Ctrl-C, so the servers still get stopped.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(143))

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", required=True, help="repository root")
    parser.add_argument("--out", required=True, help="output folder")
    parser.add_argument("--app-module", required=True)
    parser.add_argument("--ceiling-module", required=True)
    parser.add_argument("--wrk-script", required=True)
    parser.add_argument("--duration", type=int, default=10,
                        help="seconds per measured wrk run")
    parser.add_argument("--warmup", type=int, default=1,
                        help="seconds of wrk before each measured run")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--connections", type=int, default=64,
                        help="wrk connections")
    parser.add_argument("--workers", type=int, default=2,
                        help="worker processes of every server")
    parser.add_argument("--tokens", type=int, default=5000,
                        help="tokens in the rotating and invalid lists")
    parser.add_argument("--profile", choices=ALL_TESTS,
                        help="instead of the benchmark, record one test "
                        "with perf and print the hottest functions")
    parser.add_argument("--profile-server", default="app",
                        choices=["ceiling", "app", "node-key",
                                 "node-string"])
    args = parser.parse_args()
    # The servers run in their own folders.
    for name in ("root", "out", "app_module", "ceiling_module", "wrk_script"):
        setattr(args, name, os.path.abspath(getattr(args, name)))

    password = secrets.token_hex(12)
    secret = secrets.token_hex(32)
    env_common = {"JWT_SECRET": secret, "AUTH_USERNAME": USERNAME,
                  "AUTH_PASSWORD": password}
    probes = write_specs(os.path.join(args.out, "specs"), secret, password,
                         args.tokens)
    servers = make_servers(args, env_common)
    shutil.rmtree(os.path.join(args.out, "servers"), ignore_errors=True)

    if args.profile:
        profile(args, servers, probes)
        return

    rows = []
    try:
        for rnd in range(args.rounds):
            run_round(args, servers, probes, rnd, rows)
    finally:
        for server in servers:
            server.stop()
        write_tsv(os.path.join(args.out, "load-rounds.tsv"), ROUND_COLUMNS,
                  rows)

    write_tsv(os.path.join(args.out, "load.tsv"), SUMMARY_COLUMNS,
              aggregate(servers, rows))


if __name__ == "__main__":
    try:
        main()
    except (RuntimeError, subprocess.TimeoutExpired) as err:
        sys.exit(f"load.py: {err}")
