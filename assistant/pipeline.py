"""Question → answer: retrieve under the reader's clearance, decide from evidence, answer, verify every citation.

1. A follow-up that leans on the conversation ("còn viên chức thì sao?") is rewritten into a self-contained
   question (assistant/rewrite.py: by the LLM, guarded, else joined with the previous question).
2. Hybrid search with the reader's filters (inside Qdrant), one hit per article; a clause among the hits that
   applies a top article to the person asked about joins the quoted ones just before it (assistant/references.py
   `applying_first`: Điều 13 Luật Cán bộ, công chức before the labour code's "Nghỉ việc riêng").
3. Evidence (assistant/evidence.py) decides whether the corpus answers it; if not, the refusal text with the
   closest articles to read — decided by the hits, not by the model.
4. Extractive mode quotes the governing clauses verbatim. A closed question (yes/no, true/false, multiple choice)
   is answered by the judge with its deciding quote (assistant/closed.py). Otherwise the model reads whole
   articles within the context budget (assistant/context.py; a follow-up keeps the previous question's articles
   first, so llama.cpp reuses the prompt prefix) in `<tai_lieu>` blocks (assistant/prompts/) and streams.
5. Verification (assistant/verify.py) drops markers to non-retrieved sources, flags unsupported sentences, drops
   sentences that repeat injected instructions and links, and a generated answer that nothing supports is replaced
   by the refusal — but one that held no claim on both tries (the question written back) by the sources' clauses
   quoted verbatim, as the extractive view quotes them (mode "extractive", shown as "Chỉ trích dẫn").

The streaming contract (`on_token`, used by the API's SSE `token` events and the workdesk): the model's tokens are
never passed on raw. They are cut into sentences as they complete (`SentenceSplitter`) and each is verified at once
(`SentenceVerifier.feed`); only what verification keeps is passed (with its separator, a word at a time). Nothing
is passed until the first supported sentence that answers is confirmed (a flagged sentence before it waits and goes
out with it; so do claims that only say when the act asked about may NOT be done, `Verified.opposite`). An answer
whose first claims, with the headings of what they cite, answer another question (`references.off_matter`) is held
to the end, where the whole answer is judged so, as a list is; one still off the matter then is replaced by the
provisions holding what was asked, quoted (nothing of it went out). So is one with a claim giving, as the case asked,
the case its source opens for another statement: the sentence of that source stating the act's own case replaces it
(assistant/case_quote.py). An answer
that held no claim, answered for another actor, or gave only that other side is asked once more with a note saying
so (assistant/prompts/answer_retry*.txt, after the prompt's last line: the cached prefix is kept); nothing of the
first went out. Hence:

- when the answer is not refused, the concatenation of everything passed to `on_token` is exactly `answer.answer`;
- when it is refused (nothing supported, or the model wrote the refusal before any supported sentence), nothing was
  passed at all; the refusal text comes only in the final answer;
- when both tries held no claim, nothing of the model's was passed; the quoted clauses are, word by word;
- if the model writes the refusal phrase after supported sentences have gone out, that sentence is dropped
  (recorded in `answer.sentences`) and the answer stands.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Protocol

from assistant.actor import ActorLexicon, OffQuestion
from assistant.answer import REFUSAL, Answer, CitedSource, SentenceCheck, Verification, refusal, with_standing
from assistant.case_quote import case_quoted
from assistant.context import ContextBudget, ContextBuilder, joined, runs
from assistant.counts import count_line, kinds_counted
from assistant.evidence import Evidence, EvidencePolicy, assess
from assistant.extractive import best_passage, quote_sources, render
from assistant.figures import quote_figures
from assistant.focus import Focus, PointsOnly, Unspoken, quote_naming
from assistant.lists import ListWatch, points_into_article, titled_list, whole_lists
from assistant.prompts import answer_messages
from assistant.references import (
    APPLIER_POOL,
    OWN_POOL,
    Applying,
    ReferenceFollower,
    applying_first,
    cite_followed,
    forbidden_unsaid,
    off_matter,
    on_matter,
    own_rule_first,
    prohibition_probe,
    searchable,
)
from assistant.rewrite import rewrite
from assistant.unfinished import finished
from assistant.verify import (
    CASE_OF_ANOTHER,
    MarkerLines,
    Opposite,
    SentenceVerifier,
    Verified,
    VerifyPolicy,
    asks_when,
    forbidden_rules,
    inverted_cases,
    markers_in,
    own_rules,
    rules_left_out,
    the_rule,
    verify,
)
from assistant.who_quote import asked_act, says_the_act, who_does
from core.clock import today_vn
from core.settings import Settings
from core.text import SentenceSplitter, nfc_strip, sentence_ended
from index.search import Hit, Mode, SearchResult
from index.store import CollectionMeta, Filters

if TYPE_CHECKING:  # the backend module (httpx) is imported only when an answer is generated
    from assistant.closed import ClosedQuestion
    from assistant.llm import LLMBackend

OnToken = Callable[[str], None]


class Retriever(Protocol):
    """What the assistant needs of search (`index.search.Searcher`, or a wrapper that records what it returned)."""

    @property
    def settings(self) -> Settings: ...

    @property
    def meta(self) -> CollectionMeta: ...

    def search(
        self, query: str, k: int = 10, mode: Mode = "hybrid", filters: Filters | None = None, article_level: bool = True
    ) -> SearchResult: ...

    def article(self, hit: Hit, filters: Filters | None = None, limit: int = ...) -> list[Hit]: ...


@dataclass(frozen=True)
class AskOptions:
    """Per-question choices: how many sources, which search mode, the reader's filters, extractive or not."""

    k: int | None = None  # sources in the prompt; None = the settings' `context_sources` (3 on CPU, 6 on a server)
    mode: Mode = "hybrid"
    filters: Filters = field(default_factory=Filters)
    extractive: bool = False
    max_tokens: int = 320


class Assistant:
    """Answers questions over one index; the LLM backend is only loaded for generative answers."""

    def __init__(
        self,
        searcher: Retriever,
        llm_factory: Callable[[], LLMBackend] | None = None,
        evidence: EvidencePolicy | None = None,
        verification: VerifyPolicy | None = None,
    ) -> None:
        self.searcher = searcher
        self._llm_factory = llm_factory
        self.evidence_policy = evidence or EvidencePolicy()
        self.verify_policy = verification or VerifyPolicy()

    def ask(
        self,
        question: str,
        history: Sequence[str] = (),
        options: AskOptions | None = None,
        on_token: OnToken | None = None,
        topic: str = "auto",
    ) -> Answer:
        """The answer to `question` after the earlier questions in `history` (latest last); `topic` "auto" lets
        assistant/topic.py tell a follow-up from a new topic, "follow_up" / "new_topic" is the user's choice.
        `answer.query` is always the question as read (joined or rewritten for a follow-up, else the question)."""
        options = options or AskOptions()
        t0 = time.perf_counter()
        question = nfc_strip(question)
        if not question:
            raise ValueError("empty question")
        rewritten = rewrite(question, history, None if options.extractive else self._llm(), mode=topic)
        previous: list[Hit] = []
        focus = Focus(())
        if history and rewritten.topic == "follow_up" and not options.extractive:
            previous = self.context_of(history[-1], options)  # its sources stay first: a reusable prompt prefix
            focus = Focus.of(question, " ".join(history[-2:]))  # what it asks that the conversation did not
        answer = self._answer(question, rewritten.query, options, on_token, t0, previous, focus)
        answer.as_of = options.filters.as_of
        answer.query = rewritten.query
        answer.topic = rewritten.topic if history else None
        return answer

    def _answer(
        self,
        question: str,
        query: str,
        options: AskOptions,
        on_token: OnToken | None,
        t0: float,
        previous: Sequence[Hit] = (),
        focus: Focus = Focus(()),
    ) -> Answer:
        from assistant.closed import read_closed, searched_as

        closed = read_closed(question, query)
        searched, *readings = searched_as(closed, query)
        hits, ev, sources = self.gather(searched, options, previous, readings)
        if not ev.enough:
            return self._refusal(question, ev, hits, "extractive" if options.extractive else "generative", t0)
        if not options.extractive:  # a yes/no or multiple-choice question is answered by the judge
            judged = self._judged(closed, ev, hits, sources, options, on_token, t0)
            if judged is not None:
                return judged
        if options.extractive:
            return self._quoted(question, ev, hits, sources, options, t0)
        from assistant.llm import ChatMessage, Cut, GenerationConfig

        llm = self._llm()
        ttft: float | None = None
        config = GenerationConfig(max_tokens=options.max_tokens, timeout_s=self.searcher.settings.llm_timeout_s)
        retried: str | None = None
        ruled: str | None = None
        why: OffQuestion | Opposite | Unspoken | PointsOnly | None = None
        for retry in (False, True):
            prompt = answer_messages(query, sources, retry, why)
            messages = [ChatMessage(role, content) for role, content in prompt]
            verifier = SentenceVerifier(sources, self.verify_policy, question=query, focus=focus)
            # a list question's answer is held from its list on; so is a count's, whose number goes before its list
            watch = ListWatch.of(sources, question) or (ListWatch(tuple(sources)) if kinds_counted(query) else None)
            stream = VerifiedStream(verifier, on_token, watch, _off_matter_of(query, sources))
            cut = False
            for delta in llm.stream(messages, config):
                if isinstance(delta, Cut):
                    cut = True  # the token limit ended it: its last sentence may stop mid-way
                    continue
                if ttft is None:
                    ttft = time.perf_counter() - t0
                stream.push(delta)
            checked = stream.finish(cut)
            if checked.opposite is not None:
                # Only the exceptions: the rule they are exceptions to is quoted from its article before them (nothing
                # went out yet) — surer than asking the model again, which wrote the same exceptions in the bench.
                ruled_sources = self._whole(sources, checked.used_markers, options)
                rule = the_rule(checked.opposite, ruled_sources, query)
                if rule is not None:
                    ruled = f"the answer gave only the exceptions ({checked.opposite.reason}); the rule quoted before"
                    sources = ruled_sources
                    checked = verify(f"{rule}\n{checked.text}", sources, self.verify_policy, question=query)
                    stream.replace(checked.text)
                    break
            # An answer of markers only ("[1] [2]"), one whose claims all answered for another actor than the one
            # asked, one that gave only the cases where the act asked about may NOT be done, or a follow-up's answer
            # that does not name what the follow-up newly asks (the previous question answered again), or one that
            # only says where the rule is, streamed nothing: asked once more (naming the actor, the act or the
            # words), the prompt's prefix cached. A list question's pointer into the cited article ("… quy định tại
            # khoản 1 Điều này") is the list path's: the list it points to is quoted whole below.
            pointer = pointer_to_retry(checked, stream.listing)
            again = checked.claimless or checked.answered_another_actor or checked.opposite or checked.unspoken
            if retry or stream.refused or not (again or pointer):
                break
            why = (
                checked.off_question
                if checked.answered_another_actor
                else (checked.opposite or checked.unspoken or pointer)
            )
            retried = f"the first answer {why.retried}: {why.reason}" if why else "the first answer held no claim"
        quoted: str | None = None
        misplaced = checked.focus_misplaced and not stream.released
        if (checked.unspoken is not None or misplaced) and not stream.refused:
            # Twice an answer to the previous question — or a claim that put what the follow-up asks on a clause
            # that does not say it, withheld: the clause of the prompt that names what the follow-up asks is
            # quoted, verbatim, when there is one ("Khi đóng dấu lên chữ ký, …"), rather than a refusal. Of clauses
            # naming it equally, one whose verification fails (another actor's: the employer's notice, asked the
            # worker's) gives way to the next.
            requoted = self._naming(focus, sources, question, query)
            if requoted is not None:
                said = f"{checked.unspoken.reason}, twice" if checked.unspoken is not None else FOCUS_MISPLACED
                quoted = f"{said}; the clause naming it is quoted"
                checked = requoted
                stream.replace(checked.text)
        inverted = None if stream.released else inverted_cases(checked, query)
        if inverted is not None and checked.status is Verification.UNVERIFIED:
            # Every claim withheld, one for stating the cases where the act asked about may NOT be done as the cases
            # where it may (live: Khoản 3 of Điều 29 Luật Viên chức, the unit's may-not cases, for "… bị đơn vị …
            # đơn phương chấm dứt hợp đồng làm việc trong trường hợp nào?", refused): the rule they are exceptions
            # to is quoted from the cited articles made whole, verbatim, and kept only when verified.
            found = self._rule_quoted(sources, options, query, lambda whole: the_rule(inverted, whole, query))
            if found is not None:
                ruled = (
                    f"the answer stated the cases where «{inverted.act}» may not be done as the cases where it may "
                    f"({checked.misstated}); the rule is quoted instead"
                )
                sources, checked = found
                stream.override(checked.text)
        other_actor = why if isinstance(why, OffQuestion) else checked.off_question
        if other_actor is not None and checked.status is Verification.UNVERIFIED and not stream.released:
            # Every claim withheld, and the answer (twice, when asked again naming the actor) spoke of another actor
            # than the one asked (live: the employer's cases of Điều 36 Bộ luật Lao động for the worker's right, Điều
            # 35 being [4]): the asked actor's own rule is quoted from the cited articles made whole, verbatim, and
            # kept only when verified.
            found = self._rule_quoted(sources, options, query, lambda whole: own_rules(other_actor, whole, query))
            if found is not None:
                ruled = f"the answer spoke of another actor ({other_actor.reason}); the asked actor's rule is quoted"
                sources, checked = found
                stream.override(checked.text)
        figured: str | None = None
        silent = bool(retried) and checked.claimless and not stream.refused
        misstated = checked.misstated
        if (
            checked.status is Verification.UNVERIFIED
            and not stream.released
            and (checked.unstated_figures or silent or misstated or other_actor)
        ):
            # Every claim withheld, one for figures no source states — the model's memory of a law since amended
            # ("24 tháng", Luật Viên chức as enacted, where the cited Điều 53 in force gives 02 and 05 năm): the
            # provision of the sources that states the law's figures for what was asked is quoted, verbatim and
            # verified, instead of the refusal (assistant/figures.py). So too when the model twice wrote no claim
            # (live, "Người lao động làm việc đủ 12 tháng được nghỉ hằng năm bao nhiêu ngày?" written back twice):
            # the provision that states the figures asked, rather than every source of the prompt quoted. And when
            # every claim was withheld for leaving out what its provision says ("300 % tiền lương" without "chưa kể
            # tiền lương ngày lễ"), or adding a negation: the provision, quoted, says it whole. And when they spoke of
            # another actor and that actor's rule is no list (live: "Công chức bị … cảnh cáo thì bị kéo dài thời hạn
            # nâng lương bao lâu?" answered with the viên chức's Điều 56, refused, while Khoản 1 of Điều 82 Luật Cán
            # bộ, công chức, "… cảnh cáo thì thời gian nâng lương bị kéo dài 06 tháng …", was [2]): the asked actor's
            # provision stating the figures (`quote_figures` reads only sources that name them).
            found = self._figures_quoted(query, sources, options)
            if found is not None:
                figured = (
                    f"figures no source states ({checked.unstated_figures}); the law's provision is quoted"
                    if checked.unstated_figures
                    else f"{misstated}; the law's provision is quoted"
                    if misstated
                    else f"the answer spoke of another actor ({other_actor.reason}); the law's provision is quoted"
                    if other_actor is not None
                    else FIGURES_INSTEAD
                )
                sources, checked = found
                stream.override(checked.text)
        unsaid = None
        if not stream.released and (checked.status is Verification.UNVERIFIED or not stream.refused):
            # nothing verified, nothing the model wrote is said: its withheld claims may word the asked negation
            # (live: "… không được đơn phương chấm dứt … trong trường hợp quy định tại các điểm a, b, c …", withheld)
            said = checked.text if checked.status is not Verification.UNVERIFIED else ""
            unsaid = forbidden_unsaid(query, said)
        if unsaid is not None:
            # Held (`_off_matter_of`), or nothing kept: asked when the act may NOT be done, the answer said when it
            # may (live: Điều 107 Bộ luật Lao động's conditions for overtime, for the cases where the worker may not
            # refuse it), or nothing verified (live: the unit's may-not cases of Điều 29 Luật Viên chức asked, the
            # severance rules written, withheld, refused). The rule that says it — Điều 108's "… người lao động không
            # được từ chối trong trường hợp sau đây:" and its items — is quoted from the sources made whole,
            # verbatim, and kept only when verified; else the quotes below, or the refusal.
            found = self._rule_quoted(sources, options, query, lambda whole: forbidden_rules(whole, query))
            if found is not None:
                ruled = f"the answer did not say when «{unsaid}» applies; the rule that says it is quoted"
                sources, checked = found
                stream.override(checked.text)
        if (
            not stream.released
            and not stream.refused
            and checked.unspoken is None
            and asked_act(query) is not None  # a question asking who: else no source is read for nothing
            and (checked.status is Verification.UNVERIFIED or not says_the_act(query, checked.text))
        ):
            # Asked who does an act, the answer named no one doing it (live: who proposes a huân chương, verified, for
            # who decides it) or nothing was verified (live: "Chính phủ quyết định tặng Bằng khen của Thủ tướng
            # Chính phủ", whose Điều 78 gives the act to the Thủ tướng, withheld): the provision of the sources that
            # gives the act to someone is quoted, verbatim, and kept only when verified (assistant/who_quote.py).
            found = self._rule_quoted(sources, options, query, lambda whole: who_does(query, whole))
            if found is not None:
                ruled = WHO_QUOTED
                sources, checked = found
                stream.override(checked.text)
        if not stream.released and checked.status is Verification.UNVERIFIED and checked.unspoken is None:
            # Asked for a list by the title of the article that gives it, nothing verified (live: "Những việc viên
            # chức không được làm là gì?" answered with the công chức's prohibitions, withheld, and refused, while
            # Điều 19 Luật Viên chức was in the prompt): that article's list is quoted whole, verbatim, and kept only
            # when verified (`lists.titled_list`).
            found = self._rule_quoted(sources, options, query, lambda whole: titled_list(query, whole))
            if found is not None:
                ruled = TITLE_QUOTED
                sources, checked = found
                stream.override(checked.text)
        flagged = _another_case_cited(checked.sentences)
        if not stream.released and not stream.refused and checked.unspoken is None and flagged:
            # Asked the case of an act, a claim gave the case its source opens for another statement, flagged (live:
            # "… tạm đình chỉ công tác trong trường hợp cần thiết có thể kéo dài thêm …", the extension's case in
            # Khoản 1 Điều 81 Luật Cán bộ, công chức), which held the answer: the sentence of the sources it cited
            # that states the act with its case ("… có thể ra quyết định tạm đình chỉ công tác …, nếu để cán bộ,
            # công chức đó tiếp tục làm việc có thể gây khó khăn …") is quoted instead, verbatim, when verified.
            found = self._rule_quoted(
                sources, options, query, lambda whole: case_quoted(query, [s for s in whole if s.marker in flagged])
            )
            if found is not None:
                ruled = CASE_QUOTED
                sources, checked = found
                stream.override(checked.text)
        if not stream.released and not stream.refused and checked.unspoken is None and not checked.claimless:
            # Nothing shown yet (a list is held to the end, and so is an answer whose first claims were off the
            # matter): an answer that, with its cited articles' headings, speaks of less than half of what was asked
            # answered another question, true and cited as it is (live: the conditions for a pension answered with
            # the list of who must join social insurance, every item verified; who decides the Prime Minister's
            # Bằng khen answered, streamed, with who proposes a huân chương). The provisions that hold what was asked
            # are quoted instead, verbatim (`on_matter`).
            cited = [s for s in sources if s.marker in checked.used_markers]
            off = off_matter(query, checked.text, cited) if checked.status is not Verification.UNVERIFIED else None
            figures = self._figures_quoted(query, sources, options) if off is not None else None
            if off is not None and figures is not None:
                # asked for a figure, the provision stating it rather than every source holding the words (live:
                # "Người lao động được nghỉ bao nhiêu ngày Tết Âm lịch?" answered with the weekly-rest rule, then
                # four sources quoted, three of them sick leave and weekly rest, beside Điều 112's "b) Tết Âm
                # lịch: 05 ngày")
                figured = f"{off.reason}; the law's provision stating the figures asked is quoted"
                sources, checked = figures
                stream.override(checked.text)
            elif off is not None:
                answer = self._quoted(question, ev, hits, on_matter(query, sources), options, t0, on_token)
                answer.sentences, answer.ttft_s = checked.sentences, ttft
                answer.evidence = {**(answer.evidence or {}), "quoted": f"{off.reason}: {OFF_MATTER_QUOTED}"}
                if retried:
                    answer.evidence["retry"] = retried
                return answer
        listed: str | None = None
        counted = False
        if (
            stream.listing
            and checked.status is not Verification.UNVERIFIED
            and not stream.refused
            and checked.unspoken is None
        ):
            # Some items of the law's list, for a question asking for the list ("… những hình thức nào?"): the whole
            # list, quoted from the cited article made whole, replaces them (assistant/lists.py).
            # Only what was held can change: what streamed stays the answer's beginning. The sources found and not
            # cited are made whole too: the list asked for may be theirs, and one the budget cut (its last Khoản
            # left out) would be quoted as if whole.
            whole = self._whole(sources, [s.marker for s in sources], options)
            cited = [s for s in whole if s.marker in checked.used_markers]
            uncited = [s for s in whole if s.marker not in checked.used_markers]
            counting = kinds_counted(query) is not None
            completed = whole_lists(checked.text, cited, question, counting=counting, uncited=uncited)
            relisted = verify(completed[0], whole, self.verify_policy, question=query) if completed else None
            if (
                completed
                and relisted is not None
                and _RANK[relisted.status] >= _RANK[checked.status]
                and relisted.text.startswith(stream.released)
            ):
                listed = f"a list given in part or pointed to ({'; '.join(completed[1])}): quoted whole"
                sources = whole
                checked, counted = _with_count(query, relisted, sources, stream.released)
                stream.replace(checked.text[len(stream.released) :])
        ruled_whole: str | None = None
        if (
            checked.status is not Verification.UNVERIFIED
            and not stream.refused
            and checked.unspoken is None
            and asks_when(query)
        ):
            # Asked when the person may do an act, the answer gave the rule of one Khoản that states it for them and
            # not the next (live: Khoản 4 of Điều 29 Luật Viên chức, the contract without a fixed term, without
            # Khoản 5, the fixed-term one): the others are quoted after it, verbatim, when still verified.
            whole = self._whole(sources, checked.used_markers, options)
            rest = rules_left_out(checked, [s for s in whole if s.marker in checked.used_markers], query)
            whole_rule = verify(f"{checked.text}\n{rest}", whole, self.verify_policy, question=query) if rest else None
            if (
                whole_rule is not None
                and _RANK[whole_rule.status] >= _RANK[checked.status]
                and whole_rule.text.startswith(stream.released)
            ):
                ruled_whole = RULE_COMPLETED
                sources, checked = whole, whole_rule
                stream.replace(whole_rule.text[len(stream.released) :])
        if not counted and checked.status is not Verification.UNVERIFIED and not stream.refused:
            checked, counted = _with_count(query, checked, sources, stream.released)
            if counted:
                stream.replace(checked.text)
        if checked.unspoken is None and not checked.claimless:
            # held only while a retry was possible: the cases where the act may not be done, alone (no claim — a
            # lead-in alone among them — twice, is no answer: quoted instead below)
            stream.release()
        if retried and checked.claimless and not stream.released and not stream.refused:
            # Twice no claim (live: the question written back, "Công chức được nghỉ hằng năm bao nhiêu ngày? [1]",
            # on both tries) from sources the evidence found enough: nothing of the model's is shown; the sources'
            # governing clauses are, verbatim, as the extractive view quotes them ("Chỉ trích dẫn"), not a refusal.
            answer = self._quoted(question, ev, hits, on_matter(query, sources), options, t0, on_token)
            answer.sentences, answer.ttft_s = checked.sentences, ttft
            answer.evidence = {**(answer.evidence or {}), "retry": retried, "quoted": QUOTED_INSTEAD}
            return answer
        if checked.status is Verification.UNVERIFIED or stream.refused or checked.unspoken is not None:
            # Nothing supported — or, for a follow-up, nothing that speaks of what it asks, twice: the refusal, with
            # the closest articles to read, rather than the previous question's answer again.
            answer = self._refusal(question, ev, hits, "generative", t0)
            answer.sentences = checked.sentences
            answer.ttft_s = ttft
            if checked.unspoken is not None:
                answer.evidence = {**(answer.evidence or {}), "unspoken": checked.unspoken.reason}
        else:
            answer = Answer(
                question=question,
                answer=checked.text,
                citations=with_appliers(sources, checked.used_markers, query),
                verification=checked.status,
                refused=False,
                mode="generative",
                latency_s=time.perf_counter() - t0,
                evidence=ev.to_json(),
                sentences=checked.sentences,
                closest=hits[: self.k(options)],
                ttft_s=ttft,
            )
        if retried:  # recorded, not the first answer's text: what verification did not keep is never passed on
            answer.evidence = {**(answer.evidence or {}), "retry": retried}
        if ruled:
            answer.evidence = {**(answer.evidence or {}), "rule": ruled}
        if quoted:
            answer.evidence = {**(answer.evidence or {}), "quoted": quoted}
        if listed:
            answer.evidence = {**(answer.evidence or {}), "listed": listed}
        if figured:
            answer.evidence = {**(answer.evidence or {}), "figures": figured}
        if ruled_whole:
            answer.evidence = {**(answer.evidence or {}), "rule_completed": ruled_whole}
        if counted:
            answer.evidence = {**(answer.evidence or {}), "counted": COUNTED}
        if stream.unfinished:
            how = CUT_FINISHED if stream.finished is not None else CUT_LEFT_OUT
            answer.evidence = {**(answer.evidence or {}), "cut": f"{how}: «{stream.unfinished}»"}
        return answer

    def _quoted(
        self,
        question: str,
        ev: Evidence,
        hits: list[Hit],
        sources: list[CitedSource],
        options: AskOptions,
        t0: float,
        on_token: OnToken | None = None,
    ) -> Answer:
        """The extractive answer: each source's quoted passage, verbatim, with its anchor (passed to `on_token` word
        by word, so the streaming contract holds)."""
        text = render(sources)
        if on_token is not None:
            for word in _WORD.findall(text):
                on_token(word)
        return Answer(
            question=question,
            answer=text,
            citations=sources,
            verification=Verification.VERIFIED,  # verbatim quotes of the cited text
            refused=False,
            mode="extractive",
            latency_s=time.perf_counter() - t0,
            evidence=ev.to_json(),
            closest=hits[: self.k(options)],
        )

    def _naming(self, focus: Focus, sources: list[CitedSource], question: str, query: str) -> Verified | None:
        """The clause of `sources` naming what the follow-up asks (`quote_naming`), verified against them; the
        next source's when one's is not verified (at most three tries); None when none is."""
        candidates = list(sources)
        for _ in range(3):
            quote = quote_naming(focus, candidates, question)
            if quote is None:
                return None
            requoted = verify(quote, sources, self.verify_policy, question=query)
            if requoted.status is Verification.VERIFIED:
                return requoted
            used = set(markers_in(quote))
            candidates = [s for s in candidates if s.marker not in used]
        return None

    def _figures_quoted(
        self, query: str, sources: list[CitedSource], options: AskOptions
    ) -> tuple[list[CitedSource], Verified] | None:
        """The provision of the sources made whole that states the figures `query` asks (`figures.quote_figures`),
        verbatim, with those sources — when it is verified; else None."""
        whole = self._whole(sources, [s.marker for s in sources], options)
        quote = quote_figures(query, whole)
        requoted = verify(quote, whole, self.verify_policy, question=query) if quote else None
        return (whole, requoted) if requoted is not None and requoted.status is Verification.VERIFIED else None

    def _rule_quoted(
        self,
        sources: list[CitedSource],
        options: AskOptions,
        query: str,
        quote: Callable[[list[CitedSource]], str | None],
    ) -> tuple[list[CitedSource], Verified] | None:
        """The law's rule instead of what the model wrote: `quote` picks it from `sources` with every article made
        whole (`_whole`), verbatim; the sources made whole and its verification, when it is verified, else None."""
        whole = self._whole(sources, [s.marker for s in sources], options)
        rule = quote(whole)
        requoted = verify(rule, whole, self.verify_policy, question=query) if rule else None
        return (whole, requoted) if requoted is not None and requoted.status is Verification.VERIFIED else None

    def _whole(self, sources: list[CitedSource], markers: Sequence[int], options: AskOptions) -> list[CitedSource]:
        """`sources` with the articles of `markers` made whole (one run of text), under the options' filters: the
        budget may have cut the Khoản that states the rule from the article whose exceptions the answer gave (the
        demo's Điều 29 as in force today went in as Khoản 2-6 beside a second article)."""
        reader = self._context(options).reader
        out = []
        for s in sources:
            chunks = reader.article(s.hit, options.filters) if s.marker in markers else []
            whole = joined(s.hit, chunks, whole=True) if len(runs(chunks)) == 1 else s.hit
            out.append(replace(s, hit=whole) if len(whole.text) > len(s.hit.text) else s)
        return out

    def gather(
        self, query: str, options: AskOptions, previous: Sequence[Hit] = (), readings: Sequence[str] = ()
    ) -> tuple[list[Hit], Evidence, list[CitedSource]]:
        """Search under the options' filters, judge the evidence, and choose the sources: for the model, whole
        articles within the context budget (assistant/context.py; `previous` = a follow-up's previous sources);
        extractively, the top `options.k` hits' best passages. Then the articles they apply (assistant/references.py:
        markers continue, under the same filters) when the evidence is enough. The evidence is judged on `query`,
        else on the first of `readings` (a choice question's stem, a yes/no one's statement) on which it is enough."""
        k = self.k(options)
        n = max(8, k)
        found = self.searcher.search(query, k=max(PERSON_POOL, n), mode=options.mode, filters=options.filters)
        embedder = self.searcher.meta.embedder
        # the person's own rule is evidence too ("Viên chức có được tham gia đình công không?" found the labour
        # code's strike articles first, which never name a viên chức: refused)
        ranked, own = self._own_rule_first(query, found.hits, k, options)
        ev = assess(query, ranked[: n + own], self.evidence_policy, embedder, found.retrieval)
        for reading in readings:
            if ev.enough:
                break
            ev = assess(reading, ranked[: n + own], self.evidence_policy, embedder, found.retrieval)
        applying = applying_after_own(query, ranked, own, k, apply=ev.enough)
        hits, applied = applying.ranked[: n + applying.joined], applying.marks
        k += applying.joined
        as_of = options.filters.as_of or today_vn()
        builder = self._context(options, applying.joined)
        if options.extractive:
            quoted = quote_sources(query, hits, n=k)
        else:
            picked = builder.pick(query, hits, options.filters, previous)
            quoted = [CitedSource(i, h, *best_passage(query, h)) for i, h in enumerate(picked, start=1)]
        sources = [with_standing(s, as_of) for s in quoted]
        if ev.enough:  # a refusal quotes nothing: no follow-up searches
            followed = ReferenceFollower(self.searcher).run(
                query, [s.hit for s in sources], options.filters, options.mode
            )
            if not options.extractive:
                room = builder.budget.chars - sum(len(s.hit.text) for s in sources)
                followed = [
                    f if f.quoted else replace(f, hit=builder.fit(query, f.hit, options.filters, room))
                    for f in followed
                ]
            sources = cite_followed(query, applied + followed, sources, as_of)
        return hits, ev, sources

    def context_of(self, question: str, options: AskOptions) -> list[Hit]:
        """The sources the model's prompt held for `question` (searched again: the same question gives the same
        hits), in prompt order — what a follow-up keeps first so llama.cpp can reuse the prompt's prefix."""
        q = nfc_strip(question)
        if not q:
            return []
        n = max(8, self.k(options))
        hits = self.searcher.search(q, k=max(PERSON_POOL, n), mode=options.mode, filters=options.filters).hits
        ranked, own = self._own_rule_first(q, hits, self.k(options), options)  # as `gather` ordered them
        applying = applying_after_own(q, ranked, own, self.k(options))
        ranked = applying.ranked[: n + applying.joined]
        return self._context(options, applying.joined).pick(q, ranked, options.filters)

    def _own_rule_first(self, query: str, hits: list[Hit], k: int, options: AskOptions) -> tuple[list[Hit], int]:
        """`references.own_rule_first` on `hits`, and when none of them is the person's own rule, on what a search
        for the title of the person's prohibitions finds (`references.prohibition_probe`: one more search, under the
        same filters, only for a yes/no question on whether someone may do something, and only then)."""
        title = prohibition_probe(query)
        if title is None:
            return own_rule_first(query, hits, k)
        searched: str = title

        def probed() -> list[Hit]:
            return self.searcher.search(searched, k=OWN_POOL, mode=options.mode, filters=options.filters).hits

        return own_rule_first(query, hits, k, probe=probed)

    def _context(self, options: AskOptions, extra: int = 0) -> ContextBuilder:
        """The context builder for `options`; `extra` articles join the options' count, each sure of a place (the
        clauses `applying_first` moved up)."""
        settings = self.searcher.settings
        k = self.k(options) + extra
        return ContextBuilder(self.searcher, ContextBudget(settings.context_chars, k, ContextBudget.reserved + extra))

    def k(self, options: AskOptions) -> int:
        """How many sources go into the answer: the options' `k`, else the settings' context budget."""
        return options.k or self.searcher.settings.context_sources

    def _llm(self) -> LLMBackend:
        if self._llm_factory is None:
            from assistant.llm import get_llm

            return get_llm()
        return self._llm_factory()

    def _judged(
        self,
        closed: ClosedQuestion,
        ev: Evidence,
        hits: list[Hit],
        sources: list[CitedSource],
        options: AskOptions,
        on_token: OnToken | None,
        t0: float,
    ) -> Answer | None:
        """A closed question's answer from the judge (assistant/closed.py: the direct answer, then the deciding
        quote); None for an open question, or when the judge cannot quote, which the model then answers. Its text
        reaches `on_token` word by word once decided, so the streaming contract holds."""
        from assistant.closed import QuestionKind, closed_answer

        if closed.kind is QuestionKind.OPEN:
            return None
        return closed_answer(closed, sources, self._llm(), ev, hits[: self.k(options)], on_token, t0)

    @staticmethod
    def _refusal(question: str, ev: Evidence, hits: list[Hit], mode: str, t0: float) -> Answer:
        return refusal(question, ev.to_json(), hits, mode, time.perf_counter() - t0)


_REFUSAL_PHRASE = REFUSAL.rstrip(".")
FOCUS_MISPLACED = "the follow-up's words were put on a clause that does not say them"
OFF_MATTER_QUOTED = "the provisions holding what was asked are quoted verbatim instead"
WHO_QUOTED = "asked who does an act, the answer named no one doing it: the provision that gives it is quoted"
TITLE_QUOTED = "asked for a list by its article's title, nothing verified: that article's list is quoted whole"
QUOTED_INSTEAD = "the model wrote no claim, twice: the sources' clauses are quoted verbatim instead"
FIGURES_INSTEAD = "the model wrote no claim, twice: the provision stating the figures asked is quoted verbatim instead"
COUNTED = "the number of kinds asked was counted from the law's list the answer gives whole, and put first"
CUT_FINISHED = "the model's token limit ended the answer mid-quote; the law's sentence was finished verbatim"
CUT_LEFT_OUT = "the model's token limit ended the answer mid-sentence; the unfinished sentence was left out"
RULE_COMPLETED = "the rule was given from some of the provisions stating it for the person asked; the rest are quoted"
CASE_QUOTED = "the answer gave as the case asked one its source opens for another statement: the case is quoted"
# How much an answer's citations support it, in order: a whole list replaces a part of it only as well supported.
_RANK = {Verification.UNVERIFIED: 0, Verification.PARTIALLY_VERIFIED: 1, Verification.VERIFIED: 2}
_WORD = re.compile(r"\s*\S+|\s+$")


def with_appliers(
    sources: Sequence[CitedSource], used: Sequence[int], question: str, actors: ActorLexicon | None = None
) -> list[CitedSource]:
    """The sources the answer cites, and those that apply them to the person `question` asks about
    (`CitedSource.applied_by`): an answer for a viên chức from the labour code's "Điều 115 … — được dẫn chiếu từ
    [1]" rests on [1], Điều 13 Luật Viên chức, too. An applier joins only when the cited source does not name that
    person and the applier does: a source that names them needs nothing to apply it. Live, asked when a người lao
    động keeps full pay on personal leave, Khoản 1-3 Điều 34 Luật Bảo hiểm xã hội — whose "… theo quy định của pháp
    luật về lao động" on maternity leave reaches the code — was shown as a citation of the answer, which cites Điều
    115 alone.

    >>> from types import SimpleNamespace as S
    >>> law = S(marker=1, applied_by=None, hit=S(heading_path=[], text="Viên chức được nghỉ theo pháp luật lao động."))
    >>> code = S(marker=2, applied_by=1, hit=S(heading_path=[], text="Người lao động được nghỉ việc riêng."))
    >>> [s.marker for s in with_appliers([law, code], (2,), "Viên chức được nghỉ việc riêng mấy ngày?")]
    [1, 2]
    >>> [s.marker for s in with_appliers([law, code], (2,), "Người lao động được nghỉ việc riêng mấy ngày?")]
    [2]
    """
    actors = actors or ActorLexicon.default()
    asked = actors.person_asked(question)
    by_marker = {s.marker: s for s in sources}

    def names(source: CitedSource) -> bool:
        return asked is not None and actors.names_person(searchable(source.hit), asked[0])

    appliers = {
        s.applied_by
        for s in sources
        if s.marker in used and s.applied_by in by_marker and not names(s) and names(by_marker[s.applied_by])
    }
    wanted = set(used) | appliers
    return [s for s in sources if s.marker in wanted]


def _with_count(query: str, checked: Verified, sources: list[CitedSource], released: str) -> tuple[Verified, bool]:
    """`checked` with the number of kinds `query` asks for first, when nothing has gone out yet and its verified
    sentences give one Khoản's list whole (assistant/counts.py: counted from the law's list; live, the nine
    components of a document's form were listed, verified, and "nine" never said); whether it was put."""
    line = None if released else count_line(query, checked.sentences, sources)
    return (replace(checked, text=f"{line}\n{checked.text}"), True) if line else (checked, False)


def pointer_to_retry(checked: Verified, listing: bool) -> PointsOnly | None:
    """The pointer-only answer to ask again (`Verified.pointer`), unless a list answer points into the article it
    cites ("… quy định tại khoản 1 Điều này"): `whole_lists` quotes that list. A list question's pointer elsewhere
    ("… theo quy định tại Phụ lục I Nghị định này", live for "… như thế nào?") is asked again like any other.

    >>> class Pointed:
    ...     pointer = PointsOnly()
    ...     def __init__(self, text): self.text = text
    >>> pointer_to_retry(Pointed("… tại Phụ lục I Nghị định này [1]."), listing=True) is not None
    True
    >>> pointer_to_retry(Pointed("… quy định tại khoản 1 Điều này [1]."), listing=True) is None
    True
    >>> pointer_to_retry(Pointed("… quy định tại khoản 1 Điều này [1]."), listing=False) is not None
    True
    """
    return None if listing and points_into_article(checked.text) else checked.pointer


class VerifiedStream:
    """Model tokens in, verified text out: the streaming contract of the module docstring.

    >>> from assistant.verify import SentenceVerifier
    >>> seen: list[str] = []
    >>> stream = VerifiedStream(SentenceVerifier([]), seen.append)
    >>> stream.push("Câu không có trích dẫn. Câu nữa.")
    >>> stream.finish().text, seen
    ('', [])
    """

    def __init__(
        self,
        verifier: SentenceVerifier,
        on_token: OnToken | None,
        lists: ListWatch | None = None,
        off: Callable[[str], bool] | None = None,
    ) -> None:
        self.verifier = verifier
        self.on_token = on_token
        self.refused = False
        self.released = ""  # what has been passed on
        self._lists = lists  # a list question's answer is held from its list on: the whole list may replace it
        self._listing = False
        self._off = off  # whether an answer's text so far answers another question (`_off_matter_of`)
        self._doubted = False  # its first claims did: held to the end, where the pipeline judges the whole
        self._splitter = SentenceSplitter()
        self._lines = MarkerLines()  # "[1] …\n[2] …" read as a list, as `verify` reads it
        self._raw = ""  # what the model has written
        self._held = ""  # kept text not yet passed on: everything before the first supported sentence
        self.unfinished = ""  # the sentence the token limit cut off (`finish`)
        self.finished: str | None = None  # …as finished from the law it quoted, or None: left out

    def push(self, delta: str) -> None:
        """Feed the model's next tokens; pass on what the sentences they complete add to the verified answer."""
        self._raw += delta
        for sentence in self._splitter.push(delta):
            for line in self._lines.take(sentence, self._raw):
                self._feed(line)

    def finish(self, cut: bool = False) -> Verified:
        """Verify the last sentence; pass on the rest unless the answer will be refused. The verification.

        `cut`: the model's token limit ended the answer (`assistant.llm.Cut`), so a last sentence that does not end
        as a sentence ends ("c) Trường hợp … thì cũng") stopped mid-way: kept in `unfinished`, it is finished from
        the source it was quoting word for word (`unfinished.finished`) and checked as written so, or else left out,
        never checked nor shown (a list it began is still completed from the law, `lists.whole_lists`).
        """
        rest = self._splitter.finish()
        cut_off = rest.pop() if cut and rest and not sentence_ended(rest[-1]) else None
        for sentence in rest:
            for line in self._lines.take(sentence, self._raw):
                self._feed(line)
        if cut_off is None:
            lines = self._lines.finish()
        else:
            # read in the shape the model gave it ("[2] Đối với …" on a line of its own is a list item), then finished
            self.unfinished = cut_off
            lines = self._lines.take(cut_off, self._raw) + self._lines.finish()
            self.finished = finished(lines.pop(), self.verifier.sources) if lines else None
            lines += [self.finished] if self.finished is not None else []
        for line in lines:
            self._feed(line)
        checked = self.verifier.result()
        if checked.text.startswith(self.released):
            # what the verifier settled at the end: a lead-in that is all the answer shows goes out after all
            self._held = checked.text[len(self.released) :]
        answers = checked.opposite is None and checked.unspoken is None and checked.pointer is None
        answers = answers and not self._listing and not self._doubted and not checked.claimless
        if checked.status is not Verification.UNVERIFIED and not self.refused and answers:
            self._release()
        return checked

    @property
    def listing(self) -> bool:
        """Whether the answer was held from a list on (`ListWatch`): only then can the whole list replace it."""
        return self._listing

    def replace(self, text: str) -> None:
        """Pass on `text` instead of what `finish` held back (the verified answer the pipeline made of it)."""
        if not self.refused:
            self._held = text
            self._release()

    def override(self, text: str) -> None:
        """Pass on `text` as the whole answer when nothing has gone out — a refusal the model wrote after its
        withheld claims included (`refused` is cleared): the law's own provision, quoted (assistant/figures.py)."""
        if self.released:
            raise ValueError("an answer already streamed cannot be overridden")
        self.refused = False
        self._held = text
        self._release()

    def release(self) -> None:
        """Pass on what `finish` held back: an answer that only says when the act asked about may NOT be done,
        kept once no retry will replace it (true and cited: the exceptions, shown when the rule was not found)."""
        if not self.refused and self.verifier.n_supported:
            self._release()

    def _feed(self, sentence: str) -> None:
        if self.refused:
            return
        if _REFUSAL_PHRASE in sentence:
            if self.verifier.n_supported == 0:
                self.refused = True  # nothing has gone out: the answer becomes the refusal
            else:
                self.verifier.checks.append(
                    SentenceCheck(sentence, (), False, 0.0, ("the refusal phrase after supported sentences",))
                )
            return
        shown = self.verifier.feed(sentence)
        self._held += shown
        self._listing = self._listing or (self._lists is not None and bool(shown) and self._lists.starts(shown))
        if self.verifier.n_answering and not self._listing and not self._doubted:
            # The exceptions alone wait: the rule may still come, or a retry replace them; and so does a list, which
            # the whole list of the law may replace (assistant/lists.py), and an answer whose first claims speak of
            # another matter than the question's, which the provisions holding it may replace, or one giving the case
            # of another statement as the case asked, which the act's own case may replace.
            self._doubted = not self.released and (
                (self._off is not None and self._off(self._held)) or bool(_another_case_cited(self.verifier.checks))
            )
            if not self._doubted:
                self._release()

    def _release(self) -> None:
        if self._held and self.on_token is not None:
            for word in _WORD.findall(self._held):  # word by word, so a client still shows the answer being typed
                self.on_token(word)
        self.released += self._held
        self._held = ""


def _another_case_cited(checks: Sequence[SentenceCheck]) -> set[int]:
    """The sources cited by claims flagged for giving, as the case asked, one their source opens for another
    statement (`verify.case_of_another_statement`): an answer with one is held to the end, where the case its
    sources state for the act asked may replace it (`case_quote.case_quoted`)."""
    flagged = (c for c in checks if not c.supported and any(r.startswith(CASE_OF_ANOTHER) for r in c.reasons))
    return {m for c in flagged for m in c.markers}


def _off_matter_of(question: str, sources: Sequence[CitedSource]) -> Callable[[str], bool]:
    """Whether an answer's text so far, with the sources it cites, answers another question than `question`
    (`references.off_matter`), does not itself say the "may not" it asks (`references.forbidden_unsaid`), or, asked
    who does an act, names no one doing it (`who_quote.says_the_act`): what `VerifiedStream` asks before its first
    words go out."""
    by_marker = {s.marker: s for s in sources}

    def off(text: str) -> bool:
        cited = [by_marker[m] for m in dict.fromkeys(markers_in(text)) if m in by_marker]
        return (
            off_matter(question, text, cited) is not None
            or forbidden_unsaid(question, text) is not None
            or not says_the_act(question, text)
        )

    return off


# How many hits `person_first` reads: each of its two moves reads its own pool.
PERSON_POOL = max(OWN_POOL, APPLIER_POOL)


def person_first(question: str, hits: Sequence[Hit], k: int) -> Applying:
    """`hits` ranked for the person `question` asks about: their own rule for the matter first when the first `k`
    hold none (`references.own_rule_first`: Điều 18 Luật Cán bộ, công chức for a công chức's strike, 19th by its
    words), then a clause that applies a quoted article to them (a công chức's leave, in the labour code) just
    before that article (`references.applying_first`). Each joins the quoted ones, taking no one's place
    (`Applying.joined`); either may rank below the first n."""
    ranked, own = own_rule_first(question, hits, k)
    return applying_after_own(question, ranked, own, k)


def applying_after_own(question: str, ranked: list[Hit], own: int, k: int, apply: bool = True) -> Applying:
    """The second move of `person_first`, on `own_rule_first`'s `ranked` (which brought `own` hits into the first
    `k`): when `apply`, the clause that applies a quoted article moved up (`references.applying_first`, over the
    first `k + own`); `joined` counts the hits both moves brought in. `gather` applies only when the evidence is
    enough, which it judges between the two moves."""
    applying = applying_first(question, ranked, k + own) if apply else Applying(ranked, [])
    return replace(applying, joined=applying.joined + own)
