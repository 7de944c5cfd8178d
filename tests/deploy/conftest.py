from tests.server.harness import app_env  # noqa: F401
