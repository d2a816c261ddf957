"""Keeping query processes off the network, by the kernel.

Local queries (the SERVICE guard found none): a seccomp filter refuses to create Internet sockets, so even a future
guard bug cannot turn into a request to another host (SSRF): ``socket(AF_INET|AF_INET6, …)`` fails with EACCES,
Oxigraph's HTTP client cannot open a connection, and no name can be resolved. Unix sockets and pipes (how the process
talks to its worker) still work. io_uring, which could create sockets without the ``socket`` system call, is refused.

Federated queries: the process enters a user and network namespace of its own, whose only interface is its loopback;
there, the relay's port passes connections to the relay's Unix socket (``relay``); a seccomp filter then refuses
every socket but TCP over IPv4 and Unix sockets. Whatever IRI the engine reads, it can reach the relay and nothing
else.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import os
import select
import socket
import struct
import tempfile
import threading
from collections.abc import Callable

import pyseccomp as seccomp

REFUSED = errno.EACCES


class SandboxUnavailable(RuntimeError):
    """This kernel or system cannot load the filter (no seccomp, no libseccomp)."""


def refuse_sockets(families: tuple[int, ...], inet_kinds: tuple[int, ...], failure: type[RuntimeError]) -> None:
    """Install a seccomp filter in the calling process (and every thread and child it will have; irreversible)
    refusing sockets of ``families``, IPv4 sockets of ``inet_kinds``, and io_uring; ``failure`` if it cannot."""
    try:
        rules = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
        for family in families:
            rules.add_rule(seccomp.ERRNO(REFUSED), "socket", seccomp.Arg(0, seccomp.EQ, family))
        for kind in inet_kinds:
            rules.add_rule(seccomp.ERRNO(REFUSED), "socket", seccomp.Arg(0, seccomp.EQ, socket.AF_INET),
                           seccomp.Arg(1, seccomp.MASKED_EQ, 0xF, kind))
        rules.add_rule(seccomp.ERRNO(REFUSED), "io_uring_setup")
        rules.load()
    except OSError as err:  # libseccomp missing, or the kernel refused the filter
        raise failure(f"seccomp filter could not be loaded: {err}") from err


def forbid_network() -> None:
    """No Internet socket at all (local query processes)."""
    refuse_sockets((socket.AF_INET, socket.AF_INET6, socket.AF_PACKET), (), SandboxUnavailable)


def network_refused() -> bool:
    """Whether this process can no longer open an Internet socket."""
    try:
        socket.socket(socket.AF_INET, socket.SOCK_STREAM).close()
    except PermissionError:
        return True
    return False


def holds_in_a_child(trial: Callable[[], bool]) -> bool:
    """Run ``trial`` in a throwaway forked child (what it installs there is irreversible) and return its verdict;
    an OSError in the child counts as False."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child reports one byte: 1 = it holds, 0 = it does not
        os.close(read_end)
        status = b"0"
        try:
            status = b"1" if trial() else b"0"
        except OSError:  # a system call the trial needs failed
            status = b"0"
        finally:
            os.write(write_end, status)
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        verdict = pipe.read(1)
    os.waitpid(pid, 0)
    return verdict == b"1"


def _filtered() -> bool:
    try:
        forbid_network()
    except SandboxUnavailable:
        return False
    return network_refused()


def check_available() -> None:
    """Load the filter in a throwaway child and check it holds there; SandboxUnavailable with the reason if not."""
    if not holds_in_a_child(_filtered):
        raise SandboxUnavailable("this system cannot keep query processes off the network (seccomp unavailable)")


# Federated query processes: a user and network namespace of their own, where the SERVICE relay is the only address.

CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000
SIOCGIFFLAGS = 0x8913
SIOCSIFFLAGS = 0x8914
IFF_UP = 0x1
IFREQ = struct.Struct("16sH22x")  # struct ifreq: the interface's name, then its flags (the rest of the union unused)
PIPE_BYTES = 64 * 1024


class ConfinementUnavailable(RuntimeError):
    """This kernel gives no user and network namespace to an unprivileged process (or no seccomp)."""


def confine_to_relay(relay_socket: str, port: int) -> None:
    """Move the calling (single-threaded) process into a new user and network namespace whose only interface is its
    own loopback; there, 127.0.0.1:``port`` passes each connection on to the relay's Unix socket (a file, which a
    network namespace does not hide). Then refuse every socket but TCP over IPv4 and Unix sockets (no UDP, IPv6,
    raw, packet or netlink sockets, no io_uring): the process can reach the relay and nothing else."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(CLONE_NEWUSER | CLONE_NEWNET) != 0:
        raise ConfinementUnavailable(f"unshare(user and network namespace) failed: {os.strerror(ctypes.get_errno())}")
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as control:
        request = IFREQ.pack(b"lo", 0)
        flags = IFREQ.unpack(fcntl.ioctl(control, SIOCGIFFLAGS, request))[1]
        fcntl.ioctl(control, SIOCSIFFLAGS, IFREQ.pack(b"lo", flags | IFF_UP))
    listener = socket.create_server(("127.0.0.1", port))
    refuse_sockets((socket.AF_INET6, socket.AF_PACKET, socket.AF_NETLINK), (socket.SOCK_DGRAM, socket.SOCK_RAW),
                   ConfinementUnavailable)
    threading.Thread(target=_pass_on, args=(listener, relay_socket), name="relay-door", daemon=True).start()


def _pass_on(listener: socket.socket, relay_socket: str) -> None:
    """Accept connections (Oxigraph's HTTP client calling the relay) and pipe each to the relay's Unix socket."""
    while True:
        inside, _ = listener.accept()
        outside = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            outside.connect(relay_socket)
        except OSError:
            inside.close()
            outside.close()
            continue
        threading.Thread(target=_pipe, args=(inside, outside), daemon=True).start()


def _pipe(one: socket.socket, other: socket.socket) -> None:
    """Copy bytes both ways until both sides have finished sending."""
    peers = {one: other, other: one}
    open_ends = {one, other}
    try:
        while open_ends:
            readable, _, _ = select.select(list(open_ends), [], [])
            for sock in readable:
                data = sock.recv(PIPE_BYTES)
                if data:
                    peers[sock].sendall(data)
                else:
                    open_ends.discard(sock)
                    peers[sock].shutdown(socket.SHUT_WR)
    except OSError:
        pass
    finally:
        one.close()
        other.close()


def confinement_in_force(wanted: str) -> str:
    """``namespace`` when asked for and a throwaway child can enter one and find nothing but loopback; else none."""
    if wanted != "namespace":
        return "none"
    return "namespace" if holds_in_a_child(_confined) else "none"


def _confined() -> bool:
    try:
        with tempfile.TemporaryDirectory() as scratch:
            confine_to_relay(os.path.join(scratch, "relay.sock"), 0)
    except ConfinementUnavailable:
        return False
    return _only_loopback()


def _only_loopback() -> bool:
    """Inside the namespace: the only interface is lo (as /proc lists this namespace's), and UDP is refused."""
    try:
        socket.socket(socket.AF_INET, socket.SOCK_DGRAM).close()
    except PermissionError:
        with open("/proc/self/net/dev", encoding="ascii") as devices:
            names = [line.split(":")[0].strip() for line in devices.readlines()[2:]]
        return names == ["lo"]
    return False
