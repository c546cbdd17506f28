"""``model.summary()``: Keras's printed model table.

Two styles, chosen by ``torchkeras.backend.config.keras_era()``:

* **Keras 3** (default): the box-drawing table Keras 3 draws with ``rich``. Width
  ``min(88, columns - 4)`` (``min(108, ...)`` with a ``Connected to`` column) where ``columns``
  comes from ``shutil.get_terminal_size()``; column widths from ``positions`` reduced the way
  rich's ``Table`` reduces them (``ratio_reduce`` with Python's rounding); cells wrapped at spaces,
  over-long words cut with ``…``; names and shapes highlighted with ANSI colours (bold header,
  bright-blue class names, green numbers, bright-cyan ``None``) only when ``sys.stdout`` is a
  terminal and no ``print_fn`` is given; ``Total params: N (X B)`` footer (``Optimizer params``
  once the optimizer is built). With ``print_fn`` the whole text goes to it in one call.
* **Keras 2** (``keras_era() == 2``): tf-keras's ASCII table, 65 columns (98 with ``Connected to``),
  ``[(None, 4)]`` for input layers, ``Byte`` units, ``print_fn`` called once per line.

rich itself is not needed: the few pieces of its layout used by Keras (word wrapping, ellipsis
truncation, column width reduction, ANSI rendering of styled segments) are re-implemented in
``_Text`` and ``_render_table`` below.
"""
from __future__ import annotations

import math
import os
import re
import shutil
import sys
import unicodedata
from typing import Callable, List, Optional, Sequence, Tuple

from ..backend import config

__all__ = ["print_summary", "count_params", "weight_memory_size", "readable_memory_size"]

# ANSI SGR parameters for the styles Keras 3 uses once rich downgrades its 256-colour markup to
# the 16 standard colours of a plain terminal: color(34) -> green, color(45) -> bright cyan,
# color(33) -> bright blue, color(9) -> bright red.
_BOLD = "1"
_NUMBER = "32"
_NONE = "96"
_SYMBOL = "94"

_NOT_BUILT_MESSAGE = ("This model has not yet been built. Build the model first by calling "
                      "`build()` or by calling the model on a batch of data.")


# ---------------------------------------------------------------------------------------------
# sizes
# ---------------------------------------------------------------------------------------------
def count_params(weights) -> int:
    """Number of scalars in ``weights`` (Keras ``count_params``)."""
    return int(sum(math.prod(tuple(w.shape)) for w in weights))


def _dtype_bits(dtype) -> int:
    try:
        return config.standardize_dtype(dtype).itemsize * 8
    except Exception:  # unknown spelling: assume float32 like Keras's default
        return 32


def weight_memory_size(weights) -> float:
    """Bytes taken by the (distinct) ``weights``, from their dtypes."""
    unique = {}
    for w in weights:
        key = id(getattr(w, "value", w)) if not hasattr(w, "_spec") else id(w._spec.tensor)
        unique[key] = w
    total_bits = 0
    for w in unique.values():
        total_bits += math.prod(tuple(w.shape)) * _dtype_bits(w.dtype)
    return total_bits / 8


def readable_memory_size(size: float, era: Optional[int] = None) -> str:
    """``76.00 B`` (Keras 3) / ``76.00 Byte`` (Keras 2); 1024 per unit step."""
    era = config.keras_era() if era is None else era
    units = ["B" if era == 3 else "Byte", "KB", "MB", "GB", "TB", "PB"]
    for unit in units:
        if size / 1024 < 1:
            return f"{size:.2f} {unit}"
        size /= 1024
    return f"{size:.2f} {units[-1]}"


# ---------------------------------------------------------------------------------------------
# model structure
# ---------------------------------------------------------------------------------------------
def _is_functional(model) -> bool:
    from .functional import Functional
    return isinstance(model, Functional)


def _is_sequential(model) -> bool:
    from .sequential import Sequential
    return isinstance(model, Sequential)


def _structure(model):
    """-> (layers to list, sequential_like, ids of the model's nodes or None).

    As Keras: Sequential and subclassed models list ``model.layers`` as a plain stack; a
    Functional model is "sequential-like" unless some depth holds several nodes, a node has
    several inputs, or a layer is used twice in the graph.
    """
    if not _is_functional(model):
        return list(model.layers), True, None
    nodes = list(model._nodes)
    depths = model._node_depths
    by_depth = {}
    for node in nodes:
        by_depth.setdefault(depths.get(id(node), 0), []).append(node)
    sequential_like = True
    seen = []
    for depth in sorted(by_depth, reverse=True):
        group = by_depth[depth]
        if len(group) > 1 or (len(group) == 1 and len(group[0].input_tensors) > 1):
            sequential_like = False
            break
        seen += group
    if sequential_like:
        seen_ids = {id(n) for n in seen}
        for layer in model.layers:
            if sum(1 for n in layer._inbound_nodes if id(n) in seen_ids) > 1:
                sequential_like = False
                break
    return list(model.layers), sequential_like, {id(n) for n in nodes}


def _connections(layer, relevant) -> List[Tuple[str, int, int]]:
    """(inbound layer name, node index, tensor index) for each input of the layer's nodes."""
    out = []
    for node in getattr(layer, "_inbound_nodes", []):
        if relevant and id(node) not in relevant:
            continue
        for t in node.input_tensors:
            hist = t._keras_history
            if hist is None:
                continue
            out.append((hist[0].name, hist[1], hist[2]))
    return out


def _output_shapes_k3(layer):
    """Shapes of the layer's last inbound node (Keras 3); None when unknown ('?')."""
    nodes = getattr(layer, "_inbound_nodes", [])
    if nodes:
        return [tuple(t.shape) for t in nodes[-1].outputs]
    build_shape = getattr(layer, "_build_input_shape", None)
    if build_shape is None:
        return None
    try:
        shape = layer.compute_output_shape(build_shape)
    except Exception:
        return None
    if isinstance(shape, list) and shape and isinstance(shape[0], (tuple, list)):
        return [tuple(s) for s in shape]
    return [tuple(shape)]


def _layer_range(layers, layer_range) -> Tuple[int, int]:
    """Keras's ``layer_range=(first_name_regex, last_name_regex)`` -> slice bounds."""
    if layer_range is None:
        return 0, len(layers)
    if len(layer_range) != 2:
        raise ValueError("layer_range must be a list or tuple of length 2. Received: "
                         f"layer_range = {layer_range} of length {len(layer_range)}")
    if not isinstance(layer_range[0], str) or not isinstance(layer_range[1], str):
        raise ValueError(f"layer_range should contain string type only. Received: {layer_range}")
    lower = [i for i, l in enumerate(layers) if re.match(layer_range[0], l.name)]
    upper = [i for i, l in enumerate(layers) if re.match(layer_range[1], l.name)]
    if not lower or not upper:
        raise ValueError("Passed layer_names do not match the layer names in the model. "
                         f"Received: {layer_range}")
    if min(lower) > max(upper):
        return min(upper), max(lower) + 1
    return min(lower), max(upper) + 1


def _optimizer_variables(model):
    compiled = getattr(model, "compiled", None)
    if compiled is None:
        compiled = getattr(model, "_is_compiled", False)
    opt = getattr(model, "optimizer", None) if compiled else None
    if opt is None or not getattr(opt, "built", False):
        return None
    try:
        return list(opt.variables)
    except Exception:
        return None


# ---------------------------------------------------------------------------------------------
# a small subset of rich: styled text, wrapping, truncation, table layout
# ---------------------------------------------------------------------------------------------
def _char_width(ch: str) -> int:
    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def _cell_len(text: str) -> int:
    if text.isascii():
        return len(text)
    return sum(_char_width(c) for c in text)


def _set_cell_size(text: str, width: int) -> str:
    """Crop (or pad with spaces) ``text`` to exactly ``width`` cells."""
    out, used = [], 0
    for ch in text:
        w = _char_width(ch)
        if used + w > width:
            break
        out.append(ch)
        used += w
    return "".join(out) + " " * (width - used)


class _Text:
    """Plain text plus non-overlapping style spans ``(start, end, sgr)`` (rich's ``Text``)."""

    __slots__ = ("plain", "spans")

    def __init__(self, plain: str = "", spans=None):
        self.plain = plain
        self.spans = list(spans or [])

    def append(self, text: str, style: Optional[str] = None) -> "_Text":
        if style and text:
            self.spans.append((len(self.plain), len(self.plain) + len(text), style))
        self.plain += text
        return self

    def extend(self, other: "_Text") -> "_Text":
        off = len(self.plain)
        self.spans += [(s + off, e + off, st) for s, e, st in other.spans]
        self.plain += other.plain
        return self

    def copy(self) -> "_Text":
        return _Text(self.plain, self.spans)

    def _set_plain(self, new: str) -> None:
        n = len(new)
        self.plain = new
        self.spans = [(s, min(e, n), st) for s, e, st in self.spans if s < n]

    def divide(self, offsets: Sequence[int]) -> List["_Text"]:
        bounds = [0] + list(offsets) + [len(self.plain)]
        out = []
        for a, b in zip(bounds, bounds[1:]):
            spans = [(max(s, a) - a, min(e, b) - a, st) for s, e, st in self.spans
                     if s < b and e > a]
            out.append(_Text(self.plain[a:b], spans))
        return out

    def rstrip(self) -> None:
        self._set_plain(self.plain.rstrip())

    def rstrip_end(self, width: int) -> None:
        """Drop trailing whitespace that lies beyond ``width`` cells."""
        excess = _cell_len(self.plain) - width
        if excess > 0:
            m = re.search(r"\s+$", self.plain)
            if m:
                cut = min(len(m.group(0)), excess)
                self._set_plain(self.plain[:-cut])

    def truncate(self, width: int, overflow: str = "fold", pad: bool = False) -> None:
        length = _cell_len(self.plain)
        if length > width:
            if overflow == "ellipsis":
                self._set_plain(_set_cell_size(self.plain, width - 1) + "…" if width > 0 else "")
            else:
                self._set_plain(_set_cell_size(self.plain, width))
        if pad and length < width:
            self.plain += " " * (width - length)

    def pad_left(self, n: int) -> None:
        if n > 0:
            self.spans = [(s + n, e + n, st) for s, e, st in self.spans]
            self.plain = " " * n + self.plain

    def pad_right(self, n: int) -> None:
        if n > 0:
            self.plain += " " * n

    def segments(self, base: Optional[str] = None) -> List[Tuple[str, Optional[str]]]:
        """Split at every span boundary (as rich does), each piece with its combined style."""
        cuts = {0, len(self.plain)}
        for s, e, _ in self.spans:
            cuts.add(s)
            cuts.add(e)
        cuts = sorted(c for c in cuts if 0 <= c <= len(self.plain))
        out = []
        for a, b in zip(cuts, cuts[1:]):
            style = None
            for s, e, st in self.spans:
                if s <= a and b <= e:
                    style = st
            if base and style:
                style = f"{base};{style}"
            elif base:
                style = base
            out.append((self.plain[a:b], style))
        return out


def _divide_line(text: str, width: int, fold: bool) -> List[int]:
    """Offsets at which rich breaks ``text`` to fit ``width`` cells (words end in spaces)."""
    breaks: List[int] = []
    offset = 0
    for m in re.finditer(r"\s*\S+\s*", text):
        start, word = m.start(), m.group(0)
        word_len = _cell_len(word.rstrip())
        if width - offset >= word_len:
            offset += _cell_len(word)
            continue
        if word_len > width:
            if fold:
                pieces, cur, used = [], "", 0
                for ch in word:  # chop the word into pieces of at most `width` cells
                    w = _char_width(ch)
                    if cur and used + w > width:
                        pieces.append(cur)
                        cur, used = "", 0
                    cur += ch
                    used += w
                pieces.append(cur)
                for i, piece in enumerate(pieces):
                    if start:
                        breaks.append(start)
                    if i == len(pieces) - 1:
                        offset = _cell_len(piece)
                    else:
                        start += len(piece)
            else:
                if start:
                    breaks.append(start)
                offset = _cell_len(word)
        elif offset and start:
            breaks.append(start)
            offset = _cell_len(word)
    return breaks


def _wrap(text: _Text, width: int, justify: str = "left", overflow: str = "ellipsis",
          pad: bool = True) -> List[_Text]:
    """rich's ``Text.wrap`` + ``Lines.justify`` for one cell (or one printed line)."""
    width = max(width, 1)
    lines = text.divide(_divide_line(text.plain, width, fold=overflow == "fold"))
    for line in lines:
        line.rstrip_end(width)
    for line in lines:
        if justify == "left":
            line.truncate(width, overflow, pad=pad)
        elif justify == "right":
            line.rstrip()
            line.truncate(width, overflow)
            line.pad_left(width - _cell_len(line.plain))
        elif justify == "center":
            line.rstrip()
            line.truncate(width, overflow)
            line.pad_left((width - _cell_len(line.plain)) // 2)
            line.pad_right(width - _cell_len(line.plain))
    for line in lines:
        line.truncate(width, overflow)
    return lines


def _ratio_reduce(total: int, ratios: List[int], maximums: List[int], values: List[int]):
    ratios = [r if m else 0 for r, m in zip(ratios, maximums)]
    total_ratio = sum(ratios)
    if not total_ratio:
        return list(values)
    remaining = total
    out = []
    for ratio, maximum, value in zip(ratios, maximums, values):
        if ratio and total_ratio > 0:
            d = min(maximum, round(ratio * remaining / total_ratio))
            out.append(value - d)
            remaining -= d
            total_ratio -= ratio
        else:
            out.append(value)
    return out


def _ratio_distribute(total: int, ratios: List[int]) -> List[int]:
    total_ratio = sum(ratios)
    remaining = total
    out = []
    for ratio in ratios:
        d = math.ceil(ratio * remaining / total_ratio) if total_ratio > 0 else remaining
        out.append(d)
        total_ratio -= ratio
        remaining -= d
    return out


def _column_widths(requested: List[int], table_width: int) -> List[int]:
    """Widths (padding included) rich gives fixed-width columns in a table of ``table_width``."""
    n = len(requested)
    max_width = table_width - (n + 1)  # borders
    widths = [w + 2 for w in requested]  # one space of padding each side
    total = sum(widths)
    if total > max_width:
        widths = _ratio_reduce(total - max_width, [1] * n, widths, widths)
        widths = [max(0, min(w + 2, reduced)) for w, reduced in zip(requested, widths)]
    elif total < max_width:
        widths = [w + p for w, p in zip(widths, _ratio_distribute(max_width - total, widths))]
    return widths


# HEAVY_HEAD box: top, header row, header separator, body row, row separator, bottom.
_BOX = {
    "top": ("┏", "━", "┳", "┓"),
    "head": ("┃", "┃", "┃"),
    "head_sep": ("┡", "━", "╇", "┩"),
    "body": ("│", "│", "│"),
    "row_sep": ("├", "─", "┼", "┤"),
    "bottom": ("└", "─", "┴", "┘"),
}

_Line = List[Tuple[str, Optional[str]]]
_BOX_LEFT_EDGES = "".join(v[0] for v in _BOX.values())


def _rule(kind: str, widths: List[int]) -> _Line:
    left, fill, mid, right = _BOX[kind]
    return [(left + mid.join(fill * w for w in widths) + right, None)]


def _table_lines(header: List[str], justify: List[str], rows: List[List[_Text]],
                 widths: List[int]) -> List[_Line]:
    def row_lines(cells: List[_Text], kind: str, base: Optional[str]) -> List[_Line]:
        wrapped = []
        for cell, w, just in zip(cells, widths, justify):
            inner = max(w - 2, 1)
            wrapped.append(_wrap(cell, inner, just, "ellipsis") if w >= 2 else [_Text("")])
        height = max(len(c) for c in wrapped)
        left, mid, right = _BOX[kind]
        # pad every cell to the row height: rich aligns header cells to the bottom, body cells
        # to the top, and fills with one blank segment (in the cell's style) of the full width
        cells = []
        for cell_lines, w in zip(wrapped, widths):
            rendered = []
            for content in cell_lines:
                if w >= 2:
                    rendered.append([(" ", base)] + content.segments(base) + [(" ", base)])
                else:
                    rendered.append([(" " * w, base)])
            blank = [[(" " * w, base)]] * (height - len(rendered))
            cells.append(blank + rendered if kind == "head" else rendered + blank)
        out = []
        for i in range(height):
            line: _Line = [(left, None)]
            for j, cell in enumerate(cells):
                if j:
                    line.append((mid, None))
                line += cell[i]
            line.append((right, None))
            out.append(line)
        return out

    lines: List[_Line] = [_rule("top", widths)]
    lines += row_lines([_Text(h) for h in header], "head", _BOLD)
    lines.append(_rule("head_sep", widths))
    for i, row in enumerate(rows):
        if i:
            lines.append(_rule("row_sep", widths))
        lines += row_lines(row, "body", None)
    lines.append(_rule("bottom", widths))
    return lines


def _crop(line: _Line, width: int) -> _Line:
    out, used = [], 0
    for text, style in line:
        n = _cell_len(text)
        if used + n <= width:
            out.append((text, style))
            used += n
        else:
            out.append((_set_cell_size(text, width - used), style))
            break
    return out


def _render(line: _Line, ansi: bool) -> str:
    parts = []
    for text, style in line:
        if not text:
            continue
        parts.append(f"\x1b[{style}m{text}\x1b[0m" if (ansi and style) else text)
    return "".join(parts)


def _stdout_is_terminal() -> bool:
    if os.environ.get("FORCE_COLOR"):
        return True
    if os.environ.get("TERM") == "dumb":
        return False
    out = sys.stdout
    try:
        return bool(out.isatty())
    except Exception:
        return False


# ---------------------------------------------------------------------------------------------
# Keras 3
# ---------------------------------------------------------------------------------------------
def _num(value) -> _Text:
    return _Text().append(str(value), _NONE if value is None else _NUMBER)


def _shape_text(shape) -> _Text:
    t = _Text("(")
    for i, d in enumerate(shape):
        if i:
            t.append(", ")
        t.extend(_num(d))
    return t.append(")")


def _k3_shape(layer) -> _Text:
    shapes = _output_shapes_k3(layer)
    if shapes is None:
        return _Text("?")
    if len(shapes) == 1:
        return _shape_text(shapes[0])
    t = _Text("[")
    for i, s in enumerate(shapes):
        if i:
            t.append(", ")
        t.extend(_shape_text(s))
    return t.append("]")


def _k3_fields(layer, prefix, sequential_like, relevant, show_trainable) -> List[_Text]:
    name = _Text(prefix + layer.name + " (").append(type(layer).__name__, _SYMBOL).append(")")
    if not hasattr(layer, "built"):
        params = _num(0)
    elif not layer.built:
        params = _num(0).append(" (unbuilt)")
    else:
        params = _Text().append(f"{layer.count_params():,}", _NUMBER)
    fields = [name, _k3_shape(layer), params]
    if not sequential_like:
        conn = _Text()
        for lname, node_index, tensor_index in _connections(layer, relevant):
            if conn.plain:
                conn.append(", ")
            conn.append(lname + "[").extend(_num(node_index)).append("][")
            conn.extend(_num(tensor_index)).append("]")
        fields.append(conn if conn.plain else _Text("-"))
    if show_trainable:
        if len(getattr(layer, "weights", [])) > 0:
            fields.append(_Text().append("Y", "1;32") if layer.trainable
                          else _Text().append("N", "1;91"))
        else:
            fields.append(_Text().append("-", _BOLD))
    return fields


def _print_k3(model, line_length, positions, print_fn, expand_nested, show_trainable,
              layer_range) -> None:
    layers, sequential_like, relevant = _structure(model)
    if sequential_like:
        default_length = 88
        positions = list(positions or [0.45, 0.80, 1.0])
        header = ["Layer (type)", "Output Shape", "Param #"]
        justify = ["left", "left", "right"]
    else:
        default_length = 108
        positions = list(positions or [0.3, 0.56, 0.74, 1.0])
        header = ["Layer (type)", "Output Shape", "Param #", "Connected to"]
        justify = ["left", "left", "right", "left"]
    if show_trainable:
        default_length += 12
        positions = [p * 0.90 for p in positions] + [1.0]
        header.append("Trainable")
        justify.append("center")
    columns = shutil.get_terminal_size().columns
    default_length = min(default_length, columns - 4)
    line_length = line_length or default_length
    requested, current = [], 0
    for pos in positions:
        width = int(pos * line_length) - current
        if width < 4:
            raise ValueError("Insufficient console width to print summary.")
        requested.append(width)
        current += width

    if len(requested) < len(header):
        raise IndexError("list index out of range")  # what Keras raises: too few positions
    requested = requested[:len(header)]
    rows: List[List[_Text]] = []

    def add_layer(layer, level=0):
        prefix = "   " * level + "└ " if level else ""
        rows.append(_k3_fields(layer, prefix, sequential_like, relevant, show_trainable))
        if expand_nested and getattr(layer, "layers", None) and layer is not model:
            for sub in layer.layers:
                add_layer(sub, level + 1)

    lo, hi = _layer_range(layers, layer_range)
    for layer in layers[lo:hi]:
        add_layer(layer)

    trainable = model.trainable_weights
    non_trainable = model.non_trainable_weights
    t_count, t_size = count_params(trainable), weight_memory_size(trainable)
    n_count, n_size = count_params(non_trainable), weight_memory_size(non_trainable)
    opt_vars = _optimizer_variables(model)
    o_count = count_params(opt_vars) if opt_vars is not None else 0
    o_size = weight_memory_size(opt_vars) if opt_vars is not None else 0

    widths = _column_widths(requested, line_length)
    lines: List[_Line] = [[(f'Model: "{model.name}"', _BOLD)]]
    lines += _table_lines(header, justify, rows, widths)

    def footer(label, count, size):
        return [(f" {label}: ", _BOLD), (f"{count:,}", _NUMBER),
                (f" ({readable_memory_size(size, 3)})", None)]

    lines.append(footer("Total params", t_count + n_count + o_count, t_size + n_size + o_size))
    lines.append(footer("Trainable params", t_count, t_size))
    lines.append(footer("Non-trainable params", n_count, n_size))
    if opt_vars is not None:
        lines.append(footer("Optimizer params", o_count, o_size))

    ansi = print_fn is None and _stdout_is_terminal()
    text = "".join(_render(_crop(l, columns), ansi) + "\n" for l in _wrap_long(lines, columns))
    if print_fn is None:
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        print_fn(text)


def _wrap_long(lines: List[_Line], width: int) -> List[_Line]:
    """Text lines (title, footers) longer than the console fold like rich's ``print``."""
    out = []
    for line in lines:
        if line and line[0][0][:1] in _BOX_LEFT_EDGES:
            out.append(line)  # table rows are cropped, not folded
            continue
        plain = "".join(t for t, _ in line)
        if _cell_len(plain) <= width or width <= 0:
            out.append(line)
            continue
        text = _Text()
        for t, st in line:
            text.append(t, st)
        for piece in _wrap(text, width, "left", "fold", pad=False):
            out.append(piece.segments())
    return out


# ---------------------------------------------------------------------------------------------
# Keras 2 (tf-keras)
# ---------------------------------------------------------------------------------------------
def _k2_output_shape(layer):
    from .input_layer import InputLayer
    nodes = getattr(layer, "_inbound_nodes", [])
    if not nodes:
        return "multiple"

    def node_shape(node):
        shapes = [tuple(t.shape) for t in node.outputs]
        if isinstance(layer, InputLayer) or isinstance(node.output_structure, (list, tuple)) \
                or len(shapes) != 1:
            return shapes
        return shapes[0]

    all_shapes = {str(node_shape(n)) for n in nodes}
    if len(all_shapes) == 1:
        return node_shape(nodes[0])
    return "multiple"


def _print_k2(model, line_length, positions, print_fn, expand_nested, show_trainable,
              layer_range) -> None:
    if print_fn is None:
        def print_fn(line):
            sys.stdout.write(line + "\n")
            sys.stdout.flush()
    layers, sequential_like, relevant = _structure(model)
    if sequential_like:
        line_length = line_length or 65
        positions = list(positions or [0.45, 0.85, 1.0])
        to_display = ["Layer (type)", "Output Shape", "Param #"]
    else:
        line_length = line_length or 98
        positions = list(positions or [0.3, 0.6, 0.70, 1.0])
        to_display = ["Layer (type)", "Output Shape", "Param #", "Connected to"]
    if positions[-1] <= 1:
        positions = [int(line_length * p) for p in positions]
    if show_trainable:
        line_length += 11
        positions.append(line_length)
        to_display.append("Trainable")

    def print_row(fields, level=0):
        left = [str(x) for x in fields]
        n = len(positions)
        while any(left):
            line = ""
            for col in range(len(left)):
                start = positions[col - 1] if col > 0 else 0
                end = positions[col]
                space = 2 if col != n - 1 else 0
                cutoff = end - start - space
                if col != n - 1:
                    cutoff -= 1
                if col == 0:
                    cutoff -= level
                fit = left[col][:cutoff]
                candidates = [fit.find(x) + len(x) for x in ("),", "},", "],", "',")
                              if fit.find(x) >= 0]
                if candidates:
                    cutoff = min(candidates)
                    fit = fit[:cutoff]
                if col == 0:
                    line += "|" * level + " "
                line += fit
                line += " " * space if space else ""
                left[col] = left[col][cutoff:]
                if level and col == n - 1:
                    line += " " * (positions[col] - len(line) - level)
                else:
                    line += " " * (positions[col] - len(line))
            line += "|" * level
            print_fn(line)

    print_fn(f'Model: "{model.name}"')
    print_fn("_" * line_length)
    print_row(to_display)
    print_fn("=" * line_length)

    def layer_fields(layer):
        name = f"{layer.name} ({type(layer).__name__})"
        shape = _k2_output_shape(layer)
        if sequential_like:
            if not getattr(layer, "built", True) and not _is_functional(layer):
                params = "0 (unused)"
            else:
                params = layer.count_params()
            fields = [name, shape, params]
        else:
            conns = [f"{n}[{i}][{j}]" for n, i, j in _connections(layer, relevant)]
            fields = [name, shape, layer.count_params(), conns]
        if show_trainable:
            fields.append("Y" if layer.trainable else "N")
        return fields

    def print_layer(layer, level=0, is_nested_last=False):
        print_row(layer_fields(layer), level)
        if expand_nested and getattr(layer, "layers", None):
            print_fn("|" * (level + 1) + "¯" * (line_length - 2 * level - 2) + "|" * (level + 1))
            sub = layer.layers
            for i, s in enumerate(sub):
                print_layer(s, level + 1, i == len(sub) - 1)
            print_fn("|" * level + "¯" * (line_length - 2 * level) + "|" * level)
        if not is_nested_last:
            print_fn("|" * level + " " * (line_length - 2 * level) + "|" * level)

    lo, hi = _layer_range(layers, layer_range)
    for layer in layers[lo:hi]:
        print_layer(layer)
    print_fn("=" * line_length)

    trainable = model.trainable_weights
    non_trainable = model.non_trainable_weights
    t_count, t_size = count_params(trainable), weight_memory_size(trainable)
    n_count, n_size = count_params(non_trainable), weight_memory_size(non_trainable)
    print_fn(f"Total params: {t_count + n_count} ({readable_memory_size(t_size + n_size, 2)})")
    print_fn(f"Trainable params: {t_count} ({readable_memory_size(t_size, 2)})")
    print_fn(f"Non-trainable params: {n_count} ({readable_memory_size(n_size, 2)})")
    print_fn("_" * line_length)


# ---------------------------------------------------------------------------------------------
# entry point
# ---------------------------------------------------------------------------------------------
def print_summary(model, line_length: Optional[int] = None,
                  positions: Optional[Sequence[float]] = None,
                  print_fn: Optional[Callable[..., None]] = None, expand_nested: bool = False,
                  show_trainable: bool = False, layer_range=None) -> None:
    """Print ``model``'s summary table in the style of the current Keras era.

    ``print_fn``: Keras 3 passes the whole table (no ANSI codes) to it in one call; Keras 2
    calls it once per line. An unbuilt model raises Keras's ``ValueError``.
    """
    if not getattr(model, "built", False):
        raise ValueError(_NOT_BUILT_MESSAGE)
    if config.keras_era() == 3:
        _print_k3(model, line_length, positions, print_fn, expand_nested, show_trainable,
                  layer_range)
    else:
        _print_k2(model, line_length, positions, print_fn, expand_nested, show_trainable,
                  layer_range)
