"""Reproduction as code: every published figure of the course comes from here (``python -m kit reproduce``).

A :class:`Row` is one reproduced figure: its source (seed file, table or
figure), the published value, the run configuration that reproduces it (or
the zoo entry that publishes it) and the metrics it reports. Rows are grouped
by source document (:mod:`kit.reproduce.paper` for the paper's first half
and its slides, :mod:`kit.reproduce.paper_gan` for its GAN half,
:mod:`kit.reproduce.multimodal` for the classification report and the MFCC-40
VAE, :mod:`kit.reproduce.correspondence` for the slides' correspondence and
retrieval pages, :mod:`kit.reproduce.voices` for voices never heard,
:mod:`kit.reproduce.speaking` for seed 004's VAEs that speak,
:mod:`kit.reproduce.drawing_to_voice` for the image-to-audio model; one
module per document as the course grows). A row may instead be a measurement of
trained runs (``analysis``) and may draw a figure (``docs/results/ROW.png``). ``python -m kit reproduce``
runs the rows whose result is missing (finished runs reused, interrupted ones
resumed), writes one small result per row to ``docs/results/ROW.json`` (the
run folder without its checkpoint: config, metrics, history, seconds,
machine, date, command), and renders the tables of ``docs/reproduction.md``
and the README's summary between ``<!-- reproduce:NAME -->`` markers from
those files alone, so that no figure is typed by hand. A measurement's
``needs`` (the rows it gathers) run before it (:func:`with_needs`). A row that fails gets
its reason in its result file and in the document; the others still run.
"""

from __future__ import annotations

from .correspondence import ROWS as CORRESPONDENCE_ROWS
from .correspondence import TABLES as CORRESPONDENCE_TABLES
from .drawing_to_voice import ROWS as VOICING_ROWS
from .drawing_to_voice import TABLES as VOICING_TABLES
from .engine import RESULTS, Row, Table, load_result, render_documents, reproduce
from .multimodal import ROWS as MULTIMODAL_ROWS
from .multimodal import TABLES as MULTIMODAL_TABLES
from .paper import ROWS as PAPER_ROWS
from .paper import TABLES as PAPER_TABLES
from .paper_gan import ROWS as GAN_ROWS
from .paper_gan import TABLES as GAN_TABLES
from .speaking import ROWS as SPEAKING_ROWS
from .speaking import TABLES as SPEAKING_TABLES
from .voices import ROWS as VOICE_ROWS
from .voices import TABLES as VOICE_TABLES

ROWS: dict[str, Row] = {
    row.id: row for row in (*PAPER_ROWS, *GAN_ROWS, *MULTIMODAL_ROWS, *CORRESPONDENCE_ROWS, *VOICE_ROWS,
                         *SPEAKING_ROWS)
}
ROWS |= {row.id: row for row in VOICING_ROWS}
TABLES: dict[str, Table] = (
    PAPER_TABLES | GAN_TABLES | MULTIMODAL_TABLES | CORRESPONDENCE_TABLES | VOICE_TABLES | SPEAKING_TABLES
)
TABLES |= VOICING_TABLES


def with_needs(rows: list[Row]) -> list[Row]:
    """``rows`` in order, each preceded by the rows it gathers (:attr:`Row.needs`) that come no earlier."""
    ordered: dict[str, Row] = {}
    for row in rows:
        ordered |= {need: ROWS[need] for need in row.needs if need not in ordered}
        ordered.setdefault(row.id, row)
    return list(ordered.values())


__all__ = ["RESULTS", "ROWS", "TABLES", "Row", "Table", "load_result", "render_documents", "reproduce",
           "with_needs"]
