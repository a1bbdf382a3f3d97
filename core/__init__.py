"""Shared foundations: the one settings object and the telemetry switch. Imports nothing of ours."""

from core.telemetry import disable_telemetry

disable_telemetry()
