"""The audit on real documents: every document of the corpus (tests/fixtures/corpus, with truth files written from
reading them before the checker ran), rebuilt in three layouts, checked through the CLI, scored rule by rule.
benchmarks/corpus.py prints the same figures, with PDF and .odt as well."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("corpus_benchmark", ROOT / "benchmarks" / "corpus.py")
corpus = importlib.util.module_from_spec(_spec)
sys.modules["corpus_benchmark"] = corpus  # dataclasses look their module up while the class is made
_spec.loader.exec_module(corpus)  # type: ignore[union-attr]


def test_the_corpus_holds_ten_real_documents_of_both_kinds_with_truth_files():
    truths = corpus.load_truths()
    assert len(truths) >= 10
    assert {t.kind for t in truths} == {"protocol", "dsa"}
    assert all(t.text or t.document for t in truths)


def test_precision_and_recall_are_at_least_95_percent_in_every_layout(run):
    def check_file(path: Path, kind: str) -> list[dict]:
        result = run("check", path, "--format", "json", "--doc", kind, "--today", corpus.TODAY)
        assert result.exit_code in (0, 1), result.stderr
        return json.loads(result.stdout)["findings"]

    totals, count = corpus.run_corpus(formats=("docx",), check_file=check_file)
    assert count >= 30
    overall = corpus.Score()
    for rule, s in totals.items():
        overall.add(s)
        assert s.tp > 0, rule
        assert s.recall >= 0.95, (rule, s.errors)
    assert overall.precision >= 0.95 and overall.recall >= 0.95, overall.errors
    assert totals["missing-section"].precision >= 0.9, totals["missing-section"].errors
