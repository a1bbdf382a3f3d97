"""Benchmarks (`make bench`): speed, memory and load figures written to `bench/results/*.json`, quoted in the
README. Never part of the tests: no test passes or fails by wall-clock."""
