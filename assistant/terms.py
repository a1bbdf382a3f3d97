"""Named legal terms of closed families (`assistant/data/terms_vi.tsv`): which of them a text names.

Word overlap cannot tell "giáng chức" from "cách chức" — they share "chức", and the rest of a claim about one often
matches a clause about the other — yet they are different disciplinary measures. Like a number, a term of such a
family that a claim names must be named by the text it cites (assistant/verify.py). The longest term at a place
wins, so "không hoàn thành nhiệm vụ" is not also "hoàn thành nhiệm vụ"; a term that begins with another names that
one too: "Huân chương Lao động" (an order) is also a "huân chương" (a form of award).

>>> terms = TermLexicon.default()
>>> sorted(terms.named("Hình thức giáng chức áp dụng với công chức giữ chức vụ lãnh đạo [2]."))
['công chức', 'giáng chức']
>>> sorted(terms.named("Viên chức 02 năm liên tiếp không hoàn thành nhiệm vụ thì bị buộc thôi việc."))
['buộc thôi việc', 'không hoàn thành nhiệm vụ', 'viên chức']
>>> sorted(terms.named("Tặng Huân chương Lao động hạng Ba"))
['huân chương', 'huân chương lao động', 'hạng ba']
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from core.text import nfc

TERMS_FILE = Path(__file__).parent / "data" / "terms_vi.tsv"


@dataclass(frozen=True)
class TermLexicon:
    """The term families of a reviewable TSV file, and the one pattern that finds their members in a text."""

    families: dict[str, str]  # term (lower case, NFC) → family
    pattern: re.Pattern[str]
    broader: dict[str, frozenset[str]]  # term → the terms its first words are ("huân chương lao động" → "huân chương")

    @classmethod
    def from_file(cls, path: Path) -> TermLexicon:
        families: dict[str, str] = {}
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip() or line.startswith("#"):
                continue
            parts = line.split("\t")
            if len(parts) != 2 or not parts[0].strip() or not parts[1].strip():
                raise ValueError(f"{path.name}:{number}: expected FAMILY<TAB>TERM, got {line!r}")
            families[" ".join(nfc(parts[1]).lower().split())] = parts[0].strip()
        alternatives = sorted(families, key=len, reverse=True)
        words = "|".join(r"\s+".join(re.escape(w) for w in term.split()) for term in alternatives)
        broader = {
            term: frozenset(t for t in families if t != term and term.split()[: len(t.split())] == t.split())
            for term in families
        }
        return cls(families, re.compile(rf"(?<!\w)(?:{words})(?!\w)", re.IGNORECASE), broader)

    @staticmethod
    def default() -> TermLexicon:
        """The terms of assistant/data/terms_vi.tsv, read once."""
        return _default()

    def named(self, text: str) -> set[str]:
        """The terms `text` names (lower case, single-spaced), each with the broader terms it begins with."""
        found = {" ".join(m.group(0).lower().split()) for m in self.pattern.finditer(nfc(text))}
        return found.union(*(self.broader[t] for t in found))


@cache
def _default() -> TermLexicon:
    return TermLexicon.from_file(TERMS_FILE)
