"""Compare training runs side by side: metrics, loss curves, archetypes vs diversity, generated digits.

Start it with ``make compare`` or ``streamlit run apps/compare_models.py``. It reads
the run folders under ``$KIT_RUNS_DIR`` (default ``runs/``; another folder can be
typed in at the top) and the model zoo, through :mod:`kit.runs` and
:mod:`kit.plot`; it makes no network calls.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import streamlit as st

from kit import plot, runs
from kit.config import runs_dir

HOW_TO_MAKE_A_RUN = """No runs here yet. Train one from the course folder, for example:

    .venv/bin/python -m kit train fast-aivae --epochs 2    # speech to digits, a few minutes on a CPU
    .venv/bin/python -m kit train conv-vae                 # a VAE on MNIST digits

Each run gets a folder here with its settings, losses, metrics and generated digits; then reload this page."""

PER_ROW = 3  # sample grids side by side; more chosen runs wrap onto further rows


st.set_page_config(page_title="Compare models", layout="wide")
st.title("Compare models")
st.write(
    "Training runs and zoo models side by side: how well LeNet-5 reads what they draw, how varied "
    "their drawings are, how they learned, and what they draw."
)



def shown(folder: Path) -> str:
    """``folder`` relative to where the app was started when it lies below it (``runs``), else as it is."""
    try:
        return str(folder.relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(folder)


folder = Path(
    st.text_input(
        "Runs folder",
        shown(runs_dir()),
        key="folder",
        help="Default: $KIT_RUNS_DIR, else runs/",
    )
).expanduser()

run_records = runs.list_runs(folder)
if not folder.is_dir():
    st.warning(f"{folder} is not a folder.")
if not run_records:
    st.info(HOW_TO_MAKE_A_RUN)
for record in run_records:
    if record.problem:
        st.warning(f"**{record.name}**: {record.problem}")

records = run_records + runs.list_zoo()
st.subheader("Runs and zoo models")
st.dataframe(
    runs.table(records),
    hide_index=True,
    column_config={
        "accuracy": st.column_config.NumberColumn(
            "judged accuracy", format="%.3f", help="the judge (column 'judge') reads the digit asked for"
        ),
        "test_accuracy": st.column_config.NumberColumn(
            "test accuracy", format="%.3f", help="a classifier's own accuracy on the test set"
        ),
        "macro_f1": st.column_config.NumberColumn("macro-F1", format="%.3f"),
        "diversity": st.column_config.NumberColumn(
            "diversity",
            format="%.2f",
            help="1 = as varied as real handwriting, near 0 = one archetype per digit",
        ),
        "data": st.column_config.TextColumn("data", width="medium"),
        "frechet": st.column_config.NumberColumn(
            "Fréchet", format="%.1f", help="LeNet features; lower = closer"
        ),
    },
)

by_name = {record.name: record for record in records}
if st.session_state.get("runs_of") != str(folder):  # first visit or another folder: the three newest
    st.session_state.update(
        runs=[record.name for record in records if record.history][:3], runs_of=str(folder)
    )
chosen = [by_name[name] for name in st.multiselect("Runs to compare", list(by_name), key="runs")]
if not chosen:
    st.caption("Choose runs above to see their curves and generated digits.")
    st.stop()

curves, scatter = st.columns(2)
with curves:
    st.subheader("Training curves")
    histories = {record.name: record.history for record in chosen if record.history}
    keys = runs.curve_keys(list(histories.values()))
    if keys:
        key = st.selectbox(
            "Curve", keys, index=keys.index("train_loss") if "train_loss" in keys else 0, key="curve"
        )
        st.pyplot(plot.compare_curves(histories, key))
    else:
        st.caption("None of the chosen runs has a history.")
with scatter:
    st.subheader("Archetypes vs diversity")
    points = runs.trade_off_points(chosen)
    if points:
        st.pyplot(plot.trade_off(points))
    else:
        st.caption("None of the chosen runs has been evaluated for accuracy and diversity.")
plt.close("all")

st.subheader("Generated digits")
for start in range(0, len(chosen), PER_ROW):
    for column, record in zip(st.columns(PER_ROW), chosen[start : start + PER_ROW], strict=False):
        with column:
            if record.samples:
                st.image(str(record.samples), caption=record.name)
            else:
                st.caption(f"{record.name}: no samples")
