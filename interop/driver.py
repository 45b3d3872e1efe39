#!/usr/bin/env python3
"""interop/run.sh's driver: builds the fabrics of interop/fabric.py, runs the scenarios of
interop/scenarios.py (all, or those named), and writes the report: text on stdout, JSON to
--report (default interop/out/report.json). Exit 0 when every scenario run passed, 1 when one
failed, 2 on a usage error; not root: prints "SKIPPED: ..." and exits 0.

A fabric is built once and reused by the scenarios that run on it; before each one the driver
checks that it is healthy (daemons alive, every session Established, flood lists complete) and
rebuilds it when not, and after a failed scenario it always rebuilds it (the logs of the failed
one go to <report>-logs/, by default interop/out/report-logs/).
"""

import argparse
import datetime
import json
import os
import platform
import shutil
import subprocess
import sys
import time
import traceback

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import fabric as F  # noqa: E402
import scenarios as S  # noqa: E402

L = F.L


def version(package):
    r = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", package], capture_output=True,
                       text=True)
    return r.stdout.strip() or None


def select(words):
    if not words:
        return [s for s in S.SCENARIOS if s.implemented and not s.opt_in], []
    chosen, errors = [], []
    for w in words:
        hits = [s for s in S.SCENARIOS if s.matches(w)]
        if not hits:
            errors.append(f"unknown scenario '{w}'")
        for s in hits:
            if not s.implemented:
                errors.append(f"scenario {s.id} ({s.name}) is not implemented yet: {s.why}")
            elif s not in chosen:
                chosen.append(s)
    # Run in the registry's order: scenarios that share a fabric run one after the other.
    return [s for s in S.SCENARIOS if s in chosen], errors


def save_logs(fab, dest):
    """Copies the regular files of the fabric's lab directory (daemon logs, configs, FRR's
    logs) to dest."""
    src = fab.lab.tmp
    if not os.path.isdir(src):
        return None
    for root, _, files in os.walk(src):
        for name in files:
            path = os.path.join(root, name)
            if not os.path.isfile(path) or os.path.islink(path):
                continue
            out = os.path.join(dest, os.path.relpath(path, src))
            os.makedirs(os.path.dirname(out), exist_ok=True)
            try:
                shutil.copyfile(path, out)
            except OSError:
                pass
    return dest


def evpnd_warnings(fab, limit=40):
    """evpnd's own warning and error lines in this fabric's logs (every instance, restarts
    included): what evpnd complained about while the scenarios ran."""
    out, seen = [], set()
    for p in fab.lab.procs:
        if not isinstance(p, L.Evpnd) or p.log_path in seen:
            continue
        seen.add(p.log_path)
        for line in p.grep(r"^\S+ (warn\w*|error|critical|fatal) ", flags=0):
            out.append(f"{p.name}: {line}")
    return out[:limit]


class Runner:
    def __init__(self, args):
        self.args = args
        self.fab = None
        self.fab_kind = None
        self.fabrics = []  # report entries, one per build
        self.results = []
        # Beside the report and named after it, so that deleting it at the start of a run can
        # only ever delete an earlier run's logs.
        self.log_dir = os.path.splitext(os.path.abspath(args.report))[0] + "-logs"
        self.builds = 0

    def close_fabric(self):
        if self.fab:
            entry = self.fabrics[-1] if self.fabrics else {}
            entry["evpnd_warnings"] = evpnd_warnings(self.fab)
            if self.args.save_logs and "logs" not in entry:
                entry["logs"] = save_logs(self.fab, os.path.join(
                    self.log_dir, f"fabric{len(self.fabrics)}-{self.fab_kind}"))
            entry["sanitizer_reports"] = self.fab.close()
            if entry["sanitizer_reports"]:
                L.log(f"FAIL: sanitizer reports in evpnd's logs: {entry['sanitizer_reports']}")
        self.fab, self.fab_kind = None, None

    def build(self, kind):
        self.close_fabric()
        self.builds += 1
        spec = S.FABRICS[kind]
        fab = F.Fabric(f"io{self.builds}-{kind.split('-')[0]}", self.args.evpnd,
                       routegen=self.args.routegen, **spec)
        entry = {"fabric": kind, "layout": fab.label(), "error": None}
        self.fabrics.append(entry)
        L.log(f"=== building fabric {kind}: {fab.label()}")
        try:
            fab.build()
        except Exception as e:  # noqa: BLE001 - every failure goes into the report
            entry["error"] = str(e) if isinstance(e, L.TestFailure) else traceback.format_exc()
            entry["logs"] = save_logs(fab, os.path.join(self.log_dir, f"build{self.builds}-"
                                                                      f"{kind}"))
            fab.lab.dump_logs(20)
            fab.close()
            raise L.TestFailure(f"fabric {kind} could not be built: {entry['error']}")
        entry.update(fab.timings)
        L.log(f"    built in {fab.timings['build_s']:.1f} s (sessions up after "
              f"{fab.timings['sessions_up_s']:.1f} s, flood lists after "
              f"{fab.timings['flood_lists_s']:.1f} s)")
        self.fab, self.fab_kind = fab, kind

    def healthy(self):
        """None when the current fabric can be reused, else why not."""
        try:
            self.fab.lab.check_alive()
            if not self.fab.sessions_up():
                self.fab.wait_sessions(15)
            self.fab.wait_flood_lists(10)
            left = [h for h in self.fab.hosts if not h.startswith("h")]
            if left:
                return f"hosts left over by an earlier scenario: {left}"
        except L.TestFailure as e:
            return str(e)
        return None

    def run_one(self, sc):
        res = S.Result()
        entry = {"id": sc.id, "name": sc.name, "title": sc.title, "fabric": sc.fabric,
                 "verdict": None, "duration_s": None, "message": None}
        L.log(f"--- scenario {sc.id} {sc.name}: {sc.title}")
        t0 = time.monotonic()
        try:
            if self.fab_kind != sc.fabric or self.fab is None or self.fab.broken:
                self.build(sc.fabric)
            else:
                why = self.healthy()
                if why:
                    L.log(f"    fabric not reusable ({why}): rebuilding")
                    res.metrics["fabric_rebuilt_because"] = why
                    self.build(sc.fabric)
            entry["fabric_build"] = len(self.fabrics)
            t0 = time.monotonic()
            sc.fn(self.fab, res)
            self.fab.lab.check_alive()
            entry["verdict"] = "pass"
        except L.TestFailure as e:
            entry["verdict"], entry["message"] = "fail", str(e)
        except Exception:  # noqa: BLE001 - a bug in a scenario is a failure, not a crash
            entry["verdict"], entry["message"] = "fail", traceback.format_exc()
        entry["duration_s"] = round(time.monotonic() - t0, 3)
        entry["convergence"] = res.convergence
        entry["metrics"] = res.metrics
        entry["checks"] = res.checks
        if entry["verdict"] == "fail":
            L.log(f"FAIL {sc.id} {sc.name}: {entry['message']}")
            if self.fab is not None:
                entry["logs"] = save_logs(self.fab, os.path.join(self.log_dir,
                                                                 f"{sc.id}-{sc.name}"))
                self.fab.lab.dump_logs(25)
                self.fab.broken = True
                self.close_fabric()
        else:
            L.log(f"PASS {sc.id} {sc.name} ({entry['duration_s']:.1f} s)")
        self.results.append(entry)


def text_report(report):
    lines = ["", "interop report " + report["started_at"], ""]
    for s in report["scenarios"]:
        conv = ", ".join(f"{k}: {v['s']:.3f} s" for k, v in s["convergence"].items())
        lines.append(f"{s['verdict'].upper():5} {s['id']:3} {s['name']:18} "
                     f"{s['duration_s']:6.1f} s  {conv}")
        for k, v in s["metrics"].items():
            if k == "ping" or k.endswith("_note") or k == "fabric_rebuilt_because":
                lines.append(f"{'':30}{k}: {v}")
        if s["message"]:
            lines.append(f"{'':30}{s['message'].strip().splitlines()[-1][:400]}")
        if s.get("logs"):
            lines.append(f"{'':30}logs: {s['logs']}")
    for s in report["not_run"]:
        lines.append(f"{'SKIP':5} {s['id']:3} {s['name']:18} run only when named: {s['why']}")
    for s in report["not_implemented"]:
        lines.append(f"{'N/A':5} {s['id']:3} {s['name']:18} not implemented yet: {s['why']}")
    for fab in report["fabrics"]:
        for w in fab.get("evpnd_warnings") or []:
            lines.append(f"WARN  evpnd logged ({fab['fabric']}): {w[:300]}")
        for w in fab.get("sanitizer_reports") or []:
            lines.append(f"FAIL  sanitizer ({fab['fabric']}): {w[:300]}")
    c = report["counts"]
    lines += ["", f"{report['result'].upper()}: {c['pass']} passed, {c['fail']} failed, "
                  f"{c['not_implemented']} not implemented; {report['duration_s']:.1f} s; "
                  f"report {report['report']}"]
    return "\n".join(lines)


def main():
    p = argparse.ArgumentParser(
        prog="interop/run.sh",
        description="Builds an EVPN fabric (evpnd, FRR 8.4, GoBGP 3.10) in network namespaces "
                    "and runs pass/fail scenarios. Scenarios by id (1, 5a, 7), number or name.")
    p.add_argument("scenario", nargs="*", help="scenarios to run (default: all implemented)")
    default = os.environ.get("EVPND") or os.path.join(HERE, "..", "build", "bgpd", "daemon",
                                                      "evpnd")
    p.add_argument("--evpnd", default=default, help="the evpnd binary (evpnctl is found beside "
                                                    "it, in ../cli/)")
    p.add_argument("--routegen", default=os.environ.get("ROUTEGEN"),
                   help="the bgp_routegen binary (scenarios 6 and 9; default: "
                        "tests/tools/bgp_routegen in evpnd's build tree, or $ROUTEGEN)")
    p.add_argument("--report", default=os.path.join(HERE, "out", "report.json"),
                   help="where to write the JSON report (default interop/out/report.json)")
    p.add_argument("--list", action="store_true", help="list the scenarios and exit")
    p.add_argument("--save-logs", action="store_true",
                   help="keep every fabric's logs in <report>-logs/ (default: only those of "
                        "failed scenarios)")
    args = p.parse_args()
    if args.list:
        for s in S.SCENARIOS:
            state = ("[not implemented yet]" if not s.implemented else
                     f"[{s.fabric}, opt-in]" if s.opt_in else f"[{s.fabric}]")
            print(f"{s.id:3} {s.name:18} {state:22} {s.title}")
            for why in (s.why, s.opt_in):
                if why:
                    print(f"{'':45}{why}")
        return 0
    chosen, errors = select(args.scenario)
    if errors:
        for e in errors:
            print(f"run.sh: {e}", file=sys.stderr)
        print("run.sh: --list shows the scenarios", file=sys.stderr)
        return 2
    L.skip_unless_root()
    args.evpnd = os.path.abspath(args.evpnd)
    args.report = os.path.abspath(args.report)
    # evpnd is <build>/bgpd/daemon/evpnd; the generator <build>/tests/tools/bgp_routegen.
    args.routegen = os.path.abspath(args.routegen or os.path.join(
        os.path.dirname(args.evpnd), "..", "..", "tests", "tools", "bgp_routegen"))
    needs = {t for s in chosen for t in s.needs}
    missing = [t for t in (args.evpnd, os.path.join(os.path.dirname(args.evpnd), "..", "cli",
                                                    "evpnctl"))
               if not os.access(t, os.X_OK)]
    if "routegen" in needs and not os.access(args.routegen, os.X_OK):
        missing.append(f"{args.routegen} (build the bgp_routegen target, or pass --routegen)")
    for tool in ("ip", "bridge", "ping", "arping", "vtysh", "gobgp", "gobgpd") + \
            (("exabgp",) if "exabgp" in needs else ()):
        if not shutil.which(tool):
            missing.append(tool)
    for daemon in ("zebra", "bgpd"):
        if not os.access(os.path.join(L.FRR_BIN, daemon), os.X_OK):
            missing.append(os.path.join(L.FRR_BIN, daemon))
    if missing:
        print(f"FAIL: missing tools: {', '.join(missing)}", flush=True)
        return 1
    os.makedirs(os.path.dirname(args.report), exist_ok=True)
    runner = Runner(args)
    shutil.rmtree(runner.log_dir, ignore_errors=True)
    started = datetime.datetime.now().astimezone()
    t0 = time.monotonic()
    try:
        for sc in chosen:
            runner.run_one(sc)
    finally:
        runner.close_fabric()
    results = runner.results
    counts = {"pass": sum(r["verdict"] == "pass" for r in results),
              "fail": sum(r["verdict"] == "fail" for r in results),
              "not_implemented": sum(not s.implemented for s in S.SCENARIOS)}
    sanitizer = sum(len(f.get("sanitizer_reports") or []) for f in runner.fabrics)
    report = {
        "started_at": started.isoformat(timespec="seconds"),
        "duration_s": round(time.monotonic() - t0, 3),
        "result": "pass" if counts["fail"] == 0 and results and not sanitizer else "fail",
        "counts": counts,
        "report": args.report,
        "evpnd": args.evpnd,
        "routegen": args.routegen,
        "versions": {"frr": version("frr"), "gobgpd": version("gobgpd"),
                     "exabgp": version("exabgp"), "kernel": platform.release()},
        "fabrics": runner.fabrics,
        "scenarios": results,
        "not_run": [{"id": s.id, "name": s.name, "title": s.title, "why": s.opt_in}
                    for s in S.SCENARIOS if s.opt_in and s not in chosen],
        "not_implemented": [{"id": s.id, "name": s.name, "title": s.title, "why": s.why}
                            for s in S.SCENARIOS if not s.implemented],
    }
    with open(args.report + ".tmp", "w") as f:
        json.dump(report, f, indent=2)
        f.write("\n")
    os.replace(args.report + ".tmp", args.report)
    print(text_report(report), flush=True)
    return 0 if report["result"] == "pass" else 1


if __name__ == "__main__":
    sys.exit(main())
