"""Pictures of sound and digits (lessons 1-3 and every later lesson).

Each helper draws into ``ax`` when given one (so lessons can compose
figures) or makes a new figure, and returns the :class:`~matplotlib.figure.Figure`.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from .audio import SAMPLE_RATE
from .features import HOP_LENGTH, mel_frequencies


def _axes(ax: Axes | None, figsize: tuple[float, float]) -> tuple[Figure, Axes]:
    if ax is None:
        fig, ax = plt.subplots(figsize=figsize, layout="constrained")
        return fig, ax
    return ax.figure, ax


def waveform(
    y: np.ndarray, sr: int = SAMPLE_RATE, ax: Axes | None = None, title: str | None = None
) -> Figure:
    """Amplitude against time in seconds."""
    fig, ax = _axes(ax, (8, 2.5))
    ax.plot(np.arange(len(y)) / sr, y, linewidth=0.6)
    ax.set(xlabel="time (s)", ylabel="amplitude", xlim=(0, len(y) / sr), title=title)
    ax.grid(alpha=0.3)
    return fig


def spectrogram(
    db: np.ndarray,
    sr: int = SAMPLE_RATE,
    hop_length: int = HOP_LENGTH,
    ax: Axes | None = None,
    title: str | None = None,
    mel: bool = False,
    colorbar: bool = True,
) -> Figure:
    """A dB spectrogram ``(bins, frames)`` with time in seconds and frequency in Hz.

    With ``mel=True`` the rows are mel bands: the axis is labelled by band and,
    on the right, by the band's centre frequency in Hz.
    """
    fig, ax = _axes(ax, (8, 3))
    # Frame t is centred on t * hop / sr seconds; bin k on k * sr / n_fft Hz, mel band b on row b.
    half_frame = hop_length / sr / 2
    half_bin = 0.5 if mel else sr / (2 * (2 * (db.shape[0] - 1)))
    top = db.shape[0] - 0.5 if mel else sr / 2 + half_bin
    extent = (-half_frame, db.shape[1] * hop_length / sr - half_frame, -half_bin, top)
    image = ax.imshow(db, origin="lower", aspect="auto", cmap="magma", extent=extent, interpolation="nearest")
    ax.set(xlabel="time (s)", ylabel="mel band" if mel else "frequency (Hz)", title=title)
    if mel:
        centres = mel_frequencies(db.shape[0] + 2, 0, sr / 2)[1:-1]
        right = ax.secondary_yaxis(
            "right",
            functions=(
                lambda band: np.interp(band, np.arange(len(centres)), centres),
                lambda hz: np.interp(hz, centres, np.arange(len(centres))),
            ),
        )
        right.set_ylabel("centre (Hz)")
    if colorbar:
        fig.colorbar(image, ax=ax, label="dB", pad=0.08 if mel else 0.02)
    return fig


def mel_filterbank(
    filters: np.ndarray, sr: int = SAMPLE_RATE, ax: Axes | None = None, title: str | None = "mel filterbank"
) -> Figure:
    """Each triangular filter ``(n_mels, bins)`` as a curve over frequency in Hz."""
    fig, ax = _axes(ax, (8, 3))
    hz = np.linspace(0, sr / 2, filters.shape[1])
    colors = plt.cm.viridis(np.linspace(0, 1, len(filters)))
    for weights, color in zip(filters, colors, strict=True):
        ax.plot(hz, weights, color=color, linewidth=1)
    ax.set(xlabel="frequency (Hz)", ylabel="weight", xlim=(0, sr / 2), title=title)
    return fig


def image_grid(
    images: np.ndarray,
    labels=None,
    ncols: int = 10,
    ax: Axes | None = None,
    title: str | None = None,
    cmap: str = "gray",
    low_rows_at_bottom: bool = False,
) -> Figure:
    """Tile ``(n, h, w)`` images into one picture, with optional labels under each tile.

    Digits are drawn as they are stored (row 0 at the top). Spectrogram-like
    images, whose row 0 is the lowest frequency, want ``low_rows_at_bottom=True``.
    """
    images = np.asarray(images, dtype=float)
    if labels is not None and len(labels) != len(images):
        raise ValueError(f"{len(labels)} labels for {len(images)} images")
    if low_rows_at_bottom:
        images = images[:, ::-1]
    n, h, w = images.shape
    ncols = min(ncols, n)
    nrows = -(-n // ncols)
    gap = 2 if labels is None else 6
    canvas = np.full((nrows * (h + gap), ncols * (w + 1)), np.nan)
    for i, image in enumerate(images):
        r, c = divmod(i, ncols)
        canvas[r * (h + gap) : r * (h + gap) + h, c * (w + 1) : c * (w + 1) + w] = image
    fig, ax = _axes(ax, (ncols * 0.9, nrows * (1.0 if labels is None else 1.15)))
    shown = plt.get_cmap(cmap).with_extremes(bad="white")
    ax.imshow(canvas, cmap=shown, interpolation="nearest")
    ax.set_axis_off()
    for i, label in enumerate([] if labels is None else labels):
        r, c = divmod(i, ncols)
        ax.text(
            c * (w + 1) + w / 2, r * (h + gap) + h + gap / 2, str(label), ha="center", va="center", fontsize=8
        )
    if title:
        ax.set_title(title)
    return fig


def loss_curves(history: list[dict], keys: tuple[str, ...] | None = None, ax: Axes | None = None,
                title: str | None = None, label: str = "") -> Figure:
    """Per-epoch curves from a :class:`kit.train.Trainer` history (default: every ``*loss`` key)."""
    fig, ax = _axes(ax, (6, 3))
    keys = keys or tuple(k for k in history[0] if k.endswith("loss"))
    epochs = [row["epoch"] for row in history]
    for key in keys:
        ax.plot(epochs, [row.get(key, np.nan) for row in history], marker="o", markersize=3,
                label=f"{label} {key.replace('_', ' ')}".strip())
    ax.set(xlabel="epoch", title=title)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return fig


def confusion(matrix, ax: Axes | None = None, title: str | None = "confusion") -> Figure:
    """A 10x10 confusion matrix (rows: true digit, columns: predicted), as row percentages."""
    fig, ax = _axes(ax, (4.2, 3.8))
    matrix = np.asarray(matrix, dtype=float)
    percent = 100 * matrix / np.maximum(matrix.sum(1, keepdims=True), 1)
    ax.imshow(percent, cmap="Blues", vmin=0, vmax=100)
    for (row, column), value in np.ndenumerate(percent):
        if value >= 0.5:
            ax.text(column, row, f"{value:.0f}", ha="center", va="center", fontsize=7,
                    color="white" if value > 60 else "black")
    ax.set(xticks=range(10), yticks=range(10), xlabel="predicted", ylabel="true", title=title)
    return fig


def latent_map(z: np.ndarray, labels, ax: Axes | None = None, title: str | None = "latent space") -> Figure:
    """A 2-D latent code per item, coloured by digit."""
    fig, ax = _axes(ax, (5, 4.5))
    z = np.asarray(z)
    points = ax.scatter(z[:, 0], z[:, 1], c=labels, cmap="tab10", s=4, alpha=0.7, vmin=-0.5, vmax=9.5)
    fig.colorbar(points, ax=ax, ticks=range(10), label="digit")
    ax.set(xlabel="$z_1$", ylabel="$z_2$", title=title)
    return fig


def latent_grid(decode, extent: float | tuple[float, float, float, float] = 2.5, steps: int = 15,
                ax: Axes | None = None, title: str | None = "decoded latent grid") -> Figure:
    """Decode an evenly spaced grid of 2-D latent points (``decode``: ``(n, 2)`` tensor -> images).

    ``extent`` is a half-width ``e`` (the square from -e to e) or ``(x0, x1, y0, y1)``,
    for instance the range a :func:`latent_map` shows.
    """
    import torch

    x0, x1, y0, y1 = (-extent, extent, -extent, extent) if np.isscalar(extent) else extent
    xs, ys = np.linspace(x0, x1, steps), np.linspace(y0, y1, steps)
    grid = np.array([[x, y] for y in ys[::-1] for x in xs], dtype=np.float32)
    with torch.no_grad():
        images = np.asarray(decode(torch.from_numpy(grid)))
    fig, ax = _axes(ax, (6, 6))
    image_grid(images, ncols=steps, ax=ax, title=title)
    return fig


def compare_curves(histories: dict[str, list[dict]], key: str = "train_loss", ax: Axes | None = None,
                   title: str | None = None) -> Figure:
    """One per-epoch curve of column ``key`` for each named history (runs that lack ``key`` are left out)."""
    fig, ax = _axes(ax, (6, 3.5))
    for name, history in histories.items():
        rows = [(row.get("epoch", index + 1), row[key]) for index, row in enumerate(history) if key in row]
        if rows:
            ax.plot(*zip(*rows, strict=True), marker="o", markersize=3, label=name)
    if ax.lines:
        ax.legend(fontsize=8)
    else:
        ax.text(0.5, 0.5, f"no history has {key!r}", ha="center", va="center", transform=ax.transAxes)
    ax.set(xlabel="epoch", ylabel=key.replace("_", " "), title=title)
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.grid(alpha=0.3)
    return fig


def trade_off(points: dict[str, tuple[float, float]],
              xlabel: str = "diversity (1 = as varied as handwriting)", ylabel: str = "LeNet accuracy",
              reference_x: float | None = 1.0, ax: Axes | None = None, title: str | None = None) -> Figure:
    """Labelled points ``name: (x, y)`` from x = 0, by default lesson 7's archetypes-vs-diversity trade-off.

    ``reference_x`` draws a dotted line: by default diversity 1, as varied as real
    handwriting (near 0: one archetype per digit).
    """
    fig, ax = _axes(ax, (6, 3.5))
    for name, (x, y) in points.items():
        ax.scatter(x, y, s=30)
        ax.annotate(name, (x, y), xytext=(4, 4), textcoords="offset points", fontsize=8)
    if not points:
        ax.text(0.5, 0.5, "no points to show", ha="center", va="center", transform=ax.transAxes)
    if reference_x is not None:
        ax.axvline(reference_x, color="gray", linestyle=":", linewidth=1)
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title)
    ax.margins(0.1, 0.15)  # room for the labels
    ax.set_xlim(left=0)
    ax.grid(alpha=0.3)
    return fig


def error_venn(errors: dict[str, set], ax: Axes | None = None,
               title: str | None = "which test pairs each model gets wrong") -> Figure:
    """Venn diagram of two or three models' error sets (:func:`kit.multimodal.error_sets`; lesson 13).

    Each region is labelled with the number of pairs in it: the report's
    Figure 5 drew the pairs' indices instead, which only fits a few dozen.
    """
    import warnings

    from matplotlib_venn import venn2, venn3

    if len(errors) not in (2, 3):
        raise ValueError(f"a Venn diagram of 2 or 3 error sets, not {len(errors)}")
    fig, ax = _axes(ax, (4.5, 4))
    sets = [set(values) for values in errors.values()]
    labels = [f"{name}\n({len(values)} wrong)" for name, values in zip(errors, sets, strict=True)]
    if not any(sets):
        ax.text(0.5, 0.5, "no errors at all", ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
    else:
        draw = venn3 if len(sets) == 3 else venn2
        with warnings.catch_warnings():  # matplotlib-venn warns about empty sets and inexact placements
            warnings.filterwarnings("ignore", category=UserWarning, module="matplotlib_venn")
            draw(sets, set_labels=labels, ax=ax)
    if title:
        ax.set_title(title, pad=24)
    return fig


def embedding_clusters(mapped: dict, ax=None, title: str | None = None) -> Figure:
    """:func:`kit.multimodal.embedding_map`'s 2-D map twice: coloured by digit, and by k-means cluster.

    ``ax``: ``None`` or a pair of axes. Each cluster is marked with the digit
    most of its points are, and the title gives the agreement (adjusted Rand
    index) of the clusters with the digits: the report's Figures 6-8 (lesson 13).
    """
    if ax is None:
        fig, axes = plt.subplots(1, 2, figsize=(10, 4.4), layout="constrained")
    else:
        axes = list(ax)
        if len(axes) != 2:
            raise ValueError("embedding_clusters draws on two axes: pass a pair, or None")
        fig = axes[0].figure
    points, labels, clusters = (np.asarray(mapped[key]) for key in ("points", "labels", "clusters"))
    for panel, colours, what in ((axes[0], labels, "digit"), (axes[1], clusters, "cluster")):
        panel.scatter(points[:, 0], points[:, 1], c=colours, cmap="tab10", s=4, alpha=0.7,
                      vmin=-0.5, vmax=9.5)
        for group in np.unique(colours):
            members = colours == group
            name = group if what == "digit" else np.bincount(labels[members], minlength=10).argmax()
            x, y = np.median(points[members], axis=0)
            box = {"boxstyle": "round,pad=0.15", "facecolor": "white", "alpha": 0.7, "linewidth": 0}
            panel.text(x, y, str(name), fontsize=11, weight="bold", ha="center", va="center", bbox=box)
        panel.set(xticks=[], yticks=[])
    axes[0].set_title("t-SNE map, coloured by digit")
    axes[1].set_title(f"k-means, k = 10 (agreement with the digits: {mapped['agreement']:.2f})")
    if title:
        fig.suptitle(title)
    return fig


def joint_embedding(audio_points, audio_labels, image_points, image_labels, ax: Axes | None = None,
                    title: str | None = "clips and digits on one map") -> Figure:
    """Two senses on one 2-D map (lesson 15): clips as triangles, handwritten digits as dots, coloured by
    digit, each digit's clips and images marked at their medians (a shared space puts the two together)."""
    fig, ax = _axes(ax, (6, 5))
    audio_points, image_points = np.asarray(audio_points), np.asarray(image_points)
    audio_labels, image_labels = np.asarray(audio_labels), np.asarray(image_labels)
    if len(audio_points) != len(audio_labels) or len(image_points) != len(image_labels):
        raise ValueError("every point needs its digit: points and labels differ in length")
    style = {"cmap": "tab10", "vmin": -0.5, "vmax": 9.5, "alpha": 0.6}
    ax.scatter(image_points[:, 0], image_points[:, 1], c=image_labels, s=6, marker="o", **style)
    ax.scatter(audio_points[:, 0], audio_points[:, 1], c=audio_labels, s=22, marker="^", edgecolors="k",
               linewidths=0.3, **style)
    box = {"boxstyle": "round,pad=0.15", "facecolor": "white", "alpha": 0.7, "linewidth": 0}
    sides = ((image_points, image_labels, "normal"), (audio_points, audio_labels, "bold"))
    for points, labels, weight in sides:
        for digit in np.unique(labels):
            x, y = np.median(points[labels == digit], axis=0)
            ax.text(x, y, str(digit), fontsize=10, weight=weight, ha="center", va="center", bbox=box)
    ax.scatter([], [], marker="^", c="grey", label="spoken (bold: median)")
    ax.scatter([], [], marker="o", c="grey", s=8, label="handwritten")
    ax.legend(loc="best", fontsize=8)
    ax.set(xticks=[], yticks=[])
    if title:
        ax.set_title(title)
    return fig


def heard_map(codes, labels, points, heard, regions, ax: Axes | None = None,
              title: str | None = "the latent map, heard") -> Figure:
    """A 2-D latent map as sound (lesson 16): the test clips' codes coloured by digit, and at each decoded
    grid point the digit the judge heard there, green where it is the digit of the point's region (the
    nearest clips' digit), red where it is not."""
    fig, ax = _axes(ax, (6, 5))
    codes, points = np.asarray(codes), np.asarray(points)
    heard, regions = np.asarray(heard), np.asarray(regions)
    if not len(points) == len(heard) == len(regions):
        raise ValueError("every grid point needs the digit heard there and the digit of its region")
    dots = ax.scatter(codes[:, 0], codes[:, 1], c=labels, cmap="tab10", s=5, alpha=0.35, vmin=-0.5, vmax=9.5)
    fig.colorbar(dots, ax=ax, ticks=range(10), label="digit said (test clips)")
    for (x, y), said, region in zip(points, heard, regions, strict=True):
        ax.text(x, y, str(int(said)), ha="center", va="center", fontsize=9, weight="bold",
                color="darkgreen" if said == region else "crimson")
    agree = float((heard == regions).mean()) if len(heard) else float("nan")
    ax.set(xlabel="$z_1$", ylabel="$z_2$",
           title=f"{title} ({agree:.0%} of {len(heard)} points as their region)" if title else None)
    return fig
