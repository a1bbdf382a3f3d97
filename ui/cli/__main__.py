"""`python -m ui.cli …` runs the same app as the `kho` console script, every command included."""

from ui.cli import app

app(prog_name="kho")
