#!/usr/bin/env python3
"""Keep-alive on an idle link: two servents (their roles chosen by themselves, as shipped) with
nothing to say ping each other after `idle-ping` seconds, answer with pongs, and the link stays
up. Our own keep-alive pings are not recorded as routes (the table would keep each for an
hour), yet their pongs are still recognised as ours: nothing is dropped for want of a route and
the route table does not grow while idle."""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

IDLE_PING = 5      # seconds, the smallest value servent.conf accepts
IDLE_WATCH = 26    # seconds watched: four or five keep-alive rounds on each side


def body(run):
    cfg = {"network": {"idle-ping": IDLE_PING}}
    a = run.daemon("a", role=None, config=cfg)
    b = run.daemon("b", role=None, peers=[a], config=cfg)
    run.wait_connected(a, b)
    run.wait_connected(b, a)
    # Let the link's opening exchange (handshake pings, QRP tables) finish first.
    time.sleep(2)

    def snapshot(d, other):
        st = d.status()
        return {"link": d.linked_to(other), "routes": st["route_entries"],
                "no_route": st["counters"]["dropped"].get("no-route", 0),
                "closed": dict(st["counters"]["closed"])}

    before = {d.name: snapshot(d, o) for d, o in ((a, b), (b, a))}
    time.sleep(IDLE_WATCH)
    after = {d.name: snapshot(d, o) for d, o in ((a, b), (b, a))}

    for name in ("a", "b"):
        x, y = before[name], after[name]
        run.check(y["link"] is not None and y["link"]["id"] == x["link"]["id"],
                  f"{name}: the link did not stay up ({x['link']} -> {y['link']})")
        if y["link"] is None:
            continue
        # Each keep-alive round is a ping one way and a pong back: at least three rounds.
        sent = y["link"]["msgs_out"] - x["link"]["msgs_out"]
        got = y["link"]["msgs_in"] - x["link"]["msgs_in"]
        run.check(sent >= 3 and got >= 3,
                  f"{name}: {sent} messages sent and {got} received in {IDLE_WATCH} s idle "
                  f"with idle-ping={IDLE_PING}")
        run.check(y["no_route"] == x["no_route"],
                  f"{name}: {y['no_route'] - x['no_route']} messages dropped for no route "
                  "(keep-alive pongs not recognised)")
        run.check(y["routes"] == x["routes"],
                  f"{name}: route table went from {x['routes']} to {y['routes']} while idle")
        run.check(y["closed"] == x["closed"], f"{name}: links closed while idle: "
                  f"{x['closed']} -> {y['closed']}")


if __name__ == "__main__":
    harness.Run("keepalive").main(body)
