"""fakedns.py - a tiny authoritative-looking DNS server over UDP for the
public delegation check of route53-ns-only (fixitd's resolver seam:
FIXIT_DNS_RESOLVER=127.0.0.1:PORT). Standard library only.

    dns = FakeDNS().start()
    dns.delegate("sub.example.com", ["ns-1.awsdns-01.org"])  # NS answer
    dns.misbehave("odd.example.com", "servfail")  # servfail|refused|
                                                  # silent|garbage|wrong-id
    ... every other name: NXDOMAIN ...
    dns.queries    # [(name, qtype)] received
    dns.stop()
"""

import socket
import struct
import threading

NS, SOA = 2, 6


def norm(name):
    return name.lower().rstrip(".")


def _qname(pkt, off):
    labels = []
    while True:
        n = pkt[off]
        off += 1
        if n == 0:
            return ".".join(labels), off
        labels.append(pkt[off:off + n].decode("ascii", "replace"))
        off += n


def _name(name):
    out = b""
    for label in norm(name).split("."):
        if label:
            out += bytes([len(label)]) + label.encode()
    return out + b"\0"


class FakeDNS:
    def __init__(self, host="127.0.0.1"):
        self.host = host
        self.zones = {}         # name -> [ns names]
        self.modes = {}         # name -> misbehaviour
        self.queries = []
        self.lock = threading.Lock()
        self.sock = None
        self.thread = None

    def start(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((self.host, 0))
        self.sock.settimeout(0.1)
        self._stop = False
        self.thread = threading.Thread(target=self._serve, daemon=True,
                                       name="fakedns")
        self.thread.start()
        return self

    def stop(self):
        if self.sock is not None:
            self._stop = True
            self.thread.join(2)
            self.sock.close()
            self.sock = None

    @property
    def address(self):
        """FIXIT_DNS_RESOLVER for fixitd: 127.0.0.1:PORT"""
        return "%s:%d" % self.sock.getsockname()

    def delegate(self, name, servers):
        with self.lock:
            self.zones[norm(name)] = [norm(s) for s in servers]

    def undelegate(self, name):
        with self.lock:
            self.zones.pop(norm(name), None)

    def misbehave(self, name, mode):
        with self.lock:
            self.modes[norm(name)] = mode

    def _serve(self):
        while not self._stop:
            try:
                pkt, peer = self.sock.recvfrom(4096)
            except socket.timeout:
                continue
            except OSError:
                return
            try:
                out = self._answer(pkt)
            except (IndexError, struct.error, UnicodeError):
                out = None
            if out:
                self.sock.sendto(out, peer)

    def _answer(self, pkt):
        qid, flags, qd = struct.unpack(">HHH", pkt[:6])
        name, off = _qname(pkt, 12)
        qtype, = struct.unpack(">H", pkt[off:off + 2])
        question = pkt[12:off + 4]
        key = norm(name)
        with self.lock:
            self.queries.append((key, qtype))
            mode = self.modes.get(key)
            servers = list(self.zones.get(key, ()))
        if mode == "silent":
            return None
        if mode == "garbage":
            return struct.pack(">HHHHHH", qid, 0x8180, 1, 9, 0, 0) + \
                question + b"\xc0\xff\xff"
        rd = flags & 0x0100
        hdr_flags = 0x8080 | rd          # QR, RA
        if mode in ("servfail", "refused"):
            rc = 2 if mode == "servfail" else 5
            return struct.pack(">HHHHHH", qid, hdr_flags | rc, 1, 0, 0, 0) \
                + question
        if mode == "wrong-id":
            qid ^= 0x5555
        if not servers:
            return struct.pack(">HHHHHH", qid, hdr_flags | 3, 1, 0, 0, 0) \
                + question
        answers = b""
        for s in servers:
            rdata = _name(s)
            # the owner is a pointer to the question's name (offset 12)
            answers += struct.pack(">HHHIH", 0xc00c, NS, 1, 300,
                                   len(rdata)) + rdata
        return struct.pack(">HHHHHH", qid, hdr_flags, 1, len(servers), 0,
                           0) + question + answers
