"""The `qa` command as scripts use it: `ask --json` (a public contract), stdin mode, docs, show, ingest exit codes."""
import json
import subprocess
import sys

from conftest import DATA, SAMPLE


def qa(*args, stdin=None, index=None):
    """Run `qa`; ``index`` is the `index` fixture's target (a folder, or a Chroma server database)."""
    extra = []
    if index and "chroma_url" in index:
        extra = ["--chroma-url", index["chroma_url"]]
    elif index:
        extra = ["--index", str(index["index_dir"])]
    return subprocess.run([sys.executable, "-m", "qa.cli", *args, *extra], input=stdin, capture_output=True,
                          text=True, timeout=600)


def test_ingest_docs_and_ask_json_contract(tmp_path, index):
    bad = tmp_path / "notes.pdf"
    bad.write_text("hello")
    r = qa("ingest", str(DATA / "bj_audit-bureau_2026_dept-budget-text.pdf"), str(bad), index=index)
    assert r.returncode == 1  # one file failed
    assert "notes.pdf" in r.stderr and "not-pdf" in r.stderr
    assert "1 added" in r.stdout and "1 failed" in r.stdout

    docs = qa("docs", "--json", index=index)
    assert [json.loads(line)["unit"] for line in docs.stdout.splitlines()] == ["北京市审计局"]

    r = qa("ask", "--json", "-k", "3", stdin="北京市审计局2026年“三公”经费为什么增加？\n\n广州市人民政府办公厅2026年三公经费是多少\n", index=index)
    assert r.returncode == 0, r.stderr
    lines = [json.loads(line) for line in r.stdout.splitlines()]
    assert len(lines) == 2
    first, missing = lines
    assert set(first) >= {"question", "found", "answer", "figures", "sources", "elapsed_ms"}
    assert first["found"] is True and isinstance(first["elapsed_ms"], (int, float))
    f = first["figures"][0]
    assert set(f) >= {"label", "value", "unit", "table", "page", "doc"}
    assert f["value"] == 16.03 and f["unit"] == "万元" and f["page"] == 8
    assert 1 <= len(first["sources"]) <= 3
    s = first["sources"][0]
    assert set(s) >= {"doc", "unit", "year", "page", "section", "table", "text", "score"}
    assert s["unit"] == "北京市审计局" and s["year"] == 2026 and "车辆达到报废年限" in s["text"]
    # where each is printed on its page (x0, top, x1, bottom in points): an added key; the figure's sentence
    # lies within its passage's lines
    (fx0, ftop, fx1, fbottom), (sx0, stop, sx1, sbottom) = f["bbox"], s["bbox"]
    assert 0 <= fx0 < fx1 and 0 <= ftop < fbottom and s["page"] == f["page"]
    assert sx0 <= fx0 and stop <= ftop and fx1 <= sx1 and fbottom <= sbottom
    assert missing["found"] is False and missing["figures"] == [] and "广州市人民政府办公厅" in missing["answer"]


def test_show_prints_the_parsed_model():
    r = qa("show", str(SAMPLE), "--tables")
    assert r.returncode == 0
    assert "2026年财政拨款安排“三公”经费支出预算表（预算公开表10，单位：万元）" in r.stdout
    assert "p16 公务接待费: 2026年预算数/合计=2.00" in r.stdout
