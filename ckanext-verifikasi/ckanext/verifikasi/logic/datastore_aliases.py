"""DataStore aliases: the resource a name stands for, and which names an alias may take.

An alias is a view on a resource's table (`datastore_create ... aliases`). Every read
rule of verifikasi (the published copy while an update is reviewed, the access class)
is about the resource, so a name is resolved to its resource first. Names starting
with a resource id are refused as aliases: they would answer for another resource
without a table yet (or one of another OPD) and collide with the published copies
`<resource id>_terbit` that published_data keeps.
"""
from __future__ import annotations

import re
from collections.abc import Iterable

import ckan.plugins.toolkit as tk
import sqlalchemy as sa
import sqlparse
from ckan import model
from ckanext.datastore.backend.postgres import get_write_engine
from ckanext.datastore.helpers import get_list
from sqlparse import tokens as T

_STARTS_WITH_ID = re.compile(
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)


def check_names(aliases: object) -> None:
    """Refuse alias names starting with a resource id (of any resource, in any case)."""
    names = get_list(aliases) if isinstance(aliases, (str, list)) else []
    reserved = [name for name in names or [] if _STARTS_WITH_ID.match(str(name))]
    if reserved:
        raise tk.ValidationError({"aliases": [
            tk._('"{alias}" cannot be an alias: names starting with a resource id are '
                 "reserved").format(alias=alias) for alias in reserved]})


def resolve_many(names: Iterable[str]) -> dict[str, str]:
    """The resource each name stands for: a resource id itself, or an alias's resource.

    Names that are neither are left out. Two queries, whatever the number of names.
    """
    names = list({n for n in names if n})
    if not names:
        return {}
    found = {rid: rid for rid in model.Session.scalars(
        sa.select(model.Resource.id).where(model.Resource.id.in_(names)))}
    rest = [n for n in names if n not in found]
    if rest:
        with get_write_engine().connect() as conn:
            found.update(conn.execute(sa.text(
                'SELECT name, alias_of FROM "_table_metadata" '
                "WHERE name = ANY(:names) AND alias_of IS NOT NULL"), {"names": rest}).all())
    return found


def resolve(name: str) -> str:
    """The resource id `name` stands for (itself when it is no alias)."""
    return resolve_many([name]).get(name, name)


def _name_of(token: sqlparse.sql.Token) -> str | None:
    """The relation name an identifier token spells, as PostgreSQL folds it."""
    if token.ttype in T.Name:
        return token.value.lower()
    if token.ttype in T.Literal.String.Symbol and token.value.startswith('"'):
        return token.value[1:-1].replace('""', '"')
    return None


def identifiers(sql: str) -> set[str]:
    """Every name the statement spells as an identifier (outside literals and comments)."""
    return {name for statement in sqlparse.parse(sql) for token in statement.flatten()
            if (name := _name_of(token))}


def rename(sql: str, renamed: dict[str, str]) -> str:
    """The statement with identifiers in `renamed` replaced (quoted); literals untouched.

    Only plain and quoted identifiers are rewritten: a relation spelled otherwise
    (`U&"..."`) keeps its name, and the caller's check of the tables the statement
    reads (from PostgreSQL's plan) catches it.
    """
    if not renamed:
        return sql
    out = []
    for statement in sqlparse.parse(sql):
        for token in statement.flatten():
            name = _name_of(token)
            if name in renamed:
                out.append('"' + renamed[name].replace('"', '""') + '"')
            else:
                out.append(token.value)
    return "".join(out)
