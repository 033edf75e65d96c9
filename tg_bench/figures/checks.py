"""What a reader would trip over in a drawn figure, found from matplotlib's artist extents after layout.

`layout_problems` lists, one line each:
- a figure-level legend, text (title, axis super-labels) or colourbar (with its ticks and label) that overlaps a
  panel (its data area, tick labels or title) or another of them;
- a panel's legend or text that covers a data point (a line's vertex, a marker, a bar) or another panel;
- a panel's tick labels, axis labels or title that reach into another panel's data area;
- a legend entry whose colour no panel it speaks for uses;
- a panel that draws a labelled series in a colour its legend gives to another label (one legend for panels
  whose entries differ);
- two entries of one legend that look alike in greyscale: same marker, line style and hatch, and grey levels
  closer than `GREY_STEP`.

`tg-bench figures` prints them as notes; the figure tests assert there are none.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import Collection
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.transforms import Bbox

#: the least difference of grey level (0 black .. 1 white) two legend entries that differ only in colour need
GREY_STEP = 0.1
#: the colour of legend entries that explain a marker, line style or hatch rather than a series
BLACK = (0.0, 0.0, 0.0)
#: pixels two boxes may share before they count as overlapping (anti-aliasing, rounding)
TOLERANCE = 1.0


def layout_problems(figure: Figure) -> list[str]:
    """Every defect of the list above in `figure`, drawn at its own size; [] for a clean figure."""
    canvas = figure.canvas if hasattr(figure.canvas, "get_renderer") else FigureCanvasAgg(figure)
    canvas.draw()
    renderer = canvas.get_renderer()
    panels = [ax for ax in figure.axes if ax.get_visible() and not hasattr(ax, "_colorbar")]
    colourbars = [ax for ax in figure.axes if ax.get_visible() and hasattr(ax, "_colorbar")]
    names = {id(ax): _panel_name(ax, i) for i, ax in enumerate(panels)}
    areas = {id(ax): ax.get_window_extent(renderer) for ax in panels}
    problems: list[str] = []

    # figure-level decorations: outside every panel (with its labels) and apart from each other
    decorations = [(f"figure legend {_legend_name(legend)}", legend) for legend in figure.legends]
    decorations += [(f"figure text '{_short(text.get_text())}'", text) for text in _figure_texts(figure)]
    decorations += [("colourbar", ax) for ax in colourbars]
    boxes = [(name, _extent(artist, renderer)) for name, artist in decorations]
    for name, box in boxes:
        for ax in panels:
            if _overlap(box, _panel_box(ax, renderer)):
                problems.append(f"{name} overlaps panel {names[id(ax)]}")
    for i, (name, box) in enumerate(boxes):
        for other, other_box in boxes[i + 1 :]:
            if _overlap(box, other_box):
                problems.append(f"{name} overlaps {other}")

    # a panel's legend and texts: off the data of every panel, and off other panels
    points = {id(ax): _data_points(ax) for ax in panels}
    for ax in panels:
        own = [(f"legend {_legend_name(legend)}", legend) for legend in _axes_legends(ax)]
        own += [(f"text '{_short(text.get_text())}'", text) for text in ax.texts if _shown(text)]
        for name, artist in own:
            box = _extent(artist, renderer)
            for other in panels:
                if other is not ax and _overlap(box, areas[id(other)]):
                    problems.append(f"panel {names[id(ax)]}: {name} overlaps panel {names[id(other)]}")
                covered = _covered(box, points[id(other)])
                if covered:
                    problems.append(
                        f"panel {names[id(ax)]}: {name} covers {covered} data point(s) of {names[id(other)]}"
                    )

    # a panel's tick labels, axis labels and title: out of other panels' data areas
    for ax in panels:
        for text in _axes_decorations(ax):
            box = text.get_window_extent(renderer)
            for other in panels:
                if other is not ax and _overlap(box, areas[id(other)]):
                    problems.append(
                        f"panel {names[id(ax)]}: label '{_short(text.get_text())}' reaches into {names[id(other)]}"
                    )

    # legends: each entry's colour drawn where the legend speaks, one meaning per colour, greyscale-safe
    for legend, covered_panels in [(lg, panels) for lg in figure.legends] + [
        (lg, [ax]) for ax in panels for lg in _axes_legends(ax)
    ]:
        problems += _legend_problems(legend, covered_panels, names)
    return sorted(dict.fromkeys(problems))


def _legend_problems(legend: Legend, panels: list[Axes], names: dict[int, str]) -> list[str]:
    entries = [(text.get_text(), handle) for handle, text in zip(legend.legend_handles, legend.texts, strict=False)]
    entries = [(label, handle) for label, handle in entries if handle is not None]
    # the legend draws an error bar by its bar alone: judge such an entry by the series it stands for
    drawn = {label: handle for ax in panels for handle, label in zip(*ax.get_legend_handles_labels(), strict=True)}
    entries = [(label, _main(drawn.get(label, handle))) for label, handle in entries]
    title = _legend_name(legend)
    used = set().union(*(_every_colour(child) for ax in panels for child in _data_artists(ax))) if panels else set()
    problems = []
    meaning: dict[tuple, set[str]] = {}
    for label, handle in entries:
        colours = _colours(handle)
        for colour in colours:
            meaning.setdefault(colour, set()).add(label)
        if colours == {BLACK}:  # a key to a marker or line style, drawn in black: that style must be drawn
            if not _style_drawn(handle, panels):
                problems.append(f"legend {title}: entry '{label}' is a style no panel it covers draws")
        elif colours and not colours & used:
            problems.append(f"legend {title}: entry '{label}' has a colour no panel it covers uses")
    for ax in panels:
        for handle, label in zip(*ax.get_legend_handles_labels(), strict=True):
            for colour in _colours(handle):
                if colour in meaning and label not in meaning[colour]:
                    others = ", ".join(sorted(meaning[colour]))
                    problems.append(
                        f"panel {names[id(ax)]} draws '{label}' in the colour legend {title} gives to '{others}'"
                    )
    looks = [(label, _look(handle)) for label, handle in entries]
    for i, (label, (shape, grey)) in enumerate(looks):
        for other, (other_shape, other_grey) in looks[i + 1 :]:
            if label != other and shape == other_shape and abs(grey - other_grey) < GREY_STEP:
                problems.append(f"legend {title}: '{label}' and '{other}' look alike in greyscale")
    return problems


def _style_drawn(handle: Artist, panels: list[Axes]) -> bool:
    """Whether a black key entry's marker, line style or hatch is drawn in one of `panels`."""
    drawn = [artist for ax in panels for artist in _data_artists(ax)]
    if isinstance(handle, Line2D):
        marker, linestyle = handle.get_marker(), handle.get_linestyle()
        lines = [a for a in drawn if isinstance(a, Line2D)]
        if marker not in (None, "None", "none", ""):
            return any(a.get_marker() == marker for a in lines)
        return any(a.get_linestyle() == linestyle for a in lines)
    if isinstance(handle, Patch):
        return any(isinstance(a, Patch) and a.get_hatch() == handle.get_hatch() for a in drawn)
    return True


def _panel_name(ax: Axes, index: int) -> str:
    title = ax.get_title() or ax.get_xlabel() or ax.get_ylabel()
    return f"{index} ('{_short(title)}')" if title else str(index)


def _legend_name(legend: Legend) -> str:
    title = legend.get_title().get_text()
    labels = [text.get_text() for text in legend.texts[:2]]
    return f"'{_short(title)}'" if title else f"[{_short(', '.join(labels))}, ...]"


def _short(text: str, width: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _shown(artist: Artist) -> bool:
    return bool(artist.get_visible() and (not hasattr(artist, "get_text") or artist.get_text().strip()))


def _figure_texts(figure: Figure) -> Iterator[Artist]:
    texts = [*figure.texts, *(getattr(figure, f"_sup{a}", None) for a in ("title", "xlabel", "ylabel"))]
    for text in dict.fromkeys(t for t in texts if t is not None):  # a super-title is in `texts` too
        if _shown(text):
            yield text


def _axes_legends(ax: Axes) -> list[Legend]:
    legend = ax.get_legend()
    return [legend] if legend is not None and legend.get_visible() else []


def _axes_decorations(ax: Axes) -> Iterator[Artist]:
    low, high = ax.get_xlim()
    yield from (
        label
        for label in ax.xaxis.get_ticklabels()
        if _shown(label) and min(low, high) <= label.get_position()[0] <= max(low, high)
    )
    low, high = ax.get_ylim()
    yield from (
        label
        for label in ax.yaxis.get_ticklabels()
        if _shown(label) and min(low, high) <= label.get_position()[1] <= max(low, high)
    )  # ticks outside the view limits are not drawn
    for axis in (ax.xaxis, ax.yaxis):
        if _shown(axis.label):
            yield axis.label
    yield from (title for title in (ax.title, ax._left_title, ax._right_title) if _shown(title))


def _extent(artist: Artist, renderer) -> Bbox:
    if isinstance(artist, Axes):  # a colourbar: its ticks and label with it
        return artist.get_tightbbox(renderer)
    return artist.get_window_extent(renderer)


def _panel_box(ax: Axes, renderer) -> Bbox:
    """A panel with its tick labels, axis labels and title (not its legend: that is checked on its own)."""
    boxes = [ax.get_window_extent(renderer)]
    boxes += [text.get_window_extent(renderer) for text in _axes_decorations(ax)]
    return Bbox.union(boxes)


def _overlap(a: Bbox, b: Bbox) -> bool:
    return (
        min(a.x1, b.x1) - max(a.x0, b.x0) > TOLERANCE
        and min(a.y1, b.y1) - max(a.y0, b.y0) > TOLERANCE
    )  # fmt: skip


def _data_artists(ax: Axes) -> Iterator[Artist]:
    for artist in [*ax.lines, *ax.collections, *ax.patches]:
        if artist.get_visible():
            yield artist


def _data_points(ax: Axes) -> np.ndarray:
    """(n, 2) display coordinates of what the panel draws: line vertices (and points along each segment),
    markers, collection offsets and vertices, bar corners and centres. Guides across the whole panel (a
    reference line, `axvline`) are left out: a label may cross them, as it crosses a grid line."""
    found = [np.empty((0, 2))]
    guides = (ax.get_xaxis_transform(), ax.get_yaxis_transform())
    for artist in _data_artists(ax):
        if isinstance(artist, Line2D) and artist.get_transform() in guides:
            continue
        if isinstance(artist, Line2D):
            xy = artist.get_transform().transform(np.asarray(artist.get_xydata(), dtype=float))
            found.append(_along(xy) if artist.get_linestyle() not in ("None", "none", "", " ") else xy)
        elif isinstance(artist, Collection):
            offsets = np.asarray(artist.get_offsets(), dtype=float)
            if len(offsets) and artist.get_offset_transform() is not None:
                found.append(artist.get_offset_transform().transform(offsets))
            for path in artist.get_paths()[:2000]:
                if len(path.vertices) and not len(offsets) > 1:
                    found.append(_along(artist.get_transform().transform(path.vertices)))
        elif isinstance(artist, Patch) and artist is not ax.patch:
            box = artist.get_window_extent()
            found.append(np.array([[box.x0, box.y0], [box.x1, box.y1], [box.x0, box.y1], [box.x1, box.y0],
                                   [(box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2]]))  # fmt: skip
    points = np.concatenate(found)
    return points[np.isfinite(points).all(axis=1)]


def _along(xy: np.ndarray, step: int = 8) -> np.ndarray:
    """Points every `step`th of each segment of a polyline, so a line that crosses a box is seen there."""
    if len(xy) < 2:
        return xy
    fractions = np.linspace(0.0, 1.0, step, endpoint=False)[:, None, None]
    between = xy[:-1] + fractions * (xy[1:] - xy[:-1])
    return np.concatenate([between.reshape(-1, 2), xy[-1:]])


def _covered(box: Bbox, points: np.ndarray) -> int:
    inside = (
        (points[:, 0] > box.x0 + TOLERANCE)
        & (points[:, 0] < box.x1 - TOLERANCE)
        & (points[:, 1] > box.y0 + TOLERANCE)
        & (points[:, 1] < box.y1 - TOLERANCE)
    )
    return int(inside.sum())


def _rgba_set(values: Iterable) -> set[tuple]:
    colours = set()
    for value in values:
        rgba = to_rgba(value)
        if rgba[3] > 0:
            colours.add(tuple(round(c, 3) for c in rgba[:3]))
    return colours


def _colours(artist: Artist) -> set[tuple]:
    """The opaque colours an artist (or a legend handle, or a container of artists) is drawn in."""
    if isinstance(artist, Line2D):
        values = [artist.get_color()] if artist.get_linestyle() not in ("None", "none", "", " ") else []
        if artist.get_marker() not in (None, "None", "none", ""):
            values += [artist.get_markerfacecolor()]
        return _rgba_set(values or [artist.get_color()])
    if isinstance(artist, Patch):
        face = to_rgba(artist.get_facecolor())
        return _rgba_set([artist.get_facecolor()] if face[3] > 0 else [artist.get_edgecolor()])
    if isinstance(artist, Collection):
        faces = [tuple(c) for c in artist.get_facecolor()]
        return _rgba_set(faces if any(c[3] > 0 for c in faces) else [tuple(c) for c in artist.get_edgecolor()])
    main = _main(artist)
    return _colours(main) if main is not artist else set()


def _every_colour(artist: Artist) -> set[tuple]:
    """Every opaque colour a drawn artist shows: faces, edges, lines and markers."""
    if isinstance(artist, Line2D):
        return _rgba_set([artist.get_color(), artist.get_markerfacecolor(), artist.get_markeredgecolor()])
    if isinstance(artist, Patch):
        return _rgba_set([artist.get_facecolor(), artist.get_edgecolor()])
    if isinstance(artist, Collection):
        return _rgba_set([tuple(c) for c in (*artist.get_facecolor(), *artist.get_edgecolor())])
    return set()


def _main(artist: Artist) -> Artist:
    """A container's main artist (an error bar's marker line), else the artist itself."""
    if isinstance(artist, (Line2D, Patch, Collection)):
        return artist
    children = getattr(artist, "get_children", lambda: [])()
    return children[0] if children else artist


def _look(handle: Artist) -> tuple[tuple, float]:
    """(marker, line style, hatch) and the grey level (luma, 0..1) of a legend handle."""
    colours = sorted(_colours(handle))
    grey = float(np.mean([0.299 * r + 0.587 * g + 0.114 * b for r, g, b in colours])) if colours else 0.0
    marker = handle.get_marker() if isinstance(handle, Line2D) else None
    linestyle = handle.get_linestyle() if isinstance(handle, Line2D) else None
    hatch = handle.get_hatch() if isinstance(handle, Patch) else None
    return (type(handle).__name__, marker, linestyle, hatch), grey
