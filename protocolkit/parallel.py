"""Work on many files, in this process or in a pool of workers, each result as soon as it is done.

Only a few items are in flight at once (IN_FLIGHT a worker), so memory stays flat whatever the number of
partnerships: each result is written and dropped before many more come. Signals are held while workers start,
and a signal stops the wait for them at once (see stopping).
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Iterator

from protocolkit.stopping import checkpoint, process_pool, signals_held, stoppable

# Items given to each worker ahead of time: enough to keep it busy, few enough to hold little memory.
IN_FLIGHT = 4


def streamed(items: list[Any], jobs: int, work: Callable[[Any], Any], progress: Callable[[], None],
             initializer: Callable[..., None], initargs: Iterable[Any]) -> Iterator[Any]:
    """work(item) for each item, in or out of order: here when jobs is 1 (or there is one item), else in a pool
    whose workers start with initializer(*initargs)."""
    if jobs <= 1 or len(items) <= 1:
        for item in items:
            checkpoint()
            yield work(item)
            progress()
        return
    from concurrent.futures import FIRST_COMPLETED, wait

    workers = min(jobs, len(items))
    todo = iter(items)
    with process_pool(max_workers=workers, initializer=initializer, initargs=tuple(initargs)) as pool:
        pending: set = set()

        def fill() -> None:
            with signals_held():
                while len(pending) < workers * IN_FLIGHT:
                    item = next(todo, None)
                    if item is None:
                        return
                    pending.add(pool.submit(work, item))

        fill()
        while pending:
            with stoppable():  # waiting on the workers: a signal stops it at once
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                pending.discard(future)
                result = future.result()
                del future
                yield result
                progress()
            fill()
