"""Document → Chunks: self-contained passages for sections, table rows and form field groups.

Every chunk repeats who/when/which table, so a row read alone still says what it is
(the header-in-every-row practice of table-aware RAG).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from .model import BBox, Cell, Chunk, ChunkType, Document, Paragraph, Row, Section, Statement, Table, union
from .numbers import is_blank, is_number
from .parse.statements import read_text_statements
from .prose import PROSE_NUMBER

_SENTENCE_END = re.compile(r"(?<=[。；！？!?])")
_CLAUSE_END = re.compile(r"(?<=[，、：])|(?<=,)(?!\d)")  # not the thousands comma of "7,331.92"


@dataclass(frozen=True)
class ChunkSettings:
    # Well inside multilingual-e5-small's 512 tokens: CJK text costs about one token a character.
    max_chars: int = 360
    fields_per_form_chunk: int = 8


def doc_context(doc: Document) -> str:
    """'山西省阳泉第二监狱 2026年 单位预算' — the words that tie a chunk to its document."""
    kind = f"{doc.scope or ''}{doc.kind or ''}"
    year = f"{doc.year}年" if doc.year else ""
    return " ".join(x for x in (doc.unit or doc.title, year, kind) if x)


def split_sentences(text: str, max_chars: int) -> list[str]:
    """Sentences, and clauses of over-long sentences; boundaries are punctuation, so never mid-number."""
    out: list[str] = []
    for sentence in filter(None, _SENTENCE_END.split(text)):
        if len(sentence) <= max_chars:
            out.append(sentence)
            continue
        piece = ""
        for clause in filter(None, _CLAUSE_END.split(sentence)):
            if piece and len(piece) + len(clause) > max_chars:
                out.append(piece)
                piece = ""
            piece += clause
        if piece:
            out.append(piece)
    return out


def _page_pieces(para: Paragraph, max_chars: int) -> list[tuple[str, int, int]]:
    """(sentence or clause, page, offset in the paragraph); a sentence broken by a page break is cut at the
    clause boundary nearest the break, so each part is cited at the page it is printed on."""
    out: list[tuple[str, int, int]] = []
    start = 0
    for sentence in split_sentences(para.text, max_chars):
        end = start + len(sentence)
        cut = next((b - start for b, _ in para.page_starts if start < b < end), None)
        if cut is not None:
            bounds = [m.end() for m in _CLAUSE_END.finditer(sentence) if 0 < m.end() < len(sentence)]
            cut = min(bounds, key=lambda x: abs(x - cut), default=None)
        parts = [sentence[:cut], sentence[cut:]] if cut else [sentence]
        for part in parts:
            out.append((part, para.page_of(start, start + len(part)), start))
            start += len(part)
    return out


@dataclass
class _Piece:
    """A section passage being built: its text, page, the (offset, box) of the printed lines it holds and the
    (paragraph index, start, end) spans of the section's paragraphs it is made of."""

    body: str = ""
    page: int = 0
    lines: list[tuple[int, BBox]] = field(default_factory=list)
    spans: list[tuple[int, int, int]] = field(default_factory=list)

    def add(self, text: str, para: Paragraph, index: int, start: int) -> None:
        at = len(self.body)
        self.lines += [(at + off, box) for off, box in para.boxes_in(start, start + len(text), self.page)]
        self.spans.append((index, start, start + len(text)))
        self.body += text

    def lines_kept(self) -> list[tuple[int, BBox]]:
        """The line boxes with offsets in the stripped body."""
        lead = len(self.body) - len(self.body.lstrip())
        seen: dict[BBox, int] = {}  # a line holding two sentences is listed once, at its first offset
        for off, box in self.lines:
            seen.setdefault(box, max(0, off - lead))
        return sorted(((off, box) for box, off in seen.items()))

    def statements(self, sec: Section) -> list[Statement]:
        """The section's statements this passage holds (in part), each with the figures printed inside it."""
        out = []
        for st in sec.statements:
            spans = [(a, b) for index, a, b in self.spans if index == st.paragraph]
            if not any(a < st.start + len(st.text) and st.start < b for a, b in spans):
                continue
            figures = [f for f in st.figures if any(a <= st.start + f.at < b for a, b in spans)]
            out.append(st if len(figures) == len(st.figures) else replace(st, figures=figures))
        return out


def _section_pieces(sec: Section, s: ChunkSettings) -> list[_Piece]:
    """A section's passages; a passage is cited at one page, so it ends where the page does."""
    pieces = []
    piece = _Piece()
    for index, para in enumerate(sec.paragraphs):
        for text, text_page, start in _page_pieces(para, s.max_chars):
            if piece.body and (len(piece.body) + len(text) > s.max_chars or text_page != piece.page):
                pieces.append(piece)
                piece = _Piece()
            if not piece.body:
                piece.page = text_page
            piece.add(text, para, index, start)
        piece.body += "\n"
    if piece.body.strip():
        pieces.append(piece)
    return pieces


def row_text(row: Row, unit: str | None, cells: list[Cell] | None = None) -> str:
    """'30205 水费：一般公共预算基本支出/合计 750,000元；…' — its label path, then its cells (``cells``: some of them)."""
    label = row.path or "合计"
    cells = row.cells if cells is None else cells
    if not cells:
        return f"{label}：无数值（空白）"
    parts = [f"{c.header or '金额'} {c.raw}{unit or '' if c.value is not None else ''}" for c in cells]
    return f"{label}：" + "；".join(parts)


def prints_something(cell: Cell) -> bool:
    """A cell printing an amount other than 0, or words; not a blank, a dash or a zero."""
    return cell.value != 0 if cell.value is not None else not is_blank(cell.raw)


def table_caption(table: Table) -> str:
    bits = [x for x in (table.number, f"单位：{table.unit}" if table.unit else None) if x]
    return f"{table.title}（{'，'.join(bits)}）" if bits else table.title


def chunk_document(doc: Document, settings: ChunkSettings | None = None, id_prefix: str | None = None) -> list[Chunk]:
    """Chunks with ids "{id_prefix}:{n}" (the prefix defaults to the document id)."""
    s = settings or ChunkSettings()
    prefix = id_prefix or doc.id
    ctx = doc_context(doc)
    chunks: list[Chunk] = []

    def add(text: str, type_: str, page: int, **kw) -> None:
        chunks.append(
            Chunk(
                id=f"{prefix}:{len(chunks):05d}", doc_id=doc.id, text=text, type=type_, page=page,
                file=doc.file, unit=doc.unit, year=doc.year, kind=doc.kind, ocr_confidence=doc.ocr_pages.get(page), **kw,
            )
        )

    for sec in doc.sections:
        for piece in _section_pieces(sec, s):
            head = f"{ctx} · {sec.heading}" if sec.heading else ctx
            lines = piece.lines_kept()
            add(f"{head}\n{piece.body.strip()}", ChunkType.SECTION, piece.page, section=sec.heading or None,
                path=sec.path, lines=lines, bbox=union(box for _, box in lines), statements=piece.statements(sec),
                member=sec.member)
    for table in doc.tables:
        caption = table_caption(table)
        if table.is_form:
            _form_chunks(table, ctx, caption, s, add, doc.year)
            continue
        if table.empty and not any(r.cells for r in table.rows):
            note = "；".join(table.notes) or "本表无数据"
            add(f"{ctx} · {caption}\n{note}", ChunkType.ROW, table.page, table=table.title, table_unit=table.unit)
            continue
        for row in table.rows:
            text = f"{ctx} · {caption}\n{row_text(row, table.unit)}"
            # embedded without the cells that print nothing: a 支出总表 row is mostly zeros under long headers, which
            # cost the embedding 30% of its tokens (the attention half its work) and say nothing a question asks by
            dense = f"{ctx} · {caption}\n{row_text(row, table.unit, [c for c in row.cells if prints_something(c)])}"
            add(
                text, ChunkType.ROW, row.page, dense_text=dense if dense != text else None,
                table=table.title, row_label=row.path or "合计", table_unit=table.unit, cells=row.cells, bbox=row.bbox,
                path=[*row.parents, row.label], member=row.member, code=row.code,
                statements=_text_statements([(c.header, c.raw) for c in row.cells if c.value is None], row.page,
                                            row.label, doc.year),
            )
    return chunks


def _text_statements(texts: list[tuple[str, str]], page: int, row: str | None, year: int | None) -> list[Statement]:
    """The figures printed inside a row's text cells or a form's text fields ((column or field, text)): a 绩效目标's
    "举办1个学习班", an indicator's "不低于95%" — read as prose at parse, under the row's and the column's names."""
    return [st for name, text in texts if PROSE_NUMBER.search(text)
            for st in read_text_statements(text, page, row, name, year)]


def _form_chunks(table: Table, ctx: str, caption: str, s: ChunkSettings, add, year: int | None) -> None:
    project = next((f.value for f in table.fields if "项目名称" in f.label), None)
    head = f"{ctx} · {caption}" + (f" · 项目名称：{project}" if project else "")
    fields = [f for f in table.fields if "项目名称" not in f.label]
    for i in range(0, len(fields), s.fields_per_form_chunk):
        group = fields[i : i + s.fields_per_form_chunk]
        body = "；".join(f"{f.label}：{f.value}" for f in group)
        add(f"{head}\n{body}", ChunkType.FORM, group[0].page, table=table.title, row_label=project, table_unit=table.unit,
            bbox=union(f.bbox for f in group if f.page == group[0].page), fields=group,
            statements=_text_statements([(f.label, f.value) for f in group if not is_number(f.value)], group[0].page,
                                        project, year))
