"""The background dense fill: while the server answers, embeds the chunks that still lack a dense vector.

`kho serve` starts one after its index catch-up (`Services.start_dense_fill`; `KHO_DENSE_FILL_ON_SERVE=false`
turns it off). It calls a `step` — one small batch embedded and stored under the services' write lock
(`Services.fill_dense_step`, which is `Indexer.fill_dense` with a limit) — then pauses briefly so questions get
the CPU between batches, and goes on until a step finds nothing to embed. It then sleeps until `wake()` (every
index write calls it: a new upload's chunks get their vectors the same way) or `stop()`.

It is resumable because the index is the state: a step embeds whatever points have no dense vector yet, so a
restart continues where the last run stopped, and `kho index --dense` and this fill can take turns.
`stop()` asks the thread to end after the batch in flight (each batch is stored whole before the next begins)
and waits for it. A failing step (the embedding model missing, say) is logged and kept in `error`; search goes on
with BM25, and the next write tries again.

>>> fill = DenseFill(step=lambda: 0)
>>> fill.running
False
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)

# Seconds between two batches: the gap in which a waiting question's embedding and search get both cores.
PAUSE_S = 0.2
# How long `stop` waits for the batch in flight (16 chunks of EmbeddingGemma on 2 CPU cores: ~3–8 s through
# OpenVINO, ~8–12 s through torch).
STOP_WAIT_S = 60.0


class DenseFill:
    """A daemon thread calling `step()` (→ chunks embedded, 0 when none lack a vector) until stopped."""

    def __init__(
        self,
        step: Callable[[], int],
        pause_s: float = PAUSE_S,
        on_batch: Callable[[int], None] | None = None,
    ) -> None:
        self._step = step
        self._pause_s = pause_s
        self._on_batch = on_batch  # called with each batch's count after it is stored (tests stop a fill midway)
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._busy = threading.Event()  # set while there may be chunks left to embed
        self._thread: threading.Thread | None = None
        self.embedded = 0  # chunks this fill has embedded since it started
        self.error: str | None = None

    @property
    def running(self) -> bool:
        """Whether vectors are being computed now (started, not stopped, and the last step found work)."""
        return self.alive and self._busy.is_set()

    @property
    def alive(self) -> bool:
        """Whether the thread is still there (idle or working): False once stopped, or before `start`."""
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> DenseFill:
        if self._thread is None:
            self._busy.set()
            self._thread = threading.Thread(target=self._run, name="kho-dense-fill", daemon=True)
            self._thread.start()
        return self

    def wake(self) -> None:
        """Look again for chunks without a dense vector (after an upload or any index write)."""
        self._busy.set()
        self._wake.set()

    def stop(self, wait_s: float = STOP_WAIT_S) -> bool:
        """End the fill after the batch in flight; whether the thread has ended within `wait_s`."""
        self._stop.set()
        self._wake.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(wait_s)
            return not thread.is_alive()
        return True

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                done = self._step()
            except Exception as exc:  # noqa: BLE001 — the server keeps answering with BM25; the next write retries
                self.error = f"{type(exc).__name__}: {exc}"[:500]
                log.error("background dense fill failed", exc_info=exc)
                done = 0
            else:
                if done:
                    self.error = None
            if done:
                self.embedded += done
                if self._on_batch is not None:
                    self._on_batch(done)
                self._stop.wait(self._pause_s)
                continue
            self._busy.clear()  # nothing left: sleep until something is written, or the end
            self._wake.wait()
            self._wake.clear()
            self._busy.set()
