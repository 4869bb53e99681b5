"""Whatever the bytes, readers raise QuestionBankError and nothing else."""
import io
import os
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import question_bank.importer as importer
from question_bank import QuestionBankError, read_bytes, write_questions, write_template

from qb_fixtures import DATA, QUIZIZZ_HEADER, build_xlsx, kahoot_rows

NAMES = ["x.xlsx", "x.csv", "x.txt", "x.gift", "x.xml", "x.json", "x", "x.xls", "x.bin"]
# QB_FUZZ_EXAMPLES=2000 for a long local run; the default keeps the suite fast.
EXAMPLES = int(os.environ.get("QB_FUZZ_EXAMPLES", "60"))
FAST = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(autouse=True, scope="module")
def no_safety_net():
    """The production net turns surprises into QuestionBankError; the readers must not need it."""
    importer._SAFETY_NET = False
    yield
    importer._SAFETY_NET = True


def read_ok_or_ours(data: bytes, name: str):
    try:
        result = read_bytes(data, name)
    except QuestionBankError as exc:
        assert exc.problems and all(str(p) for p in exc.problems)
        return None
    assert result.questions
    return result


@FAST
@given(st.binary(max_size=2000), st.sampled_from(NAMES))
def test_random_bytes(data, name):
    read_ok_or_ours(data, name)


@FAST
@given(st.text(max_size=1000), st.sampled_from(NAMES), st.sampled_from(["utf-8", "utf-16", "utf-8-sig"]))
def test_random_text(text, name, encoding):
    read_ok_or_ours(text.encode(encoding, errors="surrogatepass"), name)


SYNTAX = st.sampled_from(list("{}=~#%:\\;,\n\t\"'<>&/-") + ["ANSWER:", "A.", "B)", "::", "$CATEGORY:", "####",
                                                          "->", "{T}", "<![CDATA[", "]]>", "%50%", "\r\n", "\x00"])


def _seeds():
    from question_bank import OptionData, QuestionData
    qs = [QuestionData("Câu hỏi một?", "single", [OptionData("Có", True), OptionData("Không", False)]),
          QuestionData("Câu nhiều?", "multiple", [OptionData("A", True), OptionData("B", True), OptionData("C", False)]),
          QuestionData("Đúng sai?", "true_false", [OptionData("Đúng", False), OptionData("Sai", True)])]
    seeds = {fmt: write_questions(qs if fmt != "aiken" else [qs[0], qs[2]], fmt) for fmt in ("csv", "gift", "aiken", "json")}
    seeds["moodle_xml"] = (DATA / "moodle_export.xml").read_bytes()
    seeds["quizizz_csv"] = (DATA / "quizizz.csv").read_bytes()
    seeds["gift_full"] = (DATA / "full.gift").read_bytes()
    return seeds


TEXT_SEEDS = _seeds()
EXT = {"csv": "x.csv", "gift": "x.gift", "aiken": "x.txt", "json": "x.json", "moodle_xml": "x.xml",
       "quizizz_csv": "q.csv", "gift_full": "f.gift"}


@st.composite
def mutated(draw, seed: bytes):
    data = bytearray(seed)
    for _ in range(draw(st.integers(1, 6))):
        if not data:
            break
        pos = draw(st.integers(0, len(data) - 1))
        op = draw(st.sampled_from(["flip", "insert", "delete", "syntax", "truncate"]))
        if op == "flip":
            data[pos] = draw(st.integers(0, 255))
        elif op == "insert":
            data[pos:pos] = draw(st.binary(min_size=1, max_size=8))
        elif op == "delete":
            del data[pos:pos + draw(st.integers(1, 20))]
        elif op == "syntax":
            data[pos:pos] = draw(SYNTAX).encode()
        else:
            del data[pos:]
    return bytes(data)


@pytest.mark.parametrize("fmt", sorted(TEXT_SEEDS))
def test_mutated_text_files(fmt):
    @FAST
    @given(st.data(), st.sampled_from([EXT[fmt], "unknown"]))
    def check(data, name):
        read_ok_or_ours(data.draw(mutated(TEXT_SEEDS[fmt])), name)
    check()


def _xlsx_seeds():
    return {
        "template": write_template(),
        "kahoot": build_xlsx(kahoot_rows([["Q?", "a", "b", None, None, 20, "1"], ["R?", "a", "b", "c", None, 5, "1,3"]])),
        "quizizz": build_xlsx([QUIZIZZ_HEADER, ["Q?", "Multiple Choice", "a", "b", None, None, None, 1, 30, None, "x"]]),
    }


XLSX_SEEDS = _xlsx_seeds()


def _mutate_zip(seed: bytes, member_pick: int, edits) -> bytes:
    """Mutate one XML part inside the zip, so openpyxl gets past the zip layer."""
    src = zipfile.ZipFile(io.BytesIO(seed))
    names = [n for n in src.namelist() if n.endswith(".xml") or n.endswith(".rels")]
    target = names[member_pick % len(names)]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in src.namelist():
            body = src.read(name)
            if name == target:
                body = bytearray(body)
                for pos, chunk in edits:
                    p = pos % (len(body) + 1)
                    body[p:p + len(chunk)] = chunk
                body = bytes(body)
            dst.writestr(name, body)
    return out.getvalue()


@pytest.mark.parametrize("kind", sorted(XLSX_SEEDS))
def test_mutated_xlsx(kind):
    seed = XLSX_SEEDS[kind]

    @settings(max_examples=max(10, EXAMPLES * 2 // 3), deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.integers(0, 50), st.lists(st.tuples(st.integers(0, 10**6), st.binary(min_size=1, max_size=12)
                                                  | SYNTAX.map(str.encode)), min_size=1, max_size=4),
           st.booleans())
    def check(member, edits, raw):
        if raw:
            data = bytearray(seed)
            for pos, chunk in edits:
                p = pos % len(data)
                data[p:p + len(chunk)] = chunk
            data = bytes(data)
        else:
            data = _mutate_zip(seed, member, edits)
        read_ok_or_ours(data, "x.xlsx")
    check()
