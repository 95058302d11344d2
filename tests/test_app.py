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
import app  # noqa: E402  (importing builds nothing: no model, no server)


# --- helpers: escaping, highlighting, upload checks ------------------------------------------------------

def _source(text, **kw):
    from qa.answer import Source

    return Source(doc=kw.get("doc", "x.pdf"), unit=kw.get("unit", "某单位"), year=2026, page=kw.get("page", 3),
                  section=kw.get("section", "一、说明"), table=kw.get("table"), text=text, score=0.1, doc_id="d1")


def _figure(raw, page=3, **kw):
    from qa.answer import Figure

    return Figure(label=kw.get("label", "公务接待费"), value=Decimal(raw.replace(",", "")), raw=raw, unit="万元",
                  table=kw.get("table"), page=page, doc="x.pdf", doc_id="d1", unit_name="某单位", year=2026)


def test_document_text_is_escaped_everywhere():
    evil = '<script>alert(1)</script><img src=x onerror="alert(2)">'
    src = _source(f"头 · 说明\n{evil}公务接待费10.00万元。", unit=evil, table=evil, doc=evil + ".pdf")
    fig = _figure("10.00", label=evil, table=evil)
    html = app.sources_html([src], [fig], {"d1": evil}, answer="为10.00万元")
    table = app.figures_html(app.figure_rows([fig], [src]))
    choices = app.page_choices([src])
    for out in (html, table):
        assert "<script" not in out and "<img" not in out
        assert "&lt;script&gt;" in out
    assert "<mark>10.00</mark>" in html
    assert "<script" not in app.md_text(evil) and "&lt;script&gt;" in app.md_text(evil)
    assert choices and choices[0][1] == "d1|3"


def test_highlight_marks_whole_numbers_only():
    pattern = app.number_pattern(["8.00", "2,152.99"])
    out = app.highlight("增加18.00万元，减少8.00万元，合计2,152.99万元，另有28.001", pattern)
    assert out.count("<mark>") == 2
    assert "<mark>8.00</mark>万元" in out and "1<mark>8.00</mark>" not in out and "<mark>2,152.99</mark>" in out
    assert app.highlight("a<b>", None) == "a&lt;b&gt;"


def test_marked_figures_are_the_ones_the_answer_states():
    figs = [_figure("76.00"), _figure("10.00"), _figure("18.00")]
    assert [f.raw for f in app.matched_figures(figs, "预算76.00万元，增加10.00万元")] == ["76.00", "10.00"]
    assert [f.raw for f in app.matched_figures(figs, "没有数字", top=2)] == ["76.00", "10.00"]
    # amounts the answer quotes are marked in every passage, even without a figure of their own
    html = app.sources_html([_source("头 · 说明\n预算76.00万元，比上年增加10.00万元，第6页。")], [],
                            answer="预算76.00万元，增加10.00万元，共6万元")
    assert "<mark>76.00</mark>" in html and "<mark>10.00</mark>" in html and "<mark>6</mark>" not in html


def test_long_passages_are_cut_to_the_sentences_holding_the_figures():
    body = "无关的句子。" * 80 + "公务接待费减少8.00万元。" + "其他内容。" * 40
    short, cut = app.excerpt(body, app.number_pattern(["8.00"]))
    assert cut and "8.00" in short and len(short) < 120


def test_uploads_are_checked_by_content_not_name(tmp_path):
    fake = tmp_path / "report.pdf"
    fake.write_text("这不是 PDF", encoding="utf-8")
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    renamed = tmp_path / "budget.bin"
    renamed.write_bytes(BJ.read_bytes())
    assert app.check_upload(fake) == "not-pdf"
    assert app.check_upload(empty) == "empty"
    assert app.check_upload(renamed) is None
    assert app.check_upload(tmp_path / "missing.pdf") == "unreadable"
    big = tmp_path / "big.pdf"
    with big.open("wb") as fh:  # sparse: instant, no disk
        fh.write(b"%PDF-1.7\n")
        fh.truncate((app.MAX_UPLOAD_MB + 1) * 1024 * 1024)
    assert app.check_upload(big) == "too-large"
    assert app.safe_name("../../etc/passwd") == "passwd" and app.safe_name('a<b>:"c".pdf') == "a_b___c_.pdf"


# --- the running app -------------------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`python app.py` on a free port over a fresh index: it ingests the sample first, then serves."""
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


def _ask(client, question, history=None, unit="全部", year="全部", kind="全部"):
    chat, _, figures, sources, pages, _image = client.predict(question, history or [], unit, year, kind, api_name="/ask")
    return chat, figures, sources, pages


def test_first_start_ingests_the_sample(server, client):
    log = server["log"].read_text(errors="replace")
    assert "首次启动" in log and "示例文件已导入" in log
    docs, *_rest, status = client.predict("全部", "全部", "全部", api_name="/documents")
    assert [row[0] for row in docs["value"]["data"]] == ["山西省阳泉第二监狱"]
    assert "示例文件" in status


def test_ask_reason_with_figures_sources_and_page(client):
    chat, figures, sources, pages = _ask(client, "三公经费为何增加")
    reply = _last_reply(chat)
    assert "10.00" in reply and "公务接待费减少" in reply
    assert "10.00" in figures and "<th>项目</th>" in figures and "yangquan2_2026_budget.pdf" in figures
    assert "<mark>10.00</mark>" in sources and "第22页" in sources and "山西省阳泉第二监狱" in sources
    choice = pages["value"]
    assert choice and choice.endswith("|22")
    image = client.predict(choice, api_name="/show_page")
    path = image["value"] if isinstance(image, dict) else image
    path = path.get("path", path) if isinstance(path, dict) else path
    assert Path(path).is_file() and Path(path).stat().st_size > 10_000


def test_friendly_messages_not_stack_traces(client):
    from gradio_client.exceptions import AppError

    chat, *_ = _ask(client, "公务接待费是多少", year="去年")
    assert "不是有效的年份" in _last_reply(chat)
    with pytest.raises(AppError) as err:
        client.predict("no-such-doc|3", api_name="/show_page")
    assert "已从索引中移除" in str(err.value) and "Traceback" not in str(err.value)
    with pytest.raises(AppError) as err:
        client.predict(None, "全部", "全部", "全部", api_name="/remove")
    assert "请先在列表中选择" in str(err.value)


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

    chat, figures, sources, _ = _ask(client, "北京市审计局2026年三公经费为什么增加")
    reply = _last_reply(chat)
    assert "车辆达到报废年限" in reply and "16.03" in reply
    assert "<mark>16.03</mark>" in sources
    # the unit filter scopes an unnamed question
    chat, *_ = _ask(client, "三公经费为何增加", unit="北京市审计局")
    assert "车辆达到报废年限" in _last_reply(chat)
    # conversation memory: a follow-up keeps the unit of the previous question (gr.State → ask(context=…))
    chat, *_ = _ask(client, "北京市审计局2026年三公经费为什么增加")
    chat, *_ = _ask(client, "那上年呢？", chat)
    follow = _last_reply(chat)
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

def _ask_in_page(page, question: str, expect: str, timeout: int = 30_000) -> None:
    page.fill("#qa-question textarea", question)
    page.click("#qa-send")
    page.locator("#qa-chat").get_by_text(expect).first.wait_for(timeout=timeout)


def test_browser(server, tmp_path):
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} not found: install it with `apt-get install -y chromium` (make test does, via `make browser`)")
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    fake = tmp_path / "假的预算.pdf"
    fake.write_text("not a pdf at all", encoding="utf-8")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            # laptop
            page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="zh-CN")
            page.set_default_timeout(30_000)
            page.goto(server["url"])
            page.wait_for_selector("#qa-question textarea")
            _ask_in_page(page, "三公经费为何增加", "公务接待费减少")
            chat = page.locator("#qa-chat")
            expect(chat).to_contain_text("10.00")
            expect(page.locator("#qa-figures")).to_contain_text("10.00")
            expect(page.locator("#qa-sources mark").first).to_be_visible()
            page.click("#qa-show-page")
            img = page.locator("#qa-page-image img").first
            img.wait_for(state="visible")
            page.wait_for_function(
                "() => { const i = document.querySelector('#qa-page-image img'); return i && i.complete && i.naturalWidth > 300; }")
            page.screenshot(path=str(ARTIFACTS / "laptop_answer.png"), full_page=True)

            # an example question is one click
            page.get_by_role("button", name="公务接待费是多少", exact=True).click()
            chat.get_by_text("为2.00万元").first.wait_for()

            # upload a real PDF, then ask about its unit
            page.set_input_files("#qa-upload input[type=file]", str(BJ))
            report = page.locator("#qa-upload-report")
            expect(report).to_contain_text(BJ.name, timeout=90_000)
            expect(report).to_contain_text("成功")
            expect(page.locator("#qa-docs")).to_contain_text("北京市审计局")
            _ask_in_page(page, "北京市审计局2026年三公经费为什么增加", "车辆达到报废年限")
            expect(chat).to_contain_text("16.03")

            # a non-PDF is named, with its reason, and nothing else breaks
            page.set_input_files("#qa-upload input[type=file]", str(fake))
            expect(report).to_contain_text(fake.name, timeout=30_000)
            expect(report).to_contain_text("不是有效的 PDF")
            report.scroll_into_view_if_needed()
            page.screenshot(path=str(ARTIFACTS / "laptop_upload.png"), full_page=True)
            page.close()

            # phone
            phone = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True,
                                     has_touch=True)
            phone.set_default_timeout(30_000)
            phone.goto(server["url"])
            phone.wait_for_selector("#qa-question textarea")
            _ask_in_page(phone, "三公经费为何增加", "公务接待费减少")
            phone.click("#qa-show-page")
            phone.wait_for_function(
                "() => { const i = document.querySelector('#qa-page-image img'); return i && i.complete && i.naturalWidth > 300; }")
            width = phone.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, f"the page is {width}px wide on a 390px phone (sideways scrolling)"
            phone.screenshot(path=str(ARTIFACTS / "phone_answer.png"), full_page=True)
            phone.screenshot(path=str(ARTIFACTS / "phone_top.png"))
            phone.close()
        finally:
            browser.close()
    log = server["log"].read_text(errors="replace")
    assert "Traceback" not in log, log[-3000:]
