"""README's command table, generated from the CLI's own help so the two never drift (like simonw/llm's cog).

`command_table()` walks the click command tree behind `ui.cli.app` and renders one markdown row per command: its
usage (arguments, then every option with its choices) and the first line of its help. README.md keeps the table
between `START` and `END`; `python -m ui.cli.doc --write` (or `make readme`) regenerates it, `--check` exits 1 when
README is out of date (tests/test_cli_help.py runs that check).

>>> usage_cell("kho eval run --mode hybrid|bm25|dense")
'`kho eval run --mode hybrid\\\\|bm25\\\\|dense`'
>>> replace_between_markers(f"a\\n{START}\\nold\\n{END}\\nb", "new")
'a\\n<!-- kho-commands:start -->\\nnew\\n<!-- kho-commands:end -->\\nb'
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import typer
import typer.core
import typer.main

START = "<!-- kho-commands:start -->"
END = "<!-- kho-commands:end -->"
README = Path(__file__).resolve().parents[2] / "README.md"
HEADER = "| command | what it does |\n|---|---|"


def _metavar(param: typer.core.TyperOption | typer.core.TyperArgument) -> str:
    """How a value is written in the table: the choices (`a|b|c`), `N` for a number, else the name in capitals."""
    desc = param.type_descriptor
    if desc.is_choice and desc.choices is not None:
        return "|".join(str(getattr(c, "value", c)) for c in desc.choices)
    if desc.annotation is int:
        return "N"
    if isinstance(param, typer.core.TyperArgument):
        return (param.name or "").upper()
    long = max(param.opts, key=len)
    return long.lstrip("-").replace("-", "_").upper()


def _param_usage(param: object) -> str:
    if isinstance(param, typer.core.TyperArgument):
        text = _metavar(param) + ("..." if param.nargs == -1 else "")
        return text if param.required else f"[{text}]"
    if not isinstance(param, typer.core.TyperOption):
        return ""
    name = param.opts[0]
    if param.is_flag:
        text = "/".join([name, *param.secondary_opts])
    else:
        text = f"{name} {_metavar(param)}" + (" …" if param.multiple else "")
    return text if param.required else f"[{text}]"


def command_usage(path: str, command: typer.core.TyperCommand | typer.core.TyperGroup) -> str:
    """`path` followed by the command's arguments, then its options (`--help` left out)."""
    params = sorted(command.params, key=lambda p: not isinstance(p, typer.core.TyperArgument))
    return " ".join([path, *(u for u in (_param_usage(p) for p in params) if u)])


def first_line(command: typer.core.TyperCommand | typer.core.TyperGroup) -> str:
    """The first line of a command's help: what it does, in one sentence."""
    lines = (command.help or "").strip().splitlines()
    return lines[0].strip() if lines else ""


def _walk(path: str, command: object) -> Iterator[tuple[str, str]]:
    if isinstance(command, typer.core.TyperGroup):
        if command.invoke_without_command:  # a group that does something itself (`kho docs`)
            yield command_usage(path, command), first_line(command)
        for name, sub in command.commands.items():
            yield from _walk(f"{path} {name}", sub)
    elif isinstance(command, typer.core.TyperCommand):
        yield command_usage(path, command), first_line(command)


def _escape(cell: str) -> str:
    return cell.replace("|", "\\|")


def usage_cell(usage: str) -> str:
    """`usage` as a code span that survives inside a markdown table (pipes escaped)."""
    return "`" + _escape(usage) + "`"


def command_table() -> str:
    """The markdown table of every `kho` command: usage and the first line of its help, in `kho --help` order."""
    from ui.cli import app

    root = typer.main.get_command(app)
    rows = [f"| {usage_cell(usage)} | {_escape(help_)} |" for usage, help_ in _walk("kho", root)]
    return "\n".join([HEADER, *rows])


def replace_between_markers(text: str, table: str) -> str:
    """`text` with what lies between the START and END marker lines replaced by `table`."""
    head, start, rest = text.partition(START)
    _, end, tail = rest.partition(END)
    if not start or not end:
        raise ValueError(f"README.md needs the markers {START} and {END} around the command table")
    return f"{head}{START}\n{table}\n{END}{tail}"


def main(argv: list[str]) -> int:
    """`--write`: regenerate README's table; `--check`: exit 1 when it differs; otherwise print the table."""
    if "--write" in argv or "--check" in argv:
        text = README.read_text(encoding="utf-8")
        wanted = replace_between_markers(text, command_table())
        if "--check" in argv:
            if wanted != text:
                print("README.md's command table is out of date: run `make readme`", file=sys.stderr)
                return 1
            return 0
        if wanted != text:
            README.write_text(wanted, encoding="utf-8")
        return 0
    print(command_table())
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(sys.argv[1:]))
