"""Test scenario for the dropped-worker e2e tests: each user pings ``/ping/<user id>`` twice a second, so a
loopback server can count the users really running, and one worker can be made to freeze in the middle of a
spawn.

Freezing: when the file named by ``LTC_TEST_FREEZE_ARM`` exists, the first user constructed after that (on
whichever worker claims the file by renaming it) writes its worker's pid to ``<arm>.pid`` and stops its own
process with SIGSTOP. That is a worker starved while it spawns users, paused at the one spot an outside SIGSTOP
cannot hit on purpose: after it told the master "spawning", before it sends "spawning_complete". Once resumed
(SIGCONT from the test) it runs on without yielding to its heartbeat greenlet, so the master hears
"spawning_complete" before any heartbeat, which is the Locust 2.47 sequence ``conductor_plugin`` repairs.
"""

from __future__ import annotations

import os
import signal
import sys
import uuid

# Load the conductor plugin (KPI route, liveness setting, orphan watcher) as the real scenarios do.
_REPO_LOCUST_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "locust")
if _REPO_LOCUST_DIR not in sys.path:
    sys.path.insert(0, _REPO_LOCUST_DIR)

import conductor_plugin  # noqa: E402, F401 - registers the plugin's init listener
from locust import FastHttpUser, constant, task  # noqa: E402


def _freeze_if_armed() -> None:
    arm = os.environ.get("LTC_TEST_FREEZE_ARM", "")
    if not arm:
        return
    try:
        os.rename(arm, arm + ".claimed")  # atomic: exactly one worker wins
    except FileNotFoundError:
        return
    with open(arm + ".pid.tmp", "w") as f:
        f.write(str(os.getpid()))
    os.rename(arm + ".pid.tmp", arm + ".pid")  # the test never reads a half-written pid
    os.kill(os.getpid(), signal.SIGSTOP)


class PingUser(FastHttpUser):
    wait_time = constant(0.5)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user_id = uuid.uuid4().hex
        _freeze_if_armed()

    @task
    def ping(self) -> None:
        self.client.get(f"/ping/{self.user_id}", name="ping")
