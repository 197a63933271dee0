"""natlab.py: a small Internet in network namespaces for the NAT tests.

One namespace holds a bridge (the "Internet", 198.51.100.0/24). Public hosts sit on it directly,
some behind a stateful host firewall of their own.
A NAT is a gateway namespace with one leg on the bridge and one on a private LAN of its own
(203.0.113.0/24 for the first, 192.0.2.0/24 for the second, then 198.18.0-9.0/24),
masquerading outgoing traffic with nftables (port-preserving, as Linux does by default, or
choosing a random port for every connection: mapping="random") and
dropping every unsolicited inbound packet, as a home router does, or answering an unsolicited
TCP SYN with RST (inbound="reset", what a Linux gateway without a firewall does); the host behind
it has nothing but that LAN and a default route through the gateway. Only documentation ranges are
used, and the namespaces have no route anywhere else.

IPv6, where asked for: the Internet is also 2001:db8:100::/64, a NAT's LAN 2001:db8:N::/64,
routed (no NAT) by its gateway, whose IPv6 firewall drops every unsolicited inbound packet, as
a home router's does.

A gateway may also run miniupnpd (upnp=True: UPnP IGD and NAT-PMP, or natpmp_only=True), as a
home router does. Its external address is a documentation address, which miniupnpd calls reserved
and will not forward for unless STUN shows that nothing filters in front of it: the lab has a STUN
server (stund, two addresses) on the Internet for that.

Names carry a per-run tag, so that runs never collide; everything is deleted when the lab is
closed (and at exit). Needs root, iproute2, nftables and conntrack (and miniupnpd-nftables and
stund for the gateways that run miniupnpd).
"""
import atexit
import os
import random
import shutil
import subprocess
import tempfile
import time
import uuid

LANS = ["203.0.113", "192.0.2"] + [f"198.18.{i}" for i in range(10)]


def sh(*args, check=True, input=None):
    return subprocess.run(list(args), check=check, capture_output=True, text=True, input=input,
                          timeout=30)


def available():
    """Returns None when a lab can be built here, else why not."""
    if os.geteuid() != 0:
        return "not root"
    for tool in ("ip", "nft", "conntrack", "tc"):
        if subprocess.run(["which", tool], capture_output=True).returncode != 0:
            return f"{tool} is missing"
    return None


class NatLab:
    def __init__(self):
        self.tag = f"sv{os.getpid() % 10000}{random.randint(0, 99):02d}"
        self.namespaces = []
        self.next_public = 10
        self.nats = 0
        self.procs = []
        self.stun = None
        self.v6_routers = []   # namespaces on the Internet that route IPv6
        self.v6_lans = []      # (prefix, gateway's IPv6 on the Internet)
        self.dir = tempfile.mkdtemp(prefix=f"{self.tag}-")
        atexit.register(self.close)
        self.inet = self._ns("inet")
        sh("ip", "-n", self.inet, "link", "add", "br0", "type", "bridge")
        sh("ip", "-n", self.inet, "link", "set", "br0", "up")

    def _ns(self, role):
        name = f"{self.tag}_{role}"
        sh("ip", "netns", "add", name)
        self.namespaces.append(name)
        sh("ip", "-n", name, "link", "set", "lo", "up")
        return name

    def _wire(self, ns, ifname):
        """A veth from @ns (named @ifname there) to the bridge."""
        peer = f"{self.tag}b{len(self.namespaces)}"
        tmp = f"{self.tag}t{len(self.namespaces)}"
        sh("ip", "link", "add", tmp, "type", "veth", "peer", "name", peer)
        sh("ip", "link", "set", tmp, "netns", ns)
        sh("ip", "-n", ns, "link", "set", tmp, "name", ifname)
        sh("ip", "link", "set", peer, "netns", self.inet)
        sh("ip", "-n", self.inet, "link", "set", peer, "master", "br0")
        sh("ip", "-n", self.inet, "link", "set", peer, "up")

    def _v6_on_internet(self, ns, host_part):
        """Gives @ns 2001:db8:100::@host_part on its wan, and routes to every IPv6 LAN.
        Returns the address."""
        ip6 = f"2001:db8:100::{host_part}"
        sh("ip", "-n", ns, "addr", "add", f"{ip6}/64", "dev", "wan", "nodad")
        for prefix, via in self.v6_lans:
            sh("ip", "-n", ns, "-6", "route", "add", prefix, "via", via)
        self.v6_routers.append(ns)
        return ip6

    def public_host(self, role, firewall=False, ipv6=False):
        """A host on the Internet; with @firewall, a stateful host firewall drops every
        unsolicited inbound packet (no NAT: its address is its own; IPv6 too). Returns
        (namespace, ip), and with @ipv6 (namespace, ip, ipv6 address)."""
        ns = self._ns(role)
        host_part = self.next_public
        ip = f"198.51.100.{self.next_public}"
        self.next_public += 1
        self._wire(ns, "wan")
        sh("ip", "-n", ns, "addr", "add", f"{ip}/24", "dev", "wan")
        sh("ip", "-n", ns, "link", "set", "wan", "up")
        ip6 = self._v6_on_internet(ns, host_part) if ipv6 else None
        if firewall:
            sh("ip", "netns", "exec", ns, "nft", "-f", "-", input="""
table inet filter {
  chain input { type filter hook input priority 0; policy drop;
    ct state established,related accept
    iifname "lo" accept
  }
}
""")
        return (ns, ip, ip6) if ipv6 else (ns, ip)

    def _stun(self):
        """The lab's STUN server (started once). Returns its primary address."""
        if self.stun is None:
            ns, ip = self.public_host("stun")
            alt = f"198.51.100.{self.next_public}"
            self.next_public += 1
            sh("ip", "-n", ns, "addr", "add", f"{alt}/24", "dev", "wan")
            self.procs.append(subprocess.Popen(["ip", "netns", "exec", ns, "stund", "-h", ip, "-a", alt],
                                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            self.stun = ip
        return self.stun

    def _miniupnpd(self, gw, lan, natpmp_only):
        """Runs miniupnpd on gateway @gw for LAN @lan (x.y.z); waits until STUN let it forward."""
        stun = self._stun()
        conf = os.path.join(self.dir, f"{gw}.conf")
        log = os.path.join(self.dir, f"{gw}.log")
        with open(conf, "w") as f:
            f.write(f"""ext_ifname=wan
listening_ip=lan
enable_natpmp=yes
enable_upnp={"no" if natpmp_only else "yes"}
secure_mode=yes
ext_perform_stun=yes
ext_stun_host={stun}
ext_stun_port=3478
uuid={uuid.uuid4()}
allow 1024-65535 {lan}.0/24 1024-65535
deny 0-65535 0.0.0.0/0 0-65535
""")
        out = open(log, "w")
        self.procs.append(subprocess.Popen(
            ["ip", "netns", "exec", gw, "miniupnpd", "-d", "-f", conf, "-P", os.path.join(self.dir, f"{gw}.pid")],
            stdout=out, stderr=subprocess.STDOUT))
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            text = open(log).read()
            if "Port forwarding is now enabled" in text:
                return log
            if "EXITING" in text or "impossible" in text:
                break
            time.sleep(0.2)
        raise RuntimeError(f"miniupnpd on {gw} did not start forwarding: {open(log).read()[-800:]}")

    def spawn(self, ns, args):
        """Runs @args in namespace @ns until the lab closes."""
        self.procs.append(subprocess.Popen(["ip", "netns", "exec", ns] + list(args),
                                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))

    def port_forwards(self, gw):
        """The rules miniupnpd keeps on gateway @gw (its nftables chain, as text)."""
        return sh("ip", "netns", "exec", gw, "nft", "list", "chain", "inet", "filter", "miniupnpd").stdout

    def _v6_lan(self, gw, host, gw_wan_part):
        """Routes IPv6 for the LAN between @gw and @host (2001:db8:N::/64) through a stateful
        firewall on @gw. Returns the host's IPv6 address."""
        prefix = f"2001:db8:{self.nats}::"
        gw6 = self._v6_on_internet(gw, gw_wan_part)
        sh("ip", "-n", gw, "addr", "add", f"{prefix}1/64", "dev", "lan", "nodad")
        sh("ip", "-n", host, "addr", "add", f"{prefix}2/64", "dev", "lan", "nodad")
        sh("ip", "-n", host, "-6", "route", "add", "default", "via", f"{prefix}1")
        sh("ip", "netns", "exec", gw, "sysctl", "-qw", "net.ipv6.conf.all.forwarding=1")
        sh("ip", "netns", "exec", gw, "nft", "-f", "-", input="""
table ip6 firewall6 {
  chain forward { type filter hook forward priority 0; policy drop;
    ct state established,related accept
    iifname "lan" oifname "wan" accept
    icmpv6 type { echo-request, packet-too-big, destination-unreachable, time-exceeded } accept
  }
}
""")
        for ns in self.v6_routers:
            if ns != gw:
                sh("ip", "-n", ns, "-6", "route", "add", f"{prefix}/64", "via", gw6)
        self.v6_lans.append((f"{prefix}/64", gw6))
        return f"{prefix}2"

    def natted_host(self, role, inbound="drop", mapping="preserve", upnp=False, natpmp_only=False,
                    ipv6=False):
        """A host behind its own masquerading NAT whose gateway drops unsolicited inbound packets
        (@inbound "drop") or answers an unsolicited TCP SYN with RST ("reset"), and keeps the
        host's source port where it can (@mapping "preserve") or picks a random one for every
        connection ("random"). With @ipv6 the host also has an IPv6 address, routed by the
        gateway behind a stateful firewall (no NAT), returned last. With @upnp the gateway runs miniupnpd (UPnP IGD and NAT-PMP, or
        NAT-PMP alone with @natpmp_only), in the chains of
        table inet filter, miniupnpd's default, that the gateway's own chains jump to.
        Returns (host namespace, host ip, gateway namespace, gateway's public ip)."""
        masquerade = {"preserve": "masquerade", "random": "masquerade fully-random"}[mapping]
        unsolicited = {"drop": "", "reset": "meta l4proto tcp reject with tcp reset"}[inbound]
        lan = LANS[self.nats]
        self.nats += 1
        gw_part = self.next_public
        gw, wan_ip = self.public_host(f"{role}gw")
        host = self._ns(role)
        tmp_a, tmp_b = f"{self.tag}l{self.nats}", f"{self.tag}m{self.nats}"
        sh("ip", "link", "add", tmp_a, "type", "veth", "peer", "name", tmp_b)
        sh("ip", "link", "set", tmp_a, "netns", gw)
        sh("ip", "-n", gw, "link", "set", tmp_a, "name", "lan")
        sh("ip", "link", "set", tmp_b, "netns", host)
        sh("ip", "-n", host, "link", "set", tmp_b, "name", "lan")
        sh("ip", "-n", gw, "addr", "add", f"{lan}.1/24", "dev", "lan")
        sh("ip", "-n", gw, "link", "set", "lan", "up")
        sh("ip", "-n", host, "addr", "add", f"{lan}.2/24", "dev", "lan")
        sh("ip", "-n", host, "link", "set", "lan", "up")
        sh("ip", "-n", host, "route", "add", "default", "via", f"{lan}.1")
        sh("ip", "netns", "exec", gw, "sysctl", "-qw", "net.ipv4.ip_forward=1")
        if upnp or natpmp_only:
            sh("ip", "netns", "exec", gw, "nft", "-f", "-", input="""
table inet filter {
  chain prerouting { type nat hook prerouting priority dstnat; jump prerouting_miniupnpd; }
  chain postrouting { type nat hook postrouting priority srcnat;
    jump postrouting_miniupnpd
    oifname "wan" %s
  }
  chain prerouting_miniupnpd { }
  chain postrouting_miniupnpd { }
  chain forward { type filter hook forward priority 0; policy drop;
    ct state established,related accept
    iifname "lan" oifname "wan" accept
    jump miniupnpd
  }
  chain miniupnpd { }
  chain input { type filter hook input priority 0; policy drop;
    ct state established,related accept
    iifname "lo" accept
    iifname "lan" accept
    udp sport { 3478, 3479 } accept
    %s
  }
}
""" % (masquerade, unsolicited))
            self._miniupnpd(gw, lan, natpmp_only and not upnp)
            return host, f"{lan}.2", gw, wan_ip
        sh("ip", "netns", "exec", gw, "nft", "-f", "-", input="""
table ip nat {
  chain postrouting { type nat hook postrouting priority srcnat; oifname "wan" %s; }
}
table ip filter {
  chain forward { type filter hook forward priority 0; policy drop;
    ct state established,related accept
    iifname "lan" oifname "wan" accept
  }
  chain input { type filter hook input priority 0; policy drop;
    ct state established,related accept
    iifname "lo" accept
    iifname "lan" accept
    %s
  }
}
""" % (masquerade, unsolicited))
        if ipv6:
            return host, f"{lan}.2", gw, wan_ip, self._v6_lan(gw, host, gw_part)
        return host, f"{lan}.2", gw, wan_ip

    def limit_rate(self, ns, ifname, rate):
        """Slows what @ns sends on @ifname to @rate (tc syntax, e.g. "8mbit")."""
        sh("ip", "netns", "exec", ns, "tc", "qdisc", "add", "dev", ifname, "root", "tbf", "rate", rate,
           "burst", "32kbit", "latency", "400ms")

    def flush_conntrack(self, ns):
        """Forgets every connection the NAT in @ns tracks. Returns the count it printed."""
        return sh("ip", "netns", "exec", ns, "conntrack", "-F", check=False).stderr.strip()

    def exec_prefix(self, ns):
        return ["ip", "netns", "exec", ns]

    def close(self):
        for p in self.procs:
            p.terminate()
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()
        self.procs = []
        for ns in reversed(self.namespaces):
            sh("ip", "netns", "del", ns, check=False)
        self.namespaces = []
        shutil.rmtree(self.dir, ignore_errors=True)
