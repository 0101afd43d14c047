"""The Celery app: broker, routing, prefetch 1, early acks for monitors, RedBeat (beat.py)."""

from __future__ import annotations

from celery import Celery

from oddswatch.settings import get_settings
from sinks.keys import REDBEAT_PREFIX
from workers.routing import route_task
from workers.schedule import beat_lock_timeout_s, beat_loop_s, build_schedule

BEAT_REDIS_TIMEOUT_S = 3.0

settings = get_settings()
schedule = build_schedule(settings)

app = Celery("oddswatch", include=["tasks"])
app.conf.update(
    broker_url=settings.broker_url,
    result_backend=settings.broker_url,
    result_expires=86_400,
    task_ignore_result=True,
    task_routes=(route_task,),
    task_default_queue="control",
    task_acks_late=False,
    task_reject_on_worker_lost=False,
    worker_prefetch_multiplier=1,
    worker_hijack_root_logger=False,
    broker_connection_retry_on_startup=True,
    task_serializer="json",
    accept_content=["json"],
    timezone=settings.timezone,
    enable_utc=True,
    beat_schedule=schedule,
    # RedBeat, surviving its broker and with a short lock (workers/beat.py, schedule.py).
    beat_scheduler="workers.beat:Scheduler",
    beat_max_loop_interval=beat_loop_s(schedule),
    redbeat_redis_url=settings.broker_url,
    redbeat_key_prefix=REDBEAT_PREFIX,
    redbeat_lock_timeout=beat_lock_timeout_s(schedule),
    # A Redis that hangs (not refusing: stopped, partitioned) times out instead of holding
    # beat forever; workers/beat.py retries the TimeoutError like a refused connection.
    redbeat_redis_options={
        "socket_timeout": BEAT_REDIS_TIMEOUT_S,
        "socket_connect_timeout": BEAT_REDIS_TIMEOUT_S,
    },
    worker_send_task_events=True,
    task_send_sent_event=True,
)

import workers.signals  # noqa: E402,F401  (connects the engine to the worker lifecycle)
