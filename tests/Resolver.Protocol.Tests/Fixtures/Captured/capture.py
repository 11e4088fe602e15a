#!/usr/bin/env python3
"""Regenerate captured DNS wire fixtures: NSD serves zone/test.example.zone on loopback,
a recording UDP/TCP proxy sits in front of it, dig/kdig query through the proxy, and each
exchange is written as NAME.query.hex / NAME.response.hex / NAME.dig.txt. Loopback only."""
import os, shutil, socket, struct, subprocess, sys, tempfile, threading, time

HERE = os.path.dirname(os.path.abspath(__file__))
ZONE = os.path.join(HERE, "zone", "test.example.zone")
Z = "test.example"
DIG = ["dig", "+nocookie"]  # baseline: EDNS OPT with no options (dig 9.18 sends a cookie by default)

# name -> command (the @server/-p arguments are appended)
QUERIES = {
    "www_a": DIG + [f"www.{Z}", "A"],
    "www_aaaa": DIG + [f"www.{Z}", "AAAA"],
    "kdig_www_a": ["kdig", "+nsid", "+bufsize=1232", f"www.{Z}", "A"],
    "cookie_www_a": ["dig", "+cookie", f"www.{Z}", "A"],
    "noedns_www_a": DIG + ["+noedns", f"www.{Z}", "A"],
    "multi_a": DIG + [f"multi.{Z}", "A"],
    "alias_a": DIG + [f"alias.{Z}", "A"],
    "mail_mx": DIG + [f"mail.{Z}", "MX"],
    "txt_txt": DIG + [f"txt.{Z}", "TXT"],
    "sip_srv": DIG + [f"_sip._tcp.{Z}", "SRV"],
    "caa_caa": DIG + [f"caa.{Z}", "CAA"],
    "svc_https": DIG + [f"svc.{Z}", "HTTPS"],
    "ptr_ptr": DIG + [f"ptr.{Z}", "PTR"],
    "dname_dname": DIG + [f"dname.{Z}", "DNAME"],
    "unknown_type65280": DIG + [f"unknown.{Z}", "TYPE65280"],
    "secure_ds": DIG + [f"secure.{Z}", "DS"],
    "secure_dnskey": DIG + [f"secure.{Z}", "DNSKEY"],
    "sig_nsec": DIG + [f"sig.{Z}", "NSEC"],
    "sig_rrsig": DIG + [f"sig.{Z}", "RRSIG"],
    "n3_nsec3": DIG + [f"n3.{Z}", "NSEC3"],
    "nxdomain": DIG + [f"doesnotexist.{Z}", "A"],
    "nodata": DIG + [f"www.{Z}", "TXT"],
    "big_udp_truncated": DIG + ["+bufsize=512", "+ignore", f"big.{Z}", "TXT"],
    "big_tcp": DIG + ["+tcp", f"big.{Z}", "TXT"],
    "apex_soa": DIG + [f"{Z}", "SOA"],
    "apex_ns": DIG + [f"{Z}", "NS"],
    "axfr": ["kdig", f"{Z}", "AXFR"],  # one TCP message, all RRs (dig rejects it: check-names)
}

exchanges = []  # (query bytes, response bytes) recorded by the proxy


def recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            raise EOFError
        buf += chunk
    return buf


def udp_proxy(sock, upstream):
    while True:
        q, client = sock.recvfrom(65535)
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
            u.settimeout(2)
            u.sendto(q, upstream)
            r = u.recv(65535)
        exchanges.append((q, r))
        sock.sendto(r, client)


def tcp_proxy(lsock, upstream):
    while True:
        conn, _ = lsock.accept()
        with conn, socket.create_connection(upstream, timeout=2) as u:
            try:
                while True:
                    q = recv_exact(conn, struct.unpack("!H", recv_exact(conn, 2))[0])
                    u.sendall(struct.pack("!H", len(q)) + q)
                    r = recv_exact(u, struct.unpack("!H", recv_exact(u, 2))[0])
                    exchanges.append((q, r))  # stored without the 2-byte length prefix
                    conn.sendall(struct.pack("!H", len(r)) + r)
            except EOFError:
                pass


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_hex(path, data):
    h = data.hex()
    with open(path, "w") as f:
        f.write("\n".join(h[i:i + 64] for i in range(0, len(h), 64)) + "\n")


def main():
    tmp = tempfile.mkdtemp(prefix="nsd-capture-")
    nsd_port = free_port()
    conf = os.path.join(tmp, "nsd.conf")
    with open(conf, "w") as f:
        f.write(f"""server:
  ip-address: 127.0.0.1@{nsd_port}
  username: ""
  chroot: ""
  server-count: 1
  database: ""
  zonesdir: "{tmp}"
  pidfile: "{tmp}/nsd.pid"
  zonelistfile: "{tmp}/zone.list"
  xfrdfile: "{tmp}/xfrd.state"
  xfrdir: "{tmp}"
  logfile: "{tmp}/nsd.log"
remote-control:
  control-enable: no
zone:
  name: "test.example."
  zonefile: "{ZONE}"
  provide-xfr: 127.0.0.1 NOKEY
""")
    nsd = subprocess.Popen(["nsd", "-d", "-c", conf])
    try:
        upstream = ("127.0.0.1", nsd_port)
        # UDP and TCP proxy listen on the same (free, high) port
        while True:
            us = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            us.bind(("127.0.0.1", 0))
            port = us.getsockname()[1]
            ts = socket.socket()
            ts.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                ts.bind(("127.0.0.1", port))
                break
            except OSError:
                us.close(); ts.close()
        ts.listen(8)
        threading.Thread(target=udp_proxy, args=(us, upstream), daemon=True).start()
        threading.Thread(target=tcp_proxy, args=(ts, upstream), daemon=True).start()
        for _ in range(50):  # wait until NSD answers
            if subprocess.run(["dig", "+short", "+tries=1", "+time=1", "-p", str(nsd_port),
                               "@127.0.0.1", Z, "SOA"], capture_output=True, text=True).stdout:
                break
            time.sleep(0.2)
        else:
            sys.exit("NSD did not start; see " + tmp + "/nsd.log")
        for name, cmd in QUERIES.items():
            exchanges.clear()
            out = subprocess.run(cmd + ["@127.0.0.1", "-p", str(port)],
                                 capture_output=True, text=True, check=True).stdout
            time.sleep(0.05)
            if len(exchanges) != 1:
                sys.exit(f"{name}: expected 1 exchange, got {len(exchanges)}")
            q, r = exchanges[0]
            write_hex(os.path.join(HERE, f"{name}.query.hex"), q)
            write_hex(os.path.join(HERE, f"{name}.response.hex"), r)
            with open(os.path.join(HERE, f"{name}.dig.txt"), "w") as f:
                f.write("$ " + " ".join(cmd) + " @127.0.0.1 -p PORT\n" + out)
            print(f"{name}: query {len(q)} bytes, response {len(r)} bytes")
    finally:
        nsd.terminate()  # stop only the NSD we started, by PID
        nsd.wait(timeout=10)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
