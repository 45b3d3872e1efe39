#!/usr/bin/env python3
"""Two evpnd speakers in two network namespaces, joined by a veth (10.0.0.1/30 - 10.0.0.2/30).

Sub-tests (each in namespaces of its own, run in this order; --only NAME picks some):
  ebgp        AS 65001 vs 65002 reach Established; SIGTERM one: the other logs the received
              NOTIFICATION Cease/Administrative Shutdown (6/2) with the RFC 9003 communication
              "evpnd shutting down", and the stopped daemon exits 0.
  ibgp        the same with both in AS 65000.
  hold-timer  hold time 3 s; SIGSTOP one: the other expires its hold timer within 5 s of the
              stop (RFC 4271 §6.5) and, after SIGCONT, the session comes back.
  md5         TCP MD5 (RFC 2385): equal passwords establish.
  md5-mismatch different passwords, and a password on one side only: in 10 s of connection
              attempts (SYN_SENT sockets seen) nothing is ever established.
  collision   both sides open a connection at the same time (RFC 4271 §6.8): the SYNs are held
              back on a carrier-less link, both daemons are frozen, the link is raised so the
              kernel completes both TCP handshakes, then both are thawed together. Within 30 s
              there must be exactly one Established session over one TCP connection, stable
              for 5 s (an Established torn down on the way is reported as a NOTE).

Usage (root): python3 test_evpnd_pair.py [--evpnd build/bgpd/daemon/evpnd] [--only ebgp ...]
Not root: prints "SKIPPED: ..." and exits 0. EVT_KEEP=1 keeps the logs of a run.
"""

import os
import re
import signal
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lab as L  # noqa: E402

A_IP, B_IP = "10.0.0.1", "10.0.0.2"
SHUTDOWN_RX = (r"received NOTIFICATION cease/administrative-shutdown \(6/2\) "
               r"\"evpnd shutting down\"")


def pair(lab, evpnd, as_a, as_b, extra_a=None, extra_b=None, link=True):
    """Namespaces a and b, a veth between them, and one evpnd in each (peering each other)."""
    a, b = lab.netns("a"), lab.netns("b")
    if link:
        lab.veth(a, "va", b, "vb", f"{A_IP}/30", f"{B_IP}/30")
    conf_a = L.evpnd_config(A_IP, as_a, [dict(address=B_IP, remote_as=as_b, connect_retry_s=1,
                                               **(extra_a or {}))], listen=[A_IP])
    conf_b = L.evpnd_config(B_IP, as_b, [dict(address=A_IP, remote_as=as_a, connect_retry_s=1,
                                               **(extra_b or {}))], listen=[B_IP])
    return a, b, conf_a, conf_b


def start_pair(lab, evpnd, a, b, conf_a, conf_b):
    return lab.evpnd("evpnd-a", a, evpnd, conf_a), lab.evpnd("evpnd-b", b, evpnd, conf_b)


def wait_established(lab, ea, eb, timeout=20):
    la = ea.wait_log(rf"peer {re.escape(B_IP)}: established, AS ", timeout, "A established with B")
    lb = eb.wait_log(rf"peer {re.escape(A_IP)}: established, AS ", timeout, "B established with A")
    L.log(f"  A: {la}")
    L.log(f"  B: {lb}")


def check_session_and_shutdown(lab, evpnd, local_as_a, local_as_b):
    a, b, conf_a, conf_b = pair(lab, evpnd, local_as_a, local_as_b)
    ea, eb = start_pair(lab, evpnd, a, b, conf_a, conf_b)
    wait_established(lab, ea, eb)
    # The established line names the peer's AS: check it is the one configured.
    if not ea.grep(rf"peer {re.escape(B_IP)}: established, AS {local_as_b}\b"):
        raise L.TestFailure(f"A's established line does not say AS {local_as_b}: "
                            f"{ea.established(B_IP)}")
    if not eb.grep(rf"peer {re.escape(A_IP)}: established, AS {local_as_a}\b"):
        raise L.TestFailure(f"B's established line does not say AS {local_as_a}: "
                            f"{eb.established(A_IP)}")
    L.log("  tcp sessions in A: " + str(lab.tcp_sessions(a)))
    mark = eb.mark()
    L.log("  SIGTERM to evpnd A")
    ea.expected_alive = False
    ea.signal(signal.SIGTERM)
    line = eb.wait_log(rf"peer {re.escape(A_IP)}: {SHUTDOWN_RX}", 10,
                       "B to log the received Cease/Administrative Shutdown with "
                       "communication \"evpnd shutting down\"", since=mark)
    L.log(f"  B: {line}")
    rc = ea.wait_exit(10)
    if rc != 0:
        raise L.TestFailure(f"evpnd A exited with status {rc} after SIGTERM (expected 0)")
    L.log(f"  evpnd A exited with status 0; its last line: {ea.lines()[-1] if ea.lines() else ''}")
    sent = ea.grep(rf"peer {re.escape(B_IP)}: sending NOTIFICATION cease/administrative-shutdown")
    if not sent:
        raise L.TestFailure("A did not log sending the Cease NOTIFICATION")
    # B must stay up and go back to trying to reconnect.
    lab.poll_until(lambda: eb.grep(rf"peer {re.escape(A_IP)}: Established -> ", mark), 5,
                   "B to leave Established")


def test_ebgp(args):
    with L.Lab("ebgp") as lab:
        check_session_and_shutdown(lab, args.evpnd, 65001, 65002)


def test_ibgp(args):
    with L.Lab("ibgp") as lab:
        check_session_and_shutdown(lab, args.evpnd, 65000, 65000)


def test_hold_timer(args):
    with L.Lab("hold") as lab:
        timers = dict(hold_time_s=3, keepalive_s=1)
        a, b, conf_a, conf_b = pair(lab, args.evpnd, 65001, 65002, timers, timers)
        ea, eb = start_pair(lab, args.evpnd, a, b, conf_a, conf_b)
        wait_established(lab, ea, eb)
        if not eb.grep(rf"peer {re.escape(A_IP)}: established, AS .*hold 3 s"):
            raise L.TestFailure(f"negotiated hold time is not 3 s: {eb.established(A_IP)}")
        # Keepalives must keep a healthy 3 s session up: 4 s without a session-down.
        mark = eb.mark()
        lab.hold_for(lambda: eb.grep(r"session down|Established -> ", mark) or
                     ea.grep(r"session down|Established -> ", mark), 4,
                     "the session dropped while both daemons were running")
        mark_b, mark_a = eb.mark(), ea.mark()
        t_stop = time.time()
        L.log("  SIGSTOP to evpnd A")
        ea.signal(signal.SIGSTOP)
        try:
            line = eb.wait_log(rf"peer {re.escape(A_IP)}: .*hold-timer-expired", 8,
                               "B to expire its hold timer", since=mark_b)
        finally:
            ea.signal(signal.SIGCONT)
        t_line = L.log_line_time(line)
        delay = (t_line if t_line else time.time()) - t_stop
        for detail in eb.grep(rf"peer {re.escape(A_IP)}: .*(hold-timer-expired|Established -> )",
                              mark_b):
            L.log(f"  B: {detail}")
        L.log(f"  hold timer expired {delay:.2f} s after SIGSTOP")
        if delay > 5.0:
            raise L.TestFailure(f"hold timer expired {delay:.2f} s after the peer froze "
                                "(hold time 3 s; expected within 5 s)")
        if delay < 1.5:
            raise L.TestFailure(f"hold timer expired only {delay:.2f} s after the peer froze: "
                                "earlier than hold time 3 s minus one keepalive interval")
        # After SIGCONT, A learns what happened and both come back to Established.
        got = ea.wait_log(rf"peer {re.escape(B_IP)}: (received NOTIFICATION|session down)", 10,
                          "A (thawed) to notice the session is gone", since=mark_a)
        L.log(f"  A: {got}")
        eb.wait_log(rf"peer {re.escape(A_IP)}: established, AS ", 20,
                    "B to re-establish after A was thawed", since=mark_b)
        ea.wait_log(rf"peer {re.escape(B_IP)}: established, AS ", 20,
                    "A to re-establish after being thawed", since=mark_a)
        L.log("  session re-established after SIGCONT")


def test_md5(args):
    with L.Lab("md5") as lab:
        pw = dict(password="evpnd-md5-test")
        a, b, conf_a, conf_b = pair(lab, args.evpnd, 65001, 65002, pw, pw)
        ea, eb = start_pair(lab, args.evpnd, a, b, conf_a, conf_b)
        wait_established(lab, ea, eb)
        if "evpnd-md5-test" in ea.text() + eb.text():
            raise L.TestFailure("the MD5 password appears in a log")


def test_md5_mismatch(args):
    with L.Lab("md5x") as lab:
        # Pair 1: two different passwords. Pair 2 (its own namespaces): a password on A only.
        a, b, conf_a, conf_b = pair(lab, args.evpnd, 65001, 65002, dict(password="alpha-pw"),
                                    dict(password="bravo-pw"))
        ea, eb = start_pair(lab, args.evpnd, a, b, conf_a, conf_b)
        c, d = lab.netns("c"), lab.netns("d")
        lab.veth(c, "vc", d, "vd", f"{A_IP}/30", f"{B_IP}/30")
        ec = lab.evpnd("evpnd-c", c, args.evpnd, L.evpnd_config(
            A_IP, 65001, [dict(address=B_IP, remote_as=65002, connect_retry_s=1,
                               password="only-one-side")], listen=[A_IP]))
        ed = lab.evpnd("evpnd-d", d, args.evpnd, L.evpnd_config(
            B_IP, 65002, [dict(address=A_IP, remote_as=65001, connect_retry_s=1)],
            listen=[B_IP]))
        seen_syn = {}

        def any_established():
            for ns in (a, b, c, d):
                if ns not in seen_syn and lab.tcp_sessions(ns, states="syn-sent"):
                    seen_syn[ns] = True
            found = [f"{e.name}: {line}" for e in (ea, eb, ec, ed) for line in e.established()]
            tcp = [f"{ns}: {row}" for ns in (a, b, c, d) for row in lab.tcp_sessions(ns)]
            return found + tcp

        lab.hold_for(any_established, 10, "a session came up despite the MD5 mismatch",
                     interval=0.1)
        L.log(f"  10 s, no Established and no established TCP connection; SYN_SENT seen in "
              f"{len(seen_syn)} of 4 namespaces")
        if not (seen_syn.get(a) or seen_syn.get(b)) or not (seen_syn.get(c) or seen_syn.get(d)):
            raise L.TestFailure("no connection attempt (SYN_SENT) was seen in one of the pairs: "
                                "the test proves nothing")
        for e in (ea, eb, ec, ed):
            for secret in ("alpha-pw", "bravo-pw", "only-one-side"):
                if secret in e.text():
                    raise L.TestFailure(f"{e.name} logged an MD5 password")


def test_collision(args):
    with L.Lab("coll") as lab:
        # a (10.0.0.1) --- sw:br0 --- b (10.0.0.2). sw's ports start down: a's and b's links have
        # no carrier, so their SYNs are dropped while the sockets wait in SYN_SENT.
        timers = dict(hold_time_s=9, keepalive_s=3, connect_retry_s=5)
        a, b = lab.netns("a"), lab.netns("b")
        sw = lab.netns("sw")
        mac_a, mac_b = "02:00:0a:00:00:01", "02:00:0a:00:00:02"
        lab.ip(sw, "link", "add", "br0", "type", "bridge")
        lab.ip(sw, "link", "set", "br0", "up")
        lab.veth(a, "va", sw, "xa", mac_a=mac_a, up=False)
        lab.veth(b, "vb", sw, "xb", mac_a=mac_b, up=False)
        for ns, ifname, addr, peer_ip, peer_mac in ((a, "va", A_IP, B_IP, mac_b),
                                                    (b, "vb", B_IP, A_IP, mac_a)):
            lab.ip(ns, "addr", "add", f"{addr}/24", "dev", ifname)
            lab.ip(ns, "link", "set", ifname, "up")
            lab.ip(ns, "neigh", "replace", peer_ip, "lladdr", peer_mac, "dev", ifname,
                   "nud", "permanent")
        for port in ("xa", "xb"):
            lab.ip(sw, "link", "set", port, "master", "br0")
        conf_a = L.evpnd_config(A_IP, 65001, [dict(address=B_IP, remote_as=65002, **timers)],
                                listen=[A_IP])
        conf_b = L.evpnd_config(B_IP, 65002, [dict(address=A_IP, remote_as=65001, **timers)],
                                listen=[B_IP])
        ea, eb = start_pair(lab, args.evpnd, a, b, conf_a, conf_b)

        def syn_sent(ns, dst):
            return [r for r in lab.tcp_sessions(ns, states="syn-sent") if r[-1] == f"{dst}:179"]

        lab.poll_until(lambda: syn_sent(a, B_IP) and syn_sent(b, A_IP), 15,
                       "both daemons to have a connection in SYN_SENT")
        ea.signal(signal.SIGSTOP)
        eb.signal(signal.SIGSTOP)
        L.log("  both connecting (SYN_SENT); both daemons frozen; raising the link")
        try:
            for port in ("xa", "xb"):
                lab.ip(sw, "link", "set", port, "up")

            def two_connections():
                ta, tb = lab.tcp_sessions(a), lab.tcp_sessions(b)
                return len(ta) == 2 and len(tb) == 2 and (ta, tb)

            ta, tb = L.poll_until(two_connections, 15,
                                  "the kernel to complete both TCP handshakes (2 connections)")
            L.log(f"  TCP in a while frozen: {[(r[-2], r[-1]) for r in ta]}")
        finally:
            ea.signal(signal.SIGCONT)
            eb.signal(signal.SIGCONT)
        L.log("  both daemons thawed")

        def settled():
            ta, tb = lab.tcp_sessions(a), lab.tcp_sessions(b)
            return (ea.state(B_IP) == "Established" and eb.state(A_IP) == "Established"
                    and len(ta) == 1 and len(tb) == 1 and ta)

        try:
            lab.poll_until(settled, 30, "both sides Established over exactly one TCP connection")
        except L.TestFailure as e:
            raise L.TestFailure(
                f"{e}; now A is {ea.state(B_IP)}, B is {eb.state(A_IP)}, TCP connections in a: "
                f"{[(r[-2], r[-1]) for r in lab.tcp_sessions(a)]}, 'connection collision' "
                f"logged by A {len(ea.grep('connection collision'))}x, by B "
                f"{len(eb.grep('connection collision'))}x") from None
        mark_a, mark_b = ea.mark(), eb.mark()

        def unstable():
            moves = r" -> \w+ on |session down"
            bad = [f"A: {x}" for x in ea.grep(moves, mark_a)]
            bad += [f"B: {x}" for x in eb.grep(moves, mark_b)]
            ta, tb = lab.tcp_sessions(a), lab.tcp_sessions(b)
            if len(ta) != 1 or len(tb) != 1:
                bad.append(f"TCP connections: a {ta}, b {tb}")
            return bad

        lab.hold_for(unstable, 5, "the session was not stable after the collision")
        survivor = lab.tcp_sessions(a)[0]
        local, remote = survivor[-2], survivor[-1]
        opened_by_b = local.endswith(":179")
        L.log(f"  final: one Established session over {local} <- {remote} (seen from a), opened "
              f"by {'b (10.0.0.2, the higher BGP Identifier)' if opened_by_b else 'a (10.0.0.1)'}"
              ", stable for 5 s")
        coll_a = ea.grep(r"connection collision")
        coll_b = eb.grep(r"connection collision")
        for who, e in (("A", ea), ("B", eb)):
            for line in e.grep(r"connection collision|collision-resolution|"
                               r"incoming connection refused"):
                L.log(f"  {who}: {line}")
        if coll_a and coll_b and not opened_by_b:
            raise L.TestFailure("both sides detected the collision, yet the connection opened by "
                                "the lower BGP Identifier survived (RFC 4271 §6.8)")
        if not coll_a and not coll_b:
            L.log("  NOTE: neither daemon logged 'connection collision' (each adopted the "
                  "incoming connection while still in Connect)")
        n_a, n_b = len(ea.established(B_IP)), len(eb.established(A_IP))
        if n_a > 1 or n_b > 1:
            L.log(f"  NOTE: Established reached {n_a} time(s) on A and {n_b} on B: a session that "
                  "had reached Established was torn down while the collision was resolved:")
            for who, e, peer in (("A", ea, B_IP), ("B", eb, A_IP)):
                for line in e.grep(rf"peer {re.escape(peer)}: (established, AS |Established -> )"):
                    L.log(f"    {who}: {line}")


TESTS = [("ebgp", test_ebgp), ("ibgp", test_ibgp), ("hold-timer", test_hold_timer),
         ("md5", test_md5), ("md5-mismatch", test_md5_mismatch), ("collision", test_collision)]


def run(args):
    L.require_tools(args.evpnd, "ip", "ss")
    L.run_subtests(TESTS, args.only, args)


if __name__ == "__main__":
    L.main(run, "test_evpnd_pair")
