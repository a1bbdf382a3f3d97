"""The application the faces share: what can be done, by whom, under which limits, and what is remembered of it.

`app/` sits between the faces (`ui/`: CLI, REST API, workdesk, server) and the engine (`assistant/` → `index/` →
`ingest/` → `core/`). It owns:

- `services.py` — the one facade every face calls (ask, search, read, upload, delete, access/validity changes,
  feedback), each checked against the caller's role and clearance and audited;
- `permissions.py` — who is asking (`Principal`), the roles, and the table of what each role may do;
- `accounts.py` — users, their hashed API keys and server-side workdesk sessions;
- `audit.py` — the append-only, hash-chained, PII-masked audit log;
- `limits.py` — fair use per user (rate limits, questions in progress).

Imports run one way: `ui` → `app` → `assistant` → `index` → `ingest` → `core` (`eval` beside, reading `app`'s
audit log for feedback); `tests/test_layers.py` fails on an import that points back up or on a cycle.
"""
