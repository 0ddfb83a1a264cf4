"""The change bus wakes event streams; a change made while a stream reads the database must not be lost."""

from __future__ import annotations

import asyncio
import threading

from governance.events import ChangeBus


def test_change_between_read_and_wait_is_not_lost():
    async def scenario() -> bool:
        bus = ChangeBus()
        subscription = bus.subscribe(["queue"])
        subscription.clear()  # the stream reads the database now ...
        thread = threading.Thread(target=bus.notify, args=("queue",))  # ... while another thread commits
        thread.start()
        thread.join()
        await asyncio.sleep(0)  # let call_soon_threadsafe deliver
        woke = await subscription.wait(5)
        subscription.close()
        return woke

    assert asyncio.run(scenario()) is True


def test_other_topics_and_closed_subscriptions_stay_asleep():
    async def scenario() -> tuple[bool, int]:
        bus = ChangeBus()
        subscription = bus.subscribe(["conversation:c_1"])
        subscription.clear()
        bus.notify("conversation:c_2")
        woke = await subscription.wait(0.2)
        subscription.close()
        return woke, len(bus._waiters)

    assert asyncio.run(scenario()) == (False, 0)


def test_one_change_is_one_wake_up_for_a_stream_of_two_topics():
    async def scenario() -> int:
        bus = ChangeBus()
        subscription = bus.subscribe(["conversation:c_1", "queue"])
        calls = []
        loop = asyncio.get_running_loop()
        original = loop.call_soon_threadsafe
        loop.call_soon_threadsafe = lambda *args: calls.append(args) or original(*args)  # type: ignore[method-assign]
        try:
            bus.notify("queue", "conversation:c_1")  # what a handover change sends
        finally:
            loop.call_soon_threadsafe = original  # type: ignore[method-assign]
        subscription.close()
        return len(calls)

    assert asyncio.run(scenario()) == 1
