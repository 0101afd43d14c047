"""The Celery application: `celery -A workers worker|beat|call|inspect ...`."""

from workers.app import app

__all__ = ["app"]
