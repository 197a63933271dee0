"""natlab.py: a small Internet in network namespaces for the NAT tests.

One namespace holds a bridge (the "Internet", 198.51.100.0/24). Public hosts sit on it directly,
some behind a stateful host firewall of their own.
A NAT is a gateway namespace with one leg on the bridge and one on a private LAN of its own
(203.0.113.0/24 for the first, 192.0.2.0/24 for the second, then 198.18.0-2.0/24),
masquerading outgoing traffic with nftables (port-preserving, as Linux does by default, or
choosing a random port for every connection: mapping="random") and
dropping every unsolicited inbound packet, as a home router does, or answering an unsolicited
TCP SYN with RST (inbound="reset", what a Linux gateway without a firewall does); the host behind
it has nothing but that LAN and a default route through the gateway. Only documentation ranges are
used, and the namespaces have no route anywhere else.

Names carry a per-run tag, so that runs never collide; everything is deleted when the lab is
closed (and at exit). Needs root, iproute2, nftables and conntrack.
"""
import atexit
import os
import random
import subprocess

LANS = ["203.0.113", "192.0.2", "198.18.0", "198.18.1", "198.18.2"]


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

    def public_host(self, role, firewall=False):
        """A host on the Internet; with @firewall, a stateful host firewall drops every
        unsolicited inbound packet (no NAT: its address is its own). Returns (namespace, ip)."""
        ns = self._ns(role)
        ip = f"198.51.100.{self.next_public}"
        self.next_public += 1
        self._wire(ns, "wan")
        sh("ip", "-n", ns, "addr", "add", f"{ip}/24", "dev", "wan")
        sh("ip", "-n", ns, "link", "set", "wan", "up")
        if firewall:
            sh("ip", "netns", "exec", ns, "nft", "-f", "-", input="""
table inet filter {
  chain input { type filter hook input priority 0; policy drop;
    ct state established,related accept
    iifname "lo" accept
  }
}
""")
        return ns, ip

    def natted_host(self, role, inbound="drop", mapping="preserve"):
        """A host behind its own masquerading NAT whose gateway drops unsolicited inbound packets
        (@inbound "drop") or answers an unsolicited TCP SYN with RST ("reset"), and keeps the
        host's source port where it can (@mapping "preserve") or picks a random one for every
        connection ("random"). Returns (host namespace, host ip, gateway namespace, gateway's
        public ip)."""
        masquerade = {"preserve": "masquerade", "random": "masquerade fully-random"}[mapping]
        unsolicited = {"drop": "", "reset": "meta l4proto tcp reject with tcp reset"}[inbound]
        lan = LANS[self.nats]
        self.nats += 1
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
        for ns in reversed(self.namespaces):
            sh("ip", "netns", "del", ns, check=False)
        self.namespaces = []
