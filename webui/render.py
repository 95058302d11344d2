"""Answers, figures, sources and documents → safe HTML or Markdown. Pure functions: no Gradio, no I/O."""
from __future__ import annotations

import html
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path

from qa.model import FailReason

MAX_UPLOAD_MB = 100
FIGURE_HEADERS = ["项目", "数值", "单位", "表名", "页码", "文件"]
DOC_HEADERS = ["单位", "年度", "类型", "页数", "表格", "勾稽问题", "文件"]
PENDING = "正在查找原文……"

# Why a file could not be indexed (IngestResult.reason and the page's own upload checks), in Chinese.
REASONS: dict[str, str] = {
    FailReason.NOT_PDF: "不是有效的 PDF 文件（文件内容没有 %PDF 文件头），请上传 PDF 格式的公开文件",
    FailReason.EMPTY: "文件是空的（0 字节）",
    FailReason.TOO_LARGE: f"文件超过 {MAX_UPLOAD_MB} MB 的上限",
    FailReason.ENCRYPTED: "PDF 已加密，需要密码才能打开，无法读取",
    FailReason.CORRUPT: "PDF 文件已损坏，无法读取",
    FailReason.SCANNED: "这是扫描版 PDF（页面是图片，没有文字层），暂不支持；请上传可以复制文字的 PDF",
    FailReason.GARBLED: "PDF 的文字层是乱码（字体编码缺失），无法识别其中的文字",
    FailReason.NO_TEXT: "页面是图片，文字识别（OCR）也没有读出文字，请上传清晰的扫描件或可以复制文字的 PDF",
    FailReason.NO_PAGES: "PDF 中没有页面",
    FailReason.MISSING: "找不到上传的文件，请重新上传",
    FailReason.UNREADABLE: "文件无法读取，请重新上传",
    FailReason.PARSE_ERROR: "无法解析该 PDF 的版面",
    FailReason.PARSE_CRASH: "解析该 PDF 时进程异常退出（文件可能有问题），其余文件不受影响",
    FailReason.STORE_ERROR: "写入索引时出错，请稍后重试",
}
assert set(REASONS) == set(FailReason), "every reason a file can fail for is said in Chinese"


def esc(value) -> str:
    """Document text → safe HTML text."""
    return html.escape("" if value is None else str(value), quote=True)


_MD_SPECIAL = re.compile(r"([\\`*_\[\]{}#|~>!])")


def md_text(value) -> str:
    """Document text → safe Markdown: HTML-escaped, Markdown punctuation backslash-escaped."""
    return _MD_SPECIAL.sub(r"\\\1", esc(value))


def number_pattern(raws) -> re.Pattern | None:
    """Match any of the printed numbers as a whole number (8.00 must not match inside 18.00)."""
    alts = sorted({r.strip() for r in raws if r and r.strip()}, key=len, reverse=True)
    if not alts:
        return None
    return re.compile(r"(?<![\d.,])(?:" + "|".join(map(re.escape, alts)) + r")(?![\d]|[.,]\d)")


def highlight(text: str, pattern: re.Pattern | None) -> str:
    """Escape text and wrap the matched figures in <mark>."""
    if pattern is None:
        return esc(text)
    out, last = [], 0
    for m in pattern.finditer(text):
        out.append(esc(text[last : m.start()]))
        out.append(f"<mark>{esc(m.group(0))}</mark>")
        last = m.end()
    out.append(esc(text[last:]))
    return "".join(out)


def passage_body(text: str) -> str:
    """A chunk's passage without its first line (unit · year · heading), which the card shows anyway."""
    text = (text or "").strip()
    head, sep, body = text.partition("\n")
    return body.strip() if sep and "·" in head and body.strip() else text


_PIECE = re.compile(r"[^。；;！？!?\n]+[。；;！？!?]?")


def excerpt(body: str, pattern: re.Pattern | None, limit: int = 260) -> tuple[str, bool]:
    """The passage, or for a long one the sentences holding the matched figures. Returns (text, shortened)."""
    if len(body) <= limit:
        return body, False
    pieces = [m.group(0).strip() for m in _PIECE.finditer(body) if m.group(0).strip()]
    hits = [p for p in pieces if pattern and pattern.search(p)]
    if hits:
        out, size = [], 0
        for p in hits:
            if out and size + len(p) > limit * 1.6:
                break
            out.append(p)
            size += len(p)
        return " … ".join(out) + " …", True
    return body[:limit].rstrip() + " …", True


def heading_tail(section: str | None) -> str:
    return (section or "").split(" › ")[-1].strip()


def where(source) -> str:
    """表名 for a table passage, else the section heading."""
    return source.table or heading_tail(source.section) or "正文"


# --- figures ----------------------------------------------------------------------------------------------

def shown_value(raw: str) -> str:
    """A figure as printed; a computed one (derived, converted) without trailing float noise: 1.030900 → 1.0309."""
    if "." not in raw or len(raw.rsplit(".", 1)[1]) <= 2:
        return raw
    try:
        value = Decimal(raw.replace(",", ""))
    except InvalidOperation:
        return raw
    text = f"{value:f}".rstrip("0").rstrip(".")
    whole, _, frac = text.partition(".")
    return f"{whole}.{frac:0<2}"


def _dedupe_words(label: str) -> str:
    """"公务用车运行维护费 公务用车运行维护费" (a label printed in two merged cells) → once."""
    return " ".join(dict.fromkeys(label.split()))


_AMOUNT = re.compile(r"(?<![\d.,])(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+\.\d+|\d+)(?=\s*(?:万元|亿元|千元|元|%|％))")
_LEAD_PUNCT = re.compile(r"^[，,：:、；;\s]+|^其中[：:]?")
_RELATIONAL = re.compile(r"^(与|比|较|增|减|占|下降|上升|其中)")


def prose_subject(context: str, label: str, heading: str, unit_name: str | None = None) -> str:
    """What a number printed in a sentence is about: the sentence's opening words before its first amount
    ("公务接待费2.00万元，与上年相比…减少8.00万元" → 公务接待费), else the heading it stands under."""
    first = _AMOUNT.search(context or "")
    head = (context or "")[: first.start() if first else 0]
    head = re.sub(r"20\d\d年度?", "", head.replace(unit_name or "\0", ""))  # the year and unit have columns of their own
    head = _LEAD_PUNCT.sub("", head).strip("，,：:；; ")
    if head and head not in label and label not in head:
        return head[:24]
    # "与上年相比预算数增加18.00万元": the sentence names no subject of its own; its heading does
    return re.sub(r"^[一二三四五六七八九十]+、", "", heading) if _RELATIONAL.match(label) else ""


def figure_label(f, section: str = "") -> str:
    """Every row says what it is: 行 › 栏 for a table cell; the subject › the words before the number for prose."""
    label = _dedupe_words(f.label.strip())
    if f.table:
        parts = [p for p in (f.column or "").split("/") if p and p != label]
        return f"{label} › {'/'.join(parts)}" if parts else label
    subject = prose_subject(f.context, label, section, f.unit_name)
    return f"{subject} › {label}" if subject else label


def figure_rows(figures, sources=(), limit: int = 12) -> list[list]:
    """项目, 数值, 单位, 表名, 页码, 文件 — one row per distinct figure, most relevant first."""
    sections = {(s.doc_id, s.page): heading_tail(s.section) for s in sources if not s.table and s.section}
    rows, seen = [], set()
    for f in figures:
        label = figure_label(f, sections.get((f.doc_id, f.page), ""))
        key = (label, f.raw, f.page, f.doc)
        if key in seen:
            continue
        seen.add(key)
        table = f.table or (f"正文：{sections[(f.doc_id, f.page)]}" if (f.doc_id, f.page) in sections else "正文")
        rows.append([label, shown_value(f.raw), f.unit or "", table, f.page, f.doc])
        if len(rows) >= limit:
            break
    return rows




def matched_figures(figures, answer: str = "", top: int = 3) -> list:
    """The figures the answer states (by their printed number); else the most relevant few."""
    said = [f for f in figures if (p := number_pattern([f.raw])) and p.search(answer or "")]
    return said or list(figures[:top])


def figures_html(rows) -> str:
    """The figures as an HTML table (项目, 数值, 单位, 表名, 页码, 文件); scrolls sideways on a narrow screen."""
    if not rows:
        return '<div class="qa-empty">提问后，这里列出答案用到的数字：项目（行 › 栏）、数值、单位、表名、页码和文件。</div>'
    head = "".join(f"<th>{esc(h)}</th>" for h in FIGURE_HEADERS)
    body = "".join(
        "<tr>" + "".join(f'<td class="qa-c{i}">{esc(v)}</td>' for i, v in enumerate(row)) + "</tr>" for row in rows
    )
    return f'<div class="qa-figtable"><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'


# --- the answer in the chat ---------------------------------------------------------------------------------

_CITED_PAGE = re.compile(r"第(\d+)页[）)]?")


def cite(answer: str, sources) -> str:
    """The answer as Markdown with a numbered marker after each page it cites, linking to that source:
    "…第22页）写道" → "…第22页）[2]写道"."""
    pages = {}
    for i, s in enumerate(sources, 1):
        pages.setdefault(int(s.page), i)
    out, last = [], 0
    for m in _CITED_PAGE.finditer(answer or ""):
        out.append(md_text(answer[last : m.end()]))
        if (n := pages.get(int(m.group(1)))) is not None:
            out.append(f'<a class="qa-cite" href="#qa-src-{n}">[{n}]</a>')
        last = m.end()
    out.append(md_text((answer or "")[last:]))
    return "".join(out)


def warnings_block(warnings) -> str:
    """Consistency findings involving a cited figure: each once, folded under one line."""
    unique = list(dict.fromkeys(warnings or []))
    if not unique:
        return ""
    items = "".join(f"<li>{esc(w)}</li>" for w in unique)
    return (f'<details class="qa-warn"><summary>⚠ 勾稽提示：本答案用到的数字在原文中有 {len(unique)} 处不一致'
            f"（点击展开）</summary><ul>{items}</ul></details>")


def reply_markdown(ans) -> str:
    """The assistant's chat message: the answer with citation markers, its warnings folded, a short footer."""
    text = cite(ans.answer, ans.sources)
    if block := warnings_block(ans.warnings):
        text += "\n\n" + block
    if ans.found and ans.sources:
        marks = " ".join(f'<a class="qa-cite" href="#qa-src-{i}">[{i}]</a>'
                         for i in range(1, len(ans.sources) + 1))
        text += (f'\n\n<span class="qa-foot">来源 {marks} · “原文证据”中已标出引用位置 · '
                 f"用时 {ans.elapsed_ms / 1000:.1f} 秒</span>")
    elif not ans.found:
        text += '\n\n<span class="qa-foot">没有您要的文件？可在下方<a href="#qa-upload" class="qa-to-upload">“文件管理”上传 PDF</a>后再问。</span>'
    return text


# --- sources ------------------------------------------------------------------------------------------------

def sources_html(sources, figures, kinds: dict | None = None, answer: str = "") -> str:
    """Numbered source cards (#qa-src-N): unit, year, kind, 表名/章节, page, file, the passage with its figures marked."""
    if not sources:
        return '<div class="qa-empty">提问后，这里按相关度列出原文出处，并标出答案中的数字。</div>'
    kinds = kinds or {}
    marked = matched_figures(figures, answer)
    # amounts the answer prints (its quotes included); bare integers (6万元) would mark page and item numbers
    stated = [a for a in _AMOUNT.findall(answer or "") if "." in a or "," in a]
    cards = []
    for i, s in enumerate(sources, 1):
        same_doc = (lambda f: f.doc_id == s.doc_id) if s.doc_id else (lambda f: f.doc == s.doc)
        pattern = number_pattern(stated + [f.raw for f in marked if same_doc(f) and f.page == s.page])
        body = passage_body(s.text)
        short, cut = excerpt(body, pattern)
        meta = [esc(s.unit) if s.unit else "", f"{s.year}年" if s.year else "", esc(kinds.get(s.doc_id, "")),
                f"第{int(s.page)}页"]
        head = " · ".join(x for x in meta if x)
        place = f"表：{esc(s.table)}" if s.table else f"章节：{esc(s.section or '正文')}"
        full = (f"<details><summary>展开全文</summary><div class=\"qa-src-text\">{highlight(body, pattern)}</div></details>"
                if cut else "")
        cards.append(
            f'<div class="qa-src" id="qa-src-{i}"><div class="qa-src-head"><span class="qa-rank">[{i}]</span>'
            f'{head}</div><div class="qa-src-meta">{place}<br>文件：{esc(s.doc)}</div>'
            f'<div class="qa-src-text">{highlight(short, pattern)}</div>{full}</div>'
        )
    return '<div class="qa-sources">' + "".join(cards) + "</div>"


def source_choices(sources) -> list[tuple[str, int]]:
    """The viewer's source switcher: ("[1] 第22页 · 表名", index), in rank order."""
    out = []
    for i, s in enumerate(sources, 1):
        name = where(s)
        name = name if len(name) <= 14 else name[:13] + "…"
        out.append((f"[{i}] 第{int(s.page)}页 · {name}", i - 1))
    return out


# --- documents ----------------------------------------------------------------------------------------------

def doc_rows(docs) -> list[list]:
    return [[d.unit or "（未识别）", d.year or "", d.kind or "", d.pages, d.tables, len(d.findings), d.file] for d in docs]


def finding_item(doc_id: str, n: int, finding: dict) -> str:
    """One finding as a list item: a link that shows its page in the viewer (the page's script sends doc and n);
    a finding about the whole document (a table or section missing) has no page to show."""
    pages = finding.get("pages") or []
    text = esc(finding["message"])
    if not pages:
        return f"<li>全文 · {text}</li>"
    return (f'<li><a class="qa-finding" href="#qa-evidence" data-doc="{esc(doc_id)}" data-n="{n}">'
            f"第{'、'.join(map(str, pages))}页 · {text}</a></li>")


def findings_html(docs) -> str:
    """Each document's consistency findings (勾稽校验), folded per document, each linked to its page."""
    parts = []
    for d in docs:
        if not d.findings:
            continue
        items = "".join(finding_item(d.id, n, f) for n, f in enumerate(d.findings))
        parts.append(f"<details><summary>{esc(d.unit or d.file)} {d.year or ''} · {len(d.findings)} 处</summary><ul>{items}</ul></details>")
    return "".join(parts) or "<p>已收录文件未发现勾稽问题。</p>"


def check_upload(path: Path) -> FailReason | None:
    """A reason the upload cannot be a PDF we index (by size and content, never by name), else None."""
    try:
        size = path.stat().st_size
        if size == 0:
            return FailReason.EMPTY
        if size > MAX_UPLOAD_MB * 1024 * 1024:
            return FailReason.TOO_LARGE
        with path.open("rb") as fh:
            head = fh.read(1024)
    except OSError:
        return FailReason.UNREADABLE
    return None if b"%PDF-" in head else FailReason.NOT_PDF


def safe_name(name: str) -> str:
    """A file name fit to store: no folders, no control characters."""
    name = Path(str(name).replace("\\", "/")).name
    name = re.sub(r"[\x00-\x1f/:*?\"<>|]", "_", name).strip(" .") or "upload.pdf"
    return name[:150]
