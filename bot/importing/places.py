"""Regions and districts written the same way everywhere, so a region's or district's schools, plans and
methodists meet: "Toshkent shahri" and "Toshkent sh." are one region (the fixed list with its aliases in
domain/countries.py), "Urgut tumani" and "Urgut t." one district (`district_key`: the spelling already in use
is kept). Used by the roster and plan imports and by `python -m bot grant supervisor`."""

from __future__ import annotations

from collections.abc import Iterable

from domain.countries import district_key, rules_for


def canonical_region(country: str, text: str) -> str:
    """The region's name from the country's list; ValueError naming the known ones when it is not there."""
    rules = rules_for(country)
    found = rules.region(text)
    if found is None:
        known = ", ".join(rules.regions.value)  # type: ignore[arg-type]
        raise ValueError(f"unknown region “{text}” for {country.upper()} (one of: {known})")
    return found


def district_spelling(text: str, known: Iterable[str | None]) -> str:
    """The district as it is already written for the region's schools (same `district_key`), else as given
    with its spacing tidied."""
    key = district_key(text)
    for spelling in known:
        if spelling and district_key(spelling) == key:
            return spelling
    return " ".join(text.split())
