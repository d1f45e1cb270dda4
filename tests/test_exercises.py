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


BUILDS = ("01.alias", "02.my_stft", "02.griffin_lim", "03.mel_filterbank", "04.frechet", "05.bce_sum",
          "05.training_step", "05.pca_reconstruct", "06.kl_between_gaussians", "06.reparametrize",
          "07.many_to_one", "07.one_to_one", "08.kl_warmup", "08.active_dimensions", "08.noise_at_snr")


def test_lessons_1_to_8_hold_at_least_twelve_builds():
    assert len(BUILDS) >= 12 and set(BUILDS) <= set(CHECKS)


@pytest.mark.parametrize("key", BUILDS)
@pytest.mark.parametrize("cheat", [
    lambda *args, **kwargs: 0.0,                                   # a constant
    lambda *args, **kwargs: 1,
    lambda *args, **kwargs: args[0],                               # a copy of the (first) input
    lambda *args, **kwargs: args[-1],
])
def test_no_build_is_passed_by_a_constant_or_a_copy_of_its_input(key, cheat):
    assert verdict(key, cheat)[0] == "wrong"
