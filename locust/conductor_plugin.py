"""Load Test Conductor plugin for Locust (imported by every scenario in ./scenarios).

* Shared scenario settings read from the environment:
  - ``LTC_LOAD_TEST_HEADER`` / ``LTC_LOAD_TEST_HEADER_VALUE``: the header that marks load-test traffic
    (default ``X-Load-Test: true``) so services route it to their mocks.
  - ``LTC_ORDER_REQUEST_NAME``: the request name that counts as one placed order
    (default ``checkout: place order``).
  - ``LTC_PACING_SECONDS``: seconds per journey and user on average (``jittered_pacing``), so users map
    roughly linearly to orders per minute.
* On the master (or a standalone runner) with its web UI, a route ``GET /conductor/kpi`` that lets the
  conductor count orders without keeping fragile state::

      {"bootId": "<uuid, new per process start>",
       "generation": <int, +1 whenever the counters go back to zero>,
       "orders": <successful order requests>, "orderFailures": <failed order requests>,
       "state": "<runner state>", "workers": <connected workers not missing>,
       "userCount": <users>, "timestamp": <epoch seconds>, "orderRequestName": "<name>",
       "settled": {"through": <whole epoch seconds>, "orders": <successful orders completed before it>} | null}

  ``orders`` is a staircase: it grows when a worker's report (every 3 s) reaches the master, so a 10-s interval
  counts 9 or 12 s of orders. ``settled`` does not: Locust's per-second request counts, summed over the seconds
  before ``through``, which every connected worker has reported past (each worker stamps its reports with its
  own clock). Two readings give an interval's orders over exactly ``through₂ - through₁`` seconds. Null while a
  connected worker has not reported since it connected.

  and a route ``GET /conductor/scenario`` with the User classes the master offers (their weights, whether
  they count the KPI: ``@counts_kpi``), whether the class picker is on (``--class-picker``), the selected
  classes and the users running per class (docs/scenarios.md).

  The conductor computes orders per minute from two readings with the same ``bootId`` and
  ``generation``; anything else means the counters restarted and the reading is a new baseline.
* Beside it, ``GET /conductor/histograms``: the master's response-time histograms (merged from every worker),
  per request name and method and for all requests together, with the same ``bootId`` and ``generation``::

      {"bootId": "<uuid>", "generation": <int>, "timestamp": <epoch seconds>,
       "entries": [{"name": "<name>", "method": "<method>", "requests": <n>, "failures": <n>,
                    "histogram": {"<rounded ms>": <count>, ...}}, ...],
       "aggregated": {"name": "Aggregated", "method": "", "requests": ..., "failures": ..., "histogram": {...}}}

  The conductor subtracts two readings of one generation to get an interval's histogram, from which a window's
  percentiles are exact (lambdas/core/histogram.ts).

Tested against Locust 2.47.0. Counters go back to zero when (a) ``POST /stats/reset`` (event
``reset_stats``), (b) a test starts from ready/stopped (``stats.clear_all()`` then event ``test_start``),
(c) a ramp finishes and the master runs with ``--reset-stats`` (``spawning_complete``), (d) the master
restarts (new ``bootId``). As a safety net the route also notices a replaced ``stats.total`` entry or an
order counter that went down, and bumps the generation then.

Workers the master lost track of (Locust 2.47): a worker that misses ``HEARTBEAT_LIVENESS`` heartbeats (3 s; a
CPU-starved worker does) is set "missing" and taken out of the master's user dispatcher, whose next dispatch (the
next ``/swarm``: the master runs without ``--enable-rebalancing``) hands its users to the others. If its next
message is "spawning"/"spawning_complete" rather than a heartbeat, the master sets it running again without
putting it back into the dispatcher: it keeps its users, counts in the master's ``user_count``, and no ``/swarm``
ever changes them again (seen on a loaded 2-core machine: 21 users more than asked through a whole plateau). So on
the master this plugin
  - lets ``LTC_HEARTBEAT_LIVENESS_SECONDS`` (when set) replace those 3 s, so a starved worker is not declared
    missing in the first place;
  - checks every second for workers that are running but outside the dispatcher, puts them back and, once the
    master is not in a ramp, redistributes the users, as its own self-heal on a heartbeat does.
That self-heal (a missing worker's heartbeat) puts the worker back but redistributes only when the master is
"running": healed in the up to 1 s the master stays "spawning" after a ``/swarm``, waiting for worker reports, the
worker keeps its old users on top of the target the others were just given (seen: 8 users running for a target
of 6) until the next ``/swarm``. So the watcher also redistributes, once the master is out of its ramp, when a worker
it saw missing is back and the rebalance its return prepared in the dispatcher was never dispatched.
"""

from __future__ import annotations

import logging
import math
import os
import random
import time
import uuid
from collections.abc import Callable
from typing import Any

import gevent
import locust.runners
from locust import events
from locust.env import Environment
from locust.runners import STATE_MISSING, STATE_RUNNING, STATE_SPAWNING, MasterRunner, WorkerRunner

logger = logging.getLogger("conductor_plugin")

DEFAULT_LOAD_TEST_HEADER = "X-Load-Test"
DEFAULT_LOAD_TEST_HEADER_VALUE = "true"
DEFAULT_ORDER_REQUEST_NAME = "checkout: place order"
DEFAULT_PACING_SECONDS = 20.0  # one journey per user every 20 s ≈ 3 orders/min/user
# Each journey's period is drawn within ±30 % of the pacing: a user's phase drifts by ~0.17 of a period per
# journey, so users pushed into step (spawned together, released together from a queue) fall out of it within a
# few journeys; journeys shorter than 0.7 of the pacing keep its mean rate.
PACING_JITTER = 0.3
KPI_ROUTE = "/conductor/kpi"
SCENARIO_ROUTE = "/conductor/scenario"
# Set on a User class by ``@counts_kpi``: its users fire the KPI request (the conductor refuses a scenario
# whose classes have none of them: its KPI could never be met).
KPI_MARK = "conductor_counts_kpi"
HISTOGRAMS_ROUTE = "/conductor/histograms"
# A worker's report carries its clock: every request it logged before then is in the report.
REPORTED_AT_KEY = "conductor_reported_at"

# Fixed for the life of this process: a master restart is visible as a new bootId.
BOOT_ID = str(uuid.uuid4())


def load_test_header() -> tuple[str, str]:
    name = os.environ.get("LTC_LOAD_TEST_HEADER", "").strip() or DEFAULT_LOAD_TEST_HEADER
    value = os.environ.get("LTC_LOAD_TEST_HEADER_VALUE", "").strip() or DEFAULT_LOAD_TEST_HEADER_VALUE
    return name, value


def load_test_headers() -> dict[str, str]:
    """Headers every scenario request carries (use as ``FastHttpUser.default_headers``)."""
    name, value = load_test_header()
    return {name: value}


def order_request_name() -> str:
    return os.environ.get("LTC_ORDER_REQUEST_NAME", "").strip() or DEFAULT_ORDER_REQUEST_NAME


def kpi_request_name() -> str:
    """The request name (or custom event name) the conductor counts as one KPI unit, e.g. one order."""
    return order_request_name()


def counts_kpi(user_class: type) -> type:
    """Class decorator: users of this class fire the KPI request (named ``kpi_request_name()``)."""
    setattr(user_class, KPI_MARK, True)
    return user_class


def fire_kpi_event(environment: Environment, succeeded: bool = True, response_time_ms: float = 0.0) -> None:
    """Counts one KPI unit that is not a single HTTP request (e.g. a booking confirmed after polling): a request
    event named ``kpi_request_name()`` of type ``KPI``, counted by the conductor like an order request."""
    environment.events.request.fire(
        request_type="KPI",
        name=kpi_request_name(),
        response_time=response_time_ms,
        response_length=0,
        exception=None if succeeded else RuntimeError("KPI not reached"),
        context={},
    )


def pacing_seconds(default: float = DEFAULT_PACING_SECONDS) -> float:
    raw = os.environ.get("LTC_PACING_SECONDS", "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"LTC_PACING_SECONDS must be a number of seconds, got {raw!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"LTC_PACING_SECONDS must be > 0, got {raw!r}")
    return value


def jittered_pacing(seconds: float, jitter: float = PACING_JITTER) -> Callable[[Any], float]:
    """A ``wait_time`` like Locust's ``constant_pacing`` whose period is drawn uniformly within ``±jitter`` of
    ``seconds``. Under ``constant_pacing`` a user keeps the phase it started at forever, so users that an overload
    released from a queue together, or that a spawn started together, send their orders together for the rest of
    the run and queue each other: latency the system under test would not show real customers."""
    if not math.isfinite(seconds) or seconds <= 0:
        raise ValueError(f"pacing must be > 0 seconds, got {seconds!r}")
    if not 0 <= jitter < 1:
        raise ValueError(f"pacing jitter must be in [0, 1), got {jitter!r}")

    def wait_time(user: Any) -> float:
        now = time.perf_counter()
        # Before its first wait, the journey began when Locust started the user (its own constant_pacing's mark).
        started = getattr(user, "_ltc_journey_started", getattr(user, "_cp_last_run", now))
        ran = now - started
        period = seconds * (1 + jitter * (2 * random.random() - 1))
        wait = max(0.0, period - ran)
        user._ltc_journey_started = now + wait
        return wait

    return wait_time


def heartbeat_liveness_seconds() -> int | None:
    raw = os.environ.get("LTC_HEARTBEAT_LIVENESS_SECONDS", "").strip()
    if not raw:
        return None
    if not raw.isdigit() or int(raw) < 1:
        raise ValueError(f"LTC_HEARTBEAT_LIVENESS_SECONDS must be a whole number of seconds >= 1, got {raw!r}")
    return int(raw)


def readmit_orphaned_workers(runner: MasterRunner) -> list[str]:
    """Puts running workers the user dispatcher lost back into it; returns their ids.

    The users still have to be redistributed over them (``redistribute_when_idle``)."""
    dispatcher = runner._users_dispatcher
    if dispatcher is None:
        return []
    known = {w.id for w in dispatcher._worker_nodes}
    orphans = [
        c for c in list(runner.clients.values()) if c.state in (STATE_RUNNING, STATE_SPAWNING) and c.id not in known
    ]
    for client in orphans:
        dispatcher.add_worker(worker_node=client)
    return [c.id for c in orphans]


def redistribute_when_idle(runner: MasterRunner) -> bool:
    """Dispatches the target users anew, as the master's own self-heal does, unless a ramp is under way; True if it
    did. Not during a ramp: the master stays "spawning" for up to a second after its last dispatch, waiting for
    worker reports (which an orphan's extra users keep from matching), and a dispatch finished by then would never
    move the readmitted worker's users."""
    dispatcher = runner._users_dispatcher
    if dispatcher is None or dispatcher.dispatch_in_progress or runner.state != STATE_RUNNING:
        return False
    runner.start(runner.target_user_count, runner.spawn_rate)
    return True


def missing_worker_ids(runner: MasterRunner) -> set[str]:
    return {c.id for c in list(runner.clients.values()) if c.state == STATE_MISSING}


def live_worker_ids(runner: MasterRunner) -> list[str]:
    return [c.id for c in list(runner.clients.values()) if c.state != STATE_MISSING]


def healed_without_redistribution(runner: MasterRunner, seen_missing: set[str]) -> list[str]:
    """Ids of workers seen missing that are back in the user dispatcher while the rebalance their return prepared
    there was never dispatched: the master's self-heal found it "spawning" and left their old users running."""
    dispatcher = runner._users_dispatcher
    if dispatcher is None or not dispatcher._rebalance:
        return []
    in_dispatcher = {w.id for w in dispatcher._worker_nodes}
    return [
        c.id
        for c in list(runner.clients.values())
        if c.id in seen_missing and c.id in in_dispatcher and c.state in (STATE_RUNNING, STATE_SPAWNING)
    ]


def _watch_orphaned_workers(runner: MasterRunner) -> None:
    redistribution_owed = False
    seen_missing: set[str] = set()
    while True:
        gevent.sleep(1.0)
        try:
            for worker_id in readmit_orphaned_workers(runner):
                logger.warning("worker %s was running outside the user dispatcher: readmitted", worker_id)
                redistribution_owed = True
            for worker_id in healed_without_redistribution(runner, seen_missing):
                logger.warning(
                    "worker %s self-healed while the master was spawning: users owe a redistribution", worker_id
                )
                redistribution_owed = True
            seen_missing = missing_worker_ids(runner)
            if runner.state not in (STATE_RUNNING, STATE_SPAWNING):
                redistribution_owed = False  # stopped: the next start dispatches over every worker anyway
            if redistribution_owed and redistribute_when_idle(runner):
                redistribution_owed = False
        except Exception:  # noqa: BLE001 - a watchdog must outlive one bad pass
            logger.exception("checking for orphaned workers failed")


class ConductorKpi:
    """Order counters and the reset generation of one master (or standalone) runner."""

    def __init__(self, environment: Environment, request_name: str) -> None:
        self.environment = environment
        self.request_name = request_name
        self.generation = 0
        self._seen_total: object = environment.stats.total
        self._last_requests = 0
        # Worker id -> its clock at its last report (the master's clock when it connected, before any report).
        self._reported_at: dict[str, float] = {}

    def worker_connected(self, client_id: str) -> None:
        self._reported_at[client_id] = time.time()

    def worker_reported(self, client_id: str, data: dict[str, Any]) -> None:
        at = data.get(REPORTED_AT_KEY)
        if isinstance(at, (int, float)):
            self._reported_at[client_id] = float(at)

    def settled_through(self, live: list[str] | None) -> int | None:
        """The whole second before which every live worker has reported all it logged, or None.

        ``live`` is the master's live worker ids; None for a standalone runner, which logs into these stats directly.
        """
        if live is None:
            return math.floor(time.time())
        times = [self._reported_at.get(cid) for cid in live]
        known = [t for t in times if t is not None]
        if not known or len(known) < len(times):
            return None
        return math.floor(min(known))

    def _order_entries(self) -> list[Any]:
        # list(): the entries dict may grow while worker reports arrive.
        return [e for (name, _m), e in list(self.environment.stats.entries.items()) if name == self.request_name]

    def settled_orders(self, through: int) -> int:
        """Successful orders logged in the seconds before ``through`` (per-second counts, merged from workers)."""
        requests = failures = 0
        for entry in self._order_entries():
            requests += sum(n for t, n in list(entry.num_reqs_per_sec.items()) if t < through)
            failures += sum(n for t, n in list(entry.num_fail_per_sec.items()) if t < through)
        return requests - failures

    def bump(self, reason: str) -> None:
        self.generation += 1
        self._seen_total = self.environment.stats.total
        self._last_requests = 0
        logger.debug("conductor kpi generation %d (%s)", self.generation, reason)

    def order_counts(self) -> tuple[int, int]:
        entries = self._order_entries()
        return sum(e.num_requests for e in entries), sum(e.num_failures for e in entries)

    def snapshot(self) -> dict[str, Any]:
        runner = self.environment.runner
        stats = self.environment.stats
        if stats.total is not self._seen_total:
            self.bump("stats.total replaced")
        requests, failures = self.order_counts()
        if requests < self._last_requests:
            self.bump("order counter went down")
        self._last_requests = requests
        live = live_worker_ids(runner) if isinstance(runner, MasterRunner) else None
        through = self.settled_through(live)
        return {
            "bootId": BOOT_ID,
            "generation": self.generation,
            "orders": requests - failures,
            "orderFailures": failures,
            "state": runner.state if runner is not None else STATE_MISSING,
            "workers": len(live) if live is not None else 0,
            "userCount": int(runner.user_count) if runner is not None else 0,
            "timestamp": time.time(),
            "orderRequestName": self.request_name,
            "settled": None if through is None else {"through": through, "orders": self.settled_orders(through)},
        }


def offered_user_classes(environment: Environment) -> dict[str, dict[str, Any]]:
    """The User classes this master can run (every class of every locustfile it loaded), with their weights and
    whether they count the KPI."""
    available = environment.available_user_classes or {c.__name__: c for c in environment.user_classes}
    return {
        name: {"weight": user_class.weight, "countsKpi": bool(getattr(user_class, KPI_MARK, False))}
        for name, user_class in sorted(available.items())
    }


def running_users_by_class(runner: Any) -> dict[str, int]:
    """Users running per class: as the workers reported them on a master, as spawned on a standalone runner."""
    if runner is None:
        return {}
    counts = runner.reported_user_classes_count if isinstance(runner, MasterRunner) else runner.user_classes_count
    return {name: int(n) for name, n in sorted(counts.items()) if n > 0}


def scenario_snapshot(environment: Environment, class_picker: bool) -> dict[str, Any]:
    """``GET /conductor/scenario``: what the conductor checks before a run that selects user classes, and the
    users per class running now (recorded in the run's report)."""
    return {
        "classPicker": class_picker,
        "offered": offered_user_classes(environment),
        "selected": sorted(c.__name__ for c in environment.user_classes),
        "running": running_users_by_class(environment.runner),
        "kpiRequestName": kpi_request_name(),
    }


def histogram_entry(entry: Any, name: str, method: str) -> dict[str, Any]:
    """One stats entry's counters and its rounded response-time histogram (JSON keys are strings)."""
    return {
        "name": name,
        "method": method,
        "requests": entry.num_requests,
        "failures": entry.num_failures,
        # dict(): workers' reports extend the histogram while it is being read.
        "histogram": {str(bucket): count for bucket, count in dict(entry.response_times).items() if count},
    }


def histograms_snapshot(kpi: ConductorKpi) -> dict[str, Any]:
    """The master's histograms with the KPI route's generation (its reset checks run first, on the same stats)."""
    generation = kpi.snapshot()
    stats = kpi.environment.stats
    return {
        "bootId": generation["bootId"],
        "generation": generation["generation"],
        "timestamp": generation["timestamp"],
        "entries": [
            histogram_entry(entry, name, method or "")
            for (name, method), entry in list(stats.entries.items())
        ],
        "aggregated": histogram_entry(stats.total, "Aggregated", ""),
    }


def _add_route(environment: Environment, web_ui: Any, route: str, endpoint: str, produce: Any) -> None:
    """A GET route (also under ``--web-base-path``) answering ``produce()`` as uncached JSON."""

    def answer() -> Any:
        from flask import jsonify

        response = jsonify(produce())
        response.headers["Cache-Control"] = "no-store"
        return response

    view = web_ui.auth_required_if_enabled(answer)
    base = (getattr(environment.parsed_options, "web_base_path", "") or "").rstrip("/")
    web_ui.app.add_url_rule(route, endpoint, view, methods=["GET"])
    if base:
        web_ui.app.add_url_rule(base + route, endpoint + "_base", view, methods=["GET"])


def _exit_with_parent(expected_ppid: int) -> None:
    """Local runs only (LTC_EXIT_WITH_PARENT=<pid>): quit when the launching process is gone, so a killed
    test runner never leaves Locust processes behind. SIGTERM takes Locust's own graceful shutdown path."""
    import signal

    def watch() -> None:
        while True:
            gevent.sleep(1.0)
            if os.getppid() != expected_ppid:
                logger.warning("parent process %d is gone; shutting down", expected_ppid)
                os.kill(os.getpid(), signal.SIGTERM)
                gevent.sleep(10.0)
                os._exit(1)

    gevent.spawn(watch)


@events.init.add_listener
def _on_locust_init(environment: Environment, runner: Any = None, web_ui: Any = None, **_kwargs: Any) -> None:
    parent = os.environ.get("LTC_EXIT_WITH_PARENT", "").strip()
    if parent.isdigit():
        _exit_with_parent(int(parent))
    if isinstance(runner, MasterRunner):
        liveness = heartbeat_liveness_seconds()
        if liveness is not None:
            # Read by the master each time a worker connects or sends a heartbeat.
            locust.runners.HEARTBEAT_LIVENESS = liveness
        gevent.spawn(_watch_orphaned_workers, runner)
    if isinstance(runner, WorkerRunner):

        @environment.events.report_to_master.add_listener
        def _stamp_report(data: dict[str, Any], **_kw: Any) -> None:
            data[REPORTED_AT_KEY] = time.time()

        return  # workers have no web UI
    if web_ui is None:
        return  # --headless masters have nobody to answer
    _add_route(
        environment,
        web_ui,
        SCENARIO_ROUTE,
        "conductor_scenario",
        lambda: scenario_snapshot(environment, bool(web_ui.userclass_picker_is_active)),
    )
    kpi = ConductorKpi(environment, order_request_name())
    environment.conductor_kpi = kpi  # type: ignore[attr-defined]  # handy for tests and other plugins

    @environment.events.worker_connect.add_listener
    def _on_worker_connect(client_id: str, **_kw: Any) -> None:
        kpi.worker_connected(client_id)

    @environment.events.worker_report.add_listener
    def _on_worker_report(client_id: str, data: dict[str, Any], **_kw: Any) -> None:
        kpi.worker_reported(client_id, data)

    @environment.events.reset_stats.add_listener
    def _on_reset_stats(**_kw: Any) -> None:
        kpi.bump("reset_stats")

    @environment.events.test_start.add_listener
    def _on_test_start(**_kw: Any) -> None:
        # Fired only when a test starts from ready/stopped, right after stats.clear_all().
        kpi.bump("test_start")

    @environment.events.spawning_complete.add_listener
    def _on_spawning_complete(**_kw: Any) -> None:
        if environment.reset_stats:  # --reset-stats: the runner zeroes the counters after each ramp
            kpi.bump("spawning_complete with --reset-stats")

    _add_route(environment, web_ui, KPI_ROUTE, "conductor_kpi", kpi.snapshot)
    _add_route(environment, web_ui, HISTOGRAMS_ROUTE, "conductor_histograms", lambda: histograms_snapshot(kpi))
    logger.info("conductor plugin: %s ready (order request %r)", KPI_ROUTE, kpi.request_name)
