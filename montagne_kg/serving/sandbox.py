"""Keeping query processes off the network: a seccomp filter that refuses to create Internet sockets.

A query the SERVICE guard found free of SERVICE runs in a process where ``socket(AF_INET|AF_INET6, …)`` fails
with EACCES, so even a future guard bug cannot turn into a request to another host (SSRF): Oxigraph's HTTP client
cannot open a connection, and no name can be resolved. Unix sockets and pipes (how the process talks to its
worker) still work. io_uring, which could create sockets without the ``socket`` system call, is refused too.
"""

from __future__ import annotations

import errno
import os
import socket

import pyseccomp as seccomp

REFUSED = errno.EACCES


class SandboxUnavailable(RuntimeError):
    """This kernel or system cannot load the filter (no seccomp, no libseccomp)."""


def forbid_network() -> None:
    """Install the filter in the calling process (and every thread and child it will have); irreversible."""
    try:
        rules = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
        for family in (socket.AF_INET, socket.AF_INET6, socket.AF_PACKET):
            rules.add_rule(seccomp.ERRNO(REFUSED), "socket", seccomp.Arg(0, seccomp.EQ, family))
        rules.add_rule(seccomp.ERRNO(REFUSED), "io_uring_setup")
        rules.load()
    except OSError as err:  # libseccomp missing, or the kernel refused the filter
        raise SandboxUnavailable(f"seccomp filter could not be loaded: {err}") from err


def network_refused() -> bool:
    """Whether this process can no longer open an Internet socket."""
    try:
        socket.socket(socket.AF_INET, socket.SOCK_STREAM).close()
    except PermissionError:
        return True
    return False


def check_available() -> None:
    """Load the filter in a throwaway child and check it holds there; SandboxUnavailable with the reason if not."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child reports one byte: 1 = the filter holds, 0 = it does not
        os.close(read_end)
        status = b"0"
        try:
            forbid_network()
            status = b"1" if network_refused() else b"0"
        except SandboxUnavailable:
            status = b"0"
        finally:
            os.write(write_end, status)
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        verdict = pipe.read(1)
    os.waitpid(pid, 0)
    if verdict != b"1":
        raise SandboxUnavailable("this system cannot keep query processes off the network (seccomp unavailable)")
