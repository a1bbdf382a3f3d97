"""Conversations kept per user (issue 15, item 1): stored server-side, reopened after a reload, renamed, deleted —
never readable by another user, personal data masked, and clearance checked again on every read.

The store on its own (app/conversations.py) and through the real API served by uvicorn (tests/test_api.py's
decree world: a public law and a restricted plan).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

import app.conversations as conversations
from app.conversations import ConversationNotFound, ConversationStore
from tests.test_api import Api
from tests.test_api import api as api  # noqa: F401  (the served API over the decree world, this module's own)

PHONE = "0912345678"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[ConversationStore]:
    s = ConversationStore(tmp_path / "c.sqlite3", user_ref=lambda n: "u_" + n[::-1])
    yield s
    s.close()


def test_the_file_holds_neither_the_users_name_nor_personal_data_in_clear(store: ConversationStore) -> None:
    cid = store.create("nguyen.van.a@noivu.gov.vn", f"Hỏi cho số {PHONE}")
    store.append("nguyen.van.a@noivu.gov.vn", cid, f"Tôi là CCCD 001203004567, gọi {PHONE}?", {"answer": PHONE})
    store.close()
    raw = b"".join(p.read_bytes() for p in store.path.parent.iterdir() if p.name.startswith("c.sqlite3"))
    assert b"nguyen.van.a" not in raw and PHONE.encode() not in raw and b"001203004567" not in raw
    again = ConversationStore(store.path, user_ref=lambda n: "u_" + n[::-1])
    kept = again.get("nguyen.van.a@noivu.gov.vn", cid)
    assert "[số điện thoại]" in kept.summary.title and kept.turns[0].answer == {"answer": "[số điện thoại]"}
    again.close()


def test_another_users_conversation_looks_missing_for_every_operation(store: ConversationStore) -> None:
    cid = store.create("an")
    for call in (
        lambda: store.get("binh", cid),
        lambda: store.append("binh", cid, "?", {}),
        lambda: store.rename("binh", cid, "của tôi"),
        lambda: store.delete("binh", cid),
        lambda: store.get("an", "0" * 32),
    ):
        with pytest.raises(ConversationNotFound):
            call()
    assert store.get("an", cid).summary.title == "Cuộc hỏi đáp mới" and store.list("binh") == []


def test_a_new_conversation_is_named_after_its_first_question_and_listed_most_recent_first(
    store: ConversationStore,
) -> None:
    first, second = store.create("an"), store.create("an")
    store.append("an", first, "Thời gian thử việc của viên chức là bao lâu?", {"answer": "…"})
    assert [c.id for c in store.list("an")] == [first, second]
    assert store.list("an")[0].title == "Thời gian thử việc của viên chức là bao lâu?"
    store.append("an", first, "Còn công chức?", {"answer": "…"})
    assert store.get("an", first).summary.title == "Thời gian thử việc của viên chức là bao lâu?"  # kept
    store.rename("an", first, "  Thử   việc ")
    assert store.get("an", first).summary.title == "Thử việc"
    store.delete("an", first)
    assert [c.id for c in store.list("an")] == [second]
    with pytest.raises(ConversationNotFound):
        store.get("an", first)
    db = sqlite3.connect(store.path)
    assert db.execute("SELECT COUNT(*) FROM turns").fetchone() == (0,)  # the turns went with it
    db.close()


def test_bounds_name_the_field_or_the_limit(store: ConversationStore, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValueError, match="title: at most 120"):
        store.create("an", "x" * 121)
    cid = store.create("an")
    with pytest.raises(ValueError, match="title: must not be empty"):
        store.rename("an", cid, "   ")
    monkeypatch.setattr(conversations, "MAX_TURNS", 2)
    store.append("an", cid, "1?", {})
    store.append("an", cid, "2?", {})
    with pytest.raises(ValueError, match="at most 2 questions"):
        store.append("an", cid, "3?", {})
    monkeypatch.setattr(conversations, "MAX_CONVERSATIONS", 1)
    with pytest.raises(ValueError, match="at most 1 conversations"):
        store.create("an")


# ------------------------------------------------------------------------------------------------ through the API


def test_a_conversation_is_kept_and_reopened_with_its_answers_and_sources(api: Api) -> None:
    with api.client("staff") as c:
        cid = c.post("/v1/conversations", json={}).json()["id"]
        q = "Thời gian thử việc của viên chức là bao lâu?"
        asked = c.post("/v1/ask", json={"question": q, "extractive": True, "conversation_id": cid}).json()
        assert asked["citations"]
        more = {"question": "còn công chức thì sao?", "extractive": True, "conversation_id": cid}
        follow = c.post("/v1/ask", json=more)
        assert follow.status_code == 200 and follow.json()["topic"] == "follow_up"  # the kept question was its history
        listed = c.get("/v1/conversations").json()["conversations"]
        assert listed[0]["id"] == cid and listed[0]["n_turns"] == 2 and listed[0]["title"] == q
        opened = c.get(f"/v1/conversations/{cid}").json()  # what a reload shows
    assert [t["question"] for t in opened["turns"]] == [q, "còn công chức thì sao?"]
    first = opened["turns"][0]["answer"]
    assert first["answer_id"] == asked["answer_id"] and first["citations"] == asked["citations"]


def test_another_user_cannot_read_rename_delete_or_ask_into_a_conversation(api: Api) -> None:
    with api.client("staff") as staff, api.client("admin") as admin:
        cid = staff.post("/v1/conversations", json={"title": "Của tôi"}).json()["id"]
        assert admin.get(f"/v1/conversations/{cid}").status_code == 404
        assert admin.patch(f"/v1/conversations/{cid}", json={"title": "x"}).status_code == 404
        assert admin.delete(f"/v1/conversations/{cid}").status_code == 404
        r = admin.post("/v1/ask", json={"question": "thử việc?", "extractive": True, "conversation_id": cid})
        assert r.status_code == 404
        assert all(c["id"] != cid for c in admin.get("/v1/conversations").json()["conversations"])
        assert staff.get(f"/v1/conversations/{cid}").json()["turns"] == []  # nothing was added by the other
        assert staff.get("/v1/conversations/not-an-id").status_code == 422
        assert staff.patch(f"/v1/conversations/{cid}", json={"title": "y" * 121}).status_code == 422
        assert staff.delete(f"/v1/conversations/{cid}").status_code == 200
        assert staff.get(f"/v1/conversations/{cid}").status_code == 404


def test_a_kept_answer_citing_a_document_since_restricted_is_withheld_on_reopening(api: Api) -> None:
    q = "Thời gian thử việc của viên chức là bao lâu?"
    with api.client("staff") as staff, api.client("admin") as admin:
        cid = staff.post("/v1/conversations", json={}).json()["id"]
        asked = staff.post("/v1/ask", json={"question": q, "extractive": True, "conversation_id": cid}).json()
        law_id = next(c["document_id"] for c in asked["citations"] if c["so_hieu"] == "77/2099/QH99")
        assert admin.patch(f"/v1/documents/{law_id}", json={"access_level": "restricted"}).status_code == 200
        try:
            turn = staff.get(f"/v1/conversations/{cid}").json()["turns"][0]
            assert turn["question"] == q and turn["answer"]["withheld"] is True
            assert turn["answer"]["citations"] == [] and asked["answer"] not in str(turn)
        finally:
            assert admin.patch(f"/v1/documents/{law_id}", json={"access_level": "public"}).status_code == 200
        assert staff.get(f"/v1/conversations/{cid}").json()["turns"][0]["answer"]["citations"]
