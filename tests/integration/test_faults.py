#!/usr/bin/env python3
"""Fault injection against evpnd's BGP speaker: a small raw BGP speaker written here (socket +
struct) misbehaves in ways real peers do by accident or on purpose, and evpnd must answer as RFC
4271 says, log it, keep running and let the next session come up.

   spk (the raw speaker, Python)                 sut (evpnd, AS 65000, id 10.0.9.2)
   s-e 10.0.9.1/24 ---------------------------- e-s 10.0.9.2/24

iBGP in AS 65000, family L2VPN EVPN only; evpnd runs with kernel_fdb off and VNI 100
(RT 65000:100). The speaker's sockets are opened inside the `spk` namespace (setns around
socket(); a socket stays in the namespace it was created in), so the test itself is one process.
Its OPEN carries Multiprotocol (AFI 25 / SAFI 70) and 4-octet AS; its UPDATEs carry EVPN type-2
routes (RD 10.0.9.1:100, ESI 0, Ethernet tag 0, MAC, no IP, label = VNI 100 as RFC 8365 §5.1.3
and evpnd's evpn/label.h put it) in MP_REACH_NLRI with ORIGIN, an empty AS_PATH, LOCAL_PREF and
the route target 65000:100.

Sub-tests (each in namespaces of its own; --only NAME picks some):
  garbage        Established, then 64 random bytes (no marker): NOTIFICATION 1/1 Connection Not
                 Synchronized, evpnd closes, logs it, withdraws the peer's routes, and the next
                 session from the same peer comes up.
  truncated      (a) a header saying 60 bytes, 30 bytes sent, then FIN: no NOTIFICATION, the
                 session goes down (connection-failed), the routes go, the next session comes up.
                 (b) the same 30 bytes and silence, hold time 3: the partial message does not
                 count, NOTIFICATION 4/0 about 3 s later. (c) a header length of 18 and (d) one
                 of 4097 on an UPDATE without the extended message capability: NOTIFICATION 1/2
                 Bad Message Length whose data is the bad length; a new session comes up after
                 each.
  byte-at-a-time OPEN, KEEPALIVE and an UPDATE with 3 type-2 routes, one byte per send() (TCP
                 no-delay, 1 ms apart): the session establishes without any NOTIFICATION and the
                 RIB holds exactly the 3 routes.
  silent         evpnd connects (not passive) to the speaker listening on 10.0.9.1:179. (a) The
                 speaker sends its OPEN (hold 3) and nothing more: evpnd's hold timer expires in
                 OpenConfirm, NOTIFICATION 4/0 about 3 s after the OPEN, logged; evpnd connects
                 again. (b) The speaker completes the session and goes silent: 4/0 in
                 Established, evpnd connects again.
  flap-100       100 sessions in a row, each with 5 routes of its own (checked in the RIB), ended
                 in turn by FIN, Cease NOTIFICATION and RST: evpnd stays up, its VmRSS after the
                 100 flaps is within 8 MB of the VmRSS after the first 5, the RIB holds exactly the
                 routes of the last session, and none once that one is closed too.
  storm          max_prefix { limit: 10000 }; the speaker sends 200,000 type-2 routes, 115 per
                 UPDATE: NOTIFICATION 6/1 (Cease, Maximum Number of Prefixes Reached), peak RSS
                 (VmHWM) below idle VmRSS + 64 MB, the routes are gone afterwards, evpnd answers
                 the API, and refuses the peer's next connection (no restart_after_s).
  secrets        a peer with TCP-MD5 password "s3cr3t-Md5-Key" (the speaker cannot sign, so the
                 session stays down; both sides try to connect): the password appears neither in
                 evpnd's debug log (also after a refused SIGHUP reload whose password line is
                 broken), nor in `evpnctl neighbor`/`global` (JSON and tables), nor in the
                 --check-config errors for configs with a syntax error on the password line.
  stalled-reader a peer that sends KEEPALIVEs but stops reading while evpnd advertises 20k
                 routes: TCP_USER_TIMEOUT (= hold time, 9 s) ends the connection; the hold timer
                 does not expire.
  gtsm           RFC 5082: two evpnd with a router between them. ttl_security_hops 1 on both
                 (TTL 254 arrives, 255 needed) and GTSM on one side only (the other sends TTL
                 64): no session for 6 s; with the GTSM side passive, it refuses the other's
                 connections by their SYN (TTL 63); hops 2 on both: Established.

  borr-no-eorr   RFC 7313 with stale_routes_time_s 2: BoRR, 2 of the 3 routes again, EoRR: the
                 third goes at the EoRR and nothing more 3 s later; BoRR, 1 route again and no
                 EoRR: the other stale route goes 2 s after the BoRR, the session stays up.

Usage (root): python3 test_faults.py [--evpnd build/bgpd/daemon/evpnd] [--only NAME]
Not root: prints "SKIPPED: ..." and exits 0. EVT_KEEP=1 keeps the logs of a run.
"""

import ctypes
import json
import os
import random
import re
import select
import signal
import socket
import struct
import subprocess
import sys
import threading
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lab as L  # noqa: E402

# The memory bounds (flap-100, storm) measure evpnd's own growth. An ASan build keeps freed
# memory in its quarantine (256 MB by default), which would read as growth: turn it off here;
# every other check of the sanitizer stays.
if "quarantine_size_mb" not in os.environ.get("ASAN_OPTIONS", ""):
    os.environ["ASAN_OPTIONS"] = ":".join(
        filter(None, [os.environ.get("ASAN_OPTIONS"), "quarantine_size_mb=0"]))

SPK_IP, EVPND_IP = "10.0.9.1", "10.0.9.2"
AS = 65000
VNI = 100
RT = (AS, VNI)             # route target 65000:100
TIMEOUT = 15
PASSWORD = "s3cr3t-Md5-Key"

# BGP message types (RFC 4271 §4.1, RFC 2918).
OPEN, UPDATE, NOTIFICATION, KEEPALIVE, ROUTE_REFRESH = 1, 2, 3, 4, 5
MAX_MESSAGE = 4096
TYPE_NAMES = {1: "OPEN", 2: "UPDATE", 3: "NOTIFICATION", 4: "KEEPALIVE", 5: "ROUTE-REFRESH"}


# ------------------------------------------------------------------------------ wire encoding
def message(mtype, body=b""):
    return b"\xff" * 16 + struct.pack("!HB", 19 + len(body), mtype) + body


ENHANCED_ROUTE_REFRESH = bytes([70, 0])                   # RFC 7313 capability


def open_message(hold=30, router_id=SPK_IP, asn=AS, extra_caps=b""):
    caps = b"".join([
        bytes([1, 4]) + struct.pack("!HBB", 25, 0, 70),   # RFC 4760 Multiprotocol L2VPN EVPN
        bytes([65, 4]) + struct.pack("!I", asn),           # RFC 6793 4-octet AS
        bytes([2, 0]),                                     # RFC 2918 route refresh
        extra_caps,
    ])
    params = bytes([2, len(caps)]) + caps                  # RFC 5492 Capabilities parameter
    body = struct.pack("!BHH4sB", 4, asn if asn <= 0xffff else 23456, hold,
                       socket.inet_aton(router_id), len(params)) + params
    return message(OPEN, body)


def keepalive():
    return message(KEEPALIVE)


def route_refresh(subtype):
    """ROUTE-REFRESH for L2VPN EVPN; subtype 1 BoRR, 2 EoRR (RFC 7313 §3)."""
    return message(ROUTE_REFRESH, struct.pack("!HBB", 25, subtype, 70))


def notification(code, subcode, data=b""):
    return message(NOTIFICATION, bytes([code, subcode]) + data)


def attribute(flags, code, value):
    if len(value) > 255:
        return struct.pack("!BBH", flags | 0x10, code, len(value)) + value
    return struct.pack("!BBB", flags, code, len(value)) + value


def mac_of(i, prefix=0x02fa):
    """A unicast, locally administered MAC numbered i."""
    return struct.pack("!HI", prefix, i)


def mac_text(mac):
    return ":".join(f"{b:02x}" for b in mac)


def type2_nlri(mac, rd_ip=SPK_IP, rd_number=VNI, vni=VNI):
    # RFC 7432 §7.2: RD | ESI | Ethernet Tag ID | MAC len (bits) | MAC | IP len | MPLS Label1.
    rd = struct.pack("!H4sH", 1, socket.inet_aton(rd_ip), rd_number)  # RD type 1: IP:number
    value = rd + bytes(10) + struct.pack("!IB", 0, 48) + mac + b"\x00" + vni.to_bytes(3, "big")
    return bytes([2, len(value)]) + value


_ROUTE_LEN = len(type2_nlri(mac_of(0)))


def _path_attributes(nlri, next_hop):
    ext = struct.pack("!BBHI", 0x00, 0x02, RT[0], RT[1])           # RT, 2-octet AS specific
    ext += struct.pack("!BBIH", 0x03, 0x0c, 0, 8)                    # encapsulation: VXLAN
    mp = struct.pack("!HBB", 25, 70, 4) + socket.inet_aton(next_hop) + b"\x00" + nlri
    return b"".join([attribute(0x40, 1, b"\x00"),                  # ORIGIN IGP
                     attribute(0x40, 2, b""),                      # AS_PATH (iBGP: empty)
                     attribute(0x40, 5, struct.pack("!I", 100)),   # LOCAL_PREF
                     attribute(0xc0, 16, ext),                     # EXTENDED COMMUNITIES
                     attribute(0x80, 14, mp)])                     # MP_REACH_NLRI


def _routes_per_update(next_hop=SPK_IP):
    fixed = 19 + 4 + len(_path_attributes(b"", next_hop)) + 1   # +1: MP_REACH grows a length byte
    return (MAX_MESSAGE - fixed) // _ROUTE_LEN


ROUTES_PER_UPDATE = _routes_per_update()


def updates(macs, next_hop=SPK_IP):
    """UPDATE messages announcing a type-2 route per MAC, as many per message as fit in 4096."""
    out = []
    for i in range(0, len(macs), ROUTES_PER_UPDATE):
        nlri = b"".join(type2_nlri(m) for m in macs[i:i + ROUTES_PER_UPDATE])
        attrs = _path_attributes(nlri, next_hop)
        body = struct.pack("!H", 0) + struct.pack("!H", len(attrs)) + attrs
        msg = message(UPDATE, body)
        assert len(msg) <= MAX_MESSAGE, len(msg)
        out.append(msg)
    return out


# ------------------------------------------------------------------------------ the speaker
_libc = ctypes.CDLL(None, use_errno=True)
_CLONE_NEWNET = 0x40000000


def socket_in(ns, family=socket.AF_INET, kind=socket.SOCK_STREAM):
    """A socket created inside network namespace `ns` (it stays there); this thread returns to
    its own namespace before the call returns."""
    with open("/proc/thread-self/ns/net") as home, open(f"/var/run/netns/{ns}") as target:
        if _libc.setns(target.fileno(), _CLONE_NEWNET) != 0:
            raise L.TestFailure(f"setns({ns}): {os.strerror(ctypes.get_errno())}")
        try:
            return socket.socket(family, kind)
        finally:
            if _libc.setns(home.fileno(), _CLONE_NEWNET) != 0:
                # Running on in the wrong namespace would be worse than stopping here.
                print(f"FATAL: cannot return to the test's own network namespace: "
                      f"{os.strerror(ctypes.get_errno())}", file=sys.stderr, flush=True)
                os._exit(2)


class Speaker:
    """One TCP connection of the raw BGP speaker. A reader thread splits what evpnd sends into
    messages (self.received: (monotonic time, type, body)) and notes when evpnd closes."""

    def __init__(self, lab, sock, name="speaker"):
        self.lab, self.sock, self.name = lab, sock, name
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.received = []
        self.closed_at = None        # monotonic time evpnd's side closed (EOF or reset)
        self.close_reason = None
        self.stream_error = None
        self._cv = threading.Condition()
        self._send_lock = threading.Lock()
        self._stop = threading.Event()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    @classmethod
    def connect(cls, lab, ns, host=EVPND_IP, port=179, timeout=5, name="speaker"):
        s = socket_in(ns)
        s.bind((SPK_IP, 0))
        s.settimeout(timeout)
        try:
            s.connect((host, port))
        except OSError:
            s.close()
            raise
        s.settimeout(None)
        return cls(lab, s, name)

    def _read(self):
        # select() with a short timeout rather than a blocking recv(): a close() of the socket
        # does not wake a thread blocked in recv() on it, and the kernel releases the socket
        # (sending our FIN or RST) only when that recv() returns.
        buf = b""
        reason = "stopped"
        try:
            while not self._stop.is_set():
                if not select.select([self.sock], [], [], 0.05)[0]:
                    continue
                data = self.sock.recv(65536)
                if not data:
                    reason = "EOF"
                    break
                buf += data
                while len(buf) >= 19:
                    if buf[:16] != b"\xff" * 16:
                        self.stream_error = f"bad marker from evpnd: {buf[:19].hex()}"
                        buf = b""
                        break
                    length, mtype = struct.unpack("!HB", buf[16:19])
                    if length < 19 or len(buf) < length:
                        break
                    with self._cv:
                        self.received.append((time.monotonic(), mtype, buf[19:length]))
                        self._cv.notify_all()
                    buf = buf[length:]
        except (OSError, ValueError) as e:
            reason = f"{type(e).__name__}: {e}"
        with self._cv:
            self.closed_at = self.closed_at or time.monotonic()
            self.close_reason = reason
            self._cv.notify_all()

    # -- sending
    def send_within(self, data, timeout):
        """Sends `data` whole unless the socket stays unwritable for `timeout` seconds
        (TimeoutError) or evpnd has closed it (OSError)."""
        with self._send_lock:
            view = memoryview(data)
            while view:
                _, writable, _ = select.select([], [self.sock], [], timeout)
                if not writable:
                    raise TimeoutError(f"socket not writable for {timeout} s")
                try:
                    view = view[self.sock.send(view, socket.MSG_DONTWAIT):]
                except BlockingIOError:
                    pass

    def send(self, data, per_byte=None):
        """Sends `data` whole, or one byte per send() with `per_byte` seconds between them."""
        with self._send_lock:
            if per_byte is None:
                self.sock.sendall(data)
                return
            for i in range(len(data)):
                self.sock.send(data[i:i + 1])
                time.sleep(per_byte)

    # -- receiving
    def count(self, mtype=None):
        with self._cv:
            return sum(1 for _, t, _ in self.received if mtype is None or t == mtype)

    def wait(self, mtype, timeout=TIMEOUT, after=0, what=None):
        """The first message of type `mtype` with index >= `after`: (time, type, body, index).
        Fails when evpnd closes first or nothing comes within `timeout`."""
        deadline = time.monotonic() + timeout
        with self._cv:
            while True:
                if self.stream_error:
                    raise L.TestFailure(self.stream_error)
                for i in range(after, len(self.received)):
                    if self.received[i][1] == mtype:
                        return self.received[i] + (i,)
                if self.closed_at is not None:
                    raise L.TestFailure(
                        f"{what or 'waiting for ' + TYPE_NAMES.get(mtype, str(mtype))}: evpnd "
                        f"closed the connection ({self.close_reason}) first; received "
                        f"{self.summary()}")
                left = deadline - time.monotonic()
                if left <= 0:
                    raise L.TestFailure(
                        f"timeout after {timeout} s {what or 'waiting for ' + TYPE_NAMES[mtype]}"
                        f" from evpnd; received {self.summary()}")
                self._cv.wait(min(left, 0.2))
                self.lab.check_alive()

    def wait_closed(self, timeout=TIMEOUT, what="evpnd to close the connection"):
        deadline = time.monotonic() + timeout
        with self._cv:
            while self.closed_at is None:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise L.TestFailure(f"timeout after {timeout} s waiting for {what}; "
                                        f"received {self.summary()}")
                self._cv.wait(min(left, 0.2))
        return self.closed_at

    def notifications(self):
        with self._cv:
            return [(t, body[0], body[1], body[2:]) for t, mt, body in self.received
                    if mt == NOTIFICATION and len(body) >= 2]

    def summary(self):
        with self._cv:
            names = [TYPE_NAMES.get(t, str(t)) for _, t, _ in self.received]
        notes = [f"{c}/{s} data {d.hex() or '-'}" for _, c, s, d in self.notifications()]
        return f"{len(names)} messages {names[-8:]}" + (f", NOTIFICATION {notes}" if notes else "")

    def wait_notification(self, timeout=TIMEOUT, what=None):
        """(time, code, subcode, data) of evpnd's NOTIFICATION (it may close right after)."""
        deadline = time.monotonic() + timeout
        while True:
            got = self.notifications()
            if got:
                return got[0]
            if self.closed_at is not None or time.monotonic() >= deadline:
                raise L.TestFailure(
                    f"no NOTIFICATION from evpnd {what or ''} (connection "
                    f"{'closed: ' + self.close_reason if self.closed_at else 'still open'}); "
                    f"received {self.summary()}")
            with self._cv:
                self._cv.wait(0.1)
            self.lab.check_alive()

    # -- the session
    def establish(self, hold=30, per_byte=None, extra_caps=b""):
        """OPEN, evpnd's OPEN, KEEPALIVE; returns once evpnd's first UPDATE (its initial
        advertisement or End-of-RIB, sent only when Established) arrives."""
        self.send(open_message(hold, extra_caps=extra_caps), per_byte)
        self.wait(OPEN, what="waiting for evpnd's OPEN")
        self.send(keepalive(), per_byte)
        self.wait(KEEPALIVE, what="waiting for evpnd's KEEPALIVE")
        self.wait(UPDATE, what="waiting for evpnd's first UPDATE (Established)")

    def close(self, how="fin"):
        """Ends the connection: 'fin' (shutdown, wait for evpnd's close), 'cease' (NOTIFICATION
        6/2 Administrative Shutdown first) or 'rst' (SO_LINGER 0: a reset)."""
        try:
            if how == "rst":
                self._stop.set()
                self._reader.join(5)
                self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            else:
                if how == "cease":
                    self.send(notification(6, 2))
                self.sock.shutdown(socket.SHUT_WR)
                self.wait_closed(5, "evpnd to close its side after ours")
        except OSError:
            pass
        finally:
            self._stop.set()
            self._reader.join(5)
            self.sock.close()


def listen_in(ns, port=179):
    s = socket_in(ns)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((SPK_IP, port))
    s.listen(4)
    return s


def accept(lab, listener, timeout, what):
    deadline = time.monotonic() + timeout
    listener.settimeout(0.2)
    while True:
        lab.check_alive()
        try:
            conn, _ = listener.accept()
            conn.settimeout(None)
            return Speaker(lab, conn, "accepted"), time.monotonic()
        except socket.timeout:
            if time.monotonic() >= deadline:
                raise L.TestFailure(f"timeout after {timeout} s waiting for {what}")


# ------------------------------------------------------------------------------ the lab
def evpnd_conf(passive=True, hold=30, keepalive=10, extra=None, global_extra=None):
    peer = dict(address=SPK_IP, description="raw speaker", remote_as=AS, passive=passive,
                hold_time_s=hold, keepalive_s=keepalive, connect_retry_s=1,
                families=["ADDRESS_FAMILY_L2VPN_EVPN"])
    text = L.evpnd_config(EVPND_IP, AS, [peer], listen=[EVPND_IP], evpn=f"""evpn {{
  vtep_address: "{EVPND_IP}"
  kernel_fdb: false
  vnis {{ vni: {VNI} route_targets: "{RT[0]}:{RT[1]}" }}
}}
""")
    for line in extra or ():
        text = text.replace("  settings {\n", f"  settings {{\n    {line}\n", 1)
    for line in global_extra or ():
        text = text.replace("global {\n", f"global {{\n  {line}\n", 1)
    return text


def start(lab, args, **conf):
    spk, sut = lab.netns("spk"), lab.netns("sut")
    lab.veth(spk, "s-e", sut, "e-s", f"{SPK_IP}/24", f"{EVPND_IP}/24")
    d = lab.evpnd("evpnd", sut, args.evpnd, evpnd_conf(**conf))
    d.wait_log(rf"listening on {re.escape(EVPND_IP)} port 179", 10, "evpnd to listen")
    lab.poll_until(lambda: d.ctl("global")[1], 10, "evpnd's API to answer")
    return spk, d


def peer_json(d):
    peers = d.ctl("neighbor", SPK_IP)[1].get("peers", [])
    return peers[0] if peers else {}


def routes_from_speaker(d):
    """MACs of the type-2 routes evpnd's Loc-RIB holds from the speaker."""
    out = d.ctl("evpn", "routes", "--type", "2")[1]
    return {r["mac"].lower() for r in out.get("routes", []) if r.get("source") == SPK_IP}


def wait_routes(lab, d, macs, what):
    want = {mac_text(m) for m in macs}
    got = [None]

    def same():
        got[0] = routes_from_speaker(d)
        return got[0] == want
    try:
        lab.poll_until(same, TIMEOUT, what)
    except L.TestFailure as e:
        raise L.TestFailure(f"{e}: RIB has {len(got[0] or ())} routes from the speaker, "
                            f"{len((got[0] or set()) - want)} unexpected, "
                            f"{len(want - (got[0] or set()))} missing")


def rss_kb(d, key="VmRSS"):
    with open(f"/proc/{d.pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    raise L.TestFailure(f"no {key} in /proc/{d.pid}/status")


def session_downs(d, since):
    return d.grep(rf"peer {re.escape(SPK_IP)}: session down", since)


def wait_down(lab, d, since, count=1, what="evpnd to log the session down"):
    return lab.poll_until(lambda: len(session_downs(d, since)) >= count and
                          session_downs(d, since), TIMEOUT, what)[count - 1]


def close_and_wait(lab, d, sp, how="fin"):
    """Closes the speaker's connection and waits until evpnd has logged the session down (a
    new connection while evpnd still holds the old one Established would be refused, RFC 4271
    §6.8)."""
    before = len(session_downs(d, 0))
    sp.close(how)
    lab.poll_until(lambda: len(session_downs(d, 0)) > before, TIMEOUT,
                   "evpnd to log the session down", interval=0.02)


def expect_notification(sp, code, subcode, what, data=None):
    t, c, s, got = sp.wait_notification(what=what)
    if (c, s) != (code, subcode) or (data is not None and got != data):
        raise L.TestFailure(f"{what}: evpnd sent NOTIFICATION {c}/{s} data {got.hex() or '-'}, "
                            f"expected {code}/{subcode}"
                            + (f" data {data.hex()}" if data is not None else ""))
    return t


def reconnect(lab, spk, d, macs, since, what):
    """A new session from the same peer: established (evpnd's log says so) and its routes in the
    RIB."""
    sp = Speaker.connect(lab, spk)
    sp.establish()
    d.wait_log(rf"peer {re.escape(SPK_IP)}: established, AS {AS}", 5,
               f"evpnd to log the new session {what}", since=since)
    for u in updates(macs):
        sp.send(u)
    wait_routes(lab, d, macs, f"the routes of the new session {what}")
    return sp


def established_with_routes(lab, spk, d, macs):
    sp = Speaker.connect(lab, spk)
    sp.establish()
    for u in updates(macs):
        sp.send(u)
    wait_routes(lab, d, macs, "the speaker's routes in evpnd's RIB")
    return sp


# ------------------------------------------------------------------------------ sub-tests
def test_garbage(args):
    with L.Lab("fgb") as lab:
        spk, d = start(lab, args)
        macs = [mac_of(i) for i in range(1, 4)]
        sp = established_with_routes(lab, spk, d, macs)
        mark = d.mark()
        junk = bytearray(random.Random(7).randbytes(64))
        junk[0] = 0x00  # whatever else, the marker is not all ones
        sp.send(bytes(junk))
        expect_notification(sp, 1, 1, "after 64 bytes without a marker")
        sp.wait_closed(5)
        L.log(f"  evpnd: NOTIFICATION 1/1, connection closed ({sp.close_reason})")
        sent = d.wait_log(rf"peer {re.escape(SPK_IP)}: sending NOTIFICATION "
                          r"message-header-error/connection-not-synchronized \(1/1\)", 5,
                          since=mark)
        down = wait_down(lab, d, mark)
        L.log(f"  evpnd: {sent}")
        L.log(f"  evpnd: {down}")
        sp.close()
        lab.poll_until(lambda: not routes_from_speaker(d), TIMEOUT,
                       "the routes of the broken session to leave the RIB")
        sp = reconnect(lab, spk, d, macs, mark, "after the garbage")
        L.log("  next session established, routes back")
        sp.close()


def test_truncated(args):
    with L.Lab("ftr") as lab:
        spk, d = start(lab, args)
        macs = [mac_of(i) for i in range(1, 3)]
        half = message(UPDATE, bytes(41))[:30]      # header says 60, 30 bytes arrive
        assert struct.unpack("!H", half[16:18])[0] == 60

        # (a) 30 of 60 bytes, then FIN.
        sp = established_with_routes(lab, spk, d, macs)
        mark = d.mark()
        sp.send(half)
        time.sleep(0.3)  # not needed for correctness: makes the FIN a separate read for evpnd
        sp.close("fin")
        down = wait_down(lab, d, mark)
        L.log(f"  (a) evpnd: {down}")
        if sp.notifications():
            raise L.TestFailure(f"(a) evpnd sent a NOTIFICATION for a message cut short by the "
                                f"peer's close: {sp.summary()}")
        if "connection-failed" not in down:
            raise L.TestFailure(f"(a) expected the session down as connection-failed: {down}")
        lab.poll_until(lambda: not routes_from_speaker(d), TIMEOUT,
                       "(a) the routes to leave the RIB")
        close_and_wait(lab, d, reconnect(lab, spk, d, macs, mark, "after (a)"))

        # (b) the same 30 bytes, then silence with hold time 3.
        mark = d.mark()
        sp = Speaker.connect(lab, spk)
        sp.establish(hold=3)
        sp.send(half)
        t_sent = time.monotonic()
        t_note = expect_notification(sp, 4, 0, "(b) after half a message and silence (hold 3)")
        L.log(f"  (b) NOTIFICATION 4/0 {t_note - t_sent:.2f} s after the partial message")
        if not 2.0 <= t_note - t_sent <= 5.0:
            raise L.TestFailure(f"(b) hold timer (3 s) fired {t_note - t_sent:.2f} s after the "
                                "last bytes")
        d.wait_log(rf"peer {re.escape(SPK_IP)}: sending NOTIFICATION hold-timer-expired", 5,
                   since=mark)
        sp.close()
        wait_down(lab, d, mark)

        # (c) length 18 (< 19) and (d) 4097 on an UPDATE without extended messages.
        for tag, length, mtype in (("(c)", 18, KEEPALIVE), ("(d)", 4097, UPDATE)):
            mark = d.mark()
            sp = Speaker.connect(lab, spk)
            sp.establish()
            sp.send(b"\xff" * 16 + struct.pack("!HB", length, mtype) + bytes(20))
            expect_notification(sp, 1, 2, f"{tag} after a header length of {length}",
                                data=struct.pack("!H", length))
            line = d.wait_log(rf"peer {re.escape(SPK_IP)}: sending NOTIFICATION "
                              r"message-header-error/bad-message-length \(1/2\)", 5, since=mark)
            L.log(f"  {tag} length {length}: evpnd: {line}")
            sp.wait_closed(5)
            sp.close()
            wait_down(lab, d, mark)
            close_and_wait(lab, d, reconnect(lab, spk, d, macs, mark, f"after {tag}"))


def test_byte_at_a_time(args):
    with L.Lab("fby") as lab:
        spk, d = start(lab, args)
        mark = d.mark()
        macs = [mac_of(i, 0x02fb) for i in range(1, 4)]
        upd = updates(macs)
        assert len(upd) == 1
        sp = Speaker.connect(lab, spk)
        t0 = time.monotonic()
        sp.establish(per_byte=0.001)
        sp.send(upd[0], per_byte=0.001)
        n = len(open_message()) + len(keepalive()) + len(upd[0])
        L.log(f"  {n} bytes sent one per send() in {time.monotonic() - t0:.1f} s")
        wait_routes(lab, d, macs, "the 3 routes sent byte by byte in the RIB")
        p = peer_json(d)
        if p.get("state") != "Established" or int(p.get("routes_received", 0)) != 3:
            raise L.TestFailure(f"evpnctl neighbor: {p}")
        bad = d.grep(rf"peer {re.escape(SPK_IP)}: (sending NOTIFICATION|session down|"
                     r"UPDATE error)", mark)
        if bad or sp.notifications():
            raise L.TestFailure(f"evpnd complained about the byte-by-byte session: {bad} "
                                f"{sp.summary()}")
        L.log(f"  established, 3 routes in the RIB; evpnctl: state {p['state']}, "
              f"{p['routes_received']} received")
        sp.close()


def test_silent(args):
    with L.Lab("fsi") as lab:
        spk, sut = lab.netns("spk"), lab.netns("sut")
        lab.veth(spk, "s-e", sut, "e-s", f"{SPK_IP}/24", f"{EVPND_IP}/24")
        listener = listen_in(spk)
        try:
            d = lab.evpnd("evpnd", sut, args.evpnd, evpnd_conf(passive=False, hold=9,
                                                                keepalive=3))
            # (a) OPEN, then nothing: the hold timer (3 s, negotiated) runs out in OpenConfirm.
            mark = d.mark()
            sp, _ = accept(lab, listener, TIMEOUT, "evpnd to connect")
            sp.wait(OPEN, what="waiting for evpnd's OPEN")
            sp.send(open_message(hold=3))
            t_open = time.monotonic()
            t_note = expect_notification(sp, 4, 0, "(a) after an OPEN and silence")
            sp.wait_closed(5)
            L.log(f"  (a) NOTIFICATION 4/0 {t_note - t_open:.2f} s after the OPEN (hold 3)")
            if not 2.5 <= t_note - t_open <= 5.0:
                raise L.TestFailure(f"(a) hold timer fired {t_note - t_open:.2f} s after the "
                                    "OPEN (hold time 3)")
            for rx in (r"sending NOTIFICATION hold-timer-expired/unspecific \(4/0\)",
                       r"session down: hold-timer-expired"):
                line = d.wait_log(rf"peer {re.escape(SPK_IP)}: {rx}", 5, since=mark)
                L.log(f"  (a) evpnd: {line}")
            sp.close()
            # (b) evpnd retries; this time the session comes up, then the speaker goes silent.
            mark = d.mark()
            sp, t_retry = accept(lab, listener, TIMEOUT, "evpnd to connect again after (a)")
            L.log(f"  (b) evpnd connected again {t_retry - t_note:.2f} s after the NOTIFICATION")
            sp.wait(OPEN, what="waiting for evpnd's OPEN")
            sp.send(open_message(hold=3))
            sp.send(keepalive())
            sp.wait(UPDATE, what="waiting for evpnd's first UPDATE (Established)")
            t_last = time.monotonic()
            d.wait_log(rf"peer {re.escape(SPK_IP)}: established, AS {AS}, hold 3 s", 5,
                       since=mark)
            t_note = expect_notification(sp, 4, 0, "(b) Established, then silence")
            kas = sp.count(KEEPALIVE)
            L.log(f"  (b) NOTIFICATION 4/0 {t_note - t_last:.2f} s after our last message; "
                  f"evpnd sent {kas} KEEPALIVEs meanwhile")
            if not 2.0 <= t_note - t_last <= 5.0:
                raise L.TestFailure(f"(b) hold timer fired {t_note - t_last:.2f} s after our "
                                    "KEEPALIVE (hold time 3)")
            down = d.wait_log(rf"peer {re.escape(SPK_IP)}: session down: hold-timer-expired", 5,
                              since=mark)
            L.log(f"  (b) evpnd: {down}")
            sp.close()
            sp, t_retry = accept(lab, listener, TIMEOUT, "evpnd to connect again after (b)")
            L.log(f"  evpnd connected again {t_retry - t_note:.2f} s after the NOTIFICATION")
            sp.close()
        finally:
            listener.close()


def test_flap_100(args):
    with L.Lab("ffl") as lab:
        spk, d = start(lab, args)
        mark = d.mark()
        styles = ("fin", "cease", "rst")
        rss = {}
        t0 = time.monotonic()
        sp = None
        for n in range(100):
            macs = [mac_of(n * 16 + k, 0x02fc) for k in range(5)]
            sp = Speaker.connect(lab, spk)
            sp.establish()
            for u in updates(macs):
                sp.send(u)
            want = {mac_text(m) for m in macs}
            lab.poll_until(lambda: routes_from_speaker(d) == want, TIMEOUT,
                           f"flap {n + 1}: exactly this session's 5 routes in the RIB",
                           interval=0.02)
            if n == 99:
                break
            close_and_wait(lab, d, sp, styles[n % 3])
            if n + 1 == 5:
                rss["after 5"] = rss_kb(d)
        elapsed = time.monotonic() - t0
        rss["after 100"] = rss_kb(d)
        ups = d.established(SPK_IP, mark)
        L.log(f"  100 sessions in {elapsed:.1f} s; evpnd logged {len(ups)} established, "
              f"{len(session_downs(d, mark))} down; VmRSS after 5 flaps {rss['after 5']} kB, "
              f"after 100 {rss['after 100']} kB")
        if len(ups) != 100:
            raise L.TestFailure(f"expected 100 established sessions in evpnd's log, got {len(ups)}")
        last = want
        got = routes_from_speaker(d)
        if got != last:
            raise L.TestFailure(f"the RIB holds {len(got)} routes from the speaker, "
                                f"{len(got - last)} of them not from the current session "
                                f"(e.g. {sorted(got - last)[:5]}); missing {sorted(last - got)}")
        L.log("  RIB holds exactly the 5 routes of the current session")
        growth = rss["after 100"] - rss["after 5"]
        if growth > 8 * 1024:
            raise L.TestFailure(f"VmRSS grew by {growth} kB over 95 flaps (bound 8 MB)")
        sp.close("fin")
        lab.poll_until(lambda: not routes_from_speaker(d), TIMEOUT,
                       "no route left from the speaker after the last close")
        p = peer_json(d)
        if int(p.get("routes_received", 0)) != 0 or int(p.get("routes_stale", 0)) != 0:
            raise L.TestFailure(f"after the last close: {p}")
        L.log(f"  after the last close: no route left; VmRSS {rss_kb(d)} kB")


def test_storm(args):
    with L.Lab("fst") as lab:
        spk, d = start(lab, args, extra=["max_prefix { limit: 10000 }"])
        g0 = d.ctl("global")[1]
        base_routes = int(g0.get("loc_rib_routes", 0))
        idle = rss_kb(d)
        mark = d.mark()
        sp = Speaker.connect(lab, spk)
        sp.establish()
        total = 200_000
        msgs = updates([mac_of(i, 0x02fd) for i in range(total)])
        L.log(f"  {total} routes in {len(msgs)} UPDATEs of up to {ROUTES_PER_UPDATE} routes, "
              f"{sum(map(len, msgs)) / 1e6:.1f} MB; evpnd idle VmRSS {idle} kB")
        sent, error = 0, None
        t0 = time.monotonic()
        for m in msgs:
            if sp.notifications() or sp.closed_at is not None:
                break
            try:
                sp.send_within(m, 20)
            except OSError as e:
                error = e
                break
            sent += 1
        t_stop = time.monotonic()
        if isinstance(error, TimeoutError) and not sp.notifications():
            raise L.TestFailure(f"after {sent} UPDATEs evpnd stopped reading for 20 s without "
                                f"closing the session; received {sp.summary()}")
        t_note = expect_notification(sp, 6, 1, "for 200,000 routes with max_prefix 10000")
        L.log(f"  sent {sent} UPDATEs ({min(sent * ROUTES_PER_UPDATE, total)} routes) in "
              f"{t_stop - t0:.1f} s{', then ' + type(error).__name__ if error else ''}; "
              f"NOTIFICATION 6/1 at +{t_note - t0:.1f} s")
        for rx in (r"(\d+) routes exceed the maximum of 10000: closing the session",
                   r"sending NOTIFICATION cease/maximum-number-of-prefixes-reached \(6/1\)"):
            L.log(f"  evpnd: {d.wait_log(rf'peer {re.escape(SPK_IP)}: {rx}', 5, since=mark)}")
        sp.close()
        peak, now = rss_kb(d, "VmHWM"), rss_kb(d)
        L.log(f"  VmRSS idle {idle} kB, peak (VmHWM) {peak} kB (+{(peak - idle) / 1024:.1f} MB), "
              f"now {now} kB")
        if peak - idle > 64 * 1024:
            raise L.TestFailure(f"peak RSS {peak} kB is more than 64 MB above idle ({idle} kB)")
        lab.poll_until(lambda: int(d.ctl("global")[1].get("loc_rib_routes", 0)) == base_routes
                       and int(peer_json(d).get("routes_received", 1)) == 0, TIMEOUT,
                       "the storm's routes to leave the RIB")
        p = peer_json(d)
        L.log(f"  routes gone (Loc-RIB back to {base_routes}); peer state {p.get('state')}, "
              f"last down: {p.get('last_notification') or p.get('last_down_reason')}")
        # No restart_after_s: the session stays down and a new connection is refused.
        after = d.mark()
        try:
            probe = Speaker.connect(lab, spk, timeout=3)
            probe.wait_closed(5, "evpnd to refuse a connection during the max-prefix hold-down")
            got = probe.summary()
            probe.close()
        except OSError as e:
            got = f"connect: {e}"
        line = d.wait_log(rf"peer {re.escape(SPK_IP)}: incoming connection refused in Idle", 5,
                          since=after)
        L.log(f"  new connection refused ({got}); evpnd: {line}")
        if not d.alive():
            raise L.TestFailure("evpnd died")


# Configs with a syntax error on the password line. {pw} is the password.
SECRET_SYNTAX_ERRORS = {
    "unquoted": 'password: {pw}',
    "unterminated": 'password: "{pw}',
    "no-colon": 'password "{pw}"',
    "bad-escape": 'password: "{pw}\\q"',
    "too-long": 'password: "{pw}' + "x" * 80 + '"',
    "wrong-type": 'password: 12 "{pw}"',
    "misplaced": '}} password: "{pw}" settings {{',
    # Found by tests/fuzz/config_parser_fuzz (corpus file regress-password-leak-after-
    # unterminated-string): a string left open earlier on the line closes at the password's
    # opening quote, so the password became a bare token the parser named ('PeerSettings" has
    # no field named "s3cr3t"'). Fixed in the config loader.
    "open-string-before": 'shutdown_message: "leaf2 password: "{pw}" }}',
}


def secret_fragments(text):
    """Where the password shows in `text`: the whole of it or its leading word (the parser
    splits an unquoted one at '-')."""
    return [frag for frag in (PASSWORD, PASSWORD.split("-")[0]) if frag in text]


def bad_config(line):
    return f"""global {{
  router_id: "{EVPND_IP}"
  local_as: {AS}
}}
peers {{
  address: "{SPK_IP}"
  settings {{
    remote_as: {AS}
    {line.format(pw=PASSWORD)}
  }}
}}
"""


def check_config(lab, evpnd_bin, name, text):
    path = os.path.join(lab.tmp, f"bad-{name}.conf")
    with open(path, "w") as f:
        f.write(text)
    r = subprocess.run([evpnd_bin, "--check-config", "-c", path], capture_output=True, text=True,
                       timeout=10)
    return r.returncode, (r.stdout + r.stderr).strip()


def test_secrets(args):
    with L.Lab("fse") as lab:
        spk, sut = lab.netns("spk"), lab.netns("sut")
        lab.veth(spk, "s-e", sut, "e-s", f"{SPK_IP}/24", f"{EVPND_IP}/24")
        # Not passive: evpnd also connects (signed) towards the speaker's address.
        d = lab.evpnd("evpnd", sut, args.evpnd,
                      evpnd_conf(passive=False, extra=[f'password: "{PASSWORD}"']),
                      log_level="debug")
        d.wait_log(rf"listening on {re.escape(EVPND_IP)} port 179", 10, "evpnd to listen")
        lab.poll_until(lambda: d.ctl("global")[1], 10, "evpnd's API to answer")
        # The speaker cannot sign (RFC 2385): evpnd's kernel drops its unsigned SYNs.
        try:
            Speaker.connect(lab, spk, timeout=2).close("rst")
            raise L.TestFailure("an unsigned TCP connection to a peer with a TCP-MD5 key was "
                                "accepted")
        except OSError as e:
            L.log(f"  unsigned connection from the speaker: {type(e).__name__} (as expected)")
        # evpnd's own (signed) connection attempts, with their debug log lines.
        lab.poll_until(lambda: d.grep(rf"peer {re.escape(SPK_IP)}: Idle -> Connect"), TIMEOUT,
                       "evpnd to try connecting")
        lab.hold_for(lambda: False, 1.5, "")
        # A reload that changes the peer (its key is installed again), an API reset, and a reload
        # whose password line is broken (refused, and logged).
        with open(d.config_path) as f:
            good = f.read().replace("hold_time_s: 30", "hold_time_s: 27")
        mark = d.reload(good)
        L.log(f"  evpnd: {d.wait_log(rf'peer {re.escape(SPK_IP)}: changed', 5, since=mark)}")
        d.ctl("neighbor", SPK_IP, "reset")
        broken = good.replace(f'password: "{PASSWORD}"', f"password: {PASSWORD}")
        assert broken != good
        mark = d.mark()
        with open(d.config_path, "w") as f:
            f.write(broken)
        d.signal(signal.SIGHUP)
        refused = d.wait_log(r"reload refused, configuration kept", 5, since=mark)
        L.log(f"  evpnd: {refused}")
        outputs = {"evpnd log": d.text()}
        for argv in (["neighbor"], ["neighbor", SPK_IP], ["global"], ["vni"]):
            for json_out in (True, False):
                _, out, err = d.ctl(*argv, json_out=json_out)
                text = out if isinstance(out, str) else json.dumps(out)
                outputs[f"evpnctl {'--json ' if json_out else ''}{' '.join(argv)}"] = text + err
        if SPK_IP not in outputs["evpnctl --json neighbor"]:
            raise L.TestFailure(f"evpnctl neighbor does not list the peer: "
                                f"{outputs['evpnctl --json neighbor']}")
        for name, line in SECRET_SYNTAX_ERRORS.items():
            rc, text = check_config(lab, args.evpnd, name, bad_config(line))
            if rc == 0:
                raise L.TestFailure(f"--check-config accepted the {name} password line")
            outputs[f"--check-config ({name})"] = text
            L.log(f"  --check-config {name}: {text.splitlines()[0][:150]}")
        leaks = {where: secret_fragments(text) for where, text in outputs.items()
                 if secret_fragments(text)}
        L.log(f"  checked {len(outputs)} outputs ({len(outputs['evpnd log'].splitlines())} log "
              "lines)")
        if leaks:
            raise L.TestFailure(f"the password shows in: {leaks}")


def test_stalled_reader(args):
    """A peer that keeps sending KEEPALIVEs but stops reading: evpnd's hold timer never runs
    out, its UPDATEs pile up unacknowledged (zero window), and TCP_USER_TIMEOUT, set to the
    hold time, ends the connection. Without it the session would stay 'Established' forever
    while the peer gets nothing."""
    with L.Lab("fst") as lab:
        macs = [mac_of(i, prefix=0x02fb) for i in range(20000)]
        spk, sut = lab.netns("spk"), lab.netns("sut")
        lab.veth(spk, "s-e", sut, "e-s", f"{SPK_IP}/24", f"{EVPND_IP}/24")
        conf = evpnd_conf(hold=9, keepalive=3).replace(
            f'route_targets: "{RT[0]}:{RT[1]}" }}',
            f'route_targets: "{RT[0]}:{RT[1]}"\n' +
            "".join(f'    local_macs {{ mac: "{mac_text(m)}" }}\n' for m in macs) + "  }")
        d = lab.evpnd("evpnd", sut, args.evpnd, conf)
        d.wait_log(rf"listening on {re.escape(EVPND_IP)} port 179", 10, "evpnd to listen")
        s = socket_in(spk)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # a small window fills fast
        s.bind((SPK_IP, 0))
        s.settimeout(5)
        s.connect((EVPND_IP, 179))
        s.settimeout(None)
        sp = Speaker(lab, s, "stalled")
        mark = d.mark()
        sp.send(open_message(9))
        sp.wait(OPEN, what="waiting for evpnd's OPEN")
        sp.wait(KEEPALIVE, what="waiting for evpnd's KEEPALIVE")
        # Stop reading before evpnd is Established and starts its 20k-route advertisement.
        sp._stop.set()
        sp._reader.join(5)
        sp.send(keepalive())
        d.wait_log(rf"peer {re.escape(SPK_IP)}: established", 10, since=mark)
        stalled = time.monotonic()
        L.log("  Established; the speaker reads nothing more and sends a KEEPALIVE every 2 s")
        down = None
        while time.monotonic() - stalled < 30:
            down = session_downs(d, mark)
            if down:
                break
            try:
                sp.sock.sendall(keepalive())
            except OSError:
                pass  # evpnd already closed: the log says so next round
            time.sleep(2)
        if not down:
            raise L.TestFailure("evpnd kept the session with a peer that reads nothing for 30 s")
        took = time.monotonic() - stalled
        L.log(f"  evpnd: {down[0]} ({took:.1f} s after the peer stopped reading; hold 9 s)")
        if d.grep(rf"peer {re.escape(SPK_IP)}: .*hold.timer.expired", mark):
            raise L.TestFailure("the hold timer expired although the peer sent KEEPALIVEs")
        sp.sock.close()
        lab.poll_until(lambda: d.ctl("global")[1], 10, "evpnd's API to answer")


GTSM_A, GTSM_B = "10.0.31.1", "10.0.32.1"


def test_gtsm(args):
    """RFC 5082: two evpnd one router apart. With ttl_security_hops 1 (directly connected) their
    packets arrive with TTL 254, below the minimum 255, and are dropped: no session. With 2 the
    session comes up. With GTSM on one side only, the other side's TTL-64 packets are dropped, and
    its connections refused from their SYN on."""
    with L.Lab("gtsm") as lab:
        a, r, b = lab.netns("a"), lab.netns("r"), lab.netns("b")
        lab.veth(a, "a-r", r, "r-a", f"{GTSM_A}/24", "10.0.31.254/24")
        lab.veth(b, "b-r", r, "r-b", f"{GTSM_B}/24", "10.0.32.254/24")
        lab.sh(r, "sysctl", "-qw", "net.ipv4.ip_forward=1")
        lab.ip(a, "route", "add", "default", "via", "10.0.31.254")
        lab.ip(b, "route", "add", "default", "via", "10.0.32.254")
        lab.sh(a, "ping", "-c", "1", "-W", "2", GTSM_B)  # the router forwards

        def pair(tag, hops_a, hops_b, passive_a=False):
            def conf(me, other, hops, passive=False):
                peer = dict(address=other, remote_as=65000, connect_retry_s=1, hold_time_s=9)
                if hops:
                    peer["ttl_security_hops"] = hops
                if passive:
                    peer["passive"] = True
                return L.evpnd_config(me, 65000, [peer], listen=[me])
            da = lab.evpnd(f"evpnd-a-{tag}", a, args.evpnd,
                           conf(GTSM_A, GTSM_B, hops_a, passive_a))
            db = lab.evpnd(f"evpnd-b-{tag}", b, args.evpnd, conf(GTSM_B, GTSM_A, hops_b))
            return da, db

        for tag, hops_a, hops_b, passive_a in (("one-hop", 1, 1, False),
                                               ("one-side", 2, 0, False),
                                               ("one-side-passive", 2, 0, True)):
            da, db = pair(tag, hops_a, hops_b, passive_a)
            lab.hold_for(lambda: da.established() or db.established(), 6,
                         f"GTSM hops {hops_a}/{hops_b} across a router: a session came up")
            L.log(f"  hops {hops_a}/{hops_b}{' (A passive)' if passive_a else ''}: no session "
                  f"in 6 s (A {da.state(GTSM_B)}, B {db.state(GTSM_A)})")
            if passive_a:
                # Only B connects (every second): its SYN reaches A with TTL 63, and A refuses
                # the connection before reading from it (B's OPEN may already be there), not
                # only once IP_MINTTL is set.
                line = da.wait_log(r"incoming connection refused: its SYN came with TTL 63, "
                                   r"below the GTSM minimum 254", 2,
                                   "A to refuse B's connection by its SYN")
                L.log(f"  A: {line.split(' ', 2)[2]}")
            da.stop()
            db.stop()
        da, db = pair("two-hops", 2, 2)
        lab.poll_until(lambda: da.established(GTSM_B) and db.established(GTSM_A), 20,
                       "GTSM hops 2/2 across one router: Established")
        L.log("  hops 2/2: Established")
        lab.check_alive()


def test_borr_without_eorr(args):
    with L.Lab("fbo") as lab:
        spk, d = start(lab, args, global_extra=["graceful_restart { stale_routes_time_s: 2 }"])
        macs = [mac_of(i, 0x02fc) for i in range(1, 4)]
        sp = Speaker.connect(lab, spk)
        sp.establish(extra_caps=ENHANCED_ROUTE_REFRESH)
        for u in updates(macs):
            sp.send(u)
        wait_routes(lab, d, macs, "the speaker's 3 routes in evpnd's RIB")
        peer = re.escape(SPK_IP)

        def borr_then(stale, again):
            """BoRR, evpnd's log that `stale` routes are stale, the MACs `again` sent again;
            returns the log mark from before the BoRR."""
            mark = d.mark()
            sp.send(route_refresh(1))
            d.wait_log(rf"peer {peer}: BoRR for l2vpn-evpn: {stale} routes marked stale", 5,
                       f"evpnd to mark the {stale} routes stale at the BoRR", since=mark)
            for u in updates(again):
                sp.send(u)
            return mark
        # (a) BoRR, two routes sent again, EoRR within the time: the third goes at the EoRR,
        # and the timer is off (nothing more is removed 3 s later).
        mark = borr_then(3, macs[:2])
        sp.send(route_refresh(2))
        d.wait_log(rf"peer {peer}: EoRR for l2vpn-evpn: 1 routes still stale removed", 5,
                   "evpnd to remove the route not sent again at the EoRR", since=mark)
        wait_routes(lab, d, macs[:2], "the 2 routes sent again between BoRR and EoRR")
        time.sleep(3)
        if d.grep(rf"peer {peer}: no EoRR", mark):
            raise L.TestFailure("the EoRR came in time, yet the BoRR's timer fired")
        L.log("  BoRR, 2 routes, EoRR: the third route went at the EoRR")
        # (b) BoRR, one route sent again, and no EoRR: the other one goes after the 2 s.
        t0 = time.monotonic()
        mark = borr_then(2, macs[:1])
        d.wait_log(rf"peer {peer}: no EoRR for l2vpn-evpn within 2 s of its BoRR: 1 stale "
                   "routes removed", 6, "evpnd to remove the stale route without an EoRR",
                   since=mark)
        waited = time.monotonic() - t0
        wait_routes(lab, d, macs[:1], "the route sent again after the BoRR only")
        if waited < 1.9:
            raise L.TestFailure(f"the stale route went {waited:.1f} s after the BoRR, not 2 s")
        p = peer_json(d)
        if p.get("state") != "Established" or sp.notifications():
            raise L.TestFailure(f"the session should stay up: {p.get('state')} {sp.summary()}")
        L.log(f"  BoRR, 1 route, no EoRR: the other stale route went {waited:.1f} s later; "
              "the session stays up")
        lab.check_alive()


TESTS = [("garbage", test_garbage), ("truncated", test_truncated),
         ("byte-at-a-time", test_byte_at_a_time), ("silent", test_silent),
         ("flap-100", test_flap_100), ("storm", test_storm), ("secrets", test_secrets),
         ("gtsm", test_gtsm), ("stalled-reader", test_stalled_reader),
         ("borr-no-eorr", test_borr_without_eorr)]


def run(args):
    L.require_tools(args.evpnd, "ip")
    L.run_subtests(TESTS, args.only, args)


if __name__ == "__main__":
    L.main(run, "test_faults")
