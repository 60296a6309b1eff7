#!/usr/bin/env python3
"""Floods from one address for test_limits.sh; traffic only to 127.0.0.1:PORT.

flood.py PORT hold N READY STOP
    Opens up to N connections that send an unfinished request line and headers, writes
    the number that connected to READY, and holds them until the file STOP appears
    (at most 60 s); then closes them all.
flood.py PORT slowbody N READY STOP
    Opens up to N connections that each send complete headers of a PUT /update/0
    (a rename: not image work) whose body never comes, waits (at most 6 s) for
    answers, writes "REFUSED HELD OTHER" to READY (429 answers or closes, connections
    still waiting, any other answer), and holds them until STOP appears (at most
    60 s); then closes them all.
flood.py PORT trickle READY STOP "METHOD PATH"
    Sends the headers of one request (METHOD PATH, a body of 1 MB announced, and
    "Expect: 100-continue"), waits for nginx's first answer line ("HTTP/1.1 100
    Continue" once nginx reads the body, that is once the request is in progress)
    and writes it to READY ("none" if none came in 20 s); then sends one byte of body
    a second (so that nginx's body timeout never ends it) until STOP appears (at most
    120 s), and writes to READY.end "no answer", or the first line of the answer that
    came meanwhile.
flood.py PORT burst N [HEADER: VALUE]
    Makes N POST /api/filter requests one after the other on one kept-alive connection
    (a new one only when nginx closes it), as a browser would, and prints one line per
    answer: "STATUS CODE" (CODE from the JSON body's "code", or "-"). nginx ends a
    kept-alive request, and frees its place under limit_conn, before it reads the next;
    a request on a closed connection may still hold its place while the next arrives.
"""
import json
import os
import resource
import selectors
import socket
import sys
import time

HOST = "127.0.0.1"


def raise_nofile(n):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(hard, max(soft, n + 64)) if hard != resource.RLIM_INFINITY else max(soft, n + 64)
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    except (ValueError, OSError):
        pass
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def open_many(port, n, first, deadline):
    """Non-blocking connects (nginx may stop accepting: its backlog then fills and later
    connects never complete); sends FIRST on each that connects before DEADLINE."""
    sel = selectors.DefaultSelector()
    socks = []
    for _ in range(n):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        s.connect_ex((HOST, port))
        sel.register(s, selectors.EVENT_WRITE)
        socks.append(s)
    pending = len(socks)
    connected = []
    while pending and time.monotonic() < deadline:
        for key, _ in sel.select(timeout=0.2):
            s = key.fileobj
            sel.unregister(s)
            pending -= 1
            if s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0:
                try:
                    s.send(first)
                    connected.append(s)
                except OSError:
                    pass
    sel.close()
    return socks, connected


def close_all(socks):
    for s in socks:
        try:
            s.close()
        except OSError:
            pass


def hold(port, n, ready, stop):
    n = min(n, raise_nofile(n) - 64)
    socks, connected = open_many(port, n, b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-a: ", time.monotonic() + 10)
    with open(ready + ".tmp", "w") as f:
        f.write("%d\n" % len(connected))
    os.rename(ready + ".tmp", ready)
    end = time.monotonic() + 60
    while not os.path.exists(stop) and time.monotonic() < end:
        time.sleep(0.05)
    close_all(socks)


def slowbody(port, n, ready, stop):
    n = min(n, raise_nofile(n) - 64)
    head = (b"PUT /update/0 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Content-Length: 1000000\r\n\r\n{")
    socks, connected = open_many(port, n, head, time.monotonic() + 5)
    sel = selectors.DefaultSelector()
    for s in connected:
        sel.register(s, selectors.EVENT_READ)
    refused = other = 0
    left = len(connected)
    end = time.monotonic() + 6
    while left and time.monotonic() < end:
        for key, _ in sel.select(timeout=0.2):
            s = key.fileobj
            sel.unregister(s)
            left -= 1
            try:
                data = s.recv(256)
            except OSError:
                data = b""
            if not data or data.startswith(b"HTTP/1.1 429"):
                refused += 1
            else:
                other += 1
    sel.close()
    with open(ready + ".tmp", "w") as f:
        f.write("%d %d %d\n" % (refused, left, other))
    os.rename(ready + ".tmp", ready)
    end = time.monotonic() + 60
    while not os.path.exists(stop) and time.monotonic() < end:
        time.sleep(0.05)
    close_all(socks)


def trickle(port, ready, stop, line):
    s = socket.create_connection((HOST, port), timeout=20)
    s.sendall(line.encode() + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
              b"Expect: 100-continue\r\nContent-Length: 1000000\r\n\r\n")
    try:
        first = s.recv(256).split(b"\r\n", 1)[0].decode(errors="replace") or "none"
    except OSError:
        first = "none"
    with open(ready + ".tmp", "w") as f:
        f.write(first + "\n")
    os.rename(ready + ".tmp", ready)
    s.setblocking(False)
    answer = b""
    end = time.monotonic() + 120
    tick = 0
    while not os.path.exists(stop) and time.monotonic() < end:
        if tick % 20 == 0:
            try:
                s.send(b" ")  # JSON whitespace
            except OSError:
                break
        try:
            data = s.recv(256)
            if not data:
                break
            answer += data
        except BlockingIOError:
            pass
        except OSError:
            break
        time.sleep(0.05)
        tick += 1
    s.close()
    with open(ready + ".end.tmp", "w") as f:
        f.write((answer.split(b"\r\n", 1)[0].decode(errors="replace") if answer else "no answer") + "\n")
    os.rename(ready + ".end.tmp", ready + ".end")


def read_answer(f):
    """One HTTP answer from the file f: (status, body, closes); status "000" when the
    connection ended first."""
    line = f.readline()
    parts = line.split(b" ", 2)
    if len(parts) < 2:
        return "000", b"", True
    length, closes = None, False
    while True:
        h = f.readline()
        if h in (b"\r\n", b"\n", b""):
            break
        name, _, value = h.partition(b":")
        name, value = name.strip().lower(), value.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"connection" and value == b"close":
            closes = True
    body = f.read(length) if length is not None else f.read()
    return parts[1].decode(), body, closes or length is None


def burst(port, n, header):
    body = b'{"image": "", "filter": "red"}'
    extra = b""
    if header:
        extra = header.encode() + b"\r\n"
    s = f = None
    for _ in range(n):
        if s is None:
            s = socket.create_connection((HOST, port), timeout=10)
            f = s.makefile("rb")
        s.sendall(b"POST /api/filter HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                  b"Content-Type: application/json\r\n" + extra +
                  b"Content-Length: %d\r\n\r\n" % len(body) + body)
        try:
            status, rest, closes = read_answer(f)
        except OSError:
            status, rest, closes = "000", b"", True
        code = "-"
        try:
            code = json.loads(rest.decode())["code"]
        except Exception:
            pass
        print(status, code)
        if closes:
            f.close()
            s.close()
            s = f = None
    if s is not None:
        f.close()
        s.close()


def main():
    port, mode = int(sys.argv[1]), sys.argv[2]
    if mode == "hold":
        hold(port, int(sys.argv[3]), sys.argv[4], sys.argv[5])
    elif mode == "slowbody":
        slowbody(port, int(sys.argv[3]), sys.argv[4], sys.argv[5])
    elif mode == "trickle":
        trickle(port, sys.argv[3], sys.argv[4], sys.argv[5])
    elif mode == "burst":
        burst(port, int(sys.argv[3]), sys.argv[4] if len(sys.argv) > 4 else "")
    else:
        sys.exit("unknown mode " + mode)


if __name__ == "__main__":
    main()
