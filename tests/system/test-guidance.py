#!/usr/bin/env python3
"""Leaf guidance declined: an ultrapeer whose ultrapeer slots are full but whose leaf slots are
free answers a connecting ultrapeer 200 with X-Ultrapeer-Needed: False. A newcomer forced to be
an ultrapeer and seeded with that host alone declines the guidance and still joins the overlay,
on a host the guiding one named, instead of retrying the guiding one forever."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402


def body(run):
    other = run.daemon("other", "ultrapeer", config={"network": {"ultrapeers": 3, "leaves": 4}})
    guide = run.daemon("guide", "ultrapeer", peers=[other], config={"network": {"ultrapeers": 1, "leaves": 4}})
    run.wait_connected(guide, other)

    raw = harness.RawPeer(run, guide)
    status, headers = raw.handshake(ultrapeer=True)
    raw.close()
    guided = status is not None and " 200" in status and headers.get("x-ultrapeer-needed", "").lower() == "false"
    busy = status is not None and " 503" in status
    run.check(guided or busy, f"guide with its ultrapeer slot taken answered an ultrapeer {status!r} {headers}")
    tries = [h.strip() for h in headers.get("x-try-ultrapeers", "").split(",") if h.strip()]
    run.check(other.addr in tries, f"guide's answer to an ultrapeer it cannot take names no other "
              f"ultrapeer: X-Try-Ultrapeers {tries}, status {status!r}")

    upnew = run.daemon("upnew", "ultrapeer", peers=[guide], config={"network": {"ultrapeers": 2, "leaves": 4}})
    run.wait_for("the forced ultrapeer on a host the guiding one named", lambda: upnew.linked_to(other),
                 deadline=90)
    run.check(guide.linked_to(upnew) is None and upnew.linked_to(guide) is None,
              f"the forced ultrapeer linked to the guiding one: {guide.peer_addrs()}")
    run.check(upnew.status()["role"] == "ultrapeer", "the forced ultrapeer became a leaf")


if __name__ == "__main__":
    harness.Run("guidance").main(body)
