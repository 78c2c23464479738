"""Which process runs a load, and whether it still lives.

A load records its process as (pid, host, start time). A pid alone is not enough: after a crash
and a reboot, or on a busy machine, another process may carry the same pid; the start time of
the process (from psutil) tells them apart.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from enum import StrEnum

import psutil

# psutil derives start times from clock ticks since boot: the same process reads the same value,
# a different process with the reused pid differs by far more than this.
START_TIME_TOLERANCE_S = 1.0


class Liveness(StrEnum):
    ALIVE = "alive"
    DEAD = "dead"
    UNKNOWN = "unknown"  # recorded on another host, or not recorded at all


@dataclass(frozen=True)
class Runner:
    pid: int
    host: str
    started: float  # seconds since the epoch, psutil.Process.create_time()

    @classmethod
    def current(cls) -> Runner:
        pid = os.getpid()
        return cls(pid=pid, host=socket.gethostname(), started=psutil.Process(pid).create_time())

    def liveness(self) -> Liveness:
        if self.host != socket.gethostname():
            return Liveness.UNKNOWN
        try:
            started = psutil.Process(self.pid).create_time()
        except psutil.NoSuchProcess:
            return Liveness.DEAD
        except psutil.AccessDenied:
            return Liveness.ALIVE  # it exists; another user's process cannot be judged further
        if abs(started - self.started) > START_TIME_TOLERANCE_S:
            return Liveness.DEAD  # the pid now belongs to another process
        if psutil.Process(self.pid).status() == psutil.STATUS_ZOMBIE:
            return Liveness.DEAD
        return Liveness.ALIVE

    def describe(self) -> str:
        return f"pid {self.pid} on {self.host}"
