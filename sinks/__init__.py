"""Sinks: where updates land (redis: live, postgres: history, fs: files, memory: tests)."""
