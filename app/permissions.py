"""Who is asking and what each role may do: the one permission table every face goes through.

>>> who = Principal("an", "staff", AccessLevel.PUBLIC)
>>> allowed(who, "ask"), allowed(who, "upload")
(True, False)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

from ingest.model import AccessLevel

Role = Literal["staff", "legal", "admin", "evaluator"]
ROLES: tuple[Role, ...] = get_args(Role)

# Operation → the roles that may perform it. Reading and asking is everyone's; changing the corpus is admin's.
PERMISSIONS: dict[str, frozenset[str]] = {
    "ask": frozenset(ROLES),
    "search": frozenset(ROLES),
    "read_documents": frozenset(ROLES),
    "feedback": frozenset(ROLES),
    "upload": frozenset({"admin"}),
    "delete": frozenset({"admin"}),
    "set_access": frozenset({"admin"}),
    "set_validity": frozenset({"admin"}),
    "audit_export": frozenset({"admin", "legal"}),
    "backup": frozenset({"admin"}),  # `kho backup`, POST /v1/operator/backup
    "metrics": frozenset({"admin"}),  # GET /metrics (or the scrape token, KHO_METRICS_TOKEN)
}
# Who may judge an answer they did not get themselves (evaluators score others' answers).
FEEDBACK_ON_OTHERS: frozenset[str] = frozenset({"evaluator", "legal", "admin"})

class Forbidden(Exception):
    """The principal's role may not do this (→ HTTP 403)."""


@dataclass(frozen=True)
class Principal:
    """Who is asking: a user name, a role, and the highest access level they are cleared for."""

    name: str
    role: Role
    clearance: AccessLevel

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)}, not {self.role!r}")
        if not isinstance(self.clearance, AccessLevel):
            object.__setattr__(self, "clearance", AccessLevel.from_str(str(self.clearance)))


def allowed(who: Principal, operation: str) -> bool:
    """Whether `who`'s role may perform `operation` (a key of `PERMISSIONS`)."""
    return who.role in PERMISSIONS[operation]


def require(who: Principal, operation: str) -> None:
    """`Forbidden` unless `who` may perform `operation`."""
    if not allowed(who, operation):
        raise Forbidden(f"vai trò '{who.role}' không được phép thực hiện thao tác này ({operation})")
