"""Sensors: how events become runs.

The Dagster daemon evaluates sensors in a loop that starts every 5 s and skips a sensor whose
last tick began less than its minimum interval ago, so a minimum interval of exactly 5 s aliases
to every other loop (a tick every 10 s). Declaring 4 s makes each sensor tick on every loop:
every 5 s, the interval the latency target is stated for.
"""

SENSOR_INTERVAL_SECONDS = 4
