"""Running the dispatcher on a clock (`okrbot clock`); `app.runtime` builds it."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from app.clock.dispatch import Dispatcher, TickReport
from app.db.platform import forget_processed_events

logger = logging.getLogger("okrbot.clock")


def run_clock(
    dispatcher: Dispatcher,
    *,
    interval_seconds: int,
    now: Callable[[], dt.datetime],
) -> None:
    """Tick every `interval_seconds` until interrupted.

    APScheduler is only the ticker: what is due lives in the database, so settings changed
    by any process apply at the next tick, and a second clock process can do no harm.
    """
    from apscheduler.schedulers.blocking import BlockingScheduler

    def tick() -> None:
        try:
            report: TickReport = dispatcher.tick(now())
            if report.sent or report.missed or report.failed or report.reconciled:
                logger.info("Tick: %s", report)
            forget_processed_events(dispatcher.db, now())
        except Exception:
            logger.exception("Failed to run a tick; the next one will try again")

    scheduler = BlockingScheduler(timezone=dt.UTC)
    scheduler.add_job(
        tick,
        "interval",
        seconds=interval_seconds,
        # APScheduler runs on the real clock, whatever `now` says (tests simulate a day
        # that may be ahead of today): the first tick is due at once.
        next_run_time=dt.datetime.now(dt.UTC),
        max_instances=1,
        coalesce=True,
        id="tick",
    )
    logger.info("Clock started: ticking every %d s", interval_seconds)
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        dispatcher.db.dispose()
