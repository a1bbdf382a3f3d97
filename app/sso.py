"""Single sign-on: who a user signed in at the ministry's OpenID provider is here — a role and a clearance.

The provider says who someone is (`iss` + `sub`) and which groups they belong to (a claim, `groups` by default);
`SsoPolicy` turns that into a `Principal`. Groups map to roles and clearances through two settings written as
`group=value` lists (`KHO_OIDC_ROLE_MAP="kho-admin=admin,kho-legal=legal"`); when several groups map, the highest
role and the highest clearance win. A user none of whose groups maps to a role is refused (unless
`KHO_OIDC_DEFAULT_ROLE` says otherwise): signing in at the ministry is not by itself a right to use the service.

The principal's name is `sso-` and 24 hex digits of SHA-256 over issuer and subject: stable across logins, unique
per provider, never the person's login name or e-mail (which stay at the provider and out of our logs).

>>> policy = SsoPolicy.parse("groups", "kho-admin=admin,kho-staff=staff", "kho-mat=restricted", "", "public")
>>> who = policy.principal({"iss": "https://idp", "sub": "42", "groups": ["kho-staff", "kho-admin", "kho-mat"]})
>>> who.role, who.clearance.value, who.name.startswith("sso-")
('admin', 'restricted', True)
>>> try:
...     policy.principal({"iss": "https://idp", "sub": "43", "groups": ["other"]})
... except NotEntitled as refused:
...     print(refused)
Tài khoản chưa được cấp quyền sử dụng Kho tri thức
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

from app.permissions import ROLES, Principal, Role
from core.settings import Settings
from ingest.model import AccessLevel

# Which role outranks which when a user's groups map to several: the one that may do more wins.
ROLE_RANK: dict[str, int] = {"staff": 0, "evaluator": 1, "legal": 2, "admin": 3}
NOT_ENTITLED = "Tài khoản chưa được cấp quyền sử dụng Kho tri thức"
SSO_NAME_PREFIX = "sso-"


class SsoConfigError(ValueError):
    """A single sign-on setting that cannot be used; the message names the setting."""


class NotEntitled(Exception):
    """A user the provider vouches for, but none of whose groups gives them a role here."""

    def __init__(self, message: str = NOT_ENTITLED) -> None:
        super().__init__(message)


def sso_name(issuer: str, subject: str) -> str:
    """The stable local name of the provider's user `subject` (pseudonymous: a digest, not the login name)."""
    digest = hashlib.sha256(f"{issuer}\x00{subject}".encode()).hexdigest()
    return SSO_NAME_PREFIX + digest[:24]


def parse_map(text: str, setting: str, allowed: tuple[str, ...]) -> dict[str, str]:
    """`"g1=v1,g2=v2"` → {g1: v1, g2: v2}, each value one of `allowed`; errors name `setting` and the entry."""
    out: dict[str, str] = {}
    for entry in (e.strip() for e in text.split(",")):
        if not entry:
            continue
        group, sep, value = (s.strip() for s in entry.rpartition("="))
        if not sep or not group or not value:
            raise SsoConfigError(f"{setting}: '{entry}' is not 'group=value' (nhóm=giá trị)")
        if value not in allowed:
            raise SsoConfigError(f"{setting}: '{value}' in '{entry}' is not one of: {', '.join(allowed)}")
        if group in out and out[group] != value:
            raise SsoConfigError(f"{setting}: group '{group}' is mapped twice")
        out[group] = value
    return out


@dataclass(frozen=True)
class SsoPolicy:
    """How the provider's claims become a `Principal` (see the module docstring)."""

    groups_claim: str
    roles: Mapping[str, Role]
    clearances: Mapping[str, AccessLevel]
    default_role: Role | None
    default_clearance: AccessLevel

    @classmethod
    def parse(
        cls, groups_claim: str, role_map: str, clearance_map: str, default_role: str, default_clearance: str
    ) -> SsoPolicy:
        """The policy from the settings' text forms; `SsoConfigError` naming the setting when one is wrong."""
        if not groups_claim.strip():
            raise SsoConfigError("KHO_OIDC_GROUPS_CLAIM: must name a claim (e.g. 'groups')")
        levels = tuple(level.value for level in AccessLevel)
        roles = parse_map(role_map, "KHO_OIDC_ROLE_MAP", ROLES)
        clearances = parse_map(clearance_map, "KHO_OIDC_CLEARANCE_MAP", levels)
        if default_role.strip() and default_role.strip() not in ROLES:
            raise SsoConfigError(
                f"KHO_OIDC_DEFAULT_ROLE: '{default_role}' is not one of: {', '.join(ROLES)} (or empty)"
            )
        if default_clearance.strip() not in levels:
            raise SsoConfigError(
                f"KHO_OIDC_DEFAULT_CLEARANCE: '{default_clearance}' is not one of: {', '.join(levels)}"
            )
        if not roles and not default_role.strip():
            raise SsoConfigError("KHO_OIDC_ROLE_MAP: empty, and no KHO_OIDC_DEFAULT_ROLE: nobody could sign in")
        return cls(
            groups_claim=groups_claim.strip(),
            roles={g: cast(Role, r) for g, r in roles.items()},
            clearances={g: AccessLevel(c) for g, c in clearances.items()},
            default_role=cast(Role, default_role.strip()) if default_role.strip() else None,
            default_clearance=AccessLevel(default_clearance.strip()),
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> SsoPolicy:
        return cls.parse(
            settings.oidc_groups_claim,
            settings.oidc_role_map,
            settings.oidc_clearance_map,
            settings.oidc_default_role,
            settings.oidc_default_clearance,
        )

    def groups(self, claims: Mapping[str, Any]) -> list[str]:
        """The user's groups: the claim as a list, a space/comma-separated string, or a dotted path
        (`realm_access.roles`, where Keycloak keeps realm roles)."""
        value: Any = claims
        for part in self.groups_claim.split("."):
            value = value.get(part) if isinstance(value, Mapping) else None
        if isinstance(value, str):
            return [g for g in value.replace(",", " ").split() if g]
        if isinstance(value, list | tuple):
            return [str(g) for g in value]
        return []

    def principal(self, claims: Mapping[str, Any]) -> Principal:
        """The principal for a verified set of claims (`iss`, `sub` and the groups claim); `NotEntitled` when no
        group gives a role and there is no default role."""
        issuer, subject = claims.get("iss"), claims.get("sub")
        if not isinstance(issuer, str) or not isinstance(subject, str) or not issuer or not subject:
            raise NotEntitled("Nhà cung cấp đăng nhập không cho biết danh tính người dùng (iss/sub)")
        groups = self.groups(claims)
        roles: list[Role] = [self.roles[g] for g in groups if g in self.roles]
        role: Role | None = self.default_role
        if roles:
            best: Role = max(roles, key=lambda r: ROLE_RANK[r])
            role = best
        if role is None:
            raise NotEntitled()
        levels = [self.clearances[g] for g in groups if g in self.clearances]
        clearance = max(levels, key=lambda level: level.rank) if levels else self.default_clearance
        return Principal(sso_name(issuer, subject), role, clearance)
