"""A sentence the token limit cut off mid-way, finished from the law it was quoting — or left out, never guessed.

The model stops at `max_tokens` wherever the limit falls. Live, "Hợp đồng lao động có những loại nào?" ended
"c) Trường hợp hai bên ký kết hợp đồng lao động mới là hợp đồng lao động xác định thời hạn thì cũng": the model was
quoting Điểm c Khoản 2 Điều 20 Bộ luật Lao động word for word when it was cut. `finished` gives the rest of that
source sentence, verbatim, up to where the law ends it (". ; :" or the line), with the source's marker; the
sentence then goes through verification like any other. A fragment no source holds word for word is not finished
(`None`): the pipeline leaves it out (`pipeline.VerifiedStream.finish`).

>>> law = ("c) Trường hợp hai bên ký kết hợp đồng mới thì cũng chỉ được ký thêm 01 lần; sau đó ký không xác định "
...        "thời hạn.")
>>> finish_quote("c) Trường hợp hai bên ký kết hợp đồng mới thì cũ", law, 2)
'c) Trường hợp hai bên ký kết hợp đồng mới thì cũng chỉ được ký thêm 01 lần [2];'
>>> finish_quote("c) Trường hợp hai bên thỏa thuận khác thì", law, 2) is None  # not the law's words: left out
True
>>> finish_quote("- Trường hợp hai bên ký kết hợp đồng mới [4].", law, 2)  # a line the model's "[4] …" made an item
'- Trường hợp hai bên ký kết hợp đồng mới thì cũng chỉ được ký thêm 01 lần [2];'
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.answer import CitedSource
from assistant.injection import strip_instructions
from assistant.polarity import without_label
from assistant.verify import SOURCE_SENTENCE_END, markers_in

MIN_WORDS = 4  # fewer words than this ("Trường hợp viên") could be anywhere in the law: not finished
MAX_REST = 800  # characters a fragment may be finished with; a longer rest is not a sentence's end but a quote
_MARKERS = re.compile(r"\s*\[\d{1,2}\]")


def finished(fragment: str, sources: Sequence[CitedSource]) -> str | None:
    """`fragment` finished from the first source that holds it word for word (its own markers' sources first),
    read without the text the injection detector cut; `None` when none does."""
    cited = set(markers_in(fragment))
    for source in sorted(sources, key=lambda s: s.marker not in cited):
        law, _removed = strip_instructions(source.hit.text)  # never finished with text that speaks to the model
        whole = finish_quote(fragment, law, source.marker)
        if whole is not None:
            return whole
    return None


def finish_quote(fragment: str, law: str, marker: int) -> str | None:
    """`fragment` with the rest of the sentence of `law` it quotes word for word (a last word cut mid-way
    included), cited `[marker]` and ended as the law ends it; `None` when `law` does not hold it, or its end is
    more than `MAX_REST` characters on."""
    body = _MARKERS.sub("", fragment).strip()
    unlabelled = without_label(body)
    head = body[: len(body) - len(unlabelled)]  # its list label ("- ", "c) "), kept
    said = unlabelled.rstrip(" .;:,")  # read as a line, it may have been given an end
    words = said.split()
    if len(words) < MIN_WORDS:
        return None
    found = re.compile(r"\s+".join(re.escape(w) for w in words), re.IGNORECASE).search(law)
    if found is None:
        return None
    end = SOURCE_SENTENCE_END.search(law, found.end())
    stop = end.start() if end is not None else len(law)
    if stop - found.end() > MAX_REST:
        return None
    closing = law[stop] if end is not None and law[stop] in ".;:" else "."
    return f"{head}{said}{law[found.end() : stop].rstrip()} [{marker}]{closing}"
