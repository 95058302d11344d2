#!/usr/bin/env python3
"""Verify eval/questions.jsonl against the PDFs of the evaluation corpus.

For every answerable question with a page: extract that page with pdfplumber,
remove all whitespace (and also try with thousands separators removed) and check
that the evidence and expected.value occur on it (and answer_contains phrases
for reason/definition questions).  Also checks the JSON schema, unique ids,
per-type minimum counts, the small-corpus flags, that questions name their unit
(and year where the corpus has two years of that unit), and that the units /
years of unanswerable questions are really absent from the corpus (first two
pages of every corpus document).

Usage: python eval/verify.py [--deep]
  --deep  additionally scan the full text of every corpus document for the
          absent unit names (slow: extracts every page).
Exit status 1 on any failure.
"""
import json
import logging
import os
import re
import sys
from collections import Counter, defaultdict

import pdfplumber

logging.getLogger('pdfminer').setLevel(logging.ERROR)

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS_ROOT = os.environ.get('QA_CORPUS_ROOT', '/work/shared/corpus')
QUESTIONS = os.path.join(HERE, 'questions.jsonl')
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
    def __init__(self):
        self.cache = {}
        self.npages = {}
        self.open = {}

    def _pdf(self, rel):
        if rel not in self.open:
            self.open[rel] = pdfplumber.open(os.path.join(CORPUS_ROOT, rel))
            self.npages[rel] = len(self.open[rel].pages)
        return self.open[rel]

    def page(self, rel, n):
        key = (rel, n)
        if key not in self.cache:
            pdf = self._pdf(rel)
            if not 1 <= n <= len(pdf.pages):
                return None
            self.cache[key] = pdf.pages[n - 1].extract_text() or ''
        return self.cache[key]

    def count(self, rel):
        self._pdf(rel)
        return self.npages[rel]

    def close(self):
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


def main():
    deep = '--deep' in sys.argv
    fails = []
    warns = []

    def fail(qid, msg):
        fails.append(f'{qid}: {msg}')

    corpus = read_list(CORPUS)
    small = read_list(CORPUS_SMALL)
    for rel in corpus:
        if not os.path.exists(os.path.join(CORPUS_ROOT, rel)):
            fail('corpus.txt', f'missing file {rel}')
    for rel in small:
        if rel not in corpus:
            fail('corpus_small.txt', f'{rel} not in corpus.txt')

    qs = []
    for i, line in enumerate(open(QUESTIONS, encoding='utf-8'), 1):
        if not line.strip():
            continue
        try:
            qs.append(json.loads(line))
        except json.JSONDecodeError as e:
            fail(f'line {i}', f'bad JSON: {e}')

    # ---------------------------------------------------------------- schema
    ids = Counter(q.get('id') for q in qs)
    for qid, n in ids.items():
        if n > 1:
            fail(qid, f'duplicate id ({n}x)')
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
    pdfs = Pdfs()
    checked = 0
    for q in qs:
        if q.get('type') not in TYPES_MIN or q.get('found') is not True:
            continue
        page = q.get('page')
        if not isinstance(page, int):
            continue
        qid = q['id']
        doc = q['docs'][0]
        text = pdfs.page(doc, page)
        if text is None:
            fail(qid, f'page {page} out of range for {doc}')
            continue
        checked += 1
        pv = variants(text)
        ev = q.get('evidence') or ''
        if not any(e in p for e in variants(ev) for p in pv):
            fail(qid, f'evidence not on {doc} p{page}: {ev!r}')
        exp = q.get('expected')
        if q['type'] in COMPUTED:
            check_computed(q, pdfs, fail)
            continue
        if isinstance(exp, dict) and exp.get('value') is not None:
            v = exp['value']
            if not any(v in p for p in pv):
                fail(qid, f'value {v} not on {doc} p{page}')
            elif q['type'] != 'reason' and not any(v in e for e in variants(ev)):
                fail(qid, f'value {v} not contained in evidence {ev!r}')
        for a in q.get('answer_contains') or []:
            if ws(a) not in ws(text):
                fail(qid, f'answer_contains {a!r} not on {doc} p{page}')

    # ---------------------------------------------------------------- absent units / years
    first2 = {}
    for rel in corpus:
        n = pdfs.count(rel)
        first2[rel] = ws(''.join(pdfs.page(rel, i) or '' for i in range(1, min(2, n) + 1)))
    full = {}
    if deep:
        for rel in corpus:
            full[rel] = ws(''.join(pdfs.page(rel, i) or '' for i in range(1, pdfs.count(rel) + 1)))
    absent_checked = 0
    for q in qs:
        if q.get('type') != 'unanswerable':
            continue
        ab = q.get('absent')
        if not ab:
            continue
        unit, year = ab.get('unit'), ab.get('year')
        absent_checked += 1
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
    pdfs.close()

    # ---------------------------------------------------------------- report
    for w in warns:
        print('WARN', w)
    for f in fails:
        print('FAIL', f)
    by_doc = Counter(d for q in qs for d in (q.get('docs') or ['(none)']))
    print('\nquestions:', len(qs), '| small:', sum(1 for q in qs if q.get('small')),
          '| pages checked:', checked, '| absent units/years checked:', absent_checked)
    print('per type:', ', '.join(f'{t}={types[t]} (min {n})' for t, n in TYPES_MIN.items()))
    print('figure topics:', ', '.join(f'{t}={topics[t]}' for t in FIGURE_TOPICS))
    print('三公 items:', ', '.join(f'{k}={v}' for k, v in sangong.items()))
    print('per doc:')
    for d in corpus:
        print(f'  {by_doc[d]:4d}  {d}')
    print(f'  {by_doc["(none)"]:4d}  (unanswerable)')
    if fails:
        print(f'\nFAILED: {len(fails)} problem(s)')
        return 1
    print('\nOK: all checks passed')
    return 0


if __name__ == '__main__':
    sys.exit(main())
