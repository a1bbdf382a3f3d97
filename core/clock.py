"""Timestamps as the stores keep them: UTC, ISO 8601 with offset, so they sort as text and read anywhere.

Named `clock`, not `time`, so it never shadows the standard library's module. `utc_now` is to the second (the
registry, accounts, migrations); `utc_now_ms` to the millisecond (the audit log, where events of one second must
keep their order when read back by time).

>>> import datetime as dt
>>> dt.datetime.fromisoformat(utc_now()).utcoffset()
datetime.timedelta(0)
>>> len(utc_now()), len(utc_now_ms())
(25, 29)
"""

from __future__ import annotations

import datetime as dt


def utc_now() -> str:
    """The current UTC time, ISO 8601 to the second: "2026-01-31T08:00:00+00:00"."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def today_vn() -> dt.date:
    """Today in Vietnam (UTC+7), whatever the server's zone: the day whose law is stated when none is asked for."""
    return (dt.datetime.now(dt.UTC) + dt.timedelta(hours=7)).date()


def utc_now_ms() -> str:
    """The current UTC time, ISO 8601 to the millisecond: "2026-01-31T08:00:00.123+00:00"."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")
