"""What every benchmark prints beside its figures: the machine is shared, so each table says
how busy it was while the figures were taken."""

from __future__ import annotations

import os


def load_average() -> str:
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return f"load average {load} on {os.cpu_count()} CPUs (shared machine)"


__all__ = ["load_average"]
