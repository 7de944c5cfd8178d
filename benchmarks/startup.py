"""How fast digestbot starts, as whole processes, beside the floor of each.

- `digestbot --help` and a cold `render` (a fresh interpreter each time, RUNS times; the best
  run is the machine's own speed, the median what a busy machine gives) against
  `python -c pass`, with the goals of issue 14 (0.3 s, 0.5 s).
- `publish` to 200 Telegram chats under the real limits, the whole process from exec to exit
  (imports, config, store, render, intent, fan-out, report) against the floor the limits
  make unavoidable, (200 - 30) / 30 = 5.67 s; goal 1.15x. The Telegram fake is its own process;
  the SQLite store is migrated beforehand, as a daily publish finds it.

digestbot's own modules are byte-compiled first (`compileall`), as an installed wheel has them:
this checkout runs from source, and with PYTHONDONTWRITEBYTECODE set every process would
compile them again.

Run from the repository root: `.venv/bin/python -m benchmarks.startup` (or `make bench`).
"""

from __future__ import annotations

import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tests.fakes.telegram_server import DEFAULT_TOKEN

from benchmarks.delivery import FLOOR_BURST, FLOOR_CHATS, FLOOR_RATE, FakeTelegram, chats
from benchmarks.report import load_average

REPO = Path(__file__).resolve().parent.parent
DIGESTBOT = str(Path(sys.executable).with_name("digestbot"))
SAMPLE = str(REPO / "samples" / "2026-04-20.txt")
RUNS = 7
PUBLISH_RUNS = 3
GOALS = {"--help": 0.3, "render (cold)": 0.5}
PUBLISH_GOAL = 1.15


@dataclass(frozen=True, slots=True)
class Timings:
    walls: list[float]
    cpus: list[float]  # user + system of the child

    @property
    def best(self) -> float:
        return min(self.walls)

    @property
    def median(self) -> float:
        return statistics.median(self.walls)

    @property
    def cpu(self) -> float:
        return statistics.median(self.cpus)


def timed_runs(argv: Sequence[str], runs: int, ok: Sequence[int] = (0,)) -> Timings:
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        done = subprocess.run(argv, cwd=REPO, capture_output=True, check=False)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        if done.returncode not in ok:
            raise RuntimeError(f"{argv} exited {done.returncode}:\n{done.stderr.decode()[-2000:]}")
    return Timings(walls, cpus)


def publish_config(folder: Path, url: str) -> Path:
    targets = ", ".join(f'{{ chat_id = "{t}", variant = "top5" }}' for t, _ in chats(FLOOR_CHATS))
    path = folder / "digestbot.toml"
    path.write_text(
        f'[store]\nurl = "sqlite:///{folder}/ledger.db"\n\n'
        f'[source]\nkind = "folder"\npath = "{folder}/issues"\n\n'
        f"[telegram]\ntoken = {json.dumps(DEFAULT_TOKEN)}\n"
        f"api_base_url = {json.dumps(url + '/bot')}\ntargets = [{targets}]\n",
        encoding="utf-8",
    )
    return path


@dataclass(frozen=True, slots=True)
class Phases:
    """One whole `publish` process, split where the Telegram fake saw its first and last
    message: before the first send (start, imports, config, store, render, intent), the
    sends, and after the last send (report, exit)."""

    wall: float
    cpu: float
    before: float
    sending: float
    after: float
    stats: dict[str, int]


def publish_once() -> Phases:
    with FakeTelegram() as fake, tempfile.TemporaryDirectory(prefix="digestbot-b-") as tmp:
        config = publish_config(Path(tmp), fake.url)
        # A daily publish meets a store migrated before (by `migrate` or yesterday's run).
        timed_runs([DIGESTBOT, "--config", str(config), "migrate"], 1)
        argv = [DIGESTBOT, "--config", str(config), "publish", "--file", SAMPLE, "--json"]
        started = time.time()  # the fake stamps messages with time.time()
        one = timed_runs(argv, 1)
        ended = started + one.walls[0]
        times = fake.message_times()
        return Phases(
            wall=one.walls[0],
            cpu=one.cpus[0],
            before=times[0] - started,
            sending=times[-1] - times[0],
            after=ended - times[-1],
            stats=fake.stats(),
        )


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def main() -> None:
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO / "src")], check=True)
    print(f"startup: whole processes, {RUNS} runs each (best / median wall, median CPU)")
    floor = timed_runs([sys.executable, "-c", "pass"], RUNS)
    cases = {
        "--help": timed_runs([DIGESTBOT, "--help"], RUNS),
        "render (cold)": timed_runs(
            [DIGESTBOT, "render", SAMPLE, "--channel", "telegram", "--variant", "top5"], RUNS
        ),
    }
    print(
        f"  python -c pass          {floor.best:.3f} / {floor.median:.3f} s, CPU {floor.cpu:.3f} s"
    )
    for name, timing in cases.items():
        goal = GOALS[name]
        print(
            f"  digestbot {name:<14}{timing.best:.3f} / {timing.median:.3f} s, CPU "
            f"{timing.cpu:.3f} s = {timing.best / goal:.2f}x the {goal} s goal (best), "
            f"{timing.best / floor.best:.0f}x python -c pass",
            flush=True,
        )
    runs = [publish_once() for _ in range(PUBLISH_RUNS)]
    limit_floor = (FLOOR_CHATS - FLOOR_BURST) / FLOOR_RATE
    wall = statistics.median(r.wall for r in runs)
    best = min(r.wall for r in runs)
    messages = [r.stats["messages"] for r in runs]
    limited = sum(r.stats["rate_limited"] for r in runs)
    print(
        f"  publish {FLOOR_CHATS} chats, whole process: median {wall:.2f} s (best "
        f"{best:.2f}) = {wall / limit_floor:.3f}x the {limit_floor:.2f} s floor (best "
        f"{best / limit_floor:.3f}x; goal {PUBLISH_GOAL}x); CPU "
        f"{statistics.median(r.cpu for r in runs):.2f} s; messages per run {messages}, "
        f"429s {limited}",
    )
    sending = statistics.median(r.sending for r in runs)
    print(
        f"    median phases: {statistics.median(r.before for r in runs):.3f} s to the first "
        f"send, {sending:.3f} s first to last send ({sending / limit_floor:.3f}x the floor), "
        f"{statistics.median(r.after for r in runs):.3f} s from the last send to exit",
        flush=True,
    )
    print("  goals (issue 14 point 5), this run:")
    for name, timing in cases.items():
        goal = GOALS[name]
        print(f"    {verdict(timing.best < goal)} {name}: best {timing.best:.3f} s < {goal} s")
    print(
        f"    {verdict(wall / limit_floor <= PUBLISH_GOAL)} publish: median "
        f"{wall / limit_floor:.3f}x <= {PUBLISH_GOAL}x the floor"
    )
    print(f"  {load_average()}")


if __name__ == "__main__":
    main()
