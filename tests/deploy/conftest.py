from tests.fakes.fixtures import slack_fake  # noqa: F401
from tests.server.harness import app_env  # noqa: F401
