"""``keras.utils.Progbar``: the progress bar ``fit`` / ``evaluate`` / ``predict`` print.

Two formats, picked from ``torchkeras.backend.config.keras_era()`` when the bar is created:

* **Keras 3**: ``4/4 ━━━━━━━━━━━━━━━━━━━━ 0s 3ms/step - loss: 0.1234`` (bold count, green done
  part, white remaining part, bold time; the ANSI codes are written even when stdout is not a
  terminal, as Keras 3 does), ETA while running; ``verbose=2`` prints one line at the end:
  ``4/4 - 0s - 25ms/step - loss: ...``.
* **Keras 2** (tf-keras): ``4/4 [==============================] - 0s 3ms/step - loss: ...``,
  ``- ETA: 0s`` while running, default width 30; ``verbose=2``:
  ``4/4 - 0s - loss: ... - 28ms/epoch - 7ms/step``.

Both redraw a frame at most every ``interval`` seconds (the first and the final frame always),
by backspacing over the previous frame (``\\b`` * width) and a ``\\r``, as Keras does on POSIX.

Values may be Python numbers, numpy values or torch tensors (0-d, possibly on CUDA). They are
kept as given and turned into Python floats only when a frame is rendered, so updating every
step never synchronises the device. A torchkeras extension: ``values`` may also be a zero-argument
callable returning the ``(name, value)`` pairs; it is only called when a frame is drawn (used by
``ProgbarLogger`` so that lazily computed batch logs are never read between frames).
"""
from __future__ import annotations

import math
import os
import sys
import time
from typing import Callable, Iterable, List, Optional, Sequence, Tuple, Union

import numpy as np

__all__ = ["Progbar"]

Values = Union[None, Sequence[Tuple[str, object]], Callable[[], Iterable[Tuple[str, object]]]]


def _to_float(v) -> float:
    """Python float of a number / numpy value / torch tensor (mean if it has several values)."""
    if isinstance(v, (int, float)):
        return float(v)
    if hasattr(v, "detach"):  # torch tensor: one transfer, at render time only
        v = v.detach()
        if v.numel() != 1:
            v = v.float().mean()
        return float(v.item())
    a = np.asarray(v)
    if a.size != 1:
        return float(np.mean(a))
    return float(a.reshape(()))


def _write(message: str) -> None:
    out = sys.stdout
    out.write(message)
    out.flush()


class Progbar:
    """Displays a progress bar (Keras ``keras.utils.Progbar``).

    Args:
        target: total number of steps expected, ``None`` if unknown.
        width: bar width on screen (default 20 in Keras 3, 30 in Keras 2).
        verbose: 0 (silent), 1 (bar), 2 (one line when finished).
        interval: minimum seconds between two drawn frames.
        stateful_metrics: names whose values are shown as given (not averaged over steps).
        stateless_metrics: alternatively, the only names to average (all others shown as
            given). Pass at most one of the two.
        unit_name: ``'step'`` or ``'sample'``, shown in ``ms/step``.
    """

    def __init__(self, target: Optional[int], width: Optional[int] = None, verbose: int = 1,
                 interval: float = 0.05, stateful_metrics: Optional[Iterable[str]] = None,
                 unit_name: str = "step", stateless_metrics: Optional[Iterable[str]] = None):
        from ..backend.config import keras_era
        if stateful_metrics is not None and stateless_metrics is not None:
            raise ValueError("Only one of `stateful_metrics` or `stateless_metrics` can be "
                             "provided to Progbar. Received both.")
        self._era = keras_era()
        self.target = target
        self.width = width if width is not None else (20 if self._era == 3 else 30)
        self.verbose = verbose
        self.interval = interval
        self.unit_name = unit_name
        if stateless_metrics is not None:
            self.stateful_metrics = None
            self.stateless_metrics = set(stateless_metrics)
        else:
            self.stateful_metrics = set(stateful_metrics) if stateful_metrics else set()
            self.stateless_metrics = None
        self._dynamic_display = ((hasattr(sys.stdout, "isatty") and sys.stdout.isatty())
                                 or "ipykernel" in sys.modules or "posix" in sys.modules
                                 or "PYCHARM_HOSTED" in os.environ)
        self._seen_so_far = 0
        self._values = {}
        self._values_order: List[str] = []
        self._start = time.time()
        self._last_update = 0.0
        self._time_at_epoch_start = self._start
        self._time_at_epoch_end = None
        self._time_after_first_step = None
        self._prev_total_width = 0

    # -- public API ----------------------------------------------------------------------------
    def update(self, current: int, values: Values = None, finalize: Optional[bool] = None) -> None:
        """Move the bar to step ``current``.

        ``values``: ``(name, value_for_last_step)`` pairs. Names in ``stateful_metrics`` are
        shown as given; the others are averaged over the steps seen (weighted by the number of
        steps since the previous update), except on the final update where the given value is
        shown. ``finalize`` defaults to ``current >= target``.
        """
        if finalize is None:
            finalize = False if self.target is None else current >= self.target
        now = time.time()
        if callable(values):
            values = list(values()) if self._will_render(now, finalize) else None
        self._record(current, values or [], finalize)
        self._seen_so_far = current
        time_per_unit = self._estimate_step_duration(current, now)
        if current == self.target:
            self._time_at_epoch_end = now
        if self.verbose == 1:
            if now - self._last_update < self.interval and not finalize:
                return
            if self._era == 3:
                self._draw_k3(current, now, time_per_unit, finalize)
            else:
                self._draw_k2(current, now, time_per_unit, finalize)
        elif self.verbose == 2 and finalize and self.target is not None and self.target > 0:
            if self._era == 3:
                self._line_k3(current, now, time_per_unit)
            else:
                self._line_k2(current, now)
        self._last_update = now

    def add(self, n: int, values: Values = None) -> None:
        """``update(seen + n, values)``."""
        self.update(self._seen_so_far + n, values)

    # -- internals -----------------------------------------------------------------------------
    def _will_render(self, now: float, finalize: bool) -> bool:
        if self.verbose == 1:
            return finalize or now - self._last_update >= self.interval
        return self.verbose == 2 and bool(finalize)

    def _is_stateless(self, k: str) -> bool:
        if self.stateful_metrics is not None:
            return k not in self.stateful_metrics
        return k in self.stateless_metrics

    def _record(self, current: int, values, finalize: bool) -> None:
        for k, v in values:
            if k not in self._values_order:
                self._values_order.append(k)
            if self._is_stateless(k) and not (finalize and self._era == 3):
                base = max(current - self._seen_so_far, 1)
                if k not in self._values:
                    self._values[k] = [v * base, base]
                else:
                    self._values[k][0] = self._values[k][0] + v * base
                    self._values[k][1] += base
            else:
                self._values[k] = [v, 1]

    def _average(self, k: str) -> float:
        total, count = self._values[k]
        return _to_float(total) / max(1, count)

    def _metrics_text(self, absolute: bool = True) -> str:
        info = ""
        for k in self._values_order:
            info += f" - {k}:"
            avg = self._average(k)
            big = abs(avg) > 1e-3 if absolute else avg > 1e-3
            info += f" {avg:.4f}" if big else f" {avg:.4e}"
        return info

    @staticmethod
    def _format_time(time_per_unit: float, unit_name: str) -> str:
        if time_per_unit >= 1 or time_per_unit == 0:
            return f" {time_per_unit:.0f}s/{unit_name}"
        if time_per_unit >= 1e-3:
            return f" {time_per_unit * 1e3:.0f}ms/{unit_name}"
        return f" {time_per_unit * 1e6:.0f}us/{unit_name}"

    @staticmethod
    def _format_eta(eta: float) -> str:
        if eta > 3600:
            return "%d:%02d:%02d" % (eta // 3600, (eta % 3600) // 60, eta % 60)
        if eta > 60:
            return "%d:%02d" % (eta // 60, eta % 60)
        return "%ds" % eta

    def _estimate_step_duration(self, current: int, now: float) -> float:
        """Seconds per step, ignoring the (slow) first step once later steps exist."""
        if not current:
            return 0
        if self._time_after_first_step is not None and current > 1:
            per = (now - self._time_after_first_step) / (current - 1)
        else:
            per = (now - self._start) / current
        if current == 1:
            self._time_after_first_step = now
        return per

    def _count(self, current: int) -> str:
        digits = int(math.log10(self.target)) + 1
        return f"%{digits}d/%d" % (current, self.target)

    def _prefix(self) -> str:
        if self._dynamic_display:
            return "\b" * self._prev_total_width + "\r"
        return "\n"

    def _draw_k3(self, current: int, now: float, time_per_unit: float, finalize: bool) -> None:
        message = self._prefix()
        special = 0
        if self.target is not None and self.target > 0:
            bar = f"\x1b[1m{self._count(current)}\x1b[0m "
            special += 8
            done = int(self.width * (float(current) / self.target))
            if done > 0:
                bar += f"\x1b[32m{'━' * done}\x1b[0m"
                special += 9
            bar += f"\x1b[37m{'━' * (self.width - done)}\x1b[0m"
            special += 9
        else:
            bar = "%7d/Unknown" % current
        message += bar
        if self.target is not None and self.target > 0 and not finalize:
            info = f" \x1b[1m{self._format_eta(time_per_unit * (self.target - current))}\x1b[0m"
        else:
            info = f" \x1b[1m{now - self._start:.0f}s\x1b[0m"
        special += 8
        info += self._format_time(time_per_unit, self.unit_name)
        info += self._metrics_text()
        message += info
        total_width = len(bar) + len(info) - special
        if self._prev_total_width > total_width:
            message += " " * (self._prev_total_width - total_width)
        if finalize:
            message += "\n"
        _write(message)
        self._prev_total_width = total_width

    def _line_k3(self, current: int, now: float, time_per_unit: float) -> None:
        info = f"{self._count(current)} - {now - self._start:.0f}s"
        info += f" -{self._format_time(time_per_unit, self.unit_name)}"
        info += self._metrics_text(absolute=False)
        _write(info + "\n")

    def _draw_k2(self, current: int, now: float, time_per_unit: float, finalize: bool) -> None:
        prev = self._prev_total_width
        message = self._prefix()
        if self.target is not None:
            bar = (f"%{int(math.log10(self.target)) + 1}d/%d [" % (current, self.target)
                   if self.target > 0 else f"{current}/{self.target} [")
            done = int(self.width * (float(current) / self.target)) if self.target > 0 else 0
            if done > 0:
                bar += "=" * (done - 1)
                bar += ">" if current < self.target else "="
            bar += "." * (self.width - done) + "]"
        else:
            bar = "%7d/Unknown" % current
        message += bar
        if self.target is None or finalize:
            info = f" - {now - self._start:.0f}s" + self._format_time(time_per_unit,
                                                                     self.unit_name)
        else:
            info = f" - ETA: {self._format_eta(time_per_unit * (self.target - current))}"
        info += self._metrics_text()
        total_width = len(bar) + len(info)
        if prev > total_width:
            info += " " * (prev - total_width)
        if finalize:
            info += "\n"
        _write(message + info)
        self._prev_total_width = total_width

    def _line_k2(self, current: int, now: float) -> None:
        info = self._count(current) + f" - {now - self._start:.0f}s"
        info += self._metrics_text(absolute=False)
        if self._time_at_epoch_end:
            per_epoch = self._time_at_epoch_end - self._time_at_epoch_start
            per_step = per_epoch / self.target
            self._time_at_epoch_start = now
            self._time_at_epoch_end = None
            info += " -" + self._format_time(per_epoch, "epoch")
            info += " -" + self._format_time(per_step, self.unit_name)
        _write(info + "\n")
