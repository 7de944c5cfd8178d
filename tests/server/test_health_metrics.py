"""`/healthz`, `/metrics`, and the real uvicorn server started and stopped by `serve()`."""

from __future__ import annotations

import asyncio
import socket

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from digestbot.model import Variant
from digestbot.server import Heartbeat, Metrics, bind, serve
from tests.fakes.slack_server import SlackFake
from tests.server.harness import AppEnv, ManualClock, command_body, slack_headers


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


async def test_healthz_is_ok_when_the_store_answers(app_env: AppEnv) -> None:
    async with app_env.client() as client:
        response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "store": "ok"}


async def test_healthz_is_503_when_the_store_is_down(app_env: AppEnv) -> None:
    async with app_env.client(health=lambda: False) as client:
        response = await client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "store": "unavailable"}


async def test_healthz_says_why_the_store_is_unavailable(app_env: AppEnv) -> None:
    from digestbot.server.health import StoreCheck
    from digestbot.store.base import StoreBase
    from digestbot.store.engine import create_store_engine
    from tests.fakes._server import free_port

    # A PostgreSQL that is not there: the ledger's database stopped.
    gone = StoreBase(
        create_store_engine(f"postgresql://digestbot:s3cret@127.0.0.1:{free_port()}/x")
    )
    async with app_env.client(health=StoreCheck(gone)) as client:
        response = await client.get("/healthz")
    gone.close()
    assert response.status_code == 503
    body = response.json()
    assert body["store"] == "unavailable"
    assert body["store_error"].startswith("OperationalError: connection failed")
    assert "s3cret" not in response.text


async def test_healthz_reports_the_scheduler_tick_and_its_age() -> None:
    clock = ManualClock(now=1_776_643_200.0)  # 2026-04-20T00:00:00Z
    heartbeat = Heartbeat(every=30, clock=clock)
    await heartbeat.beat()
    clock.now += 12.5
    assert heartbeat.report() == {
        "status": "ok",
        "last_tick": "2026-04-20T00:00:00+00:00",
        "age_seconds": 12.5,
        "max_age_seconds": 90,
    }


async def test_healthz_is_503_once_the_scheduler_missed_three_beats(app_env: AppEnv) -> None:
    clock = ManualClock(now=1_776_643_200.0)
    heartbeat = Heartbeat(every=30, clock=clock)
    await heartbeat.beat()
    async with app_env.client(heartbeat=heartbeat) as client:
        clock.now += 90  # the third beat is due but not late yet
        on_time = await client.get("/healthz")
        clock.now += 1
        late = await client.get("/healthz")
        await heartbeat.beat()
        again = await client.get("/healthz")
    assert on_time.status_code == 200 and on_time.json()["scheduler"]["status"] == "ok"
    assert late.status_code == 503
    assert late.json()["status"] == "unavailable"
    assert late.json()["store"] == "ok"
    assert late.json()["scheduler"]["status"] == "stale"
    assert late.json()["scheduler"]["age_seconds"] == 91
    assert again.status_code == 200


async def test_a_scheduler_that_never_ticked_is_stale_three_beats_after_start(
    app_env: AppEnv,
) -> None:
    clock = ManualClock(now=1_776_643_200.0)
    heartbeat = Heartbeat(every=30, clock=clock)
    async with app_env.client(heartbeat=heartbeat) as client:
        starting = await client.get("/healthz")
        clock.now += 91
        never = await client.get("/healthz")
    assert starting.status_code == 200
    assert starting.json()["scheduler"]["last_tick"] is None
    assert never.status_code == 503 and never.json()["scheduler"]["status"] == "stale"


async def test_metrics_expose_deliveries_last_publish_and_subscribers(app_env: AppEnv) -> None:
    app_env.metrics.record_delivery("telegram", "sent")
    app_env.metrics.record_delivery("telegram", "sent")
    app_env.metrics.record_delivery("email", "failed")
    app_env.metrics.record_publish(1776643200.0)
    app_env.store.subscribe("telegram", "42", Variant.TOP5)
    async with app_env.client() as client:
        response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    values = samples(response.text)
    sent = (("channel", "telegram"), ("status", "sent"))
    assert values[("digestbot_deliveries_total", sent)] == 2
    failed = (("channel", "email"), ("status", "failed"))
    assert values[("digestbot_deliveries_total", failed)] == 1
    assert values[("digestbot_last_publish_timestamp_seconds", ())] == 1776643200.0
    assert values[("digestbot_active_subscribers", (("channel", "telegram"),))] == 1
    assert values[("digestbot_active_subscribers", (("channel", "slack"),))] == 0


async def test_slash_command_outcomes_are_counted(app_env: AppEnv, slack_fake: SlackFake) -> None:
    good = command_body("top3", slack_fake.response_url("m"))
    async with app_env.client() as client:
        await client.post("/slack/commands", content=good, headers=slack_headers(good))
        await client.post("/slack/commands", content=good, headers=slack_headers(good, "wrong"))
        response = await client.get("/metrics")
    values = samples(response.text)
    assert values[("digestbot_slash_commands_total", (("outcome", "accepted"),))] == 1
    assert values[("digestbot_slash_commands_total", (("outcome", "unauthorized"),))] == 1


def test_each_metrics_instance_has_its_own_registry() -> None:
    first, second = Metrics(), Metrics()
    first.record_delivery("slack", "sent")
    assert b'digestbot_deliveries_total{channel="slack",status="sent"} 1.0' in first.exposition()
    assert b"channel=" not in second.exposition()


async def test_serve_runs_uvicorn_on_a_free_port_until_the_stop_event(app_env: AppEnv) -> None:
    async with app_env.client():  # builds the app the same way the other tests do
        pass
    app = app_env.apps[-1]
    stop = asyncio.Event()
    ready: asyncio.Future[int] = asyncio.get_running_loop().create_future()
    server = asyncio.create_task(
        serve(app, "127.0.0.1", 0, stop, on_ready=lambda _h, port: ready.set_result(port))
    )
    port = await asyncio.wait_for(ready, 10)
    async with httpx.AsyncClient() as client:
        response = await client.get(f"http://127.0.0.1:{port}/healthz")
    assert response.status_code == 200 and response.json()["status"] == "ok"
    stop.set()
    await asyncio.wait_for(server, 10)
    with pytest.raises(httpx.ConnectError):
        async with httpx.AsyncClient() as client:
            await client.get(f"http://127.0.0.1:{port}/healthz")


def test_a_taken_port_raises_instead_of_exiting_the_process() -> None:
    with bind("127.0.0.1", 0) as taken:
        port = taken.getsockname()[1]
        with pytest.raises(OSError):
            bind("127.0.0.1", port).close()
    assert isinstance(taken, socket.socket)


async def test_stopping_the_server_waits_for_an_acknowledged_slash_reply(
    app_env: AppEnv, slack_fake: SlackFake
) -> None:
    app_env.issues.delay = 0.5  # the reply is still being prepared when the stop comes
    async with app_env.client():
        pass
    stop = asyncio.Event()
    ready: asyncio.Future[int] = asyncio.get_running_loop().create_future()
    server = asyncio.create_task(
        serve(app_env.apps[-1], "127.0.0.1", 0, stop, on_ready=lambda _h, p: ready.set_result(p))
    )
    port = await asyncio.wait_for(ready, 10)
    body = command_body("full", slack_fake.response_url("live"))
    async with httpx.AsyncClient() as client:
        ack = await client.post(
            f"http://127.0.0.1:{port}/slack/commands", content=body, headers=slack_headers(body)
        )
    assert ack.status_code == 200
    assert slack_fake.responses == []
    stop.set()
    await asyncio.wait_for(server, 15)
    assert [r.response_id for r in slack_fake.responses] == ["live"]
