"""A crash (an exception no command caught) prints its traceback with secrets redacted: its
chained causes are often provider texts, and those may quote a token or a password."""

from __future__ import annotations

import subprocess
import sys
import textwrap

SECRET = "registered-secret-not-token-shaped-Zq81"

# A command that crashes the way a bug would: an error chained from a cause naming a
# secret the run registered (as each channel registers its token when it is built).
CRASHING = textwrap.dedent(
    f"""
    import sys
    from digestbot.channels.redact import register_secret
    from digestbot.cli import app, main

    @app.command("crash")
    def crash() -> None:
        register_secret({SECRET!r})
        try:
            raise ValueError("The token `{SECRET}` was rejected by the server.")
        except ValueError as exc:
            raise RuntimeError("the channel could not be opened") from exc

    sys.argv = ["digestbot", "crash"]
    main()
    """
)


def test_a_crash_traceback_shows_the_chain_with_the_secret_redacted() -> None:
    done = subprocess.run(
        [sys.executable, "-c", CRASHING], capture_output=True, text=True, timeout=60
    )

    assert done.returncode == 1
    assert "Traceback" in done.stderr, "the crash is still shown, with its causes"
    assert "RuntimeError: the channel could not be opened" in done.stderr
    assert "The token `<redacted>` was rejected" in done.stderr, done.stderr
    assert SECRET not in done.stdout + done.stderr
