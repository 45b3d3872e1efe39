"""A small lab for real-peer integration tests: network namespaces, veth links and daemons
(evpnd, FRR zebra+bgpd, GoBGP) started inside them, polled until a condition holds, and torn
down again whatever happens.

Safety rules this module keeps:
  * Every namespace it creates is named ``evt-<pid>-<lab>-<name>`` (<pid> = this test's
    process), and every link and address lives inside those namespaces: nothing touches the root
    namespace.
  * Every process it starts is remembered and killed by pid; every namespace it created is
    emptied (``ip netns pids``) and deleted. Cleanup runs from try/finally in the tests, from
    atexit, and from the SIGTERM/SIGINT/SIGHUP handlers (which raise SystemExit).
  * Namespaces left behind by an earlier run whose process no longer exists (``evt-<deadpid>-*``,
    e.g. after a SIGKILL by a ctest timeout) are reaped on start.
  * Never sleep-and-hope: wait with ``poll_until``, every 100-200 ms, with a deadline.

Standard library only. Run as root (the tests print ``SKIPPED: ...`` and exit 0 otherwise).
"""

import atexit
import ctypes
import datetime
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

PREFIX = "evt-"
FRR_BIN = "/usr/lib/frr"
GOBGP_API = "127.0.0.1"
GOBGP_PORT = 50051


class TestFailure(Exception):
    """A check failed; the message says which and why."""


def log(msg):
    ts = datetime.datetime.now().strftime("%H:%M:%S.%f")[:-3]
    print(f"[{ts}] {msg}", flush=True)


def skip_unless_root():
    """The only reason to skip: not root. Prints the marker ctest recognises and exits 0."""
    if os.geteuid() != 0:
        print("SKIPPED: needs root to create network namespaces", flush=True)
        sys.exit(0)


def require_tools(*tools):
    """Fails (does not skip) when running as root without a needed tool."""
    missing = [t for t in tools if not (os.path.isabs(t) and os.access(t, os.X_OK))
               and not (not os.path.isabs(t) and shutil.which(t))]
    if missing:
        raise TestFailure(f"missing tools: {', '.join(missing)}")


def poll_until(fn, timeout, what, interval=0.15, check=None):
    """Calls fn every `interval` seconds until it returns a truthy value (returned) or `timeout`
    seconds have passed (TestFailure). `check`, if given, runs before each attempt and may raise
    (e.g. a daemon died). Transient errors of fn (a CLI not ready yet, JSON half-written) count as
    'not yet'; the last one is reported on timeout."""
    deadline = time.monotonic() + timeout
    last_error = None
    while True:
        if check:
            check()
        try:
            value = fn()
            if value:
                return value
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired, ValueError,
                KeyError, OSError) as e:
            last_error = e
        if time.monotonic() >= deadline:
            detail = f" (last error: {last_error})" if last_error else ""
            raise TestFailure(f"timeout after {timeout} s waiting for {what}{detail}")
        time.sleep(interval)


def hold_for(fn, duration, what, interval=0.2, check=None):
    """The opposite of poll_until: fn must stay falsy for `duration` seconds. Returns the time
    checked; raises TestFailure with fn's value the moment it turns truthy."""
    deadline = time.monotonic() + duration
    while time.monotonic() < deadline:
        if check:
            check()
        value = fn()
        if value:
            raise TestFailure(f"{what}: {value}")
        time.sleep(interval)
    return duration


def _run(argv):
    """Runs a setup command; a failure becomes a TestFailure that quotes its stderr."""
    r = subprocess.run(argv, capture_output=True, text=True)
    if r.returncode != 0:
        raise TestFailure(f"{' '.join(argv)} failed ({r.returncode}): {r.stderr.strip()}")
    return r.stdout


def _pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _netns_list():
    out = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    return [line.split()[0] for line in out.splitlines() if line.strip()]


def _netns_pids(ns):
    out = subprocess.run(["ip", "netns", "pids", ns], capture_output=True, text=True).stdout
    return [int(p) for p in out.split() if p.isdigit()]


def _empty_and_delete_netns(ns):
    """Terminates every process inside namespace `ns` (ours), then deletes it."""
    pids = _netns_pids(ns)
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid in pids:
            try:
                os.kill(pid, sig)
                if sig == signal.SIGTERM:
                    os.kill(pid, signal.SIGCONT)  # a stopped process would keep SIGTERM pending
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + 3
        while pids and time.monotonic() < deadline:
            time.sleep(0.1)
            pids = _netns_pids(ns)
        if not pids:
            break
    subprocess.run(["ip", "netns", "del", ns], capture_output=True)


def _remove_frr_rundir(ns):
    # FRR's -N <ns> makes an (empty) /var/run/frr/<ns>: named after our namespace, so ours.
    try:
        os.rmdir(os.path.join("/var/run/frr", ns))
    except OSError:
        pass


def _stale(name):
    m = re.match(rf"^{PREFIX}(\d+)-", name)
    return bool(m) and int(m.group(1)) != os.getpid() and not _pid_alive(int(m.group(1)))


def reap_stale_namespaces():
    """Deletes evt-<pid>-* namespaces of earlier runs whose process is gone."""
    for ns in _netns_list():
        if _stale(ns):
            log(f"reaping namespace {ns} left behind by a dead run")
            _empty_and_delete_netns(ns)
    if os.path.isdir("/var/run/frr"):
        for name in os.listdir("/var/run/frr"):
            if _stale(name):
                _remove_frr_rundir(name)
    # Work directories of dead runs (logs, configs), unless kept on purpose with EVT_KEEP.
    tmp = tempfile.gettempdir()
    for name in os.listdir(tmp):
        path = os.path.join(tmp, name)
        if (_stale(name) and os.path.isdir(path) and not os.path.islink(path)
                and not os.path.exists(os.path.join(path, ".keep"))):
            shutil.rmtree(path, ignore_errors=True)


_PR_SET_PDEATHSIG = 1


def _die_with_parent():
    # Runs in the child between fork and exec: if this test is SIGKILLed (ctest timeout), the
    # child gets SIGKILL too. `ip netns exec` execs the command, so the setting reaches the
    # daemon (privilege-dropping daemons such as FRR lose it; the stale reaper catches them).
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    except Exception:  # noqa: BLE001 - best effort only
        pass


class Proc:
    """A process started by the lab inside a namespace, output to a log file."""

    def __init__(self, lab, name, ns, argv, log_path, cwd=None, env=None):
        self.lab, self.name, self.ns, self.argv, self.log_path = lab, name, ns, argv, log_path
        self.expected_alive = True
        self._log_file = open(log_path, "ab")
        full = ["ip", "netns", "exec", ns] + list(argv)
        self.popen = subprocess.Popen(full, stdout=self._log_file, stderr=subprocess.STDOUT,
                                      stdin=subprocess.DEVNULL, cwd=cwd, env=env,
                                      preexec_fn=_die_with_parent)
        # `ip netns exec` execs the command: this pid is the daemon's own.
        self.pid = self.popen.pid

    def alive(self):
        return self.popen.poll() is None

    def signal(self, sig):
        if self.alive():
            os.kill(self.pid, sig)

    def stop(self, timeout=5):
        """SIGTERM, then SIGKILL after `timeout` seconds. Returns the exit code."""
        self.expected_alive = False
        if self.alive():
            try:
                os.kill(self.pid, signal.SIGTERM)
                os.kill(self.pid, signal.SIGCONT)
            except ProcessLookupError:
                pass
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()
        self._log_file.close()
        return self.popen.returncode

    def wait_exit(self, timeout):
        self.expected_alive = False
        try:
            return self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            raise TestFailure(f"{self.name} did not exit within {timeout} s")

    # ---- log access (the daemon's stdout+stderr, or its own log file for FRR)
    def text(self):
        try:
            with open(self.log_path, "r", errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def lines(self):
        return self.text().splitlines()

    def mark(self):
        """A position in the log: pass it as `since` to look only at what comes after."""
        return len(self.lines())

    def grep(self, pattern, since=0, flags=0):
        rx = re.compile(pattern, flags)
        return [line for line in self.lines()[since:] if rx.search(line)]

    def wait_log(self, pattern, timeout, what=None, since=0):
        """Polls the log until a line matches; returns the first matching line."""
        return poll_until(lambda: (self.grep(pattern, since) or [None])[0], timeout,
                          what or f"{self.name} to log /{pattern}/", check=self.lab.check_alive)


def log_line_time(line):
    """The wall-clock time (epoch seconds) of an evpnd log line ('2026-11-27T18:01:02.345 ...')."""
    m = re.match(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3})", line)
    if not m:
        return None
    return datetime.datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S.%f").timestamp()


class Evpnd(Proc):
    def __init__(self, lab, name, ns, binary, config_text, log_level="debug", wrapper=None,
                 api_dir=None):
        """`wrapper`: argv to run evpnd under (e.g. setpriv); `api_dir`: where its API socket
        goes (default the lab's directory)."""
        self.config_path = os.path.join(lab.tmp, f"{name}.conf")
        # Every instance gets its own API socket in the lab's directory (the default path is
        # shared by the whole machine).
        self.api_socket = os.path.join(api_dir or lab.tmp, f"{name}.sock")
        if "api {" not in config_text:
            config_text = config_text.replace(
                "global {", f'global {{\n  api {{ unix_socket: "{self.api_socket}" }}', 1)
        self.evpnctl_bin = os.path.join(os.path.dirname(binary), "..", "cli", "evpnctl")
        with open(self.config_path, "w") as f:
            f.write(config_text)
        super().__init__(lab, name, ns,
                         list(wrapper or []) + [binary, "-c", self.config_path, "--log-level",
                                                log_level],
                         os.path.join(lab.tmp, f"{name}.log"))

    def ctl(self, *args, json_out=True, check=True):
        """Runs evpnctl against this instance: (exit code, parsed JSON or text, stderr)."""
        argv = [self.evpnctl_bin, "--socket", self.api_socket] + (["--json"] if json_out else [])
        r = subprocess.run(argv + [str(a) for a in args], capture_output=True, text=True,
                           timeout=30)
        if check and r.returncode != 0:
            raise TestFailure(f"evpnctl {' '.join(map(str, args))} failed ({r.returncode}): "
                              f"{r.stderr.strip()}")
        out = r.stdout
        if json_out and r.returncode == 0 and out.strip():
            out = json.loads(out)
        return r.returncode, out, r.stderr

    def macs(self, vni=None):
        """{mac: Mac JSON} of this instance (one VNI or all)."""
        args = ["evpn", "macs"] + (["--vni", vni] if vni else [])
        return {m["mac"]: m for m in self.ctl(*args)[1].get("macs", [])}

    def reload(self, config_text):
        """Rewrites the configuration file and sends SIGHUP; returns the log mark from before."""
        mark = self.mark()
        if "api {" not in config_text:
            config_text = config_text.replace(
                "global {", f'global {{\n  api {{ unix_socket: "{self.api_socket}" }}', 1)
        with open(self.config_path, "w") as f:
            f.write(config_text)
        self.signal(signal.SIGHUP)
        self.wait_log(r"reloading ", 10, f"{self.name} to reload", since=mark)
        return mark

    def mac_location(self, vni, mac):
        """Where this evpnd places (vni, mac), from its API: ('local'|'remote'|'none', vtep,
        sequence), or None when it does not know the MAC."""
        rc, out, _ = self.ctl("evpn", "macs", "--vni", vni, check=False)
        if rc != 0:
            return None
        for m in out.get("macs", []):
            if m["mac"] == mac:
                return (m["location"], m.get("vtep") or None, m["sequence"])
        return None

    def established(self, peer=None, since=0):
        """Lines announcing an Established session (all peers, or one peer address)."""
        who = re.escape(peer) if peer else r"\S+"
        return self.grep(rf"peer {who}: established, AS ", since)

    def state(self, peer):
        """The peer's FSM state after the last logged transition ('peer X: A -> B on E')."""
        moves = self.grep(rf"peer {re.escape(peer)}: \w+ -> (\w+) on ")
        if not moves:
            return None
        return re.search(r": \w+ -> (\w+) on ", moves[-1]).group(1)


def evpn_block(vnis, vtep=None, duplicate=None):
    """The `evpn { ... }` block of an evpnd configuration. `vnis`: list of dicts with `vni` and
    optionally `rd`, `route_targets` (list) and `local_macs` (list of dicts: mac, ips, sticky);
    `duplicate`: DuplicateMacDetection fields (max_moves, window_s, freeze, recovery_s)."""
    out = ["evpn {"]
    if vtep:
        out.append(f'  vtep_address: "{vtep}"')
    if duplicate:
        out.append("  duplicate_mac_detection {")
        for key, value in duplicate.items():
            out.append(f"    {key}: {str(value).lower() if isinstance(value, bool) else value}")
        out.append("  }")
    for v in vnis:
        out += ["  vnis {", f"    vni: {v['vni']}"]
        if "rd" in v:
            out.append(f'    rd: "{v["rd"]}"')
        out += [f'    route_targets: "{rt}"' for rt in v.get("route_targets", ())]
        for m in v.get("local_macs", ()):
            out += ["    local_macs {", f'      mac: "{m["mac"]}"']
            out += [f'      ips: "{ip}"' for ip in m.get("ips", ())]
            if m.get("sticky"):
                out.append("      sticky: true")
            out.append("    }")
        out.append("  }")
    out.append("}")
    return "\n".join(out) + "\n"


def evpnd_config(router_id, local_as, peers, listen=(), cluster_id=None, evpn=None):
    """An evpnd configuration (proto/config.proto, text format). `peers` is a list of dicts with
    `address` and any PeerSettings field (remote_as, passive, password, route_reflector_client,
    families, ...) plus `hold_time_s`, `keepalive_s`, `connect_retry_s` for the timers. `evpn`:
    an evpn_block() text."""
    out = ["global {", f'  router_id: "{router_id}"', f"  local_as: {local_as}"]
    out += [f'  listen_addresses: "{a}"' for a in listen]
    if cluster_id:
        out.append(f'  cluster_id: "{cluster_id}"')
    out.append("}")
    timer_keys = ("hold_time_s", "keepalive_s", "connect_retry_s")
    for peer in peers:
        peer = dict(peer)
        out += ["peers {", f'  address: "{peer.pop("address")}"']
        if "description" in peer:
            out.append(f'  description: "{peer.pop("description")}"')
        out.append("  settings {")
        timers = {k: peer.pop(k) for k in timer_keys if k in peer}
        if timers:
            out.append("    timers {")
            out += [f"      {k}: {v}" for k, v in timers.items()]
            out.append("    }")
        for key, value in peer.items():
            values = value if isinstance(value, (list, tuple)) else [value]
            for v in values:
                if isinstance(v, bool):
                    v = "true" if v else "false"
                elif isinstance(v, str) and not v.startswith("ADDRESS_FAMILY_"):
                    v = json.dumps(v)
                out.append(f"    {key}: {v}")
        out += ["  }", "}"]
    return "\n".join(out) + "\n" + (evpn or "")


class Frr:
    """FRR 8.4 zebra + bgpd in a namespace, with their own directory (config, sockets, logs)."""

    def __init__(self, lab, ns, bgpd_conf, zebra_conf=""):
        self.lab, self.ns = lab, ns
        self.dir = os.path.join(lab.tmp, f"frr-{ns.split('-')[-1]}")
        os.makedirs(self.dir)
        for name, text in (("zebra.conf", zebra_conf), ("bgpd.conf", bgpd_conf)):
            with open(os.path.join(self.dir, name), "w") as f:
                f.write(text)
        shutil.chown(self.dir, "frr", "frr")
        for name in os.listdir(self.dir):
            shutil.chown(os.path.join(self.dir, name), "frr", "frr")
        self.zebra = self._start("zebra", ["-s", "67108864"])
        poll_until(lambda: os.path.exists(os.path.join(self.dir, "zserv.api")), 20,
                   f"zebra in {ns} to create zserv.api", check=lab.check_alive)
        self.bgpd = self._start("bgpd", [])
        poll_until(lambda: self.vtysh("show bgp summary", check=True) is not None, 20,
                   f"bgpd in {ns} to answer vtysh", check=lab.check_alive)

    def _start(self, daemon, extra):
        d = self.dir
        argv = [f"{FRR_BIN}/{daemon}", "-N", self.ns, "-F", "datacenter", "-P", "0",
                "--vty_socket", d, "-z", f"{d}/zserv.api", "-f", f"{d}/{daemon}.conf",
                "-i", f"{d}/{daemon}.pid", "--log", f"file:{d}/{daemon}.log"] + extra
        proc = Proc(self.lab, f"{daemon}@{self.ns}", self.ns, argv, f"{d}/{daemon}.out")
        self.lab.procs.append(proc)
        return proc

    def vtysh(self, *commands, check=True):
        argv = ["ip", "netns", "exec", self.ns, "vtysh", "--vty_socket", self.dir]
        for c in commands:
            argv += ["-c", c]
        r = subprocess.run(argv, capture_output=True, text=True, timeout=15)
        if check and r.returncode != 0:
            raise subprocess.CalledProcessError(r.returncode, argv, r.stdout, r.stderr)
        return r.stdout

    def vtysh_json(self, command):
        return json.loads(self.vtysh(command))

    def log_paths(self):
        return [os.path.join(self.dir, n) for n in ("zebra.log", "bgpd.log", "zebra.out",
                                                    "bgpd.out")]


class GoBgp(Proc):
    def __init__(self, lab, ns, toml):
        self.conf = os.path.join(lab.tmp, f"gobgpd-{ns.split('-')[-1]}.toml")
        with open(self.conf, "w") as f:
            f.write(toml)
        super().__init__(lab, f"gobgpd@{ns}", ns,
                         ["gobgpd", "-f", self.conf, "-p", "--pprof-disable",
                          "--api-hosts", f"{GOBGP_API}:{GOBGP_PORT}"],
                         os.path.join(lab.tmp, f"gobgpd-{ns.split('-')[-1]}.log"), cwd=lab.tmp)

    def cli(self, *args, check=True):
        argv = ["ip", "netns", "exec", self.ns, "gobgp", "-u", GOBGP_API, "-p", str(GOBGP_PORT)]
        argv += list(args)
        r = subprocess.run(argv, capture_output=True, text=True, timeout=15)
        if check and r.returncode != 0:
            raise subprocess.CalledProcessError(r.returncode, argv, r.stdout, r.stderr)
        return r.stdout

    def wait_api(self, timeout=20):
        poll_until(lambda: self.cli("global", check=True) is not None, timeout,
                   f"gobgpd API in {self.ns}", check=self.lab.check_alive)


_LABS = []
_HANDLERS_INSTALLED = False


def _on_signal(signum, frame):
    raise SystemExit(128 + signum)


def _cleanup_all():
    for lab in list(_LABS):
        lab.cleanup()


SANITIZER_REPORT = (r"ERROR: (AddressSanitizer|LeakSanitizer)|WARNING: ThreadSanitizer|"
                    r"runtime error: ")


class Lab:
    """One test run's namespaces, links and processes. Use as a context manager."""

    def __init__(self, name):
        global _HANDLERS_INSTALLED
        self.name = name
        self.tag = f"{PREFIX}{os.getpid()}-{name}-"
        self.namespaces = []
        self.procs = []
        self.cleaned = False
        self.keep = bool(os.environ.get("EVT_KEEP"))
        reap_stale_namespaces()
        self.tmp = tempfile.mkdtemp(prefix=f"{self.tag}")
        os.chmod(self.tmp, 0o755)  # FRR runs as user frr and must reach its directory
        _LABS.append(self)
        if not _HANDLERS_INSTALLED:
            atexit.register(_cleanup_all)
            for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
                signal.signal(sig, _on_signal)
            _HANDLERS_INSTALLED = True

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None and exc_type is not SystemExit:
            self.dump_logs()
        # Read before cleanup deletes the logs: a sanitizer report at shutdown (a leak, a race
        # in a destructor) fails the test even though every check before it passed.
        reports = self.sanitizer_reports()
        self.cleanup()
        if reports and exc_type is None:
            raise TestFailure("sanitizer reports:\n" + "\n".join(reports))
        return False

    def sanitizer_reports(self):
        """The first line of each ASan/UBSan/LSan/TSan report in our evpnd logs (after stopping
        them, so that reports written at exit are seen)."""
        out = []
        for p in self.procs:
            if not isinstance(p, Evpnd):
                continue
            p.stop(timeout=5)
            out += [f"{p.name}: {line.strip()}" for line in p.grep(SANITIZER_REPORT)]
        return out

    # ---------------------------------------------------------------- namespaces and links
    def netns(self, short):
        ns = f"{self.tag}{short}"
        _run(["ip", "netns", "add", ns])
        self.namespaces.append(ns)
        self.sh(ns, "ip", "link", "set", "lo", "up")
        # No SLAAC / router solicitations: only the addresses the test sets.
        for key in ("default/autoconf", "default/accept_ra"):
            self.sh(ns, "sh", "-c", f"echo 0 > /proc/sys/net/ipv6/conf/{key}")
        return ns

    def veth(self, ns_a, if_a, ns_b, if_b, addr_a=None, addr_b=None, mac_a=None, mac_b=None,
             up=True):
        """A veth pair created directly inside the two namespaces (never in the root one)."""
        argv = ["ip", "link", "add", if_a, "netns", ns_a]
        if mac_a:
            argv += ["address", mac_a]
        argv += ["type", "veth", "peer", "name", if_b, "netns", ns_b]
        if mac_b:
            argv += ["address", mac_b]
        _run(argv)
        for ns, ifname, addr in ((ns_a, if_a, addr_a), (ns_b, if_b, addr_b)):
            if addr:
                self.ip(ns, "addr", "add", addr, "dev", ifname)
            if up:
                self.ip(ns, "link", "set", ifname, "up")

    def vxlan_vtep(self, ns, local, vni=100, bridge="br100", vxlan="vxlan100"):
        """A VTEP as NOTES.md and the examples set one up: `bridge` with `vxlan` (VNI `vni`,
        local address `local`, UDP 4789, nolearning) as a port that does not learn either."""
        self.ip(ns, "link", "add", bridge, "type", "bridge")
        self.ip(ns, "link", "add", vxlan, "type", "vxlan", "id", str(vni), "local", local,
                "dstport", "4789", "nolearning")
        self.ip(ns, "link", "set", vxlan, "master", bridge, "addrgenmode", "none")
        self.ip(ns, "link", "set", vxlan, "type", "bridge_slave", "learning", "off",
                "neigh_suppress", "off")
        self.ip(ns, "link", "set", vxlan, "up")
        self.ip(ns, "link", "set", bridge, "up")

    def quiet_host(self, short):
        """A host namespace without IPv6, so it sends no frame (DAD, MLD) until a test makes it:
        bridges learn its MAC exactly when the test says."""
        ns = self.netns(short)
        for key in ("all", "default"):
            self.sh(ns, "sh", "-c", f"echo 1 > /proc/sys/net/ipv6/conf/{key}/disable_ipv6")
        return ns

    def ip(self, ns, *args):
        return _run(["ip", "-n", ns] + list(args))

    def sh(self, ns, *argv, check=True, timeout=30):
        r = subprocess.run(["ip", "netns", "exec", ns] + list(argv), capture_output=True,
                           text=True, timeout=timeout)
        if check and r.returncode != 0:
            raise TestFailure(f"in {ns}: {' '.join(argv)} failed ({r.returncode}): "
                              f"{r.stderr.strip()}")
        return r.stdout

    def tcp_sessions(self, ns, port=179, states="established"):
        """TCP sockets in `ns` in `states` with local or remote port `port`, each as ss's fields
        [Recv-Q, Send-Q, local address:port, peer address:port]."""
        out = self.sh(ns, "ss", "-Htn", "state", states,
                      f"( sport = :{port} or dport = :{port} )")
        rows = []
        for line in out.splitlines():
            f = line.split()
            if len(f) >= 4:
                rows.append(f)
        return rows

    # ---------------------------------------------------------------- processes
    def spawn(self, name, ns, argv, log_path=None, cwd=None):
        p = Proc(self, name, ns, argv, log_path or os.path.join(self.tmp, f"{name}.log"), cwd=cwd)
        self.procs.append(p)
        return p

    def evpnd(self, name, ns, binary, config_text, **kwargs):
        p = Evpnd(self, name, ns, binary, config_text, **kwargs)
        self.procs.append(p)
        return p

    def frr(self, ns, bgpd_conf, zebra_conf=""):
        return Frr(self, ns, bgpd_conf, zebra_conf)

    def gobgp(self, ns, toml):
        p = GoBgp(self, ns, toml)
        self.procs.append(p)
        p.wait_api()
        return p

    def check_alive(self):
        """Fails at once when a daemon that should be running has exited."""
        for p in self.procs:
            if p.expected_alive and not p.alive():
                p.expected_alive = False
                tail = "\n".join(p.lines()[-20:])
                raise TestFailure(f"{p.name} exited unexpectedly with status "
                                  f"{p.popen.returncode}; last log lines:\n{tail}")

    def poll_until(self, fn, timeout, what, interval=0.15):
        return poll_until(fn, timeout, what, interval, check=self.check_alive)

    def hold_for(self, fn, duration, what, interval=0.2):
        return hold_for(fn, duration, what, interval, check=self.check_alive)

    # ---------------------------------------------------------------- teardown
    def dump_logs(self, lines=40):
        paths = [p.log_path for p in self.procs]
        for d in sorted(os.listdir(self.tmp)) if os.path.isdir(self.tmp) else []:
            full = os.path.join(self.tmp, d)
            if os.path.isdir(full):
                paths += [os.path.join(full, n) for n in ("zebra.log", "bgpd.log")]
        seen = set()
        for path in paths:
            if path in seen or not os.path.exists(path):
                continue
            seen.add(path)
            with open(path, errors="replace") as f:
                tail = f.read().splitlines()[-lines:]
            print(f"==== {os.path.relpath(path, self.tmp)} (last {len(tail)} lines)", flush=True)
            for line in tail:
                print("    " + line)
        sys.stdout.flush()

    def cleanup(self):
        if self.cleaned:
            return
        self.cleaned = True
        old = {}
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            old[sig] = signal.signal(sig, signal.SIG_IGN)
        try:
            for p in reversed(self.procs):
                p.stop(timeout=3)
                # FRR keeps a per-process scratch directory while it runs; a killed one stays.
                for daemon in ("zebra", "bgpd"):
                    if p.name.startswith(daemon + "@"):
                        shutil.rmtree(f"/var/tmp/frr/{daemon}.{p.pid}", ignore_errors=True)
            for ns in reversed(self.namespaces):
                _empty_and_delete_netns(ns)
                _remove_frr_rundir(ns)
            left = [ns for ns in _netns_list() if ns in self.namespaces]
            if left:
                print(f"WARNING: could not delete namespaces {left}", file=sys.stderr)
            if self.keep:
                open(os.path.join(self.tmp, ".keep"), "w").close()
                print(f"logs kept in {self.tmp}", flush=True)
            else:
                shutil.rmtree(self.tmp, ignore_errors=True)
        finally:
            if self in _LABS:
                _LABS.remove(self)
            for sig, handler in old.items():
                signal.signal(sig, handler)


def main(test_fn, name, add_args=None):
    """Parses the common arguments, applies the skip rule, runs test_fn(args), reports PASS/FAIL
    (exit 0/1). `add_args(parser)` may add test-specific arguments."""
    import argparse
    parser = argparse.ArgumentParser()
    if add_args:
        add_args(parser)
    here = os.path.dirname(os.path.abspath(__file__))
    default = os.environ.get("EVPND") or os.path.join(here, "..", "..", "build", "bgpd",
                                                      "daemon", "evpnd")
    parser.add_argument("--evpnd", default=default, help="path to the evpnd binary")
    parser.add_argument("--only", action="append", default=[],
                        help="run only the named sub-test (repeatable)")
    args = parser.parse_args()
    skip_unless_root()
    args.evpnd = os.path.abspath(args.evpnd)
    start = time.monotonic()
    try:
        test_fn(args)
    except TestFailure as e:
        print(f"FAIL: {name}: {e}", flush=True)
        sys.exit(1)
    print(f"PASS: {name} ({time.monotonic() - start:.1f} s)", flush=True)


def run_subtests(tests, only, args):
    """Runs (name, fn) sub-tests, all of them or those named in `only` (a name or its group,
    the part before '/'); raises TestFailure naming the ones that failed, or an unknown name."""
    known = {n for n, _ in tests} | {n.split("/")[0] for n, _ in tests}
    unknown = [o for o in only if o not in known]
    if unknown:
        raise TestFailure(f"unknown sub-test(s) {unknown}; known: {sorted(known)}")
    failures = []
    for name, fn in tests:
        if only and name not in only and name.split("/")[0] not in only:
            continue
        log(f"--- {name}")
        start = time.monotonic()
        try:
            fn(args)
        except TestFailure as e:
            log(f"FAIL {name}: {e}")
            failures.append(name)
            continue
        log(f"ok   {name} ({time.monotonic() - start:.1f} s)")
    if failures:
        raise TestFailure(f"failed sub-tests: {', '.join(failures)}")
