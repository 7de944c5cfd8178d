"""Local stand-ins for Telegram, Slack and SMTP that behave like the real services.

Import them from their modules (tests.fakes.telegram_server, ...). This package imports none of
them: the servers also run as `python -m tests.fakes.<server>`, and a package that had already
imported the module runpy is about to execute makes runpy warn (and run a second copy of it).
"""
