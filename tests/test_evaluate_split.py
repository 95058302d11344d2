"""The eval runner's split tagging and scoring rules, on made-up questions and answers (no corpus, no model)."""
import json
from decimal import Decimal

from qa.answer import Answer, Figure
from qa.evaluate import EvalItem, format_splits, judge, load_items, read_split, run_eval, split_of

SPLIT = {"scale/a.pdf": "fit", "scale/b.pdf": "validation"}


def item(type="figure", found=True, value="12.50", contains=(), follows=None, split="fit", id="q1"):
    d = {"id": id, "question": "问题", "type": type, "docs": ["scale/a.pdf"] if found else [], "found": found,
         "expected": {"value": value, "unit": "万元", "label": "x"} if value else None, "page": 3,
         "answer_contains": list(contains), "follows": follows}
    return EvalItem.from_json(d, split)


def answer(found=True, text="", value=None, unit="万元"):
    figs = [Figure("x", Decimal(value), value, unit, None, 3, "a.pdf", "a", None, None)] if value else []
    return Answer("问题", found, text, figures=figs)


def test_split_of_documents_and_docless_questions(tmp_path):
    assert split_of({"docs": ["scale/a.pdf"]}, SPLIT, False) == "fit"
    assert split_of({"docs": ["scale/b.pdf"]}, SPLIT, False) == "validation"
    assert split_of({"docs": ["scale/a.pdf", "scale/b.pdf"]}, SPLIT, False) == "validation"  # any validation doc
    assert split_of({"id": "un-1", "docs": []}, SPLIT, True) == "fit"  # the original file was tuned on
    picks = {split_of({"id": f"w1-un-{i}", "docs": []}, SPLIT, False) for i in range(20)}
    assert picks == {"fit", "validation"}  # elsewhere they alternate by id, the same on every run
    tsv = tmp_path / "split.tsv"
    tsv.write_text("# doc\tsplit\nscale/a.pdf\tfit\nscale/b.pdf\tvalidation\n", encoding="utf-8")
    assert read_split(tsv) == SPLIT
    qfile = tmp_path / "w9.jsonl"
    qfile.write_text("\n".join(json.dumps({"id": f"q{i}", "question": "?", "type": "figure", "docs": [doc],
                                           "found": True, "expected": None}) for i, doc in enumerate(SPLIT)),
                     encoding="utf-8")
    assert [i.split for i in load_items(qfile, split=SPLIT)] == ["fit", "validation"]


def test_scoring_rules():
    fact = item("text_fact", value=None, contains=["办公室", "财务处"])
    assert judge(fact, answer(text="设办公室、财务处")) is True
    assert judge(fact, answer(text="设办公室")) is False
    assert judge(fact, answer(found=False, text="办公室 财务处")) is False
    why = item("why", value="8.00", contains=["人员减少"])
    assert judge(why, answer(text="因人员减少，减少8.00万元", value="8.00")) is True
    assert judge(why, answer(text="减少8.00万元", value="8.00")) is False  # the reason clause is missing
    assert judge(why, answer(text="因人员减少", value="9.00")) is False
    absent = item("absent_item", found=False, value=None)
    assert judge(absent, answer(found=False)) is True and judge(absent, answer(text="12.50", value="12.50")) is False
    assert judge(item("definition", value=None, contains=["是指"]), answer(text="是指")) is None  # counted as quotes
    assert judge(item(), answer(text="125,000.00元", value="125000.00", unit="元")) is True


class FakeAssistant:
    """Answers from a table and records what it was asked, with which context."""

    def __init__(self, answers):
        self.answers, self.calls = answers, []

    def documents(self):
        return []

    def ask(self, question, k=5, mode="hybrid", context=None, unit=None, year=None):
        ans = self.answers[question]
        ans.analysis = f"analysis of {question}"
        self.calls.append((question, context))
        return ans


def test_followups_are_asked_after_their_question_with_its_analysis():
    first = item(id="a")
    first.question = "阳泉第二监狱公务接待费？"
    follow = item("followup", id="b", follows="a", split="validation")
    follow.question = "那上年呢？"
    nf = item("absent_item", found=False, value=None, id="c", split="validation")
    nf.question = "机关运行经费？"
    fake = FakeAssistant({first.question: answer(text="12.50万元", value="12.50"),
                          follow.question: answer(text="10.00万元", value="10.00"),
                          nf.question: answer(found=False, text="未找到")})
    rep = run_eval(fake, [follow, nf], modes=("hybrid",), pool=[first, follow, nf])["hybrid"]
    # the followed question is asked first (unscored), then the follow-up with its analysis as context
    assert fake.calls[:2] == [(first.question, None), (follow.question, f"analysis of {first.question}")]
    assert [r.id for r in rep.results] == ["b", "c"]
    val = rep.row(split="validation")
    assert val["questions"] == 2 and val["answer@1"] == 0.0  # 10.00 is not the expected 12.50
    assert val["nf_precision"] == 1.0 and val["nf_recall"] == 1.0
    assert rep.row(split="fit")["questions"] == 0
    assert "absent_item" in format_splits({"hybrid": rep})
