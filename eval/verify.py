#!/usr/bin/env python3
"""Verify the eval questions against the PDFs of the evaluation corpus.

Files: eval/questions.jsonl (the original 523 questions) and every eval/questions/*.jsonl
(format: eval/QUESTIONS.md), or only the files given with --questions.

For every answerable question with a page: extract that page with pdfplumber,
remove all whitespace (and also try with thousands separators removed) and check
that the evidence and expected.value occur on it, and the answer_contains phrases.
Page text is cached on disk under eval/.cache/pages/ (keyed by file size and mtime).

eval/questions.jsonl keeps its own checks: per-type minimum counts, figure topics and
三公 coverage, the small-corpus flags, that questions name their unit (and year where
the corpus has two years of that unit), and that the units / years of unanswerable
questions are really absent from the corpus `qa eval` indexes (first two pages of every
document of corpus.txt and of every question file).

Files under eval/questions/: the schema of eval/QUESTIONS.md, ids unique across all
files, every doc listed in eval/split.tsv, `follows` naming an earlier question of the
same file, and for absent_item the item printed on no page of its document.

Prints counts by file, type and split, and the minimums of the whole set (issue
"Answer engine v2") as met / not met.

Usage: python eval/verify.py [--questions FILE [FILE ...]] [--deep] [--strict]
  --deep    additionally scan the full text of every corpus.txt document for the
            absent unit names of eval/questions.jsonl (slow the first time).
  --strict  also exit 1 when a minimum of the whole set is not met.
Exit status 1 on any failed question (or file-level check).
"""
import argparse
import glob
import json
import logging
import os
import re
import sys
import zlib
from collections import Counter, defaultdict

import pdfplumber

logging.getLogger('pdfminer').setLevel(logging.ERROR)

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS_ROOT = os.environ.get('QA_CORPUS_ROOT', '/work/shared/corpus')
QUESTIONS = os.path.join(HERE, 'questions.jsonl')
QUESTIONS_DIR = os.path.join(HERE, 'questions')
SPLIT = os.path.join(HERE, 'split.tsv')
PAGE_CACHE = os.path.join(HERE, '.cache', 'pages')
CORPUS = os.path.join(HERE, 'corpus.txt')
CORPUS_SMALL = os.path.join(HERE, 'corpus_small.txt')

TYPES_MIN = {
    'figure': 110, 'reason': 20, 'change': 15, 'share': 8, 'count': 6,
    'definition': 8, 'paraphrase': 20, 'multi_doc': 20, 'unanswerable': 25,
    'compare': 10, 'derived': 20,
}
COMPUTED = {'compare', 'derived'}  # expected = op(inputs); each input is checked on its own page
TOTAL_MIN = 230
EVIDENCE_MAX = 40
UNITS = {'万元', '元', '%', '个', '人', '辆', '台', '项', '次', '台（套）'}
# figure questions must cover every standard table type (field "topic")
FIGURE_TOPICS = ['收支总表', '收入总表', '支出总表', '财政拨款收支总表', '一般公共预算支出表',
                 '基本支出经济科目', '三公经费', '机关运行经费', '政府采购', '政府性基金',
                 '国有资本经营', '项目支出', '绩效目标表']
# ...and every 三公 item (matched against expected.label)
SANGONG_LABELS = {
    '因公出国（境）费': re.compile(r'因公出国'),
    '公务接待费': re.compile(r'^公务接待费$'),
    '公务用车购置及运行费': re.compile(r'^公务用车购置及运行(维护)?费'),
    '公务用车购置费': re.compile(r'^公务用车购置费$'),
    '公务用车运行（维护）费': re.compile(r'^公务用车运行(维护)?费$'),
    '“三公”经费合计': re.compile(r'“三公”经费(合计|小计)'),
}
# A question answerable from a document must name the unit (any alias) and,
# where the corpus holds two years of the same unit, the year.
UNIT_ALIASES = {
    'fixtures/yangquan2_2026_budget.pdf': ['阳泉第二监狱'],
    'fixtures/yangquan2_2025_budget.pdf': ['阳泉第二监狱'],
    'fixtures/taiyuan1_2026_budget.pdf': ['太原第一监狱'],
    'real/bj_audit-bureau_2026_dept-budget-tables.pdf': ['北京市审计局'],
    'real/bj_audit-bureau_2026_dept-budget-text.pdf': ['北京市审计局'],
    'real/central_natl-petition-bureau_2026_dept-budget.pdf': ['国家信访局'],
    'real/changsha_petition-bureau_2026_dept-budget.pdf': ['长沙市信访局'],
    'real/gz_gov-office_2026_dept-budget.pdf': ['广州市人民政府办公厅', '广州市政府办公厅'],
    'real/hangzhou_justice-bureau_2026_dept-budget.pdf': ['杭州市司法局'],
    'real/sh-putuo_justice-bureau_2026_dept-budget.pdf': ['普陀区司法局'],
    'real/sz_finance-bureau_2026_dept-budget.pdf': ['深圳市财政局'],
    'real/js_party-cttee-office_2019_dept-budget-tables.pdf': ['江苏省委办公厅'],
    'real/js_party-cttee-office_2019_dept-budget-text.pdf': ['江苏省委办公厅'],
    'real/xian_health-commission_2022_dept-final.pdf': ['西安市卫生健康委员会', '西安市卫健委'],
    'scale/rw-上海-12.pdf': ['上海市审计局'],
    'scale/rw-重庆-03.pdf': ['重庆市气象局'],
    'scale/rw-深圳-14.pdf': ['深圳市审计局'],
}
YEAR_REQUIRED = {
    'fixtures/yangquan2_2026_budget.pdf': '2026',
    'fixtures/yangquan2_2025_budget.pdf': '2025',
}

WS = re.compile(r'\s+')
SEP = re.compile(r'(?<=\d),(?=\d{3}(?!\d))')


def ws(s):
    return WS.sub('', s or '')


def nosep(s):
    prev = None
    while prev != s:
        prev, s = s, SEP.sub('', s)
    return s


def variants(s):
    """whitespace-removed text, with and without thousands separators"""
    return {ws(s), ws(nosep(s))}


class Pdfs:
    """Page text of corpus PDFs, cached in memory and on disk (eval/.cache/pages/<doc>.json)."""

    def __init__(self):
        self.docs = {}  # rel -> {'key': size-mtime, 'n': page count, 'pages': {'1': text}}
        self.open = {}
        self.dirty = set()

    def _pdf(self, rel):
        if rel not in self.open:
            self.open[rel] = pdfplumber.open(os.path.join(CORPUS_ROOT, rel))
        return self.open[rel]

    def _cache_file(self, rel):
        return os.path.join(PAGE_CACHE, rel.replace('/', '__') + '.json')

    def _doc(self, rel):
        if rel not in self.docs:
            st = os.stat(os.path.join(CORPUS_ROOT, rel))
            key = f'{st.st_size}-{int(st.st_mtime)}'
            try:
                with open(self._cache_file(rel), encoding='utf-8') as fh:
                    d = json.load(fh)
            except (OSError, ValueError):
                d = None
            if not d or d.get('key') != key:
                d = {'key': key, 'n': len(self._pdf(rel).pages), 'pages': {}}
                self.dirty.add(rel)
            self.docs[rel] = d
        return self.docs[rel]

    def page(self, rel, n):
        d = self._doc(rel)
        if not 1 <= n <= d['n']:
            return None
        if str(n) not in d['pages']:
            p = self._pdf(rel).pages[n - 1]
            d['pages'][str(n)] = p.extract_text() or ''
            p.close()  # drop pdfplumber's per-page object cache
            self.dirty.add(rel)
        return d['pages'][str(n)]

    def count(self, rel):
        return self._doc(rel)['n']

    def full_text(self, rel):
        return ''.join(self.page(rel, i) or '' for i in range(1, self.count(rel) + 1))

    def save(self):
        os.makedirs(PAGE_CACHE, exist_ok=True)
        for rel in self.dirty:
            tmp = self._cache_file(rel) + '.tmp'
            with open(tmp, 'w', encoding='utf-8') as fh:
                json.dump(self.docs[rel], fh, ensure_ascii=False)
            os.replace(tmp, self._cache_file(rel))
        self.dirty.clear()

    def close(self):
        self.save()
        for p in self.open.values():
            p.close()


def check_computed(q, pdfs, fail):
    """A comparison or derived figure: every input printed on its page, the expected value their op."""
    from decimal import Decimal
    ins = q.get('inputs') or []
    if not ins:
        fail(q['id'], 'computed question without inputs')
        return
    for i in ins:
        text = pdfs.page(i['doc'], i['page']) or ''
        pv = variants(text)
        if not any(e in p for e in variants(i['evidence']) for p in pv) or not any(i['value'] in p for p in pv):
            fail(q['id'], f"input {i['value']} / {i['evidence']!r} not on {i['doc']} p{i['page']}")
    vals = [Decimal(i['value']) for i in ins]
    op = q.get('op')
    if op == 'difference':
        want = vals[0] - vals[1]
    elif op == 'sum':
        want = sum(vals, Decimal(0))
    elif op == 'share':
        want = (vals[0] / vals[1] * 100).quantize(Decimal('0.01'))
    elif op == 'previous':  # the evidence says whether the stated change is a rise or a fall
        want = vals[0] - vals[1] if re.search(r'增加|增长|上升', ins[1]['evidence']) else vals[0] + vals[1]
    else:
        fail(q['id'], f'unknown op {op!r}')
        return
    if Decimal(q['expected']['value']) != want:
        fail(q['id'], f"expected {q['expected']['value']} but {op} of inputs is {want}")


def read_list(path):
    return [l.strip() for l in open(path, encoding='utf-8') if l.strip() and not l.startswith('#')]


def check_original(qs, pdfs, fail, warns, deep, eval_first2):
    """The checks of eval/questions.jsonl (523 questions over eval/corpus.txt, written before the split); its absent
    units must be absent from every document `qa eval` indexes (eval_first2)."""
    corpus = read_list(CORPUS)
    small = read_list(CORPUS_SMALL)
    for rel in corpus:
        if not os.path.exists(os.path.join(CORPUS_ROOT, rel)):
            fail('corpus.txt', f'missing file {rel}')
    for rel in small:
        if rel not in corpus:
            fail('corpus_small.txt', f'{rel} not in corpus.txt')

    # ---------------------------------------------------------------- schema
    types = Counter()
    topics = Counter()
    sangong = Counter()
    for q in qs:
        qid = q.get('id', '?')
        for k in ('id', 'question', 'type', 'docs', 'found', 'expected', 'page', 'evidence', 'small'):
            if k not in q:
                fail(qid, f'missing key {k}')
        t = q.get('type')
        if t not in TYPES_MIN:
            fail(qid, f'unknown type {t!r}')
            continue
        types[t] += 1
        docs = q.get('docs') or []
        for d in docs:
            if d not in corpus:
                fail(qid, f'doc {d} not in corpus.txt')
        if t == 'unanswerable':
            if q.get('found') is not False or docs or q.get('expected') is not None or q.get('page') is not None:
                fail(qid, 'unanswerable must have found=false, docs=[], expected=null, page=null')
            if q.get('small') is not True:
                fail(qid, 'unanswerable question should be small=true (absent from the small corpus too)')
            continue
        if q.get('found') is not True:
            fail(qid, 'answerable question must have found=true')
        if len(docs) != 1 and not q.get('scope_doc'):
            pass  # several docs allowed, but each must be in the corpus
        if not docs:
            fail(qid, 'no docs')
        exp_small = bool(docs) and all(d in small for d in docs)
        if q.get('small') != exp_small:
            fail(qid, f'small flag is {q.get("small")}, expected {exp_small}')
        if not isinstance(q.get('page'), int):
            fail(qid, 'page must be an int')
        ev = q.get('evidence')
        if not isinstance(ev, str) or not ev.strip():
            fail(qid, 'missing evidence')
        elif len(ev) > EVIDENCE_MAX:
            fail(qid, f'evidence longer than {EVIDENCE_MAX} chars ({len(ev)})')
        exp = q.get('expected')
        if t == 'definition':
            if exp is not None:
                fail(qid, 'definition must have expected=null')
            if not q.get('answer_contains'):
                fail(qid, 'definition needs answer_contains')
        else:
            if not isinstance(exp, dict) or 'value' not in exp or 'unit' not in exp or 'label' not in exp:
                fail(qid, 'expected must be {value, unit, label}')
            else:
                v = exp['value']
                if v is not None and (not isinstance(v, str) or not re.fullmatch(r'-?\d+(\.\d+)?', v)):
                    fail(qid, f'value {v!r} must be a plain decimal string (no separators)')
                if v is None and t != 'reason':
                    fail(qid, 'value may only be null for reason questions')
                if exp['unit'] not in UNITS:
                    fail(qid, f'unit {exp["unit"]!r} not in {sorted(UNITS)}')
            if t == 'reason' and not q.get('answer_contains'):
                fail(qid, 'reason needs answer_contains')
        sd = q.get('scope_doc')
        if sd is not None:
            if docs != [sd]:
                fail(qid, 'scope_doc must equal the single entry of docs')
            if not q.get('small'):
                fail(qid, 'scope_doc questions are only allowed for small-corpus documents')
        else:
            for d in docs:
                aliases = UNIT_ALIASES.get(d)
                if aliases and not any(a in q['question'] for a in aliases):
                    fail(qid, f'question does not name the unit ({aliases[0]}) and has no scope_doc')
                y = YEAR_REQUIRED.get(d)
                if y and y not in q['question']:
                    fail(qid, f'question must name the year {y} (two years of this unit in the corpus)')
        if t == 'figure' and q.get('topic'):
            topics[q['topic']] += 1
        if t in ('figure', 'multi_doc', 'paraphrase') and isinstance(exp, dict):
            for name, rx in SANGONG_LABELS.items():
                if rx.search(exp.get('label', '')):
                    sangong[name] += 1

    for t, n in TYPES_MIN.items():
        if types[t] < n:
            fail('counts', f'type {t}: {types[t]} < {n}')
    if len(qs) < TOTAL_MIN:
        fail('counts', f'{len(qs)} questions < {TOTAL_MIN}')
    for tp in FIGURE_TOPICS:
        if not topics[tp]:
            fail('coverage', f'no figure question with topic {tp}')
    for name in SANGONG_LABELS:
        if not sangong[name]:
            fail('coverage', f'no question on 三公 item {name}')

    # ---------------------------------------------------------------- pages
    checked = 0
    for q in qs:
        if q.get('type') in TYPES_MIN and q.get('found') is True and isinstance(q.get('page'), int):
            checked += check_page(q, pdfs, fail)

    # ---------------------------------------------------------------- absent units / years
    first2 = eval_first2()
    full = {rel: ws(pdfs.full_text(rel)) for rel in corpus} if deep else {}
    absent_checked = sum(check_absent_unit(q, first2, full, fail, warns)
                         for q in qs if q.get('type') == 'unanswerable')

    # ---------------------------------------------------------------- report
    by_doc = Counter(d for q in qs for d in (q.get('docs') or ['(none)']))
    print('eval/questions.jsonl:', len(qs), 'questions | small:', sum(1 for q in qs if q.get('small')),
          '| pages checked:', checked, '| absent units/years checked:', absent_checked)
    print('per type:', ', '.join(f'{t}={types[t]} (min {n})' for t, n in TYPES_MIN.items()))
    print('figure topics:', ', '.join(f'{t}={topics[t]}' for t in FIGURE_TOPICS))
    print('三公 items:', ', '.join(f'{k}={v}' for k, v in sangong.items()))
    print('per doc:')
    for d in corpus:
        print(f'  {by_doc[d]:4d}  {d}')
    print(f'  {by_doc["(none)"]:4d}  (unanswerable)')


def first_pages(pdfs, docs):
    """whitespace-free text of the first two pages of each doc"""
    return {rel: ws(''.join(pdfs.page(rel, i) or '' for i in range(1, min(2, pdfs.count(rel)) + 1))) for rel in docs}


def check_absent_unit(q, first2, full, fail, warns):
    """A not-found question about a unit (or a unit's year) the corpus does not cover; 1 when checked."""
    ab = q.get('absent')
    if not ab or not ab.get('unit'):
        return 0
    unit, year = ab['unit'], ab.get('year')
    if year:
        present = [r for r, t in first2.items() if unit in t]
        if not present:
            warns.append(f'{q["id"]}: unit {unit} of a year-absent question not found in any corpus doc')
        for r in present:
            if f'{year}年' in first2[r] or f'{year}年度' in first2[r]:
                fail(q['id'], f'{unit} {year} appears to be covered by {r}')
    else:
        for r, t in first2.items():
            if unit in t:
                fail(q['id'], f'absent unit {unit} found in first 2 pages of {r}')
        for r, t in full.items():
            if unit in t:
                warns.append(f'{q["id"]}: absent unit {unit} mentioned somewhere in {r} (not its subject)')
    return 1


# ==================================================================== files under eval/questions/
# the minimums of the whole set (issue "Answer engine v2"); the original file's own minimums are TYPES_MIN
SET_MIN = {'code': 80, 'text_fact': 100, 'project': 50, 'previous_year': 60, 'final_column': 60,
           'paraphrase': 100, 'why': 60, 'absent_item': 60, 'followup': 40}
SET_TOTAL_MIN, SET_DOCS_MIN = 1500, 60
NEW_TYPES = set(SET_MIN) | set(TYPES_MIN)
NOT_FOUND_TYPES = {'unanswerable', 'absent_item'}
TEXT_TYPES = {'text_fact', 'definition'}  # expected null, the answer must contain answer_contains
QUOTE_TYPES = {'why', 'reason'}  # a figure plus the document's reason clause
UNIT_FORMS = {'full', 'abbrev', 'no_province', 'no_city_char', 'no_prefix', 'short', 'colloquial'}
REQUIRED = {'id': str, 'question': str, 'type': str, 'docs': list, 'found': bool}
NULLABLE = {'expected': dict, 'page': int, 'evidence': str}  # required keys, null allowed
OPTIONAL = {'answer_contains': list, 'follows': str, 'absent': dict, 'unit_form': str, 'note': str,
            'inputs': list, 'op': str, 'topic': str, 'scope_doc': str, 'small': bool}


def check_page(q, pdfs, fail):
    """Evidence, value and answer_contains of an answerable question on its page; 1 when the page was read."""
    qid, doc, page = q['id'], q['docs'][0], q['page']
    text = pdfs.page(doc, page)
    if text is None:
        fail(qid, f'page {page} out of range for {doc}')
        return 0
    pv = variants(text)
    ev = q.get('evidence') or ''
    if not any(e in p for e in variants(ev) for p in pv):
        fail(qid, f'evidence not on {doc} p{page}: {ev!r}')
    exp = q.get('expected')
    if q['type'] in COMPUTED or q.get('inputs'):
        check_computed(q, pdfs, fail)
        return 1
    if isinstance(exp, dict) and exp.get('value') is not None:
        v = exp['value']
        if not any(v in p for p in pv):
            fail(qid, f'value {v} not on {doc} p{page}')
        elif q['type'] not in QUOTE_TYPES and not any(v in e for e in variants(ev)):
            fail(qid, f'value {v} not contained in evidence {ev!r}')
    for a in q.get('answer_contains') or []:
        if ws(a) not in ws(text):
            fail(qid, f'answer_contains {a!r} not on {doc} p{page}')
    return 1


def check_schema(q, split, earlier, fail, warns):
    """Fields and types of eval/QUESTIONS.md; True when the question may be checked against its pages."""
    qid = q.get('id', '?')
    bad = []

    def f(msg):
        bad.append(msg)
        fail(qid, msg)

    for k, typ in REQUIRED.items():
        if not isinstance(q.get(k), typ):
            f(f'{k} must be a {typ.__name__}')
    for k, typ in NULLABLE.items():
        if k not in q:
            f(f'missing key {k}')
        elif q[k] is not None and (not isinstance(q[k], typ) or isinstance(q[k], bool)):
            f(f'{k} must be a {typ.__name__} or null')
    for k, typ in OPTIONAL.items():
        if q.get(k) is not None and not isinstance(q[k], typ):
            f(f'{k} must be a {typ.__name__}')
    unknown = set(q) - set(REQUIRED) - set(NULLABLE) - set(OPTIONAL)
    if unknown:
        warns.append(f'{qid}: unknown field(s) {sorted(unknown)}')
    if bad:
        return False
    t, docs, exp, found = q['type'], q['docs'], q['expected'], q['found']
    if t not in NEW_TYPES:
        f(f'unknown type {t!r}')
    for d in docs:
        if d not in split:
            f(f'doc {d} not in eval/split.tsv')
        elif not os.path.exists(os.path.join(CORPUS_ROOT, d)):
            f(f'doc {d} missing under {CORPUS_ROOT}')
    if q.get('unit_form') is not None and q['unit_form'] not in UNIT_FORMS:
        f(f'unit_form {q["unit_form"]!r} not in {sorted(UNIT_FORMS)}')
    if t == 'followup' and not q.get('follows'):
        f('followup needs follows')
    if q.get('follows') and q['follows'] not in earlier:
        f(f'follows {q["follows"]!r}: no earlier question with that id in this file')
    if t in NOT_FOUND_TYPES and found:
        f(f'{t} must have found=false')
    if t not in NOT_FOUND_TYPES | {'followup'} and not found:
        f(f'{t} must have found=true')
    for a in q.get('answer_contains') or []:
        if not isinstance(a, str) or not a.strip():
            f('answer_contains must hold non-empty strings')
    if not found:
        ab = q.get('absent') or {}
        if exp is not None:
            f('a not-found question must have expected=null')
        if t == 'absent_item' and not (isinstance(ab.get('item'), str) and ab['item'].strip()):
            f('absent_item needs absent.item')
        if ab.get('item') and not docs:
            f('absent.item needs docs = [the document that does not print it]')
        return not bad
    if not docs:
        f('no docs')
    if not isinstance(q['page'], int) or q['page'] < 1:
        f('page must be a 1-based int')
    ev = q['evidence']
    if not ev or not ev.strip():
        f('missing evidence')
    elif len(ev) > EVIDENCE_MAX:
        f(f'evidence longer than {EVIDENCE_MAX} chars ({len(ev)})')
    contains = q.get('answer_contains')
    if exp is None:
        if t not in TEXT_TYPES | {'followup'}:
            f(f'{t} needs expected {{value, unit, label}}')
        elif not contains:
            f('expected=null needs answer_contains')
    else:
        if t in TEXT_TYPES:
            f(f'{t} must have expected=null')
        if not all(isinstance(exp.get(k), str) for k in ('unit', 'label')) or 'value' not in exp:
            f('expected must be {value, unit, label} (unit and label strings)')
        v = exp.get('value')
        if v is None and t not in QUOTE_TYPES:
            f('value may only be null for why/reason questions')
        elif v is not None and (not isinstance(v, str) or not re.fullmatch(r'-?\d+(\.\d+)?', v)):
            f(f'value {v!r} must be a plain decimal string (no separators)')
    if t in QUOTE_TYPES and not contains:
        f(f'{t} needs answer_contains (the reason clause)')
    for i in q.get('inputs') or []:
        if not isinstance(i, dict) or not {'doc', 'page', 'value', 'evidence'} <= set(i):
            f('each input must be {doc, page, value, evidence}')
        elif i['doc'] not in split:
            f(f'input doc {i["doc"]} not in eval/split.tsv')
    return not bad


def check_new(qs, split, pdfs, fail, warns, first2):
    """A file of eval/questions/: schema, pages, absent items (every page of the doc), absent units."""
    earlier, checked = set(), 0
    for q in qs:
        if check_schema(q, split, earlier, fail, warns):
            if q['found']:
                checked += check_page(q, pdfs, fail)
            item = ws((q.get('absent') or {}).get('item'))
            for d in q['docs'] if item and not q['found'] else []:
                pages = [n for n in range(1, pdfs.count(d) + 1) if item in ws(pdfs.page(d, n))]
                if pages:
                    fail(q['id'], f'absent item {item!r} printed in {d} p{pages}')
            if not q['found'] and (q.get('absent') or {}).get('unit'):
                check_absent_unit(q, first2(), {}, fail, warns)
        earlier.add(q.get('id'))
    return checked


def read_split():
    rows = (line.split('\t') for line in read_list(SPLIT))
    return {r[0].strip(): r[1].strip() for r in rows if len(r) >= 2}


def split_of(q, split, original):
    """A question's split is its documents' (validation when any is); questions naming no document are fit in
    the original file (it was tuned on) and alternate by id elsewhere. Same rule: qa/evaluate.py."""
    docs = q.get('docs') or []
    if docs:
        return 'validation' if any(split.get(d) == 'validation' for d in docs) else 'fit'
    return 'fit' if original else ('fit', 'validation')[zlib.crc32(str(q.get('id')).encode()) % 2]


def load(path, fail):
    qs = []
    for i, line in enumerate(open(path, encoding='utf-8'), 1):
        if line.strip():
            try:
                qs.append(json.loads(line))
            except json.JSONDecodeError as e:
                fail(f'line {i}', f'bad JSON: {e}')
    return qs


def print_counts(files, split):
    """Questions by type (rows) per file, per split and in all against the issue's minimums; True if all met."""
    tagged = [(name, split_of(q, split, path == QUESTIONS), q) for path, (name, qs) in files.items() for q in qs]
    cols = [name for name, _ in files.values()] + ['fit', 'validation', 'all']
    heads = [os.path.basename(c) for c in cols]

    def counts(pred):
        rows = [x for x in tagged if pred(x)]
        return [sum(1 for n, s, q in rows if col in (n, s, 'all')) for col in cols]

    def ndocs(col):
        return len({d for n, s, q in tagged if col in (n, s, 'all') for d in q.get('docs') or []})

    types = list(SET_MIN) + sorted({q.get('type') for _, _, q in tagged} - set(SET_MIN), key=str)
    table = [(str(t), counts(lambda x, t=t: x[2].get('type') == t), SET_MIN.get(t)) for t in types]
    table += [('questions', counts(lambda x: True), SET_TOTAL_MIN),
              ('  in fit', counts(lambda x: x[1] == 'fit'), None),
              ('  in validation', counts(lambda x: x[1] == 'validation'), None),
              ('documents', [ndocs(c) for c in cols], SET_DOCS_MIN)]
    width = [len(h) + 2 for h in heads]
    print('\n' + 'type'.ljust(16) + ''.join(h.rjust(w) for h, w in zip(heads, width)) + '  minimum')
    all_met = True
    for label, row, minimum in table:
        met = '' if minimum is None else f'{minimum:7d} ' + ('met' if row[-1] >= minimum else 'NOT MET')
        all_met &= minimum is None or row[-1] >= minimum
        print(label.ljust(16) + ''.join(str(n).rjust(w) for n, w in zip(row, width)) + '  ' + met)
    return all_met


def main():
    ap = argparse.ArgumentParser(description='Verify eval questions against their PDF pages.')
    ap.add_argument('--questions', nargs='+', metavar='FILE',
                    help='verify only these files (default: eval/questions.jsonl and eval/questions/*.jsonl)')
    ap.add_argument('--deep', action='store_true', help='scan every page of corpus.txt for absent units')
    ap.add_argument('--strict', action='store_true', help='exit 1 also when a minimum of the set is not met')
    args = ap.parse_args()
    default = [QUESTIONS] + sorted(glob.glob(os.path.join(QUESTIONS_DIR, '*.jsonl')))
    paths = [os.path.abspath(p) for p in args.questions or default]
    fails, warns = [], []
    where = ['']

    def fail(qid, msg):
        fails.append((where[0], f'{qid}: {msg}'))

    split = read_split()
    files = {}
    for p in dict.fromkeys(paths):
        where[0] = os.path.relpath(p, HERE)
        files[p] = (where[0], load(p, fail))
    owners = defaultdict(list)  # ids are unique across the given files and every default one
    eval_docs = set(read_list(CORPUS))  # the documents `qa eval` indexes: those of every question
    for p in dict.fromkeys(paths + default):
        for q in files[p][1] if p in files else load(p, lambda *a: None):
            owners[q.get('id')].append(os.path.relpath(p, HERE))
            eval_docs |= {d for d in q.get('docs') or [] if d in split and os.path.exists(os.path.join(CORPUS_ROOT, d))}
    for qid, names in owners.items():
        if len(names) > 1:
            where[0] = names[0]
            fail(qid, f'duplicate id ({", ".join(names)})')

    pdfs = Pdfs()
    first2 = {}

    def eval_first2():  # first two pages of every document of the eval corpus, read when first needed
        if not first2:
            first2.update(first_pages(pdfs, eval_docs))
        return first2

    try:
        for p, (name, qs) in files.items():
            where[0] = name
            if p == QUESTIONS:
                check_original(qs, pdfs, fail, warns, args.deep, eval_first2)
            else:
                checked = check_new(qs, split, pdfs, fail, warns, eval_first2)
                print(f'{name}: {len(qs)} questions | pages checked: {checked}')
    finally:
        pdfs.close()

    all_met = print_counts(files, split)
    print()
    for w in warns:
        print('WARN', w)
    for name in dict.fromkeys(n for n, _ in fails):
        mine = [m for n, m in fails if n == name]
        print(f'\n{name}: {len(mine)} failure(s)')
        for m in mine:
            print('FAIL', m)
    if fails:
        print(f'\nFAILED: {len(fails)} problem(s) in ' + ', '.join(f'{n} ({sum(1 for x, _ in fails if x == n)})'
                                                             for n in dict.fromkeys(n for n, _ in fails)))
        return 1
    print('\nOK: all questions passed' + ('' if all_met else ' (some minimums of the set are not met)'))
    return 1 if args.strict and not all_met else 0


if __name__ == '__main__':
    sys.exit(main())
