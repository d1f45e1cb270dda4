"""From a drawing to a voice: the paper's question turned around (lesson 17).

Not in the source documents: seed 001 draws what it hears, seed 004 speaks
from a latent code; these rows do both at once. Each trains the
image-to-audio VAE (:class:`~kit.models.IAVAE`) on MNIST paired with spoken
digits of the course's voices (FSDD's speakers and the eSpeak voices,
the ``voices`` split), once per pairing: many-to-one (every image, each with
a random clip of its digit: one archetypal voice per digit) and one-to-one
(each clip once, with its own image: more varied voices, fewer pairs). The
measures (:mod:`kit.voicing`): the audio judge and PocketSphinx on what is
said for 1,000 MNIST test images, the diversity of the voices against the
training clips (both through the same spectrogram and Griffin-Lim), and
the round trip: the held-out voices' clips drawn by the zoo's AIVAE, the
drawings spoken back.
"""

from __future__ import annotations

from ..runs import RunConfig
from .engine import Row, Table
from .paper import command, epochs, percent, time_taken

#: The one-to-one run: as many optimisation steps as the zoo's many-to-one ``iavae`` (3 epochs of 60,000
#: pairs), on its 4,900 pairs.
ONE_TO_ONE = RunConfig("iavae", data="mnist-fsdd+espeak", split="voices", pairing="one-to-one", lr=3e-3,
                       lr_schedule="onecycle", epochs=36)

ROWS = (
    Row("iavae-many-to-one", "not in the sources: from a drawing to a voice", "many-to-one (the zoo's iavae)",
        zoo="iavae"),
    Row("iavae-one-to-one", "not in the sources: from a drawing to a voice", "one-to-one", config=ONE_TO_ONE),
)


def _number(key: str):
    def cell(row: Row, result: dict) -> str:
        value = result["metrics"].get(key)
        return "-" if value is None else f"{value:.2f}"

    return cell


TABLES = {
    "drawing-to-voice": Table(
        tuple(row.id for row in ROWS),
        (
            ("pairing", lambda row, result: row.label),
            ("audio judge hears the digit", percent("accuracy")),
            ("PocketSphinx reads it", percent("sphinx_accuracy")),
            ("voice diversity (1 = as varied as the training voices)", _number("diversity")),
            ("Fréchet distance (judge features)", _number("frechet")),
            ("real clips, resynthesised: judge / PocketSphinx",
             lambda row, result: f"{percent('resynthesised_accuracy')(row, result)} / "
                                 f"{percent('resynthesised_sphinx_accuracy')(row, result)}"),
            ("epochs", epochs),
            ("time", time_taken),
            ("command", command),
        ),
    ),
    "round-trip": Table(
        tuple(row.id for row in ROWS),
        (
            ("spoken back by (pairing)", lambda row, result: row.label),
            ("clips", lambda row, result: str(result["metrics"].get("round_trip_clips", "-"))),
            ("AIVAE's drawing read by LeNet", percent("drawn_accuracy")),
            ("spoken back, heard by the audio judge", percent("round_trip_accuracy")),
            ("both legs right", percent("both_legs_accuracy")),
            ("spoken back, read by PocketSphinx", percent("round_trip_sphinx_accuracy")),
        ),
    ),
}
