"""Key figures: amounts with units, with the words that say what they measure.

A figure is a number followed by a unit (元, 吨, 人, 家, 个, %, …), optionally
with a magnitude (万/亿) and a qualifier (超, 近, 约, 余, 多). Dates, years,
clock times and ordinals (第3届) have no such unit or are skipped explicitly.
A growth rate right after an amount (347.2亿元、增长9.5%) stays with it.
Salience: money first, then large quantities, people, counts and shares;
figures with words like 总/累计/全年/投资 and figures in the headline rank up.
"""

from __future__ import annotations

import re
from typing import Callable

from ..model import Figure

MAX_FIGURES = 5
# Below this salience a number is incidental (a quantity in a quote, a single unit); an article
# may show fewer than MAX_FIGURES rather than fill the block with such numbers.
MIN_SALIENCE = 1.5
MAX_LABEL = 16

# Longest first: 万吨/日 before 万吨, 人次 before 人, 平方米 before 米.
_UNITS = (
    "元/平方米", "吨/日", "立方米", "平方米", "平方公里", "公里", "千米", "千瓦时", "千瓦",
    "人次", "场次", "户次", "元", "吨", "人", "名", "家", "户", "个", "项", "场", "套", "件", "处", "幢",
    "栋", "亩", "台", "辆", "份", "篇", "所", "座", "条", "类", "批", "期", "倍", "%", "％",
)
_UNIT_RE = "|".join(re.escape(u) for u in _UNITS)
# The pattern starts at the digits (fast to scan); the qualifier before them is checked by hand.
_QUALIFIERS = ("超过", "突破", "超", "近", "约", "逾")
_FIGURE = re.compile(
    r"(?<![\d.．/第])(?P<num>\d+(?:[.．]\d+)?)\s*"
    r"(?P<mag>万亿|亿|万|千)?(?P<more>多|余)?\s*"
    rf"(?P<unit>{_UNIT_RE})"
)
_GROWTH = re.compile(r"^[，、,]?\s*(?:同比)?(?P<verb>增长|下降|提高|增加|减少|提升)\s*(?P<num>\d+(?:[.．]\d+)?\s*[%％])")
_CLAUSE_BREAK = re.compile(r"[，。；：！？、,;:!?（）()“”\"「」《》【】…—\n]")
_FILLER = re.compile(r"(?:已经|已|共计|共|合计|计|总计|分别|均|达到|达|为|是|有|至|了|的|等)+$")
_LEAD = re.compile(r"^(?:其中|同时|此外|目前|如今|今年以来|截至目前|截至今年\d+月底?|今年|去年|全年|并|且|还|和|及|与)")
_KEY_WORDS = ("总", "累计", "全年", "完成", "投资", "引进", "增收", "产值", "营收", "收入", "规模", "增加值", "资金", "签约")
_PEOPLE = ("人", "名", "人次")
_COUNTS = ("家", "户", "个", "项", "场", "套", "件", "处", "幢", "栋", "台", "辆", "所", "座", "条", "场次", "户次")


def _salience(
    value_unit: str, mag: str | None, label: str, in_head: bool, position: float, growth: bool,
    *, quoted: bool = False, small: bool = False,
) -> float:
    if value_unit == "元":
        score = 6.0 if mag in ("亿", "万亿") else 5.0 if mag == "万" else 3.0
    elif value_unit in ("%", "％", "倍"):
        score = 3.0
    elif value_unit in _PEOPLE:
        score = 3.5
    elif mag:
        score = 4.0
    elif value_unit in _COUNTS:
        score = 2.0
    else:
        score = 2.5
    if mag and value_unit != "元":
        score += 0.5
    if growth:
        score += 1.0
    if any(word in label for word in _KEY_WORDS):
        score += 1.5
    if not label:
        score -= 1.5
    if in_head:
        score += 3.0
    if quoted:
        score -= 2.5  # said by someone in passing (“今天订单需要3吨……”), not a reported result
    if small:
        score -= 1.5  # 3吨, 5个: single units are rarely what an initiative is measured by
    return score - 0.5 * position


def _inside_quote(text: str, position: int) -> bool:
    """Whether position falls inside “…” (direct speech) in this paragraph."""
    before = text[:position]
    return before.count("“") > before.count("”")


def _label_before(text: str, start: int) -> str:
    left = text[max(0, start - 40) : start]
    parts = _CLAUSE_BREAK.split(left)
    label = re.sub(r"\s+", "", parts[-1] if parts else "")
    label = _FILLER.sub("", label)
    label = _LEAD.sub("", label)
    if len(label) > MAX_LABEL:
        label = label[-MAX_LABEL:]
        # A cut through a date (2022年… → 22年…) leaves a stub: start after it.
        label = re.sub(r"^[\d.]*[年月日号]?", "", label)
    # One character left of a clause (帮助 → 助) says nothing; the words after will.
    return label if len(label) >= 2 else ""


def _clause_around(text: str, start: int, end: int) -> str:
    left = max((text.rfind(ch, 0, start) for ch in "，。；！？,;"), default=-1) + 1
    rights = [i for i in (text.find(ch, end) for ch in "，。；！？,;") if i != -1]
    right = min(rights) if rights else len(text)
    return text[left:right].strip()


# Words ending in a qualifier character (签约, 最近): the qualifier belongs to the word.
_QUALIFIER_WORDS = frozenset({"签约", "节约", "合约", "条约", "预约", "制约", "公约", "最近", "附近", "接近", "将近", "靠近", "临近", "赶超"})


def _is_word(word: str) -> bool:
    return word in _QUALIFIER_WORDS


def find_figures(head: str, paragraphs: list[str], is_word: Callable[[str], bool] | None = None) -> list[Figure]:
    """Up to MAX_FIGURES figures by salience. `is_word` (a dictionary lookup) tells
    a qualifier (超200亿元) from the end of a word (签约12家)."""
    is_word = is_word or _is_word
    candidates: list[tuple[float, int, Figure]] = []
    texts = [(head, True)] + [(p, False) for p in paragraphs]
    total = max(1, sum(len(t) for t, _ in texts))
    seen: set[str] = set()
    offset = 0
    order = 0
    for text, in_head in texts:
        taken_until = 0  # the end of the last amount's growth rate: that rate is not a figure of its own
        for match in _FIGURE.finditer(text):
            if match.start() < taken_until:
                continue
            num = match.group("num").replace("．", ".")
            unit = match.group("unit")
            mag = match.group("mag")
            after = text[match.end() : match.end() + 2]
            if after[:1] in ("年", "月", "日", "号", "时", "岁") or after.startswith(("分钟",)):
                continue
            if unit in ("期", "批", "类") and not mag:
                continue  # 第三期 and the like are labels, not amounts
            start = match.start()
            qual = next((q for q in _QUALIFIERS if text.startswith(q, start - len(q)) and start >= len(q)), "")
            if len(qual) == 1 and start > 1 and is_word(text[start - 2] + qual):
                qual = ""
            value = qual + num + (mag or "") + (match.group("more") or "") + unit
            end = match.end()
            growth = _GROWTH.match(text[end:])
            if growth:
                value += f"，{growth.group('verb')}{growth.group('num').replace(' ', '')}"
                end += growth.end()
                taken_until = end
            label = _label_before(text, start - len(qual))
            if not label:
                # 1557人现场达成就业意向: what follows says what was counted.
                rest = re.sub(r"\s+", "", _CLAUSE_BREAK.split(text[end : end + 30])[0])
                label = rest[:MAX_LABEL]
            key = f"{label}|{value}"
            if key in seen:
                continue
            seen.add(key)
            position = (offset + start) / total
            figure = Figure(label=label, value=value, context=_clause_around(text, start - len(qual), end))
            quoted = _inside_quote(text, start)
            small = not mag and unit not in ("%", "％", "倍") and float(num) < 10
            salience = _salience(unit, mag, label, in_head, position, bool(growth), quoted=quoted, small=small)
            if salience >= MIN_SALIENCE:
                candidates.append((salience, order, figure))
            order += 1
        offset += len(text)
    candidates.sort(key=lambda c: (-c[0], c[1]))
    # The same amount in the headline and the body is one figure.
    out: list[Figure] = []
    values: set[str] = set()
    for _, _, figure in candidates:
        if figure.value in values:
            continue
        values.add(figure.value)
        out.append(figure)
        if len(out) == MAX_FIGURES:
            break
    return out
