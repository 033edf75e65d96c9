"""`tg-bench data-report` finds the defects of docs/method.md section 1 with their counts."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from conftest import image_spec, text_spec

from tg_bench.data.report import quality_report
from tg_bench.data.zoo import load_zoo


@pytest.fixture(scope="module")
def image_report(metadata_root):
    return quality_report(load_zoo(image_spec(), metadata_root))


@pytest.fixture(scope="module")
def text_report(metadata_root):
    return quality_report(load_zoo(text_spec(), metadata_root))


def test_image_defects(image_report):
    r = image_report
    assert r.count("models in config") == 185
    assert r.count("records (rows)") == 2254
    assert r.count("fine-tune datasets") == 13
    assert r.count("duplicate (model, dataset) full runs") == 0
    assert r.count("broken datasets") == 1
    assert r.count("config models without records") == 5
    assert r.count("models with records but no model_type") == 1
    assert 30 <= r.count("models without any transferability score") <= 40
    assert r.count("models scored twice for a target") == 60
    assert r.count("dataset-feature values known wrong") == 1
    food = r.per_dataset.set_index("dataset").loc["food101"]
    assert food["role"] == "broken" and food["mean_accuracy"] == pytest.approx(0.017, abs=1e-3)


def test_text_defects(text_report):
    r = text_report
    assert r.count("models in config") == 164
    assert r.count("records (rows)") == 3194
    assert r.count("full fine-tuning records") == 1756
    assert r.count("LoRA records") == 1433
    assert r.count("junk rows") == 4
    assert r.count("duplicate (model, dataset) full runs") == 317
    assert r.count("dataset-feature name typos") == 1
    assert r.count("dataset-feature values known wrong") == 2
    assert r.count("excluded datasets") == 1
    detail = next(d.detail for d in r.summary if d.category == "LoRA records")
    assert "lor," in detail


def test_cli_prints_report(metadata_root, tmp_path):
    env = {**os.environ, "TG_BENCH_DATA": str(metadata_root)}
    done = subprocess.run(
        [sys.executable, "-m", "tg_bench", "data-report", "zoo=text"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "glut/qqp -> glue/qqp" in done.stdout and "1433" in done.stdout
    assert not list(tmp_path.iterdir()), "data-report writes nothing"
