"""The web page (app.py): its helpers, its API through gradio_client, and the page in a real headless Chromium.

One server is started for the module: `python app.py --port <free> --index <tmp>`, which ingests the bundled
sample on first start. Screenshots go to tests/artifacts/ (git-ignored).
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
SAMPLE = ROOT / "samples" / "yangquan2_2026_budget.pdf"
BJ = DATA / "bj_audit-bureau_2026_dept-budget-text.pdf"
BLANK_SCAN = DATA / "blank_scan.pdf"  # an image page with no text: even OCR reads nothing
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
STARTUP_SECONDS = 180

sys.path.insert(0, str(ROOT))
from webui import evidence, render  # noqa: E402  (importing builds nothing: no model, no server)


# --- helpers: escaping, highlighting, labels, citations, upload checks -----------------------------------

def _source(text, **kw):
    from qa.answer import Source

    return Source(doc=kw.get("doc", "x.pdf"), unit=kw.get("unit", "某单位"), year=2026, page=kw.get("page", 3),
                  section=kw.get("section", "一、说明"), table=kw.get("table"), text=text, score=0.1, doc_id="d1",
                  bbox=kw.get("bbox"))


def _figure(raw, page=3, **kw):
    from qa.answer import Figure

    return Figure(label=kw.get("label", "公务接待费"), value=Decimal(raw.replace(",", "")), raw=raw, unit="万元",
                  table=kw.get("table"), page=page, doc="x.pdf", doc_id="d1", unit_name="某单位", year=2026,
                  column=kw.get("column"), context=kw.get("context", ""), bbox=kw.get("bbox"))


def test_document_text_is_escaped_everywhere():
    evil = '<script>alert(1)</script><img src=x onerror="alert(2)">'
    src = _source(f"头 · 说明\n{evil}公务接待费10.00万元。", unit=evil, table=evil, doc=evil + ".pdf")
    fig = _figure("10.00", label=evil, table=evil)
    html = render.sources_html([src], [fig], {"d1": evil}, answer="为10.00万元")
    table = render.figures_html(render.figure_rows([fig], [src]))
    for out in (html, table, render.cite(evil + "（第3页）", [src]), render.warnings_block([evil])):
        assert "<script" not in out and "<img" not in out
        assert "&lt;script&gt;" in out
    assert "<mark>10.00</mark>" in html
    assert "<script" not in render.md_text(evil) and "&lt;script&gt;" in render.md_text(evil)
    assert render.source_choices([src]) == [(f"[1] 第3页 · {evil[:13]}…", 0)]  # a radio label: shown as text


def test_highlight_marks_whole_numbers_only():
    pattern = render.number_pattern(["8.00", "2,152.99"])
    out = render.highlight("增加18.00万元，减少8.00万元，合计2,152.99万元，另有28.001", pattern)
    assert out.count("<mark>") == 2
    assert "<mark>8.00</mark>万元" in out and "1<mark>8.00</mark>" not in out and "<mark>2,152.99</mark>" in out
    assert render.highlight("a<b>", None) == "a&lt;b&gt;"


def test_marked_figures_are_the_ones_the_answer_states():
    figs = [_figure("76.00"), _figure("10.00"), _figure("18.00")]
    assert [f.raw for f in render.matched_figures(figs, "预算76.00万元，增加10.00万元")] == ["76.00", "10.00"]
    assert [f.raw for f in render.matched_figures(figs, "没有数字", top=2)] == ["76.00", "10.00"]
    # amounts the answer quotes are marked in every passage, even without a figure of their own
    html = render.sources_html([_source("头 · 说明\n预算76.00万元，比上年增加10.00万元，第6页。")], [],
                               answer="预算76.00万元，增加10.00万元，共6万元")
    assert "<mark>76.00</mark>" in html and "<mark>10.00</mark>" in html and "<mark>6</mark>" not in html


def test_long_passages_are_cut_to_the_sentences_holding_the_figures():
    body = "无关的句子。" * 80 + "公务接待费减少8.00万元。" + "其他内容。" * 40
    short, cut = render.excerpt(body, render.number_pattern(["8.00"]))
    assert cut and "8.00" in short and len(short) < 120


def test_every_figure_row_says_what_it_is():
    cell = _figure("2.00", table="“三公”经费表", column="2026年预算数/合计")
    doubled = _figure("56.00", label="公务用车运行维护费 公务用车运行维护费", table="表",
                      column="2026年预算数/公务用车运行维护费")
    prose = _figure("8.00", label="与上年相比预算数减少", context="公务接待费2.00万元，与上年相比预算数减少8.00万元")
    bare = _figure("18.00", label="与上年相比预算数增加", context="与上年相比预算数增加18.00万元")
    reason = _figure("8.00", label="主要原因是：本年度公务接待费减少",
                     context="2026年某单位“三公”经费预算76.00万元比2025年增加10.00万元，主要原因是：本年度公务接待费减少8.00万元。")
    rows = render.figure_rows([cell, doubled, prose, bare, reason], [_source("…", section="七、“三公”经费增减变动原因说明")])
    assert [r[0] for r in rows] == ["公务接待费 › 2026年预算数/合计", "公务用车运行维护费 › 2026年预算数",
                                    "公务接待费 › 与上年相比预算数减少", "“三公”经费增减变动原因说明 › 与上年相比预算数增加",
                                    "“三公”经费预算 › 主要原因是：本年度公务接待费减少"]
    assert [render.shown_value(v) for v in ("76.00", "2,152.99", "1.030900", "66.000000", "0.5")] == \
        ["76.00", "2,152.99", "1.0309", "66.00", "0.5"]


def test_answers_cite_their_sources_and_fold_warnings_once():
    sources = [_source("a", page=22), _source("b", page=16)]
    text = render.cite("…（第16页）。又见第22页）写道", sources)
    assert 'href="#qa-src-2">[2]</a>' in text and 'href="#qa-src-1">[1]</a>' in text
    assert text.index("[2]") < text.index("[1]")
    block = render.warnings_block(["注意：76.00 涉及一处勾稽问题", "注意：76.00 涉及一处勾稽问题"])
    assert block.startswith("<details") and block.count("<li>") == 1 and "1 处" in block


def test_the_evidence_page_marks_the_cited_box():
    """The cited cell on page 16 of the sample: filled yellow and framed red in the image, nowhere else."""
    box = (194.3, 190.6, 238.9, 207.3)  # 公务接待费 / 2026年预算数/合计 ("2.00"), as the parser keeps it
    ans = type("Ans", (), {"figures": [_figure("2.00", page=16, table="t", bbox=box)],
                           "sources": [_source("…", page=16, bbox=(56.7, 190.6, 326.1, 207.3))], "answer": "为2.00万元"})
    view = evidence.View(evidence.places_for(ans, {"d1": str(SAMPLE)}), page=16)
    assert view.place.boxes == {16: [box]}
    html, caption = evidence.evidence_html(view)
    assert "第 16 / 100 页" in caption and "红框" in caption
    page = evidence.page_image(str(SAMPLE), 16)
    image = evidence.marked(page, [box])
    x0, y0, x1, y1 = map(int, page.pixels(box))
    inside = [image.getpixel((x, y)) for x in range(x0 + 6, x1 - 6, 3) for y in range(y0 + 6, y1 - 6, 3)]
    assert sum(1 for r, g, b in inside if r > 200 and b < r - 60) > 0.5 * len(inside)
    assert image.getpixel((x0 + 1, (y0 + y1) // 2))[:3] == evidence.EDGE[:3]
    assert page.image.getpixel((x0 + 8, y0 + 8)) != image.getpixel((x0 + 8, y0 + 8))
    assert image.getpixel((5, 5)) == page.image.getpixel((5, 5))  # the rest of the page is untouched
    assert evidence.evidence_html(evidence.View())[0] == evidence.EMPTY
    # "减少8.00万元" printed in two sentences of a page: the sentence the answer quotes is the one marked
    said, other = (56.8, 97.7, 538.6, 135.6), (56.8, 153.4, 538.6, 195.4)
    ans.figures = [_figure("8.00", page=22, context="其中：公务接待费减少8.00万元；", bbox=other),
                   _figure("8.00", page=22, context="主要原因是：本年度公务接待费减少8.00万元。", bbox=said)]
    ans.sources, ans.answer = [_source("…", page=22)], "文件写道：“主要原因是：本年度公务接待费减少8.00万元。”"
    assert evidence.places_for(ans, {})[0].boxes == {22: [said]}


def test_near_named_units_are_offered_and_re_ask_with_that_unit(tmp_path):
    """`Answer.candidates` (indexed units the question may mean) become "您指的是" buttons; one re-asks with that unit."""
    from qa.answer import Answer
    from webui.layout import build_app

    class Fake:
        asked: list = []

        def documents(self):
            return []

        def ask(self, question, **kw):
            self.asked.append((question, kw.get("unit")))
            ans = Answer(question, kw.get("unit") is not None, "未找到：索引中没有“阳泉二监”的公开文件。")
            ans.candidates = ["山西省阳泉第二监狱", "山西省阳泉第一监狱"]
            return ans

    demo = build_app(Fake(), upload_dir=tmp_path)
    h = next(f.fn.__self__ for f in demo.fns.values() if getattr(f.fn, "__name__", "") == "answer")
    out = h.answer("阳泉二监公务接待费是多少", [], None, "全部", "全部", "全部")
    shown = [out[b] for b in h.ui.suggestions]
    assert [u.get("value") for u in shown[:2]] == ["您指的是：山西省阳泉第二监狱？", "您指的是：山西省阳泉第一监狱？"]
    assert [u["visible"] for u in shown] == [True, True, False] and out[h.ui.to_upload]["visible"]
    out = h.suggested(shown[0]["value"], "阳泉二监公务接待费是多少", out[h.ui.chat], None, "全部", "全部")
    assert Fake.asked[-1] == ("阳泉二监公务接待费是多少", "山西省阳泉第二监狱")
    assert out[h.ui.unit]["value"] == "山西省阳泉第二监狱"
    assert [m["role"] for m in out[h.ui.chat]] == ["user", "assistant"] * 2


def test_a_finding_links_to_its_pages_in_the_viewer(tmp_path):
    """Each finding with pages is a link (doc id, index); clicking it shows its first page in the viewer, every
    page it names in the source switcher; a finding about the whole document is listed without a link."""
    import gradio as gr

    from qa.store import DocRecord
    from webui.layout import build_app

    findings = [{"kind": "reason", "severity": "warning", "message": "说明的变动方向与原因相反", "pages": [22, 16],
                 "figures": [], "quote": None},
                {"kind": "missing_table", "severity": "error", "message": "未见预算公开表<b>", "pages": [],
                 "figures": [], "quote": None}]
    rec = DocRecord("d1", SAMPLE.name, str(SAMPLE), "", "山西省阳泉第二监狱", 2026, "预算", None, 100, 13, 0, [],
                    findings=findings)
    listed = render.findings_html([rec])
    assert listed.count('class="qa-finding"') == 1 and 'data-doc="d1" data-n="0"' in listed
    assert "第22、16页" in listed and "全文 · 未见预算公开表&lt;b&gt;" in listed

    class Fake:
        def documents(self):
            return [rec]

    demo = build_app(Fake(), upload_dir=tmp_path)
    h = next(f.fn.__self__ for f in demo.fns.values() if getattr(f.fn, "__name__", "") == "show_finding")
    out = h.show_finding(gr.EventData(None, {"doc": "d1", "n": 0}))
    assert "第 16 / 100 页" in out[h.ui.caption] and "勾稽问题" in out[h.ui.caption]
    assert '<img src="data:image/png;base64,' in out[h.ui.evidence]
    assert [c[0] for c in out[h.ui.pick]["choices"]] == ["[1] 第16页 · 勾稽问题", "[2] 第22页 · 勾稽问题"]
    assert out[h.ui.controls]["visible"]
    assert h.pick_source(1, out[h.ui.view])[h.ui.view].page == 22
    for stale in ({"doc": "d1", "n": 1}, {"doc": "d1", "n": 5}, {"doc": "gone", "n": 0}, None):
        assert h.show_finding(gr.EventData(None, stale)) == {}


def test_uploads_are_checked_by_content_not_name(tmp_path):
    fake = tmp_path / "report.pdf"
    fake.write_text("这不是 PDF", encoding="utf-8")
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    renamed = tmp_path / "budget.bin"
    renamed.write_bytes(BJ.read_bytes())
    assert render.check_upload(fake) == "not-pdf"
    assert render.check_upload(empty) == "empty"
    assert render.check_upload(renamed) is None
    assert render.check_upload(tmp_path / "missing.pdf") == "unreadable"
    big = tmp_path / "big.pdf"
    with big.open("wb") as fh:  # sparse: instant, no disk
        fh.write(b"%PDF-1.7\n")
        fh.truncate((render.MAX_UPLOAD_MB + 1) * 1024 * 1024)
    assert render.check_upload(big) == "too-large"
    assert render.safe_name("../../etc/passwd") == "passwd" and render.safe_name('a<b>:"c".pdf') == "a_b___c_.pdf"


# --- the running app -------------------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`python app.py` on a free port over a fresh index: it ingests the sample first, then serves.
    QA_TEST_APP_URL and QA_TEST_APP_LOG test a page already started so (quicker while working on the page)."""
    if os.environ.get("QA_TEST_APP_URL"):
        yield {"url": os.environ["QA_TEST_APP_URL"], "log": Path(os.environ["QA_TEST_APP_LOG"])}
        return
    work = tmp_path_factory.mktemp("app")
    port = _free_port()
    log_path = work / "app.log"
    env = {k: v for k, v in os.environ.items() if k not in ("QA_HOST", "QA_PORT", "QA_INDEX", "QA_CHROMA_URL")}
    env["PYTHONUNBUFFERED"] = "1"
    with log_path.open("wb") as log:
        proc = subprocess.Popen([sys.executable, str(ROOT / "app.py"), "--port", str(port), "--index", str(work / "index")],
                                cwd=work, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            if proc.poll() is not None:
                pytest.fail(f"app.py exited with {proc.returncode}:\n{log_path.read_text(errors='replace')[-3000:]}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"app.py did not serve within {STARTUP_SECONDS} s:\n{log_path.read_text(errors='replace')[-3000:]}")
                time.sleep(1)
        yield {"url": url, "log": log_path, "index": work / "index"}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def client(server):
    from gradio_client import Client

    return Client(server["url"], verbose=False)


def _last_reply(chat) -> str:
    content = chat[-1]["content"]
    return content if isinstance(content, str) else "".join(c.get("text", "") for c in content if isinstance(c, dict))


# /ask's outputs as API clients get them (gr.State and button updates are not sent)
ASK_OUTPUTS = ["chat", "question", "figures", "sources", "pick", "evidence", "caption"]


def _ask(client, question, history=None, unit="全部", year="全部", kind="全部") -> dict:
    return dict(zip(ASK_OUTPUTS, client.predict(question, history or [], unit, year, kind, api_name="/ask")))


def test_first_start_ingests_the_sample(server, client):
    log = server["log"].read_text(errors="replace")
    assert "首次启动" in log and "示例文件已导入" in log
    docs, *_rest, status = client.predict("全部", "全部", "全部", api_name="/documents")
    assert [row[0] for row in docs["value"]["data"]] == ["山西省阳泉第二监狱"]
    assert "示例文件" in status


def test_ask_reason_with_figures_sources_and_evidence(client):
    out = _ask(client, "三公经费为何增加")
    reply = _last_reply(out["chat"])
    assert "10.00" in reply and "公务接待费减少" in reply
    assert 'href="#qa-src-1">[1]</a>' in reply  # the citation marker after the page it cites
    assert reply.count("勾稽提示") == 1 and "<details" in reply  # the findings, once and folded
    assert "10.00" in out["figures"] and "<th>项目</th>" in out["figures"] and "yangquan2_2026_budget.pdf" in out["figures"]
    sources = out["sources"]
    assert "<mark>10.00</mark>" in sources and "第22页" in sources and 'id="qa-src-1"' in sources
    assert out["pick"]["value"] == 0 and out["pick"]["choices"][0][0].startswith("[1] 第22页")
    # the top source's page is shown at once, with the cited sentence's box
    assert "第 22 / 100 页" in out["caption"] and "红框为引用位置" in out["caption"]
    assert '<img src="data:image/png;base64,' in out["evidence"] and 'class="qa-ev-box"' in out["evidence"]


def test_friendly_messages_not_stack_traces(client):
    from gradio_client.exceptions import AppError

    out = _ask(client, "公务接待费是多少", year="去年")
    assert "不是有效的年份" in _last_reply(out["chat"])
    with pytest.raises(AppError) as err:
        client.predict(None, "全部", "全部", "全部", api_name="/remove")
    assert "请先在列表中选择" in str(err.value) and "Traceback" not in str(err.value)
    out = _ask(client, "北京市财政局2026年公务接待费是多少")  # not indexed: say so, and point to the upload box
    assert "未找到" in _last_reply(out["chat"]) and 'href="#qa-upload"' in _last_reply(out["chat"])


def test_upload_then_ask_about_that_unit_with_memory(client, tmp_path):
    from gradio_client import handle_file

    fake = tmp_path / "预算说明.pdf"
    fake.write_text("这是一份文本文件，不是 PDF。", encoding="utf-8")
    report, _files, docs, removable, units, *_ = client.predict(
        [handle_file(str(fake)), handle_file(str(BJ)), handle_file(str(BLANK_SCAN))], "全部", "全部", "全部",
        api_name="/upload")
    assert "预算说明.pdf" in report and "不是有效的 PDF" in report
    assert BLANK_SCAN.name in report and "OCR" in report
    assert BJ.name in report and "已导入" in report and "1 个成功" in report
    assert "北京市审计局" in [row[0] for row in docs["value"]["data"]]
    assert any(c[0] == "北京市审计局" for c in units["choices"])

    out = _ask(client, "北京市审计局2026年三公经费为什么增加")
    reply = _last_reply(out["chat"])
    assert "车辆达到报废年限" in reply and "16.03" in reply
    assert "<mark>16.03</mark>" in out["sources"] and "北京市审计局" in out["caption"]
    # the unit filter scopes an unnamed question
    out = _ask(client, "三公经费为何增加", unit="北京市审计局")
    assert "车辆达到报废年限" in _last_reply(out["chat"])
    # conversation memory: a follow-up keeps the unit of the previous question (gr.State → ask(context=…))
    out = _ask(client, "北京市审计局2026年三公经费为什么增加")
    out = _ask(client, "那上年呢？", out["chat"])
    follow = _last_reply(out["chat"])
    assert "北京市审计局" in follow and "山西" not in follow
    # the same file again is recognised, not indexed twice
    report, *_ = client.predict([handle_file(str(BJ))], "全部", "全部", "全部", api_name="/upload")
    assert "已在索引中" in report


def test_remove_a_document(client):
    from gradio_client import handle_file

    _, removable, *_ = client.predict("全部", "全部", "全部", api_name="/documents")
    bj = [value for label, value in removable["choices"] if "北京市审计局" in label]
    assert bj
    msg, docs, *_ = client.predict(bj[0], "全部", "全部", "全部", api_name="/remove")
    assert "已移除" in msg and BJ.name in msg
    assert "北京市审计局" not in [row[0] for row in docs["value"]["data"]]
    # back for the browser test
    report, *_ = client.predict([handle_file(str(BJ))], "全部", "全部", "全部", api_name="/upload")
    assert "已导入" in report


# --- a real browser ----------------------------------------------------------------------------------------

# Controls whose boxes must not overlap (each clipped to what its scrolling container shows).
_CONTROLS_JS = """() => {
  const sel = 'button, textarea, input[type=text], input:not([type]), #qa-chat .message, #qa-src-pick label, ' +
              '[data-testid=block-label], [data-testid=block-info]';
  const clip = (el, r) => {
    for (let p = el.parentElement; p; p = p.parentElement) {
      const s = getComputedStyle(p);
      if (['auto', 'scroll', 'hidden'].includes(s.overflowY) || ['auto', 'scroll', 'hidden'].includes(s.overflowX)) {
        const q = p.getBoundingClientRect();
        r = {l: Math.max(r.l, q.left), t: Math.max(r.t, q.top), r: Math.min(r.r, q.right), b: Math.min(r.b, q.bottom)};
      }
    }
    return r;
  };
  const out = [];
  for (const el of document.querySelectorAll(sel)) {
    const b = el.getBoundingClientRect();
    if (!el.checkVisibility || !el.checkVisibility({checkOpacity: true, checkVisibilityCSS: true})) continue;
    const r = clip(el, {l: b.left, t: b.top, r: b.right, b: b.bottom});
    if (r.r - r.l < 2 || r.b - r.t < 2) continue;
    out.push({name: (el.id || el.className || el.tagName).toString().slice(0, 40) + ' ' +
              (el.innerText || el.placeholder || '').trim().slice(0, 16), box: r, el});
  }
  const clash = [];
  for (let i = 0; i < out.length; i++) for (let j = i + 1; j < out.length; j++) {
    const a = out[i], c = out[j];
    if (a.el.contains(c.el) || c.el.contains(a.el)) continue;
    const w = Math.min(a.box.r, c.box.r) - Math.max(a.box.l, c.box.l), h = Math.min(a.box.b, c.box.b) - Math.max(a.box.t, c.box.t);
    if (w > 2 && h > 2) clash.push(a.name + ' × ' + c.name);
  }
  return clash;
}"""

# Latin words a Chinese reader may meet in this page's own text and labels (file names and figures left out first).
_LATIN_OK = {"PDF", "OCR", "MB"}


def _latin_words(page) -> list[str]:
    import re

    text = page.evaluate("""() => { const b = document.body.cloneNode(true);
        b.querySelectorAll('#qa-figures, #qa-docs, script, style, img').forEach(e => e.remove());
        document.body.appendChild(b); b.style.display = 'block'; const t = b.innerText; b.remove(); return t; }""")
    text += "\n".join(page.evaluate("""() => [...document.querySelectorAll('[aria-label], [title], [placeholder], [alt]')]
        .filter(e => !e.closest('#qa-figures, #qa-docs'))
        .flatMap(e => ['aria-label', 'title', 'placeholder', 'alt'].map(a => e.getAttribute(a) || ''))"""))
    text = re.sub(r"[\w\-.（）()\u4e00-\u9fff]+\.pdf", " ", text, flags=re.I)
    return sorted({w for w in re.findall(r"[A-Za-z]{2,}", text) if w not in _LATIN_OK})


def _ask_in_page(page, question: str, expect: str, timeout: int = 30_000) -> None:
    """Ask as a reader does; checks the question shows before its answer (an observer sees the placeholder)."""
    page.evaluate("""() => { window.__pending = false; const chat = document.querySelector('#qa-chat');
        window.__obs && window.__obs.disconnect();
        window.__obs = new MutationObserver(() => { if (chat.innerText.includes('正在查找原文')) window.__pending = true; });
        window.__obs.observe(chat, {childList: true, subtree: true, characterData: true}); }""")
    page.fill("#qa-question textarea", question)
    page.click("#qa-send")
    page.locator("#qa-chat .bot-row").last.get_by_text(expect).first.wait_for(timeout=timeout)
    page.wait_for_timeout(400)  # the scroll after the answer
    assert page.evaluate("window.__pending"), "the question was not shown before its answer"


def _in_view(page, locator) -> bool:
    box = locator.bounding_box()
    chat = page.locator("#qa-chat .bubble-wrap").bounding_box()
    vp = page.viewport_size
    return bool(box and chat) and 0 <= box["y"] and box["y"] + 24 <= min(vp["height"], chat["y"] + chat["height"]) \
        and box["y"] >= chat["y"] - 1


def _highlight_in_screenshot(page, path: Path) -> float:
    """Share of the first cited box (as the image reports it) that is highlight-yellow in a real screenshot."""
    from PIL import Image

    img = page.locator("#qa-evidence img")
    info = img.evaluate("""i => ({boxes: JSON.parse(i.dataset.boxes), w: +i.dataset.w, r: i.getBoundingClientRect(),
                                 view: i.closest('.qa-ev-scroll').getBoundingClientRect()})""")
    assert info["boxes"], "no cited box on the shown page"
    page.screenshot(path=str(path))
    shot = Image.open(path).convert("RGB")
    k = info["r"]["width"] / info["w"]
    x0, y0, x1, y1 = info["boxes"][0]
    view = info["view"]  # the part of the box the viewer shows, on screen
    left, top = max(info["r"]["x"] + x0 * k, view["x"], 0), max(info["r"]["y"] + y0 * k, view["y"], 0)
    right = min(info["r"]["x"] + x1 * k, view["x"] + view["width"], shot.width)
    bottom = min(info["r"]["y"] + y1 * k, view["y"] + view["height"], shot.height)
    assert bottom - top >= 0.9 * (y1 - y0) * k and right - left >= 60, "the cited box is not in view"
    pts = [shot.getpixel((int(x), int(y))) for x in range(int(left) + 4, int(right) - 4, 2)
           for y in range(int(top) + 4, int(bottom) - 4, 2)]
    return sum(1 for r, g, b in pts if r > 200 and g > 150 and b < r - 50) / max(1, len(pts))


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} not found: install it with `apt-get install -y chromium` (make test does, via `make browser`)")
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


def test_browser_laptop(server, browser, tmp_path):
    from playwright.sync_api import expect

    fake = tmp_path / "假的预算.pdf"
    fake.write_text("not a pdf at all", encoding="utf-8")
    # an English browser: the page is Chinese all the same, Gradio's own strings included
    page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="en-US")
    page.set_default_timeout(30_000)
    page.goto(server["url"])
    page.wait_for_selector("#qa-question textarea")
    page.wait_for_timeout(1000)
    assert _latin_words(page) == []
    _ask_in_page(page, "三公经费为何增加", "公务接待费减少")
    chat = page.locator("#qa-chat")
    expect(page.locator("#qa-figures")).to_contain_text("10.00")
    expect(page.locator("#qa-ev-caption")).to_contain_text("第 22 / 100 页")
    # after asking: the question and the start of its answer are in view, not the answer's end
    assert _in_view(page, chat.locator(".user-row").last), "the question scrolled out of view"
    assert _in_view(page, chat.locator(".bot-row").last), "the answer's start is out of view"
    share = _highlight_in_screenshot(page, ARTIFACTS / "laptop_answer.png")
    assert share > 0.3, f"the cited box on the page image is not highlighted ({share:.0%} yellow)"
    assert page.evaluate(_CONTROLS_JS) == []
    assert _latin_words(page) == []

    # the citation marker [2] shows source 2 in the viewer; zoom and page turns work there
    caption = page.locator("#qa-ev-caption")
    chat.locator(".bot-row").last.locator("a.qa-cite", has_text="[2]").first.click()
    expect(caption).not_to_contain_text("第 22 / 100 页")
    expect(page.locator("#qa-src-pick input[type=radio]").nth(1)).to_be_checked()
    width = page.locator("#qa-evidence img").bounding_box()["width"]
    page.click("#qa-zoom-in")
    expect(caption).to_contain_text("放大 150%")
    assert page.locator("#qa-evidence img").bounding_box()["width"] > 1.4 * width
    shown = caption.inner_text()
    page.click("#qa-next")
    expect(caption).not_to_have_text(shown)
    page.screenshot(path=str(ARTIFACTS / "laptop_source2_zoomed.png"))

    # follow-up: "那上年呢？" after an example question, with the figure the document states
    page.get_by_role("button", name="公务接待费是多少", exact=True).click()
    chat.locator(".bot-row").last.get_by_text("为2.00万元").first.wait_for()
    _ask_in_page(page, "那上年呢？", "上年公务接待费")
    last = chat.locator(".bot-row").last
    expect(last).to_contain_text("减少8.00万元")  # the sentence it rests on, quoted
    expect(last).to_contain_text("2.00 + 8.00 = 10.00")
    page.screenshot(path=str(ARTIFACTS / "laptop_followup.png"))

    # a unit that is not indexed: said, and the upload box one click away
    _ask_in_page(page, "北京市财政局2026年公务接待费是多少", "未找到")
    page.click("#qa-to-upload")
    page.wait_for_timeout(600)
    up = page.locator("#qa-upload").bounding_box()
    assert 0 <= up["y"] and up["y"] + 40 <= 900, "the upload box is not in view"
    page.screenshot(path=str(ARTIFACTS / "laptop_not_found.png"))

    # upload a real PDF, then ask about its unit
    page.set_input_files("#qa-upload input[type=file]", str(BJ))
    report = page.locator("#qa-upload-report")
    expect(report).to_contain_text(BJ.name, timeout=90_000)
    expect(report).to_contain_text("成功")
    expect(page.locator("#qa-docs")).to_contain_text("北京市审计局")
    _ask_in_page(page, "北京市审计局2026年三公经费为什么增加", "车辆达到报废年限")
    expect(chat).to_contain_text("16.03")
    assert _highlight_in_screenshot(page, ARTIFACTS / "laptop_uploaded_answer.png") > 0.3

    # a non-PDF is named, with its reason, and nothing else breaks
    page.set_input_files("#qa-upload input[type=file]", str(fake))
    expect(report).to_contain_text(fake.name, timeout=30_000)
    expect(report).to_contain_text("不是有效的 PDF")
    report.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "laptop_upload.png"), full_page=True)
    assert page.evaluate(_CONTROLS_JS) == []
    page.close()
    log = server["log"].read_text(errors="replace")
    assert "Traceback" not in log, log[-3000:]
    assert "DEBUG" not in log, "library debug output in the console"


def test_browser_a_finding_shows_its_page(server, browser):
    """The findings list under 文件管理: a click on a finding shows its page of its document in the viewer."""
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    page.set_default_timeout(30_000)
    page.goto(server["url"])
    page.wait_for_selector("#qa-question textarea")
    page.locator("#qa-findings-box").get_by_text("勾稽校验").click()
    link = page.locator("#qa-findings details").first
    link.locator("summary").click()
    finding = link.locator("a.qa-finding").first
    first_page = int(finding.inner_text().removeprefix("第").split("页")[0].split("、")[0])
    finding.click()
    caption = page.locator("#qa-ev-caption")
    expect(caption).to_contain_text(f"第 {first_page} / 100 页")
    expect(caption).to_contain_text("勾稽问题")
    expect(page.locator("#qa-evidence img")).to_be_visible()
    assert page.locator("#qa-evidence-col").bounding_box()["y"] < 900, "the viewer is not in view"
    page.screenshot(path=str(ARTIFACTS / "laptop_finding.png"))
    page.close()


def test_browser_phone(server, browser):
    phone = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True, has_touch=True)
    phone.set_default_timeout(30_000)
    phone.goto(server["url"])
    phone.wait_for_selector("#qa-question textarea")
    phone.wait_for_timeout(1500)
    assert phone.evaluate("window.scrollY") == 0, "the phone page opens scrolled down"
    phone.screenshot(path=str(ARTIFACTS / "phone_top.png"))
    _ask_in_page(phone, "三公经费为何增加", "公务接待费减少")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width}px wide on a 390px phone (sideways scrolling)"
    assert _in_view(phone, phone.locator("#qa-chat .user-row").last)
    phone.screenshot(path=str(ARTIFACTS / "phone_answer.png"))
    phone.locator("#qa-evidence").scroll_into_view_if_needed()
    assert _highlight_in_screenshot(phone, ARTIFACTS / "phone_evidence.png") > 0.3
    assert phone.evaluate(_CONTROLS_JS) == []
    phone.close()
