"""The exercise checks of the lessons: unanswered, wrong and malformed answers never raise."""

from __future__ import annotations

import pytest

from kit.exercises import CHECKS, check, exercise, verdict


def test_every_lesson_has_exercises():
    lessons = {key.split(".")[0] for key in CHECKS}
    assert {"01", "02", "03", "04", "05", "06", "07", "08"} <= lessons


@pytest.mark.parametrize("key", sorted(CHECKS))
def test_unanswered_and_nonsense_answers(key):
    assert verdict(key, ...)[0] == "todo"
    assert verdict(key, object())[0] == "wrong"
    assert verdict(key, "not a number")[0] == "wrong"


def test_check_prints_and_reports(capsys):
    @exercise("99.two_plus_two")
    def _(answer):
        assert answer == 4, "count again"

    try:
        check("99.two_plus_two", 4)
        assert "correct" in capsys.readouterr().out
        check("99.two_plus_two", 5)
        assert "count again" in capsys.readouterr().out
        with pytest.raises(ValueError, match="twice"):
            exercise("99.two_plus_two")(lambda answer: None)
        with pytest.raises(KeyError, match="no exercise"):
            verdict("99.unknown", 1)
    finally:
        del CHECKS["99.two_plus_two"]
