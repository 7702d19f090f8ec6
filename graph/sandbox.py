"""Confinement of the process that runs a query: no network, and it dies with its parent.

The query check (``query.check_safe``) refuses SERVICE before a query runs; this is the second
line, which does not depend on reading the query. In the forked query process, before the store
is opened:

* ``cut_network`` installs a seccomp filter under which ``socket()`` fails with EACCES for every
  family but Unix sockets (and io_uring, which could open sockets behind it, is unavailable), so
  no TCP, UDP or raw connection can be made whatever the query engine tries. Where seccomp is
  unavailable it moves the process into a new, empty network namespace (``unshare``) instead;
  if neither works it raises ``SandboxError`` and the query does not run (fail closed).
* ``die_with_parent`` asks the kernel to SIGKILL the process when its parent ends, however the
  parent ends (``kill -9`` included).

Both are Linux facilities called through libc with ctypes: no extra dependency.
"""

from __future__ import annotations

import ctypes
import errno
import os
import platform
import signal
import struct

from .errors import StoreError

_PR_SET_PDEATHSIG = 1
_PR_SET_SECCOMP = 22
_PR_SET_NO_NEW_PRIVS = 38
_SECCOMP_MODE_FILTER = 2
_CLONE_NEWNET = 0x40000000
_CLONE_NEWUSER = 0x10000000
_AF_UNIX = 1

# Classic BPF opcodes and seccomp return values (linux/filter.h, linux/seccomp.h).
_LD_W_ABS = 0x20
_JEQ_K = 0x15
_JGE_K = 0x35
_RET_K = 0x06
_ALLOW = 0x7FFF0000
_DENY = 0x00050000 | errno.EACCES  # SECCOMP_RET_ERRNO: the call fails with EACCES

#: Per machine: the audit architecture, socket() and io_uring_setup() numbers, and whether the
#: x32 ABI (syscall numbers with bit 30 set) must be shut too.
_ARCHES = {
    "x86_64": (0xC000003E, 41, 425, True),
    "aarch64": (0xC00000B7, 198, 425, False),
}


class SandboxError(StoreError):
    """The query process could not be cut off the network, so the query is not run."""


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def die_with_parent(parent: int) -> None:
    """Have the kernel SIGKILL this process when its parent ends; if the parent is already
    gone (it died between fork and this call, so this process was handed to another), end now.

    ``parent`` is the process id the parent read before it forked: read here, after the fork,
    it would already be the new one's when the parent died first.
    """
    if _libc().prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        raise SandboxError(f"cannot bind the query process to its parent: {os.strerror(ctypes.get_errno())}")
    if os.getppid() != parent:
        os._exit(1)


def _filter(arch: int, socket_nr: int, uring_nr: int, x32: bool) -> bytes:
    """The BPF program: allow everything except socket() for non-Unix families and io_uring."""

    def op(code: int, k: int, jt: int = 0, jf: int = 0) -> bytes:
        return struct.pack("=HBBI", code, jt, jf, k)

    checks = [
        op(_JEQ_K, socket_nr, jt=2),  # socket() -> check its family
        op(_JEQ_K, uring_nr, jt=3),  # io_uring_setup() -> deny
        op(_RET_K, _ALLOW),
        op(_LD_W_ABS, 16),  # seccomp_data.args[0] (low 32 bits): the address family
        op(_JEQ_K, _AF_UNIX, jt=1),
        op(_RET_K, _DENY),
        op(_RET_K, _ALLOW),
    ]
    # x32 calls (bit 30 set) -> the deny two places before the end
    x32_check = [op(_JGE_K, 0x40000000, jt=len(checks) - 2)] if x32 else []
    body = [op(_LD_W_ABS, 0), *x32_check, *checks]  # seccomp_data.nr first
    head = [op(_LD_W_ABS, 4), op(_JEQ_K, arch, jf=len(body))]  # another ABI -> the final deny
    return b"".join([*head, *body, op(_RET_K, _DENY)])


def _seccomp() -> str | None:
    """Install the socket filter; None on success, else why it could not be installed."""
    machine = _ARCHES.get(platform.machine())
    if machine is None:
        return f"no seccomp filter for the {platform.machine()} architecture"
    program = _filter(*machine)
    count = len(program) // 8
    buffer = ctypes.create_string_buffer(program, len(program))

    class Prog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    prog = Prog(count, ctypes.addressof(buffer))
    libc = _libc()
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        return f"no_new_privs: {os.strerror(ctypes.get_errno())}"
    if libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.byref(prog), 0, 0) != 0:
        return f"seccomp: {os.strerror(ctypes.get_errno())}"
    return None


def _unshare() -> str | None:
    """Move into a new network namespace (only a loopback, down); None on success."""
    flags = _CLONE_NEWNET if os.geteuid() == 0 else _CLONE_NEWNET | _CLONE_NEWUSER
    if _libc().unshare(flags) != 0:
        return f"unshare: {os.strerror(ctypes.get_errno())}"
    return None


def cut_network() -> None:
    """Make every later attempt of this process to open a network socket fail (see above)."""
    if platform.system() != "Linux":
        raise SandboxError(
            f"queries run only where the query process can be cut off the "
            f"network (Linux seccomp or namespaces), not on {platform.system()}"
        )
    reasons = []
    for attempt in (_seccomp, _unshare):
        reason = attempt()
        if reason is None:
            return
        reasons.append(reason)
    raise SandboxError(
        "cannot cut the query process off the network (" + "; ".join(reasons) + "), so the query is not run"
    )
