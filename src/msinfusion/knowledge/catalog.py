"""Load and cross-check the catalog: drugs, tests and sources.

Field errors come from the typed model; this module adds the checks that span files (a requirement
naming an unknown test, a source citing an unknown document, a threshold in the wrong unit).
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from msinfusion.errors import CatalogError, format_loc
from msinfusion.knowledge.model import Drug, Source, SourceDoc, TestDef

CATALOG_DIR = Path(__file__).parent
M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Catalog:
    drugs: dict[str, Drug]
    tests: dict[str, TestDef]
    sources: dict[str, SourceDoc]

    def drug(self, drug_id: str) -> Drug:
        try:
            return self.drugs[drug_id]
        except KeyError:
            known = ", ".join(sorted(self.drugs))
            raise KeyError(f"unknown drug {drug_id!r}; known drugs: {known}") from None

    def test(self, test_id: str) -> TestDef:
        return self.tests[test_id]

    def cite(self, source: Source) -> str:
        """A source as a person reads it: fact id and document titles."""
        titles = "; ".join(self.sources[c].title for c in source.cites)
        return f"{source} - {titles}" if titles else str(source)


def _read_toml(path: Path, name: str) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise CatalogError(name, "", f"not valid TOML: {exc}") from exc
    except OSError as exc:
        raise CatalogError(name, "", f"cannot read: {exc.strerror}") from exc


def _validate(model: type[M], data: Any, file: str, prefix: str = "") -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = format_loc((prefix, *tuple(err["loc"])) if prefix else tuple(err["loc"]))
        raise CatalogError(file, field, err["msg"]) from exc


def load_catalog(directory: Path = CATALOG_DIR) -> Catalog:
    """Read every catalog file under `directory`, validate it and check cross-references."""
    tests_raw = _read_toml(directory / "tests.toml", "tests.toml").get("tests", {})
    tests = {k: _validate(TestDef, v, "tests.toml", f"tests.{k}") for k, v in tests_raw.items()}
    sources_raw = _read_toml(directory / "sources.toml", "sources.toml").get("sources", {})
    sources = {
        k: _validate(SourceDoc, v, "sources.toml", f"sources.{k}") for k, v in sources_raw.items()
    }
    drugs: dict[str, Drug] = {}
    for path in sorted((directory / "drugs").glob("*.toml")):
        file = f"drugs/{path.name}"
        drug = _validate(Drug, _read_toml(path, file), file)
        if drug.id != path.stem:
            raise CatalogError(file, "id", f"must match the file name {path.stem!r}")
        _check_references(drug, tests, sources, file)
        drugs[drug.id] = drug
    for drug in drugs.values():
        if drug.biosimilar_of and drug.biosimilar_of not in drugs:
            raise CatalogError(f"drugs/{drug.id}.toml", "biosimilar_of", "unknown drug")
    return Catalog(drugs=drugs, tests=tests, sources=sources)


@cache
def default_catalog() -> Catalog:
    """The bundled catalog, loaded once per process."""
    return load_catalog()


def _walk(
    value: Any, loc: tuple[str | int, ...] = ()
) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    yield loc, value
    if isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from _walk(getattr(value, name), (*loc, name))
    elif isinstance(value, tuple | list):
        for i, item in enumerate(value):
            yield from _walk(item, (*loc, i))


def _check_references(
    drug: Drug, tests: dict[str, TestDef], sources: dict[str, SourceDoc], file: str
) -> None:
    for loc, value in _walk(drug):
        if isinstance(value, Source):
            for cite in value.cites:
                if cite not in sources:
                    raise CatalogError(file, format_loc(loc), f"cites unknown source {cite!r}")
    for group in ("baseline", "per_infusion", "monitoring"):
        for i, item in enumerate(getattr(drug, group)):
            test_id = getattr(item, "test", None)
            if test_id is None:
                continue
            if test_id not in tests:
                raise CatalogError(file, f"{group}[{i}].test", f"unknown test id {test_id!r}")
            for j, threshold in enumerate(getattr(item, "thresholds", ())):
                _check_unit(
                    tests[test_id],
                    threshold.value,
                    threshold.unit,
                    file,
                    f"{group}[{i}].thresholds[{j}]",
                )


def _check_unit(test: TestDef, value: object, unit: str | None, file: str, field: str) -> None:
    qualitative = test.unit == "qualitative"
    if isinstance(value, str) != qualitative:
        kind = "a qualitative value" if qualitative else f"a number in {test.unit}"
        raise CatalogError(file, f"{field}.value", f"{test.name} takes {kind}")
    if not qualitative and unit != test.unit:
        raise CatalogError(
            file, f"{field}.unit", f"must be {test.unit!r} for {test.name}, not {unit!r}"
        )
