"""The real kiosk under Xvfb, driven by touch in a subprocess per scenario (see driver.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from device_app import messages as words
from device_app.messages import ANSWER_MESSAGES
from device_app.station import Station
from miniatures.kiosk_stations import LANGUAGES, PASSPHRASE, PIN
from questionnaire_specs import answers as rules

pytestmark = pytest.mark.kiosk

SECRET = "zanzibarquokka"  # a free-text answer that must never reach a log


def status_of(station_dir: Path):  # noqa: ANN201 - StationStatus
    with Station.unlock(station_dir, PASSPHRASE) as station:
        return station.status()


def test_a_response_by_touch_in_each_of_the_five_languages(kiosk_world, run_kiosk) -> None:
    station_dir = kiosk_world.provision("five", ("officials", "private_sector"))
    run = run_kiosk(
        "complete", station_dir, "--languages", ",".join(LANGUAGES), "--word", SECRET,
        "--console-log",
    )  # fmt: skip
    results = run.results
    # one sealed envelope more after each respondent, in every language
    assert results["pending"] == [1, 2, 3, 4, 5]
    assert status_of(station_dir).pending == 5
    # messages in the respondent's language: the spec's constraint message, the session's
    # "required" message
    assert results["constraint_messages"] == dict.fromkeys(LANGUAGES, True)
    assert results["required_messages"] == {
        language: ANSWER_MESSAGES[rules.REQUIRED][language] for language in LANGUAGES
    }
    # Finish only on the last question, and no "1 of 1" on the consent screen (it showed
    # "Question 1 of 1" and Finish, then went on to "2 of 62")
    for language, screens in results["screens"].items():
        labels = [label for _, _, label in screens]
        assert labels[-1] == words.text("finish", language), (language, screens[-1])
        assert words.text("finish", language) not in labels[:-1], language
        consent = next(progress for qid, progress, _ in screens if qid == "consent")
        assert consent != words.text("progress", language, n=1, total=1), consent
        assert consent.startswith(words.text("progress", language, n=1, total=99)[:3])
    # the Welcome title in every language offered (it showed only the default language)
    with Station.unlock(station_dir, PASSPHRASE) as station:
        spec = station.specs()[0]
    assert results["welcome_titles"] == [spec.text(spec.title, code) for code in LANGUAGES]
    # the language changed mid-question and back: the picked answer stayed
    assert results["picker_title"] == "Language"  # its band was empty
    assert results["switched_language"] == "fr"
    assert results["switched_text"].startswith("La haute direction")
    assert results["kept_answer"] == ["option-4"]
    assert results["kept_after_return"] == ["option-4"]
    # no answer in any log: Kivy's console log was on (and is not empty), its file log is
    # off as in production, and nothing under its home holds the typed word
    assert "[Base" in run.stderr
    assert SECRET not in run.stdout and SECRET not in run.stderr
    for path in run.kivy_home.rglob("*"):
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes(), path


def test_inactivity_abandons_and_leaves_no_trace(kiosk_world, run_kiosk) -> None:
    station_dir = kiosk_world.provision("idle")
    run = run_kiosk(
        "inactivity", station_dir, "--idle", "1.5", "--warning", "1.5", "--word", SECRET
    )
    results = run.results
    # the kiosk lock: Escape, Android back and a close request leave the app where it was
    assert results["close_refused"] is True
    assert results["after_escape"] == "WelcomeScreen"
    assert results["final_screen"] == "WelcomeScreen"
    # the half-answered survey really held answers on screen (so the check below can see)
    assert results["typed"] is True
    assert results["traces_before"], "the trace finder found nothing even before the timeout"
    assert results["kept_after_continue"] is True
    # after the timeout: Welcome, and no widget (live or detached) holds anything
    assert results["traces_after"] == []
    assert results["pending"] == 0  # the spec says discard
    assert status_of(station_dir).pending == 0


def test_the_menu_opened_mid_question_keeps_the_unconfirmed_answer(kiosk_world, run_kiosk) -> None:
    """Opening the coordinator menu mid-survey and closing it rebuilt the question and lost
    an answer picked but not yet confirmed with Next."""
    station_dir = kiosk_world.provision("menu")
    results = run_kiosk("menu_mid_survey", station_dir, "--pin", PIN, "--word", SECRET).results
    before, after = results["question_after_menu"]
    assert before == after
    assert results["picked_after_menu"] == ["option-2"]


def test_the_pin_guards_the_menu_and_sync_now_reaches_the_server(kiosk_world, run_kiosk) -> None:
    station_dir = kiosk_world.provision("coordinator")
    results = run_kiosk("coordinator", station_dir, "--pin", PIN).results
    assert results["pending_before"] == 1
    assert results["wrong_pin_menu"] is False
    assert results["wrong_pin_message"] == "Wrong PIN."
    assert results["right_pin_menu"] is True
    assert "Waiting to be sent: 1" in results["status_text"]
    assert results["ok_left_of_cancel"] is False  # English: Cancel, then OK on the right
    # Export to USB into the folder picked: one signed batch file, the envelope still pending
    assert results["export_activity"].startswith("Exported to ")
    assert any(name.endswith(".json") or "batch" in name for name in results["exported_files"])
    assert results["pending_after_export"] == 1
    assert results["after_sync"] == {"pending": 0, "acknowledged": 1}
    assert results["sync_activity"] == "Sync finished."
    assert results["locked_after_lock"] is True
    status = status_of(station_dir)
    assert (status.pending, status.acknowledged) == (0, 1)


def test_screenshots_of_every_screen_type(kiosk_world, run_kiosk, tmp_path: Path) -> None:
    station_dir = kiosk_world.provision("pictures", ("officials", "private_sector"))
    shots = tmp_path / "shots"
    shots.mkdir()
    results = run_kiosk(
        "screenshots", station_dir, "--languages", "ar", "--coordinator-language", "ar",
        "--passphrase", PASSPHRASE, "--shots", str(shots), "--idle", "3", "--pin", PIN,
        passphrase=None,
    ).results  # fmt: skip
    expected = {
        f"{name}_ar.png"
        for name in (
            "locked", "welcome", "population", "note", "question", "language_picker",
            "likert", "idle_warning", "multiple_choice", "number_keypad", "text_keyboard",
            "thank_you", "pin_pad", "coordinator_menu",
        )
    }  # fmt: skip
    assert set(results["shots"]) == expected
    assert results["ok_left_of_cancel"] is True  # the PIN pad is mirrored in Arabic
    for name in expected:
        size = (shots / name).stat().st_size
        assert 5_000 < size < 150_000, (name, size)  # drawn (not a black frame), and small


def test_the_next_screen_is_built_ahead_follows_the_answer_and_leaves_no_trace(
    kiosk_world, run_kiosk
) -> None:
    station_dir = kiosk_world.provision("ahead")
    results = run_kiosk("build_ahead", station_dir, "--idle", "3", "--warning", "1").results
    # built while the respondent reads, for the question the answer on screen leads to
    assert results["ahead_unanswered"] is None
    assert results["ahead_after_yes"] == "lead_example"
    assert results["ahead_after_no"] is None
    # Next swapped that very screen in, placed where the survey is
    assert results["taken"] == 1
    assert results["progress_right"] is True
    # after Back, the screen built ahead holds the answer already given…
    assert results["ahead_holds"] == ["option-4"]
    # …is rebuilt in the new language…
    assert results["ahead_language"] == "fr"
    # …and is gone with the respondent: no widget holds anything
    assert results["prepared_after_timeout"] is False
    assert results["traces_after"] == []


def test_five_wrong_pins_lock_the_pad_with_a_countdown(kiosk_world, run_kiosk) -> None:
    station_dir = kiosk_world.provision("lockout")
    results = run_kiosk("lockout", station_dir, "--pin", PIN).results
    assert results["wrong_messages"] == ["Wrong PIN."] * 5
    assert results["locked_message"] == "Too many wrong tries. Wait 30 s."
    assert results["menu_while_locked"] is False  # even the right PIN is refused
    later = int(results["message_later"].split("Wait ")[1].split(" s")[0])
    assert 26 <= later <= 28  # counted down, once a second
    assert results["menu_after_wait"] is False
    assert results["countdown_stopped"] is True


def test_idle_on_welcome_the_kiosk_syncs_by_itself(kiosk_world, run_kiosk) -> None:
    station_dir = kiosk_world.provision("background")
    # and a respondent an earlier run was cut off from (a crash): cleared and counted
    with Station.unlock(station_dir, PASSPHRASE) as station:
        station.save_draft(station.new_session("officials", "en"))
    assert status_of(station_dir).interrupted_drafts == 1  # left behind, not yet cleared
    results = run_kiosk("background_sync", station_dir, "--sync-interval", "0.3").results
    # never while a respondent is answering: only once back on Welcome
    assert results["at_thanks"] == {"pending": 1, "acknowledged": 0}
    assert results["after_idle"] == {"pending": 0, "acknowledged": 1}
    assert results["screen_after_sync"] == "WelcomeScreen"
    status = status_of(station_dir)
    assert (status.pending, status.acknowledged) == (0, 1)
    assert status.interrupted_drafts == 1
    with Station.unlock(station_dir, PASSPHRASE) as station:
        assert station._store.drafts() == []  # the kiosk abandoned it when it started


def overlap(a: list, b: list) -> bool:
    _, ax, ay, aw, ah = a
    _, bx, by, bw, bh = b
    return ax < bx + bw - 0.5 and bx < ax + aw - 0.5 and ay < by + bh - 0.5 and by < ay + ah - 0.5


def layout_problems(results: dict) -> list[str]:
    """What the layout checks find on each screen a scenario recorded: a touch target
    outside the window, two overlapping, one below 48 x 48 dp, text that does not fit."""
    from kivy.metrics import dp

    problems = []
    for screen, targets in results["targets"].items():
        width, height = results["windows"][screen]
        for key, x, y, w, h in targets:
            if x < -0.5 or y < -0.5 or x + w > width + 0.5 or y + h > height + 0.5:
                problems.append(f"{screen}: {key} outside the window")
            if min(w, h) < dp(48) - 0.5:
                problems.append(f"{screen}: {key} {w:.0f}x{h:.0f} below 48 dp")
        for i, first in enumerate(targets):
            for second in targets[i + 1 :]:
                if overlap(first, second):
                    problems.append(f"{screen}: {first[0]} overlaps {second[0]}")
    for screen, clipped in results["clipped"].items():
        problems.extend(f"{screen}: {text}" for text in clipped)
    return problems


@pytest.mark.parametrize("size", ["1024x600", "1280x800", "600x1024", "800x1280"])
def test_every_control_fits_the_window_and_its_neighbours(kiosk_world, run_kiosk, tmp_path,
                                                          size: str) -> None:  # fmt: skip
    """On every screen type in the five languages, held either way: each touch target lies
    inside the window, none overlaps another, each is at least 48 x 48 dp, and every label's
    text fits it (the Arabic language button was cut by the top edge, the Arabic keypad's
    bottom row by the bottom one; upright, the keyboards' keys were 38 px wide)."""
    station_dir = kiosk_world.provision(f"layout-{size}", ("officials", "private_sector"))
    problems = []
    for language in LANGUAGES:
        shots = tmp_path / f"{language}-{size}"
        shots.mkdir()
        results = run_kiosk(
            "screenshots", station_dir, "--languages", language, "--coordinator-language",
            language, "--passphrase", PASSPHRASE, "--shots", str(shots), "--idle", "3",
            "--pin", PIN, "--size", size, passphrase=None,
        ).results  # fmt: skip
        assert results["window"] == [int(n) for n in size.split("x")]
        problems += layout_problems(results)
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_turning_the_tablet_lays_the_screen_out_again_and_keeps_the_answer(
    kiosk_world, run_kiosk, language: str
) -> None:
    station_dir = kiosk_world.provision(f"turned-{language}", ("officials", "private_sector"))
    results = run_kiosk(
        "rotation", station_dir, "--languages", language, "--size", "1024x600", "--idle", "60"
    ).results
    likert, text = results["turned"]["likert"], results["turned"]["text"]
    # the same screen, not rebuilt, with the pick made before the turn
    assert likert == {"same_screen": True, "picked": ["option-2"], "picked_back": ["option-2"]}
    word = "سلام" if language == "ar" else "merci"
    assert text["same_screen"] is True
    assert text["value"] == text["shown"] == word + word[0]  # typed before and after
    assert text["value_back"] == word + word[0]
    # upright, the keyboard has more, shorter rows; turned back, the rows it had
    before, upright = text["rows"]
    assert upright > before and text["rows_back"] == before
    assert results["windows"]["text_portrait"] == [600, 1024]
    assert results["windows"]["text_landscape_again"] == [1024, 600]
    assert layout_problems(results) == []
