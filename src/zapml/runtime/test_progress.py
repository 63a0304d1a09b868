"""The progress display: informative when on, silent when off."""

from zapml.runtime.progress import Progress


def test_progress_shows_clock_steps_and_scores(capsys):
    with Progress(10.0, "compute", "mobilenetv2_100", enabled=True) as bar:
        bar.update(4.0, steps=12, valid=0.8, test=0.7, force=True)
    out = capsys.readouterr().out
    assert "steps 12" in out and "val 0.800" in out and "test nauc 0.700" in out
    assert "compute s" in out


def test_progress_off_prints_nothing(capsys):
    with Progress(10.0, "wall", "x", enabled=False) as bar:
        bar.update(4.0, steps=12, valid=None, test=None, force=True)
    assert capsys.readouterr().out == ""
