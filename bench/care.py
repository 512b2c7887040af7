"""Throughput of the care engine on a synthetic population.

For each size it loads and validates the records (the baseline: each record's JSON text through
`PatientRecord.from_json`, the path record files take), then computes every patient's plan,
readiness of the next infusion and 12-month due-list, and prints patients per second, the time ratio
between sizes (linear scaling keeps 100k/10k <= 11) and the ratio to loading (<= 3). Validation
alone (from already-decoded dicts) is timed too and its ratio printed beside it. It also checks
that the batch answers equal the single-patient path (separate plan / check / monitor calls).

    uv run python bench/care.py                # 10,000 and 100,000 patients
    uv run python bench/care.py --quick        # 2,000 and 20,000
    uv run python bench/care.py --sizes 10000  # one size: no scaling ratio
"""

from __future__ import annotations

import argparse
import gc
import gzip
import json
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from rich.console import Console
from rich.progress import track
from rich.table import Table

sys.path.insert(0, str(Path(__file__).parent))

from msinfusion.care.monitoring import due_list
from msinfusion.care.plan import plan_infusions
from msinfusion.care.readiness import check_readiness
from msinfusion.care.record import PatientRecord
from msinfusion.care.summary import readiness_day, summarize
from msinfusion.knowledge.catalog import default_catalog
from population import population

TODAY = date(2026, 11, 27)
console = Console()


def cached_population(n: int) -> list[dict]:
    """Generating histories is slower than evaluating them; keep generated populations on disk."""
    cache = Path(tempfile.gettempdir()) / f"msinfusion-bench-{n}-{TODAY}.json.gz"
    if cache.exists():
        return json.loads(gzip.decompress(cache.read_bytes()))
    base = min(n, 10_000)
    patients: list[dict] = []
    for chunk in track(range((n + base - 1) // base), description=f"generating {n:,} patients"):
        for p in population(min(base, n - len(patients)), TODAY, seed=7 + chunk):
            patients.append({**p, "id": f"c{chunk}-{p['id']}"})
    cache.write_bytes(gzip.compress(json.dumps(patients).encode()))
    return patients


def timed(fn, items, label: str, keep: int | None = None, each=None) -> tuple[float, list]:
    """Time `fn` over `items` with the garbage collector paused, as timeit does: otherwise the
    collector's passes over everything already loaded make large runs look non-linear.

    Keeps the first `keep` results (all without it) and hands each to `each`: a batch that
    streams its answers, as a worklist run does, rather than holding 100,000 of them at once."""
    out = []
    gc.collect()
    gc.disable()
    try:
        start = time.perf_counter()
        for i, item in enumerate(track(items, description=label, transient=True, console=console)):
            result = fn(item)
            if each is not None:
                each(result)
            if keep is None or i < keep:
                out.append(result)
        return time.perf_counter() - start, out
    finally:
        gc.enable()


def single_path(record: PatientRecord) -> dict:
    """The same answers through the public single-patient functions, for the identity check."""
    catalog = default_catalog()
    drugs = []
    for drug_id in record.drugs:
        try:
            plan = plan_infusions(catalog.drug(drug_id), record=record, today=TODAY)
        except Exception as exc:  # same error handling as summarize
            drugs.append({"drug": drug_id, "plan": None, "readiness": None, "problem": str(exc)})
            continue
        readiness = (
            check_readiness(record, drug_id, readiness_day(plan.next, TODAY)).to_dict()
            if plan.next
            else None
        )
        drugs.append(
            {"drug": drug_id, "plan": plan.to_dict(), "readiness": readiness, "problem": None}
        )
    due = [t.to_dict() for t in due_list(record, TODAY)]
    return {"patient": record.id, "today": TODAY.isoformat(), "drugs": drugs, "due": due}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2,000 and 20,000 patients")
    parser.add_argument("--sizes", type=int, nargs="+", help="population sizes, smallest first")
    parser.add_argument("--check", type=int, default=300, help="patients compared to single path")
    args = parser.parse_args()
    sizes = args.sizes or ([2_000, 20_000] if args.quick else [10_000, 100_000])
    small = sizes[0]
    catalog = default_catalog()
    rows = []
    for n in sizes:
        raw = cached_population(n)
        texts = [json.dumps(d) for d in raw]  # one record file's text per patient
        load_s, records = timed(lambda t: PatientRecord.from_json(t, catalog), texts, f"load {n:,}")
        del texts
        validate_s, again = timed(
            lambda d: PatientRecord.from_dict(d, catalog), raw, f"validate {n:,}"
        )
        del raw, again
        blocked = 0

        def count_blocked(summary) -> None:
            nonlocal blocked
            blocked += sum(
                1 for d in summary.drugs if d.readiness and d.readiness.status == "blocked"
            )

        care_s, summaries = timed(
            lambda r: summarize(r, TODAY, catalog=catalog),
            records,
            f"evaluate {n:,}",
            keep=args.check,
            each=count_blocked,
        )
        rows.append((n, load_s, validate_s, care_s))
        if n == small:
            for record, summary in zip(records[: args.check], summaries, strict=False):
                if summary.to_dict() != single_path(record):
                    raise SystemExit(f"batch and single-patient answers differ for {record.id}")
            console.print(f"identity check: {min(args.check, n)} patients, batch == single path")
        del records, summaries
        console.print(f"{n:,} patients: {blocked:,} blocked next infusions")
    table = Table(
        title=f"care engine, today {TODAY}",
        caption="load: JSON text + validation; care: plan + readiness + due-list",
    )
    columns = (
        "patients",
        "load s",
        "validate s",
        "care s",
        "patients/s",
        "care/load",
        "care/validate",
    )
    for col in columns:
        table.add_column(col, justify="right")
    for n, load_s, validate_s, care_s in rows:
        table.add_row(
            f"{n:,}",
            f"{load_s:.2f}",
            f"{validate_s:.2f}",
            f"{care_s:.2f}",
            f"{n / care_s:,.0f}",
            f"{care_s / load_s:.2f}",
            f"{care_s / validate_s:.2f}",
        )
    console.print(table)
    n1, _, _, t1 = rows[0]
    n2, load2, _, t2 = rows[-1]
    scaling = ""
    if len(rows) > 1:
        scaling = (
            f"{n2 // 1000}k/{n1 // 1000}k time ratio: {t2 / t1:.2f} "
            f"(linear <= {1.1 * n2 / n1:.0f}); "
        )
    console.print(
        f"{scaling}throughput {n2 / t2:,.0f} patients/s (target >= 2,000 on one core); "
        f"care/load ratio {t2 / load2:.2f} (target <= 3)"
    )


if __name__ == "__main__":
    main()
