"""`/unsubscribe`: GET asks, POST acts once, a forged or altered token changes nothing."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from digestbot.config import load_config
from digestbot.delivery.publishing import iter_targets
from digestbot.model import Variant
from digestbot.store import Store
from digestbot.unsubscribe_token import make_unsubscribe_token
from tests.server.harness import UNSUBSCRIBE_SECRET, AppEnv

ADDRESS = "reader@example.org"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def token(address: str = ADDRESS, secret: str = UNSUBSCRIBE_SECRET) -> str:
    return make_unsubscribe_token(secret, address)


def _b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).rstrip(b"=").decode()


def _flip_last(text: str) -> str:
    return text[:-1] + ("A" if text[-1] != "A" else "B")


TAMPERED = {
    "signature altered": _flip_last(token()),
    "address swapped, signature kept": f"{_b64('victim@example.org')}.{token().split('.')[1]}",
    "made with another secret": token(secret="someone-elses-secret"),
    "signature missing": token().split(".")[0],
    "not base64": "%%%.!!!",
    "empty": "",
}


def snapshot(store: Store, address: str = ADDRESS) -> object:
    return store.get_subscriber("email", address)


async def test_get_shows_a_confirm_page_and_changes_nothing(app_env: AppEnv) -> None:
    app_env.store.subscribe("email", ADDRESS, Variant.FULL)
    async with app_env.client() as client:
        response = await client.get("/unsubscribe", params={"t": token()})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["referrer-policy"] == "no-referrer"
    page = response.text
    assert ADDRESS in page and "退订" in page and "Unsubscribe" in page
    assert '<form method="post">' in page and f'value="{token()}"' in page
    row = app_env.store.get_subscriber("email", ADDRESS)
    assert row is not None and row.active


async def test_post_deactivates_once_and_a_second_post_is_idempotent(app_env: AppEnv) -> None:
    app_env.store.subscribe("email", ADDRESS, Variant.FULL)
    async with app_env.client() as client:
        first = await client.post("/unsubscribe", data={"t": token()})
        after_first = app_env.store.get_subscriber("email", ADDRESS)
        second = await client.post("/unsubscribe", data={"t": token()})
    assert first.status_code == 200 and "Unsubscribed" in first.text
    assert after_first is not None and not after_first.active
    assert second.status_code == 200 and "already unsubscribed" in second.text
    assert app_env.store.get_subscriber("email", ADDRESS) == after_first, "nothing changed"


async def test_rfc8058_one_click_post_unsubscribes(app_env: AppEnv) -> None:
    app_env.store.subscribe("email", ADDRESS, Variant.TOP3)
    async with app_env.client() as client:
        response = await client.post(
            "/unsubscribe",
            params={"t": token()},
            content="List-Unsubscribe=One-Click",
            headers=FORM,
        )
    assert response.status_code == 200
    row = app_env.store.get_subscriber("email", ADDRESS)
    assert row is not None and not row.active


async def test_one_click_post_as_multipart_uses_the_token_in_the_url(app_env: AppEnv) -> None:
    app_env.store.subscribe("email", ADDRESS, Variant.TOP3)
    async with app_env.client() as client:
        response = await client.post(
            "/unsubscribe",
            params={"t": token()},
            files={"List-Unsubscribe": (None, "One-Click")},
        )
    assert response.status_code == 200
    row = app_env.store.get_subscriber("email", ADDRESS)
    assert row is not None and not row.active


@pytest.mark.parametrize("case", list(TAMPERED))
async def test_a_tampered_token_is_rejected_and_changes_nothing(app_env: AppEnv, case: str) -> None:
    app_env.store.subscribe("email", ADDRESS, Variant.FULL)
    app_env.store.subscribe("email", "victim@example.org", Variant.FULL)
    before = (snapshot(app_env.store), snapshot(app_env.store, "victim@example.org"))
    async with app_env.client() as client:
        shown = await client.get("/unsubscribe", params={"t": TAMPERED[case]})
        posted = await client.post("/unsubscribe", data={"t": TAMPERED[case]})
        one_click = await client.post(
            "/unsubscribe",
            params={"t": TAMPERED[case]},
            content="List-Unsubscribe=One-Click",
            headers=FORM,
        )
    for response in (shown, posted, one_click):
        assert response.status_code == 400
        assert "nothing was changed" in response.text
        assert "<form" not in response.text
    after = (snapshot(app_env.store), snapshot(app_env.store, "victim@example.org"))
    assert after == before


async def test_the_address_is_html_escaped_on_every_page(app_env: AppEnv) -> None:
    odd = '"<script>alert(1)</script>"@example.org'
    async with app_env.client() as client:
        pages = [
            await client.get("/unsubscribe", params={"t": token(odd)}),
            await client.post("/unsubscribe", data={"t": token(odd)}),
        ]
    for response in pages:
        assert response.status_code == 200
        assert "<script>" not in response.text
        assert "&lt;script&gt;" in response.text


async def test_unsubscribing_a_static_config_address_stops_the_publisher_sending_to_it(
    app_env: AppEnv, tmp_path: Path
) -> None:
    config_path = tmp_path / "digestbot.toml"
    config_path.write_text(
        f'[store]\nurl = "sqlite:///{tmp_path / "digestbot.db"}"\n'
        f'[source]\nkind = "folder"\npath = "{tmp_path}"\n'
        f'[outbox]\npath = "{tmp_path / "outbox"}"\n'
        '[email]\ntransport = "outbox"\nfrom = "Digest <digest@example.org>"\n'
        'unsubscribe_url = "https://digest.example.org/unsubscribe"\n'
        f'targets = [{{ address = "{ADDRESS}", variant = "full" }},'
        ' { address = "stays@example.org", variant = "top3" }]\n',
        encoding="utf-8",
    )
    config = load_config(config_path, environ={})
    assert [t for t, _ in iter_targets(config, app_env.store, "email")] == [
        ADDRESS,
        "stays@example.org",
    ]
    async with app_env.client() as client:
        first = await client.post("/unsubscribe", data={"t": token()})
        second = await client.post("/unsubscribe", data={"t": token()})
    assert "Unsubscribed" in first.text and "already unsubscribed" in second.text
    assert [t for t, _ in iter_targets(config, app_env.store, "email")] == ["stays@example.org"]


async def test_without_a_secret_the_pages_say_they_are_unavailable(app_env: AppEnv) -> None:
    async with app_env.client(unsubscribe_secret=None) as client:
        shown = await client.get("/unsubscribe", params={"t": token()})
        posted = await client.post("/unsubscribe", data={"t": token()})
    assert shown.status_code == posted.status_code == 503
    assert app_env.store.get_subscriber("email", ADDRESS) is None
