#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
#
# ptyrun.py SECONDS COLS ROWS MARKER CMD...: run a full-screen program in a pseudo-terminal of
# COLS x ROWS (TERM=xterm-256color, LANG=C.UTF-8) for SECONDS and print one line:
#   first_frame_ms=N bytes=N bytes_per_s=N cpu_per_s=N peak_rss_kib=N
# first_frame_ms: from the start until the output first contains MARKER (the program's first
# frame); bytes and bytes_per_s: everything it wrote to the terminal in the steady state, from
# SETTLE seconds (env PTYRUN_SETTLE, default 2) after the first frame to the end; cpu_per_s: its own
# user + system CPU seconds per wall second over the same part (from /proc/PID/stat, the program's
# process only), so one-time start-up work (loading symbols) is left out for every program alike.
# peak_rss_kib: the program's peak resident set up to the end (VmHWM in /proc/PID/status, read
# before SIGTERM: ru_maxrss would start from this Python's own RSS, inherited over fork and exec).
# The program gets SIGTERM at the end.
import fcntl
import os
import pty
import select
import signal
import struct
import sys
import termios
import time


def cpu_seconds(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except OSError:
        return 0.0


def peak_rss_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def main():
    seconds, cols, rows, marker = float(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    cmd = sys.argv[5:]
    start = time.monotonic()
    pid, fd = pty.fork()
    if pid == 0:
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        os.environ.update(TERM="xterm-256color", LANG="C.UTF-8", LC_ALL="C.UTF-8")
        os.execvp(cmd[0], cmd)
    buf = b""
    first = None
    total = 0
    cpu0 = 0.0
    t_first = None
    t_settled = None
    settle = float(os.environ.get("PTYRUN_SETTLE", "2"))
    end = start + seconds + 30
    while time.monotonic() < end:
        r, _, _ = select.select([fd], [], [], 0.05)
        if r:
            try:
                data = os.read(fd, 65536)
            except OSError:
                break
            if not data:
                break
            if first is None:
                buf = (buf + data)[-65536:]
                if marker.encode() in buf:
                    t_first = time.monotonic()
                    first = t_first - start
                    end = t_first + settle + seconds
            elif t_settled is not None:
                total += len(data)
        if t_first is not None and t_settled is None and time.monotonic() >= t_first + settle:
            t_settled = time.monotonic()
            cpu0 = cpu_seconds(pid)
    wall = time.monotonic() - (t_settled or t_first or start)
    cpu = cpu_seconds(pid) - cpu0
    peak = peak_rss_kib(pid)
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            r, _, _ = select.select([fd], [], [], 0.1)
            if r:
                os.read(fd, 65536)
        except OSError:
            pass
        if os.waitpid(pid, os.WNOHANG)[0]:
            break
    else:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    if first is None:
        print(f"first_frame_ms=none bytes=0 bytes_per_s=0 cpu_per_s=0 peak_rss_kib={peak}")
        return 1
    print(f"first_frame_ms={first * 1000:.0f} bytes={total} bytes_per_s={total / wall:.0f} "
          f"cpu_per_s={cpu / wall:.4f} peak_rss_kib={peak}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
