"""Stage 3 (segment): one page's raw lines → articles.

Input is `RawPage.text` exactly as read (raw lines: stray spaces, ASCII punctuation, hard
column wraps, doubled PDF glyphs). Structure is found on the RAW lines; text is cleaned
only when it goes into an article (`clean.clean_title` for headings, `clean.join_lines` /
`clean.clean_text` for paragraphs and captions), and bylines are parsed before any space
removal, so `罗焱 陈鑫` stays two people and `陈 璐` one. Nothing here knows a seed page.

How a page is read
==================
1. Units. Lines are grouped into blocks (runs of non-blank lines; the blank lines before a
   block are its *gap*). Each line becomes one of:
   furniture  （下转2版）/（上接第一版） (Markdown-marked too), page labels (责任编辑…), the folio
              line (`湖州日报  2025年3月12日  星期三  第3版`: two of date, weekday, page, editor
              credit, besides only short labels; `folio_parts` reads it for the page's source
              facts), standing column names (`COLUMN_NAMES`: 短讯, 图片新闻…), source lines
              (来源：…), figure boxes (digits doubled by a display font `347347..22亿元`, ≥ 2 in a
              few lines, plus a short label line above; or a block of short number lines),
              banners (below);
   head       a Markdown heading of any level, or — a *candidate* — a run of ≤ 3 short lines
              without sentence punctuation (a comma only in a one-line headline); a ■/◆ line
              that reads as a headline is a block of its own (`■长兴召开人才工作会议`);
   byline     ■-marked or role-labelled (`■记 者 荣怡婷`, `通讯员 陶 冶 曹 律`, org + 记者),
              or a line that is only `（罗焱 陈鑫）`;
   names      a bare line of 1–6 person names (`王凌云 杨斌英 王晨曦`); a byline only right
              under a headline group, otherwise text;
   caption    a photo credit (`（图片由…提供）`, `…供图`, `本报记者 刘健 摄`; a credit-only line
              joins the caption before it), a line starting 图为; a lone unmarked line after a
              gap of ≥ 2 blank lines with no byline/dateline after it (where a picture was);
   text       everything else.
2. Headline groups: adjacent heads (gap ≤ 2) plus the bylines right under them. A group
   scores; ≥ `TITLE_THRESHOLD` (3) starts an article:
     +4 a byline follows, or the next paragraph opens with a dateline (本报讯, 本报X月X日电…)
     +3 the section it opens ends with a closing byline `（罗焱 陈鑫）` — for a Markdown heading
        only if the higher-ranking heading above it has a byline of its own (else the closing
        byline is that article's, and this heading a subhead)
     +3 a （下转…） marker follows it (a headline printed under its own text)
     +3 nothing but furniture before it on the page
     +2 Markdown: the page's top level; +2 a level used by groups with bylines (title levels);
        −3 deeper than every title level
     +1 two or more heads; +1 a byline right above it
     −2 an unmarked head with a comma; a lone banner-shaped head (`clean.is_banner`) or, on a
        page with Markdown headings, a group with no Markdown heading needs a byline/dateline.
     A headline over nothing but a captioned picture (set apart by a blank line) is a photo
     story. A ■ head is a news brief's headline when the briefs sit under a short column
     label or each closes with its writers' names; otherwise it is a subhead (◆党建引领聚合力).
   In a group the highest-ranking Markdown heading is the title (heads before: kicker, after:
   subtitle); unmarked, two lines read title/subtitle (kicker/title when the first is a series
   label `共建共治共享·基层治理新实践`) and three kicker/title/subtitle. A first
   line of < 5 characters wrapped onto the next is one title (`基层治理` / `需要更多“新力量”`).
   A Markdown head under a title at a level the page uses for lone subheads is split off as
   the first subhead. A rejected group is, in order:
     subhead  (`## ` in the body) if Markdown-marked; or unmarked on an unmarked page, one
              line ≤ 30 characters without commas that reads like a headline (two phrases
              split by a space, `地名：…`, a quoted ending), after a finished sentence or a
              picture, before text;
     caption  a short line inside a sentence broken across columns (the line before stops
              mid-word and is long; quotes balanced): `…专题设计` / `“85后”运河领航员足迹` / `18条…`;
     banner   banner-shaped and not followed by text;
     text     otherwise — a column wrap, joined into its paragraph.
3. Order of headline and body. Two readings are assembled and the cheaper wins (each
   untitled run of text or headline without text costs 3; a promotion 1):
     headline-first  title group, bylines, body — most pages. A paragraph opening with a
                     dateline inside a body starts a new (untitled) article.
     body-first      body, title group, bylines, （下转） — column-wrapped pages extracted with each
                     headline after its own text: bylines before a body are its own, a （下转）
                     marker closes the article, a headline with nothing before it takes the text
                     after it. Text that reaches furniture or the page end without a headline
                     takes its last rejected candidate followed only by bylines (headline under
                     the text), else its first one with only bylines before it, as title.
4. Articles. Authors: the group's bylines, a parenthesised byline after the dateline
   (`本报讯(记者 张留 通讯员 王心慧)`, also wrapped over lines), a closing byline; people once.
   The dateline leaves the first paragraph (`本报讯`; `本报桐庐2月26日电` → place/month/day;
   `新华社杭州3月1日电`; `本报记者 X 报道`). Paragraphs: `clean.join_lines` over each run of
   text between subheads (captions are lifted out first, so a sentence broken around a
   photo is rejoined); a paragraph that stops mid-word takes the article's only paragraph
   that opens with a fragment no sentence starts with (`康、…`: columns out of order).
   Text with no headline: an article titled from its first sentence (cut at a clause, ≤ 30
   characters), with a warning — unless it is an editor's note (编者按：…), which opens the
   article below it. Captions with no text go to the article before (a picture set after a
   story's （下转…） line); a caption sharing no words with its article goes to the one it
   plainly describes (a page-foot picture). A （下转） marker that is the page's very last line goes to the
   nearest article that stops mid-sentence when the one before the marker ends cleanly.
Ids: `ascii_slug(file stem)-sha1(clean title)[:8]`, `-2`, `-3`… on a collision in the page.
Never raises: an internal error keeps the page as one article and reports an error Problem.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import PurePath

from . import clean
from .model import Article, Author, Caption, Dateline, Furniture, PageResult, Problem, RawPage

TITLE_THRESHOLD = 3
MAX_HEAD_CHARS = 40  # Han characters in one headline line
MAX_SUBHEAD_CHARS = 30
DERIVED_TITLE_CHARS = 30
UNTITLED_WARNING = "no headline found: title taken from the first sentence"

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_HAN_RE = re.compile(f"[{_HAN}]")
# Every Unicode space (what str.isspace() knows) and the zero-width characters PDFs leave.
_BLANK_CHARS = "".join(chr(c) for c in range(0x3001) if chr(c).isspace()) + "\u200b\u200c\u200d\u2060\ufeff"

# ------------------------------------------------------------------ people and their labels

# Common single-character surnames (plus a few rarer ones seen in Zhejiang bylines) and
# compound surnames: used only to tell a line of names from a short phrase.
_SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
    "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴"
    "莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅"
    "童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项"
    "连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖"
    "巩明佘池查麻苑迟邝官封谈匡鞠惠荆乐冀郁胥南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜阚权强"
    "帅屠豆朴盖练廉禹井祖漆巴丰支卿狄计索宣晋相初门云容敬扈晁芮普阙浦戈伏鹿薄邸雍辜羊乌母裘亓修邰赫杭"
    "况宿鲜印逯隆茹诸战慕危银亢嵇湛宾戎勾茅利於居揭干尉冶斯束檀衣信展阴昝智幸奉植衡富尧闭言密宓竺缑"
)
_COMPOUND_SURNAMES = (
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐", "长孙", "宇文", "司徒",
    "夏侯", "轩辕", "端木", "西门", "南宫", "独孤", "呼延", "申屠", "闻人", "澹台", "太史", "宗政", "濮阳",
    "赫连", "钟离", "淳于", "万俟",
)
# Role labels in bylines; spaces may sit between their characters ("记 者", "制 图").
_ROLE_WORDS = (
    "首席记者", "特约记者", "见习记者", "实习记者", "记者", "特约通讯员", "通讯员", "实习生",
    "摄影", "摄像", "制图", "绘图", "漫画", "撰稿", "整理", "编译", "责任编辑", "编辑",
)
_SPACED = r"\s*".join
# `本报记者` is spelled out as its own alternative before `记者` (not `(?:本报)?记者`): every
# alternative then starts with a literal, which the engine tests before entering it.
_ROLE_RE_TEXT = "|".join(
    ["共享联盟\\s*[·・•.]\\s*[" + _HAN + "]{2,4}"]
    + [spelled for word in _ROLE_WORDS for spelled in (f"本\\s*报\\s*{_SPACED(word)}", _SPACED(word))]
    + ["文\\s*[/／]\\s*图", "图\\s*[/／]\\s*文"]
    # `作者：王芳`, `文/李强 图/赵敏`: a label only with its colon or slash (文 and 图 alone are
    # common in names).
    + ["作\\s*者\\s*[:：]?", "文\\s*[/／:：]", "图\\s*[/／:：]"]
)
# An organisation before 记者/通讯员: "浙江共产党员杂志记者".
_ORG_ROLE = f"[{_HAN}]{{2,12}}?(?:日报|晚报|报社|杂志社?|电视台|广播电视台|新闻社|新闻网|网|台|社|中心|集团)(?:记者|通讯员)"
_ROLE_RE = re.compile(f"(?:(?<=\\s)|^)(?:{_ORG_ROLE})|{_ROLE_RE_TEXT}")
_PLAIN_ROLE_RE = re.compile(_ROLE_RE_TEXT)  # without the (slow) organisation prefix
# Characters every role label contains one of: a byline without any is only names.
_ROLE_CHARS_RE = re.compile("[记讯摄制绘漫撰整编实共图文作]")


def _role_regex(text: str) -> re.Pattern[str] | None:
    """The label pattern worth running on this text, or None when it cannot hold a label."""
    if not _ROLE_CHARS_RE.search(text):
        return None
    return _ROLE_RE if ("记者" in text or "通讯员" in text) else _PLAIN_ROLE_RE
_BYLINE_MARK = "■□●○▲△◆◇★☆"
_NAME_SPLIT = re.compile(r"[\s、，,／/;；]+")
_MIDDLE_DOTS = str.maketrans({"・": "·", "•": "·", "‧": "·", "．": "·"})


# Two-character words that turn up beside names in bylines and captions but are not people.
_NOT_NAMES = frozenset({"报道", "摄影", "供图", "提供", "整理", "通讯", "记者", "编辑", "图片", "文字", "来源", "本报", "综合"})


_NAME_RE = re.compile(f"[{_HAN}]{{2,4}}")
_MINORITY_NAME_RE = re.compile(f"[{_HAN}]+(?:·[{_HAN}]+)+")  # 哈斯叶提古丽·热西提


def _is_name(token: str) -> bool:
    if token in _NOT_NAMES:
        return False
    if "·" in token:
        return 3 <= len(token) <= 16 and _MINORITY_NAME_RE.fullmatch(token) is not None
    if _NAME_RE.fullmatch(token) is None:
        return False
    return len(token) < 4 or token[:2] in _COMPOUND_SURNAMES


def _has_surname(name: str) -> bool:
    return name[:1] in _SURNAMES or name[:2] in _COMPOUND_SURNAMES


def _split_names(part: str) -> list[str] | None:
    """`陈 璐 俞 琳 张丹燕` → [陈璐, 俞琳, 张丹燕]; None if something is not a name."""
    tokens = [t for t in _NAME_SPLIT.split(part.strip()) if t]
    names: list[str] = []
    pending_single = ""
    for token in tokens:
        if len(token) == 1:
            if pending_single:
                names.append(pending_single + token)
                pending_single = ""
            else:
                pending_single = token
            continue
        if pending_single:  # a lone surname before a longer token: "欧 阳明" is too rare to guess at
            return None
        names.append(token)
    if pending_single:
        if names and len(names[-1]) == 2 and len(tokens) >= 3 and len(tokens[-2]) == 1:
            names[-1] += pending_single  # 王 晓 明 → 王晓明
        else:
            return None
    if not all(_is_name(n) for n in names):
        return None
    return names


_SPACED_DOT_RE = re.compile(r"\s*·\s*")


def _normalise_byline(text: str) -> str:
    text = text.translate(_MIDDLE_DOTS)
    if "·" in text:
        text = _SPACED_DOT_RE.sub("·", text)
    return text.strip().strip(_BYLINE_MARK).strip()


_WHITESPACE_RUN_RE = re.compile(r"\s+")


def _role_label(raw: str) -> str:
    # `文/` → 文, `作者：` → 作者; `文/图` keeps its slash (one person did both).
    return _WHITESPACE_RUN_RE.sub("", raw).rstrip(":：/／")


# What the people did, after their names (（记者 周 洋 通讯员 陈 红 文/摄）): not a name.
# (A bare 摄 stays: `记者 刘健 摄` under a picture is its credit, not the story's byline.)
_WORK_SUFFIX_RE = re.compile(r"\s+(?:文\s*[/／]\s*摄|文\s*[/／]\s*图|图\s*[/／]\s*文)\s*$")


def parse_byline(text: str, *, bare_ok: bool = True) -> tuple[Author, ...] | None:
    """Authors of a byline (`■记 者 荣怡婷`, `记者 张留 通讯员 王心慧`, `罗焱 陈鑫`), or None.

    Every token must be consumed as a role label or a person name. With `bare_ok=False` a
    label (or the ■ mark, checked by the caller) is required.
    """
    text = _WORK_SUFFIX_RE.sub("", _normalise_byline(text))
    if not text or len(text) > 80:
        return None
    authors: list[Author] = []
    role: str | None = None
    position = 0
    labelled = False
    role_regex = _role_regex(text)
    for match in role_regex.finditer(text) if role_regex else ():
        before = text[position : match.start()]
        if before.strip():
            names = _split_names(before)
            if names is None:
                return None
            authors.extend(Author(n, role) for n in names)
        elif labelled and role is not None and not any(a.role == role for a in authors):
            return None  # two labels in a row: "记者 通讯员" names nobody
        role = _role_label(match.group(0)) or None
        if role == "作者":
            role = None  # 作者：王芳 says who wrote it, which every byline does
        labelled = True
        position = match.end()
    rest = text[position:]
    if rest.strip():
        names = _split_names(rest)
        if names is None:
            return None
        authors.extend(Author(n, role) for n in names)
    elif labelled and not any(a.role == role for a in authors):
        return None  # a label with no name after it
    if not authors or (not labelled and not bare_ok):
        return None
    return _dedupe_authors(authors)


def _dedupe_authors(authors: list[Author]) -> tuple[Author, ...]:
    seen: set[str] = set()
    unique = []
    for author in authors:
        if author.name not in seen:
            seen.add(author.name)
            unique.append(author)
    return tuple(unique)


_NOT_NAME_CHAR_RE = re.compile(f"[^\\s{_HAN}·・]")


def _bare_names(line: str) -> tuple[Author, ...] | None:
    """A line that is only person names: `王凌云 杨斌英 王晨曦`, `陈 烨`, `张妍琦`."""
    stripped = line.strip()
    if not stripped or len(stripped) > 40 or _NOT_NAME_CHAR_RE.search(stripped):
        return None
    if any(len(token) > 4 and "·" not in token and "・" not in token for token in stripped.split()):
        return None  # a run of five characters or more is a phrase, not a name
    authors = parse_byline(stripped)
    if not authors or len(authors) > 6 or any(a.role for a in authors):
        return None
    with_surname = sum(_has_surname(a.name) for a in authors)
    if len(authors) == 1:
        name = authors[0].name
        return authors if with_surname and (len(name) <= 3 or name[:2] in _COMPOUND_SURNAMES) else None
    return authors if with_surname * 2 >= len(authors) else None


def _labelled_byline(line: str) -> tuple[Author, ...] | None:
    """A byline line with a ■ mark or a role label: `■记 者 胡佳英`, `通讯员 孙 玲 张丹燕`, `■言成声`."""
    stripped = line.strip()
    if not stripped or len(stripped) > 60:
        return None
    marked = stripped[0] in _BYLINE_MARK
    body = _normalise_byline(stripped)
    if not marked and not _ROLE_RE.match(body):
        return None
    return parse_byline(body, bare_ok=marked)


_PAREN_NAMES_RE = re.compile(r"[（(]\s*([^（）()]{2,60}?)\s*[）)]\s*$")
# Anything but names in parentheses: then a role label is needed.
_NOT_BARE_NAMES_RE = re.compile(r"[^\s" + _HAN + "·・•]")


@lru_cache(maxsize=256)  # scoring and building test the same closing lines of an article
def _closing_names(line: str) -> tuple[str, tuple[Author, ...]] | None:
    """`…收集问题12个。(孙婷婷)` → (text before, authors): a parenthesised byline at a paragraph's end."""
    line = line.rstrip()
    if not line or line[-1] not in "）)":
        return None
    match = _PAREN_NAMES_RE.search(line[-64:])
    if match:
        match = _PAREN_NAMES_RE.search(line, max(0, len(line) - 64))
    if not match:
        return None
    inner = match.group(1)
    if _NOT_BARE_NAMES_RE.search(inner):
        labelled = _ROLE_RE.search(_normalise_byline(inner))
        if not labelled:
            return None
    authors = parse_byline(inner)
    if not authors or len(authors) > 8:
        return None
    if not any(a.role for a in authors) and sum(_has_surname(a.name) for a in authors) * 2 < len(authors):
        return None
    return line[: match.start()].rstrip(), authors


# ------------------------------------------------------------------ datelines

_AGENCY = "本报|本刊|本台|新华社|中新社|人民网|新华网|央视网|浙江在线|中国新闻社"
_DATED_RE = re.compile(
    f"^\\s*(?P<agency>{_AGENCY})\\s*(?P<place>[{_HAN}]{{1,10}}?)?\\s*(?P<month>\\d{{1,2}})\\s*月\\s*(?P<day>\\d{{1,2}})\\s*日\\s*电"
)
_NEWS_RE = re.compile(f"^\\s*(?P<agency>本报|本刊|本台|新华社|[{_HAN}]{{2,6}}?)\\s*讯(?=[\\s（(【“\"{_HAN}\\d]|$)")
_REPORTED_RE = re.compile(f"^\\s*(?P<label>(?:本报|本刊)?(?:记者|通讯员))\\s*(?P<names>[{_HAN}\\s]{{2,30}}?)\\s*报道")
_DATELINE_BYLINE_RE = re.compile(r"^\s*[（(]([^（）()]{2,80})[）)]")
_NEWS_AGENCY_WORDS = ("本报", "本刊", "本台", "新华社")
_BYLINE_OR_SPACE_NEXT_RE = re.compile(r"\s*[（(\s]")
_OPENS_PAREN_RE = re.compile(r"^\s*[（(]")


@dataclass(frozen=True)
class _DatelineMatch:
    dateline: Dateline
    authors: tuple[Author, ...]
    rest: str  # the line without dateline and byline


def _leading_dateline(line: str) -> tuple[Dateline, int] | _DatelineMatch | None:
    """The dateline a paragraph opens with and the offset where it ends, or None.

    A `本报记者 X 报道` opening names its people itself and comes back whole, as a match.
    """
    if "电" not in line[:24] and "讯" not in line[:10] and "报道" not in line[:40]:
        return None
    match = _DATED_RE.match(line)
    if match:
        place = match.group("place") or None
        raw = _WHITESPACE_RUN_RE.sub("", match.group(0))
        return Dateline(raw=raw, place=place, month=int(match.group("month")), day=int(match.group("day"))), match.end()
    match = _NEWS_RE.match(line)
    if match and (match.group("agency") in _NEWS_AGENCY_WORDS or len(match.group("agency")) <= 4):
        if match.group("agency") not in _NEWS_AGENCY_WORDS and not _BYLINE_OR_SPACE_NEXT_RE.match(line, match.end()):
            match = None  # "X讯" only counts from a news agency, or when a byline/space follows
    else:
        match = None
    if match:
        agency = match.group("agency")
        place = None if agency in _NEWS_AGENCY_WORDS else re.sub(f"^(?:{_AGENCY})", "", agency) or None
        return Dateline(raw=_WHITESPACE_RUN_RE.sub("", match.group(0)), place=place), match.end()
    reported = _REPORTED_RE.match(line)
    if reported:
        people = parse_byline(f"{reported.group('label')} {reported.group('names')}")
        if people:
            raw = _WHITESPACE_RUN_RE.sub(" ", reported.group(0).strip())
            return _DatelineMatch(Dateline(raw=raw), people, line[reported.end() :].lstrip())
    return None


def _has_dateline(line: str) -> bool:
    """Does the paragraph open with a dateline? Same answer as `_match_dateline(line, …) is not None`
    (the byline after a dateline never decides that), without parsing the byline."""
    return _leading_dateline(line) is not None


def _match_dateline(line: str, following: list[str]) -> tuple[_DatelineMatch, int] | None:
    """A dateline opening a paragraph, with its parenthesised byline (which may wrap onto `following`).

    Returns the match and how many of the following lines it consumed.
    """
    lead = _leading_dateline(line)
    if lead is None or isinstance(lead, _DatelineMatch):
        return None if lead is None else (lead, 0)
    dateline, end = lead
    authors: tuple[Author, ...] = ()
    rest = line[end:]
    consumed = 0
    if not rest.strip(_BLANK_CHARS) and following and _OPENS_PAREN_RE.match(following[0]):
        rest, following, consumed = following[0], following[1:], 1  # the byline starts on the next line
    skipped = consumed
    if _OPENS_PAREN_RE.match(rest):
        needed = 0
        while not _has_closing_paren(rest + "".join(following[:needed])) and needed < min(len(following), 5):
            needed += 1
        for joined in _joinings([rest, *following[:needed]]):
            inner = _DATELINE_BYLINE_RE.match(joined)
            people = parse_byline(inner.group(1)) if inner else None
            if inner and people:
                authors = people
                rest = joined[inner.end() :]
                consumed = skipped + needed
                break
    elif rest.strip(_BLANK_CHARS) and not authors:
        # 本报嘉兴3月5日电 记者 王 璐 通讯员 李 明: the people on the dateline's line, unbracketed,
        # with nothing else after them (the text starts on the next line).
        people = _labelled_byline(rest)
        if people and _ROLE_RE.match(_normalise_byline(rest.strip())):
            authors, rest = people, ""
    return _DatelineMatch(dateline, authors, rest.lstrip(" \u3000")), consumed


def _has_closing_paren(text: str) -> bool:
    return "）" in text or ")" in text


def _joinings(lines: list[str]) -> list[str]:
    """A parenthesised byline wrapped over lines: joined with no space (a name split) or a space (between names)."""
    pieces = [line.strip(_BLANK_CHARS) for line in lines]
    joined = [pieces[0]]
    for piece in pieces[1:]:
        joined = [j + sep + piece for j in joined for sep in ("", " ")]
    return joined


# ------------------------------------------------------------------ captions and furniture

_CREDIT_IN_PARENS_RE = re.compile(r"[（(]\s*((?:图片由|图由|照片由)[^（）()]{1,40}提供|[^（）()]{1,30}(?:供图|摄)|图[:：/][^（）()]{1,20})\s*[）)]\s*$")
_CREDIT_TAIL_RE = re.compile(f"^(?P<text>.+?)\\s+(?P<credit>[^\\s]{{2,30}}供图|(?:本报)?(?:记者|通讯员)?\\s*[{_HAN}·・\\s]{{2,40}}?\\s摄)\\s*$")
_CREDIT_LINE_RE = re.compile(
    f"^(?:(?:图片由|图由|照片由).{{1,40}}提供|[^\\s]{{2,30}}供图|(?:本报)?(?:记者|通讯员|摄影)?\\s*[{_HAN}·・•\\s]{{2,40}}?\\s摄)$"
)
_PHOTO_LEAD_RE = re.compile(r"^(?:图为|上图|下图|左图|右图|图[:：]|▲|△)")
_DOUBLED_NUMBER_RE = re.compile(r"(\d+)\1[.．]{2}(\d+)\2|(\d{2,})\3(?=[%％亿万])")
_NUMBER_LINE_RE = re.compile(r"^[\s\d.,，．%％+\-~～万亿千百元个家人次项件倍米吨户名余多超近约个台套亩平方公里米]+$")
_PAGE_LABEL_RE = re.compile(
    r"^(?:\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*星期[一二三四五六日天]|第\s*\d+\s*版|责任编辑[:：].*|责编[:：].*|美编[:：].*|校对[:：].*)$"
)
# The pieces of a page's folio line (湖州日报  2025年3月12日  星期三  第3版  综合新闻): a line made
# only of these, of short labels between them, is the page header, not a headline.
_FOLIO_PART_RE = re.compile(
    r"(?P<date>(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日)"
    r"|(?P<weekday>星期[一二三四五六日天]|周[一二三四五六日])"
    r"|(?P<page>第\s*[A-Za-z]?\d{1,3}\s*版|[A-Z]\d{1,2}\s*版?)"
    r"|(?P<lunar>农历[\u4e00-\u9fff]{2,8})"
    r"|(?P<credit>(?:责任编辑|责编|美编|校对|版式|审读|本版编辑|编辑)[:：]\s*[\u4e00-\u9fff]{2,4})"
)
# Where a story came from, on a line of its own after it (来源：普陀区委政法委): not a headline.
_SOURCE_LINE_RE = re.compile(r"^[【\[（(]?(?:来源|稿源|信息来源|供稿|资料来源)[:：]\s*\S.{0,40}$")
# Names of the standing columns of a news page: a line that is only one of them labels what
# follows (图片新闻 above a photo, 短讯 above briefs), it is never a headline.
COLUMN_NAMES = frozenset({
    "短讯", "简讯", "快讯", "短新闻", "新闻速递", "新闻速览", "要闻速览", "要闻简报", "本地新闻", "综合新闻",
    "图片新闻", "新闻图片", "图片报道", "图说", "图说新闻", "镜头", "一线传真", "基层传真", "县域传真", "基层动态", "动态",
})
_FOLIO_SEPARATORS_RE = re.compile(r"[\s|｜/·•]+")
_PAPER_KINDS = "日报|晚报|早报|商报|时报|周报"
_PUBLICATION_RE = re.compile(f"^[\u4e00-\u9fff]{{2,10}}(?:{_PAPER_KINDS}|报)$")


def _iso_date(year: str, month: str, day: str) -> str | None:
    try:
        return _dt.date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return None


def folio_parts(line: str) -> dict[str, str] | None:
    """The page header's publication, date (ISO) and page, when `line` is a folio line; else None.

    A folio line holds at least two of: a full date, a weekday, a page number (第3版, A2), an
    editor's credit; and besides them only a publication name and short labels (综合新闻),
    no sentence punctuation. A headline never looks like that.
    """
    if len(line) > 80 or ("年" not in line and "版" not in line) or re.search(r"[。，！？；,!?;“”\"]", line):
        return None
    parts = list(_FOLIO_PART_RE.finditer(line))
    if len({m.lastgroup if m.lastgroup != "d" else "date" for m in parts}) < 2:
        return None
    rest = [piece for piece in _FOLIO_SEPARATORS_RE.split(_FOLIO_PART_RE.sub(" ", line)) if piece]
    if len(rest) > 3 or any(len(piece) > 10 or _han_count(piece) != len(piece) for piece in rest):
        return None
    found: dict[str, str] = {}
    for match in parts:
        if match.group("date") and "date" not in found:
            date = _iso_date(match.group("y"), match.group("m"), match.group("d"))
            if date is None:
                return None  # 2025年13月40日 is not a date: not a folio either
            found["date"] = date
        elif match.group("page") and "page" not in found:
            found["page"] = _WHITESPACE_RUN_RE.sub("", match.group("page"))
    publication = next((piece for piece in rest if _PUBLICATION_RE.match(piece)), None)
    if publication:
        found["publication"] = publication
    return found


_NAME_DATE_RE = re.compile(r"(?<!\d)((?:19|20)\d{2})[-_.年](\d{1,2})[-_.月](\d{1,2})(?!\d)")
_NAME_PAGE_RE = re.compile(r"第\s*[A-Za-z]?\d{1,3}\s*版")
_NAME_PUBLICATION_RE = re.compile(f"^[\u4e00-\u9fff]{{2,10}}?(?:{_PAPER_KINDS})")


def file_name_parts(name: str) -> dict[str, str]:
    """Publication, date and page a page file's name spells out (浙江日报-2025-03-06-第5版.txt).

    Only dates written with separators count: a run of eight digits in a name is as often
    a hash or a serial number as a date.
    """
    stem = PurePath(name).stem
    found: dict[str, str] = {}
    match = _NAME_DATE_RE.search(stem)
    date = _iso_date(*match.groups()) if match else None
    if date:
        found["date"] = date
    page = _NAME_PAGE_RE.search(stem)
    if page:
        found["page"] = _WHITESPACE_RUN_RE.sub("", page.group())
    publication = _NAME_PUBLICATION_RE.match(stem)
    if publication:
        found["publication"] = publication.group()
    return found


def _split_caption(line: str) -> Caption | None:
    """A caption line with a photo credit, or None."""
    stripped = line.strip()
    match = _CREDIT_IN_PARENS_RE.search(stripped)
    if match and match.start() > 0:
        return Caption(clean.clean_text(stripped[: match.start()]), _credit(match.group(1)))
    match = _CREDIT_TAIL_RE.match(stripped) if len(stripped) <= 80 else None
    if match and _HAN_RE.search(match.group("text")):
        return Caption(clean.clean_text(match.group("text")), _credit(match.group("credit")))
    return None


def _credit(raw: str) -> str:
    return re.sub(r"\s+", " ", raw.translate(_MIDDLE_DOTS)).strip()


# ------------------------------------------------------------------ units


@dataclass
class _Unit:
    kind: str  # "head" | "byline" | "names" | "text" | "caption" | "credit" | "furniture"
    lines: list[tuple[int, str]]  # (1-based line number, raw line)
    gap: int  # blank lines before the unit; 0 = same block as the unit before
    level: int = 0  # Markdown level of a head; 0 = unmarked candidate
    head: str = ""  # a head's text without Markdown marks
    authors: tuple[Author, ...] = ()
    caption: Caption | None = None
    furniture: Furniture | None = None
    closing: bool = False  # a parenthesised byline line: "（罗焱 陈鑫）"

    @property
    def line(self) -> int:
        return self.lines[0][0] if self.lines else 0

    @property
    def raw(self) -> list[str]:
        return [text for _, text in self.lines]

    # The first/last raw line without copying them all (a column of text has dozens).
    @property
    def first_raw(self) -> str:
        return self.lines[0][1]

    @property
    def last_raw(self) -> str:
        return self.lines[-1][1]


def _is_blank(line: str) -> bool:
    return not line.strip(_BLANK_CHARS)


def _han_count(text: str) -> int:
    """Han characters only: headline and subhead lengths are measured in 汉字, whereas
    clean.cjk_count also counts kana and Hangul (for spacing and punctuation decisions)."""
    return len(_HAN_RE.findall(text))


# Sentence punctuation anywhere, or an exclamation/question mark before the end.
_SENTENCE_INSIDE_RE = re.compile(r"[。；;]|[！？!?…](?=.)")


def _headlike(line: str, *, commas: int) -> bool:
    """Short, with no sentence punctuation inside or at its end: could be a headline line."""
    text = line.strip(_BLANK_CHARS)
    if len(text) > MAX_HEAD_CHARS + 16 or len(text) < 2 or "。" in text:
        return False
    han = _han_count(text)
    if han < 2 or han > MAX_HEAD_CHARS:
        return False
    if _SENTENCE_INSIDE_RE.search(text) or text[-1] in "，,、：:；;（(—-–·/":
        return False
    if text.count("，") + text.count(",") > commas:
        return False
    digits = sum(c.isdigit() for c in text)
    if digits * 3 > len(text):
        return False
    if _DATED_RE.match(text) or _NEWS_RE.match(text) or _PHOTO_LEAD_RE.match(text):
        return False
    return True


_BULLET_START_RE = re.compile(f"[{re.escape(_BLANK_CHARS)}]*[{_BYLINE_MARK}]")


def _bullet_headline(line: str) -> bool:
    """■长兴召开人才工作会议: a bullet, then a headline (not a byline: ■记者 沈洁)."""
    if not _BULLET_START_RE.match(line):
        return False
    text = line.strip(_BLANK_CHARS)
    if len(text) < 5:
        return False
    rest = text.lstrip(_BYLINE_MARK + _BLANK_CHARS)
    return _han_count(rest) >= 4 and _headlike(rest, commas=1) and _labelled_byline(text) is None and not _PLAIN_ROLE_RE.match(rest)


def _is_bullet_head(unit: _Unit) -> bool:
    return unit.kind == "head" and not unit.level and bool(unit.lines) and _bullet_headline(unit.lines[0][1])


def _only_pictures_follow(units: list[_Unit], group: _Group, next_start: int) -> bool:
    """Nothing but captioned pictures between the headline and the next one (or the page's end)."""
    section = units[_next_index(units, group) : next_start]
    # Set apart by a blank line: a line run into the caption's block is the caption's own first line.
    return bool(section) and section[0].gap > 0 and all(u.kind in ("caption", "credit") for u in section) and any(
        u.caption is not None and u.caption.text for u in section
    )


def _labels_briefs(units: list[_Unit], group: _Group) -> bool:
    """A short lone head right above a ■ headline: the name of a column of news briefs (短讯)."""
    (head,) = group.heads if len(group.heads) == 1 else (None,)
    if head is None or units[head].level or _han_count(units[head].head) > 8 or _bullet_headline(units[head].lines[0][1]):
        return False
    return head + 1 < len(units) and _is_bullet_head(units[head + 1])


def _blocks(text: str) -> list[tuple[int, list[tuple[int, str]]]]:
    blocks: list[tuple[int, list[tuple[int, str]]]] = []
    gap = 0
    current: list[tuple[int, str]] = []
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.rstrip(_BLANK_CHARS)
        if not line:  # (what is left ends with a visible character: no lstrip test needed)
            if current:
                blocks.append((gap, current))
                current, gap = [], 0
            gap += 1
        elif current and len(current) <= 3 and _has_dateline(line) and all(
            _headlike(previous, commas=1) for _, previous in current
        ):
            # Headline lines set flush on a dateline paragraph (`标题` / `本报讯 …`): the dateline
            # opens the body, so the lines above it are a headline block of their own.
            blocks.append((gap, current))
            current, gap = [(number, line)], 1
        elif _bullet_headline(line):
            # A news brief's headline (■长兴召开人才工作会议) set flush on its text: a block of its own.
            if current:
                blocks.append((gap, current))
                gap = 1
            blocks.append((gap, [(number, line)]))
            current, gap = [], 1
        else:
            current.append((number, line))
    if current:
        blocks.append((gap, current))
    return blocks


def _doubled_number_lines(text: str) -> set[int]:
    """Numbers of the lines with a display-font doubled decimal (`347347..22`): the two dots
    are the cheap sign to look for; a box's other doubled numbers (`138138%`) count later."""
    if ".." not in text and "．．" not in text:
        return set()
    return {
        number
        for number, line in enumerate(text.split("\n"), start=1)
        if (".." in line or "．．" in line) and _DOUBLED_NUMBER_RE.search(line)
    }


def _figure_box_lines(text: str, blocks: list[tuple[int, list[tuple[int, str]]]]) -> set[int]:
    """Line numbers of figure boxes: display-font numbers (digits doubled) or blocks of short number lines."""
    boxed: set[int] = set()
    hit_lines = _doubled_number_lines(text)
    hits = [(number, index) for index, (_, lines) in enumerate(blocks) for number, _ in lines if number in hit_lines] if hit_lines else []
    flat = [(number, line, index) for index, (_, lines) in enumerate(blocks) for number, line in lines] if hits else []
    # Cluster doubled-number lines no more than 4 lines apart; a cluster needs 2 hits.
    clusters: list[list[tuple[int, int]]] = []
    for hit in hits:
        if clusters and hit[0] - clusters[-1][-1][0] <= 4:
            clusters[-1].append(hit)
        else:
            clusters.append([hit])
    for cluster in clusters:
        count = sum(len(_DOUBLED_NUMBER_RE.findall(line)) for number, line, _ in flat if cluster[0][0] <= number <= cluster[-1][0])
        if count < 2:
            continue
        first, last = cluster[0][0], cluster[-1][0]
        boxed.update(n for n, _, _ in flat if first <= n <= last)
        # Lines of the first block before the first hit, and a short label block just before it.
        first_block = cluster[0][1]
        boxed.update(n for n, _ in blocks[first_block][1] if n < first)
        gap, lines = blocks[first_block]
        if first_block > 0 and gap <= 1:
            label = blocks[first_block - 1][1]
            if len(label) == 1 and _han_count(label[0][1]) <= 12 and _headlike(label[0][1], commas=0):
                boxed.add(label[0][0])
        # The rest of the last block, if it is only numbers or ends the figure's sentence.
        last_block = cluster[-1][1]
        for n, line in blocks[last_block][1]:
            if n > last and (_NUMBER_LINE_RE.match(line) or _DOUBLED_NUMBER_RE.search(line)):
                boxed.add(n)
    for _, lines in blocks:
        if len(lines) >= 2 and all(len(line.strip()) <= 16 and "。" not in line for _, line in lines):
            numeric = sum(1 for _, line in lines if sum(c.isdigit() for c in line) * 2 >= len(line.strip()))
            if numeric * 2 >= len(lines):
                boxed.update(n for n, _ in lines)
    return boxed


# Cheap tests that let most body lines skip the byline and caption parsers.
_ROLE_FIRST_CHARS = frozenset(_BYLINE_MARK + "首特见实记通摄制绘漫撰整编责共文图本作")
# Words of photo credits and captions (literal alternatives: the engine jumps to their first
# characters) and the words a caption opens with.
_CAPTION_WORDS_RE = re.compile("供图|提供|摄|▲|△")
_CAPTION_OPENINGS = ("图", "上图", "下图", "左图", "右图")


def _caption_hint(text: str) -> bool:
    """Could this be a caption or photo credit? (Cheap test before the caption parsers.)"""
    return text.startswith(_CAPTION_OPENINGS) or _CAPTION_WORDS_RE.search(text) is not None


_ONLY_NAME_CHARS_RE = re.compile(f"^[\\s{_HAN}·・•]+$")
_NOT_PLAIN_START = frozenset("#（(【[" + _BYLINE_MARK + _BLANK_CHARS) | _ROLE_FIRST_CHARS
# Anything a heading, byline, caption or continuation marker would have.
# Every alternative starts with a literal, so the engine jumps to their first characters.
_NOT_PLAIN_RE = re.compile("转|接|续|承|摄|▲|△|记者|通讯员|供图|提供")


def _plain_body_line(line: str) -> bool:
    """A line of running text for sure (most lines of a page): a comma or full stop in it, or
    nine characters or more without a space (a column-wrapped line), and nothing a heading,
    byline, caption or continuation marker would have. Headline candidates are picked from
    text units later, so a headline taking this path is not lost."""
    return (
        len(line) > 6
        and line[0] not in _NOT_PLAIN_START
        and ("，" in line or "。" in line or "," in line or (len(line) > 8 and " " not in line and "\u3000" not in line))
        and _NOT_PLAIN_RE.search(line) is None
    )


def _continues_text(units: list[_Unit]) -> bool:
    """The block so far ends with a text line that stops mid-sentence: the next line goes on with it."""
    if not units or units[-1].kind != "text":
        return False
    last = units[-1].lines[-1][1].rstrip(_BLANK_CHARS)
    return bool(last) and not clean.ends_sentence(last) and last[-1] not in "：:"


def _line_units(gap: int, lines: list[tuple[int, str]], boxed: set[int]) -> list[_Unit]:
    """Classify the lines of one block; consecutive text lines become one text unit."""
    units: list[_Unit] = []

    def add(unit: _Unit) -> None:
        if unit.kind == "text" and units and units[-1].kind == "text":
            units[-1].lines.extend(unit.lines)
            return
        if unit.kind == "furniture" and unit.furniture and unit.furniture.kind == "figure-box" and units and units[-1].furniture and units[-1].furniture.kind == "figure-box":
            units[-1].lines.extend(unit.lines)
            return
        unit.gap = gap if not units else 0
        units.append(unit)

    for number, line in lines:
        if _plain_body_line(line) and number not in boxed and not ("源" in line[:8] or "供稿" in line[:8]):
            if units and units[-1].kind == "text":
                units[-1].lines.append((number, line))
            else:
                add(_Unit("text", [(number, line)], 0))
            continue
        entry = [(number, line)]
        if number in boxed:
            add(_Unit("furniture", entry, 0, furniture=Furniture("figure-box", "")))
            continue
        level, heading = clean.strip_markdown_heading(line)
        content = heading if level else line
        rest, markers = clean.extract_furniture(content)
        if markers:
            before = [m for m in markers if m.kind == "continues"]
            after = [m for m in markers if m.kind != "continues"]
            for marker in before:
                add(_Unit("furniture", entry, 0, furniture=marker))
            if rest.strip(_BLANK_CHARS):
                for unit in _classify_line(number, rest if not level else rest, level, rest):
                    add(unit)
            for marker in after:
                add(_Unit("furniture", entry, 0, furniture=marker))
            continue
        for unit in _classify_line(number, line, level, heading):
            if unit.kind == "caption" and not level and _continues_text(units):
                # 截至\n目前，已发放…（记者 周 洋 通讯员 陈 红 文/摄）: the rest of a wrapped paragraph
                # ending in its closing byline, not a photo caption.
                unit = _Unit("text", unit.lines, 0)
            add(unit)
    # A bare name on the line after a byline continues it ("■摄影 王 强" / "夏晓蕾").
    for index in range(1, len(units)):
        if units[index].kind == "names" and units[index - 1].kind == "byline":
            last_role = units[index - 1].authors[-1].role if units[index - 1].authors else None
            units[index].kind = "byline"
            units[index].authors = tuple(Author(a.name, last_role) for a in units[index].authors)
    return units




def _classify_line(number: int, line: str, level: int, heading: str) -> list[_Unit]:
    entry = [(number, line)]
    if level:
        if not heading.strip(_BLANK_CHARS):
            return []
        return [_Unit("head", entry, 0, level=level, head=heading.strip())]
    stripped = line.strip(_BLANK_CHARS)
    if len(stripped) > 120:
        caption = _split_caption(stripped) if _caption_hint(stripped[-40:]) else None
        return [_Unit("caption", entry, 0, caption=caption)] if caption and caption.text else [_Unit("text", entry, 0)]
    if _SOURCE_LINE_RE.match(stripped):
        return [_Unit("furniture", entry, 0, furniture=Furniture("source", clean.clean_text(stripped)))]
    if _PAGE_LABEL_RE.match(stripped) or stripped in COLUMN_NAMES:
        return [_Unit("furniture", entry, 0, furniture=Furniture("column-label", clean.clean_text(stripped)))]
    if folio_parts(stripped) is not None:
        return [_Unit("furniture", entry, 0, furniture=Furniture("folio", " ".join(stripped.split())))]
    if len(stripped) <= 60 and (stripped[0] in _ROLE_FIRST_CHARS or "记者" in stripped or "通讯员" in stripped):
        authors = _labelled_byline(stripped)
        if authors:
            return [_Unit("byline", entry, 0, authors=authors)]
    if stripped[0] in "（(" and stripped[-1] in "）)":
        whole_paren = re.fullmatch(r"[（(]\s*([^（）()]{2,60})\s*[）)]", stripped)
        closing = _closing_names(stripped) if whole_paren else None
        if closing:
            return [_Unit("byline", entry, 0, authors=closing[1], closing=True)]
    if len(stripped) <= 40 and _ONLY_NAME_CHARS_RE.match(stripped):
        names = _bare_names(stripped)
        if names:
            return [_Unit("names", entry, 0, authors=names)]
    if _caption_hint(stripped):
        if _CREDIT_LINE_RE.match(stripped) and _han_count(stripped) <= 40:
            return [_Unit("credit", entry, 0, caption=Caption("", _credit(stripped)))]
        whole = _CREDIT_IN_PARENS_RE.match(stripped)
        if whole and whole.end() == len(stripped):  # `（张丽 摄）` alone: a picture's credit
            return [_Unit("credit", entry, 0, caption=Caption("", _credit(whole.group(1))))]
        caption = _split_caption(stripped)
        if caption and caption.text:
            return [_Unit("caption", entry, 0, caption=caption)]
    if _PHOTO_LEAD_RE.match(stripped) and len(stripped) <= 120:
        return [_Unit("caption", entry, 0, caption=Caption(clean.clean_text(stripped)))]
    return [_Unit("text", entry, 0)]


def _page_units(text: str) -> list[_Unit]:
    blocks = _blocks(text)
    boxed = _figure_box_lines(text, blocks)
    units: list[_Unit] = []
    for gap, lines in blocks:
        block_units = _line_units(gap, lines, boxed)
        units.extend(block_units)
    # Figure boxes across blocks are one piece of furniture.
    merged: list[_Unit] = []
    for unit in units:
        if (
            unit.kind == "furniture"
            and unit.furniture is not None
            and unit.furniture.kind == "figure-box"
            and merged
            and merged[-1].furniture is not None
            and merged[-1].furniture.kind == "figure-box"
        ):
            merged[-1].lines.extend(unit.lines)
            continue
        merged.append(unit)
    for unit in merged:
        if unit.furniture is not None and unit.furniture.kind == "figure-box":
            unit.furniture = Furniture("figure-box", " ".join(clean.clean_text(line) for line in unit.raw))
    return merged


# ------------------------------------------------------------------ headline candidates and groups


@dataclass
class _Group:
    heads: list[int]  # unit indexes, in page order
    bylines: list[int] = field(default_factory=list)  # byline/names units right after the heads
    score: int = 0
    accepted: bool = False
    marked: bool = False


def _is_marked_page(units: list[_Unit]) -> bool:
    return any(u.kind == "head" and u.level for u in units)


def _make_candidates(units: list[_Unit], marked_page: bool) -> None:
    """Short unpunctuated text units (≤ 3 lines) become unmarked head candidates, one per line."""
    result: list[_Unit] = []
    for unit in units:
        # A comma is tolerated in a one-line headline ("在诗乡，吟诗赛诗迎亚运"), never in a wrapped block.
        commas = 1 if not marked_page and len(unit.lines) == 1 else 0
        if unit.kind == "text" and len(unit.lines) <= 3 and all(_headlike(line, commas=commas) for line in unit.raw):
            for offset, entry in enumerate(unit.lines):
                head = entry[1].strip(_BLANK_CHARS)
                if _bullet_headline(head):
                    head = head.lstrip(_BYLINE_MARK + _BLANK_CHARS)
                result.append(_Unit("head", [entry], unit.gap if offset == 0 else 0, level=0, head=head))
        else:
            result.append(unit)
    units[:] = result


def _gap_captions(units: list[_Unit]) -> None:
    """A lone unmarked line after two or more blank lines, with no byline or dateline after it, is a photo caption.

    Pages extracted from PDFs leave a wide gap where a picture was; the caption follows it.
    """
    seen_content = False
    for index, unit in enumerate(units):
        if (
            unit.kind == "head"
            and not unit.level
            and unit.gap >= 2
            and seen_content
            and (index + 1 >= len(units) or units[index + 1].gap > 0)
            and _balanced_quotes(unit.head)
        ):
            cursor = index + 1
            while cursor < len(units) and cursor <= index + 2 and units[cursor].kind == "head" and not units[cursor].level and units[cursor].gap <= 1:
                cursor += 1
            following = units[cursor] if cursor < len(units) else None
            titled = following is not None and (
                following.kind in ("byline", "names")
                and not following.closing
                or (following.kind == "text" and _has_dateline(following.first_raw.strip(_BLANK_CHARS)))
            )
            if not titled:
                unit.kind = "caption"
                unit.caption = Caption(clean.clean_text(unit.head))
        if unit.kind in ("text", "head", "byline", "names", "caption"):
            seen_content = True


def _balanced_quotes(text: str) -> bool:
    return text.count("“") == text.count("”") and text.count('"') % 2 == 0 and text.count("（") + text.count("(") == text.count("）") + text.count(")")


def _style(text: str) -> bool:
    """Reads like a headline: two phrases split by a space, `地名：…`, or a quoted/bracketed ending."""
    stripped = text.strip(_BLANK_CHARS)
    phrases = [p for p in re.split(r"[ \u3000]+", stripped) if p]
    if len(phrases) >= 2 and all(_han_count(p) >= 3 for p in phrases):
        return True
    if re.match(f"^[{_HAN}]{{2,10}}[：:][^，,]{{4,}}$", stripped):
        return True
    if re.search(r"[”\"』」》】]$", stripped) and _han_count(stripped) >= 6:
        return True
    if _NUMBERED_HEADING_RE.match(stripped) or re.fullmatch(r"【[^】]{2,12}】", stripped):
        return True
    return False


# Numbered section headings: 一、聚焦主责主业 / （二）强化保障 / 3. 优化服务
_NUMBERED_HEADING_RE = re.compile(r"^(?:[一二三四五六七八九十]{1,3}[、.．]|[（(][一二三四五六七八九十\d]{1,3}[）)]|\d{1,2}[、.．](?!\d))\s*\S")


def _merge_wrapped_heads(units: list[_Unit]) -> None:
    """`基层治理` + `需要更多“新力量”` on consecutive lines: one headline wrapped in a narrow column."""
    result: list[_Unit] = []
    for unit in units:
        if (
            unit.kind == "head"
            and not unit.level
            and unit.gap == 0
            and result
            and result[-1].kind == "head"
            and not result[-1].level
            and _han_count(result[-1].head) < 5
            and " " not in result[-1].head.strip()
        ):
            previous = result[-1]
            previous.lines.extend(unit.lines)
            previous.head = previous.head + unit.head
            continue
        result.append(unit)
    units[:] = result


def _groups(units: list[_Unit], marked_page: bool) -> list[_Group]:
    groups: list[_Group] = []
    index = 0
    while index < len(units):
        unit = units[index]
        if unit.kind != "head":
            index += 1
            continue
        heads = [index]
        cursor = index + 1
        while cursor < len(units) and units[cursor].kind == "head" and units[cursor].gap <= 2:
            if _is_bullet_head(units[cursor]):
                break  # a news brief's ■ headline always starts its own article
            if marked_page and not _joins_marked_group(units, heads, cursor):
                break
            if not marked_page and not _joins_unmarked_group(units[cursor]):
                break
            if marked_page and len(heads) == 1 and not units[index].level and _page_top_label(units, index):
                break  # 要闻 above the first headline is the page's section label, not a kicker
            heads.append(cursor)
            cursor += 1
        bylines: list[int] = []
        while cursor < len(units) and units[cursor].kind in ("byline", "names") and units[cursor].gap <= 2 and not units[cursor].closing:
            bylines.append(cursor)
            cursor += 1
        group = _Group(heads=heads, bylines=bylines, marked=any(units[h].level for h in heads))
        groups.append(group)
        index = cursor
    return groups


def _joins_marked_group(units: list[_Unit], heads: list[int], cursor: int) -> bool:
    candidate = units[cursor]
    previous = units[heads[-1]]
    if candidate.level and previous.level:
        return True
    # Unmarked lines only as kicker/subtitle right beside a marked head, without commas.
    if candidate.gap > 1 or not (candidate.level or previous.level):
        return False
    unmarked = candidate if not candidate.level else previous
    return _han_count(unmarked.head) <= MAX_SUBHEAD_CHARS and not re.search(r"[，,！？!?]", unmarked.head)


def _joins_unmarked_group(candidate: _Unit) -> bool:
    """A second or third line of an unmarked headline (subtitle) has no comma: "近日，…" is a paragraph."""
    return not re.search(r"[，,！？!?]", candidate.head)


def _page_top_label(units: list[_Unit], index: int) -> bool:
    """A head of at most four characters with nothing but furniture above it."""
    return _han_count(units[index].head) <= 4 and all(u.kind == "furniture" for u in units[:index])


def _title_head(units: list[_Unit], group: _Group) -> int:
    return group.heads[_title_position([units[h] for h in group.heads])]


# A series or column name: two short phrases joined by a middle dot (聚焦共同富裕·县域观察).
_SERIES_LABEL_RE = re.compile(f"^[{_HAN}“”\"]{{2,12}}[·•・][{_HAN}“”\"]{{2,12}}$")


def _title_position(heads: list[_Unit]) -> int:
    """Which head of a group is the title: the highest-ranking Markdown heading; unmarked,
    the first of two (title, subtitle) or the middle of three (kicker, title, subtitle)."""
    if len(heads) == 1:
        return 0  # most groups (what the rules below give for one head)
    marked = [i for i, h in enumerate(heads) if h.level]
    if marked:
        return min(marked, key=lambda i: (heads[i].level, i))
    if len(heads) == 2 and _SERIES_LABEL_RE.match(heads[0].head) and not _SERIES_LABEL_RE.match(heads[1].head):
        return 1  # 共建共治共享·基层治理新实践 above the headline: the series it runs in, a kicker
    return 1 if len(heads) == 3 else 0


def _next_index(units: list[_Unit], group: _Group) -> int:
    return (group.bylines or group.heads)[-1] + 1


def _dateline_after(units: list[_Unit], group: _Group) -> bool:
    cursor = _next_index(units, group)
    while cursor < len(units) and units[cursor].kind in ("byline", "names", "caption", "credit"):
        cursor += 1
    if cursor < len(units) and units[cursor].kind in ("text", "head") and not units[cursor].level:
        unit = units[cursor]
        return _has_dateline(unit.first_raw.strip(_BLANK_CHARS))
    return False


def _continued_after(units: list[_Unit], group: _Group) -> bool:
    cursor = _next_index(units, group)
    return (
        cursor < len(units)
        and units[cursor].kind == "furniture"
        and units[cursor].furniture is not None
        and units[cursor].furniture.kind == "continued"
    )


def _byline_before(units: list[_Unit], group: _Group) -> bool:
    first = group.heads[0]
    return first > 0 and units[first - 1].kind == "byline" and not units[first - 1].closing and units[first].gap <= 2


def _section_closes(units: list[_Unit], group: _Group, next_start: int) -> bool:
    """The text from this group to the next ends with a closing byline: `…。(孙婷婷)` or `（罗焱 陈鑫）`."""
    cursor = next_start - 1
    start = _next_index(units, group)
    while cursor >= start and units[cursor].kind in ("caption", "credit", "furniture"):
        cursor -= 1
    if cursor < start:
        return False
    unit = units[cursor]
    if unit.kind == "byline" and unit.closing:
        return cursor > start and any(units[i].kind == "text" for i in range(start, cursor))
    if unit.kind == "text":
        last = unit.last_raw
        if last.strip(_BLANK_CHARS) and last.rstrip()[-1:] not in ("）", ")"):
            return False  # the test `_closing_byline_lines` starts with, before copying the lines
        return _closing_byline_lines(unit.raw) is not None
    return False


def _score_groups(units: list[_Unit], groups: list[_Group], marked_page: bool) -> None:
    levels = [u.level for u in units if u.kind == "head" and u.level]
    top_level = min(levels) if levels else 0
    evidence: list[tuple[bool, bool]] = []
    for number, group in enumerate(groups):
        next_start = groups[number + 1].heads[0] if number + 1 < len(groups) else len(units)
        byline = bool(group.bylines) or _dateline_after(units, group)
        closes = _section_closes(units, group, next_start)
        evidence.append((byline, closes))
    # A closing byline under a Markdown heading belongs to the heading of higher rank above it
    # when that one has no byline of its own: `# 标题` … `### 小标题` … `（记者 张三）` is one article.
    for number, group in enumerate(groups):
        byline, closes = evidence[number]
        if closes and not byline and group.marked:
            level = units[_title_head(units, group)].level
            enclosing = next(
                (k for k in range(number - 1, -1, -1) if groups[k].marked and units[_title_head(units, groups[k])].level < level),
                None,
            )
            if enclosing is not None and not evidence[enclosing][0]:
                evidence[number] = (byline, False)
    title_levels = {
        units[_title_head(units, g)].level for g, (byline, closes) in zip(groups, evidence) if g.marked and (byline or closes)
    }
    grouped_heads = {i for g in groups for i in g.heads}
    first_content = next(
        (i for i, u in enumerate(units) if u.kind in ("text", "caption", "byline", "names") or (u.kind == "head" and i not in grouped_heads)),
        len(units),
    )
    in_briefs = False
    for number, group in enumerate(groups):
        byline, closes = evidence[number]
        title = units[_title_head(units, group)]
        score = 0
        if byline:
            score += 4
        if closes:
            score += 3
        if _continued_after(units, group):
            score += 3
        if group.heads[0] < first_content:  # nothing but furniture before it on the page
            score += 3
        if title.level:
            if title.level == top_level:
                score += 2
            if title.level in title_levels:
                score += 2
            elif title_levels and title.level > max(title_levels):
                score -= 3
        if len(group.heads) >= 2:
            score += 1
        if _byline_before(units, group):
            score += 1
        if not title.level and re.search(r"[，,]", title.head):
            score -= 2
        if len(group.heads) == 1 and not title.level and not byline and clean.is_banner(title.head):
            score = min(score, TITLE_THRESHOLD - 1)  # a slogan banner has the shape of a two-phrase headline
        if marked_page and not group.marked and not byline:
            score = min(score, TITLE_THRESHOLD - 1)
        if not byline and not closes and _only_pictures_follow(units, group, next_start):
            score = max(score, TITLE_THRESHOLD)  # a photo story: a headline over a captioned picture
        if _is_bullet_head(title):
            # ■ heads a news brief when the briefs sit under their column's label or each closes with
            # its writers' names (（张 敏）); otherwise it marks a subhead inside an article (◆党建引领聚合力).
            in_briefs = in_briefs or closes
            score = max(score, TITLE_THRESHOLD) if in_briefs else min(score, TITLE_THRESHOLD - 1)
        elif _labels_briefs(units, group):
            score = min(score, TITLE_THRESHOLD - 1)  # 短讯 / 简讯 above the briefs: their column's label
            in_briefs = True
        else:
            in_briefs = False
        group.score = score
        group.accepted = score >= TITLE_THRESHOLD


def _split_subheads(units: list[_Unit], groups: list[_Group]) -> list[_Group]:
    """A Markdown heading right under a title, at a level the page uses for subheads elsewhere,
    is the article's first subhead, not its subtitle (`# 标题` / `### 一窗受理` / text) —
    unless the byline comes after it: everything above the byline is the headline."""
    subhead_levels = {
        units[h].level for g in groups if not g.accepted and len(g.heads) == 1 for h in g.heads if units[h].level
    }
    title_levels = {units[_title_head(units, g)].level for g in groups if g.accepted and g.marked}
    result: list[_Group] = []
    for group in groups:
        if not group.accepted or not group.marked or group.bylines:
            result.append(group)
            continue
        title = _title_head(units, group)
        keep = [h for h in group.heads if h <= title or not (units[h].level in subhead_levels and units[h].level not in title_levels)]
        split = [h for h in group.heads if h not in keep]
        if not split:
            result.append(group)
            continue
        group.heads = keep
        result.append(group)
        result.extend(_Group(heads=[h], marked=True) for h in split)
    return result


# ------------------------------------------------------------------ tokens: what each unit is on this page


@dataclass
class _Token:
    kind: str  # "title" | "byline" | "text" | "subhead" | "caption" | "furniture"
    unit: _Unit | None = None
    group: _Group | None = None
    candidate: _Group | None = None  # a rejected headline group that could still be promoted


class _LazyLimit:
    """"Short" for this page: under the typical line length (80th percentile) − 3, at most 40.
    Computed on first use: only the rare caption-between-columns test needs it."""

    def __init__(self, units: list[_Unit]) -> None:
        self._units = units
        self._value: int | None = None

    @property
    def value(self) -> int:
        if self._value is None:
            self._value = min(40, max(_typical_width(self._units) - 3, 0))
        return self._value


def _typical_width(units: list[_Unit]) -> int:
    lengths = sorted(len(line.strip()) for u in units if u.kind == "text" for line in u.raw)
    if not lengths:
        return 0
    return lengths[int(len(lengths) * 0.8) if len(lengths) > 1 else 0]


def _ends_mid_sentence(unit: _Unit | None) -> bool:
    if unit is None or unit.kind != "text":
        return False
    last = unit.last_raw.strip(_BLANK_CHARS)
    return bool(last) and not clean.ends_sentence(last) and last[-1] not in "：:"


def _broken_mid_phrase(unit: _Unit | None) -> bool:
    """The unit's text stops inside a phrase (no punctuation at all at the break)."""
    if unit is None or unit.kind != "text":
        return False
    last = unit.last_raw.strip(_BLANK_CHARS)
    return bool(last) and (bool(_HAN_RE.match(last[-1])) or last[-1].isalnum())


def _tokens(units: list[_Unit], groups: list[_Group], marked_page: bool) -> list[_Token]:
    short_limit = _LazyLimit(units)
    head_group = {h: g for g in groups for h in g.heads}
    byline_group = {b: g for g in groups for b in g.bylines}
    tokens: list[_Token] = []
    for index, unit in enumerate(units):
        group = head_group.get(index)
        if group is not None:
            if index != group.heads[0]:
                continue  # emitted with the first head of its group
            if group.accepted:
                tokens.append(_Token("title", group=group))
                continue
            end = _next_index(units, group)
            previous = _previous_content(units, index)
            adjacent = units[index - 1] if index > 0 else None
            following = units[end] if end < len(units) else None
            for head_index in group.heads:
                tokens.append(_rejected_head(units, head_index, group, previous, adjacent, following, marked_page, short_limit))
            continue
        group = byline_group.get(index)
        if group is not None and group.accepted:
            tokens.append(_Token("byline", unit))
            continue
        tokens.append(_plain_token(unit))
    return tokens


def _plain_token(unit: _Unit) -> _Token:
    if unit.kind == "names":
        return _Token("text", unit)
    if unit.kind in ("caption", "credit"):
        return _Token("caption", unit)
    if unit.kind == "head":  # an unmarked head outside any group cannot happen; keep it as text
        return _Token("text", unit)
    return _Token(unit.kind, unit)


def _previous_content(units: list[_Unit], index: int) -> _Unit | None:
    cursor = index - 1
    while cursor >= 0 and units[cursor].kind in ("caption", "credit"):
        cursor -= 1
    return units[cursor] if cursor >= 0 else None


def _rejected_head(
    units: list[_Unit],
    index: int,
    group: _Group,
    previous: _Unit | None,
    adjacent: _Unit | None,
    following: _Unit | None,
    marked_page: bool,
    short_limit: _LazyLimit,
) -> _Token:
    """What a head that does not start an article is: subhead, caption, banner or plain text.

    `previous` is the content before it (captions skipped), `adjacent` the unit right before it.
    """
    unit = units[index]
    if unit.level:
        return _Token("subhead", unit)
    text = unit.head
    if _is_bullet_head(unit):
        return _Token("subhead", unit)  # ◆党建引领聚合力 inside an article (see _score_groups)
    above_briefs = following is not None and _is_bullet_head(following)
    if (previous is None or above_briefs) and _han_count(text) <= 8 and not _style(text):
        # A short line above everything else on the page: the page's section label (要闻, 综合新闻);
        # or above a run of ■ news briefs: their column's name (短讯, 简讯).
        label = Furniture("column-label", clean.clean_title(text))
        return _Token("furniture", _Unit("furniture", unit.lines, unit.gap, furniture=label))
    single = len(group.heads) == 1
    next_is_text = following is not None and following.kind in ("text", "head")
    if (
        (not marked_page or _NUMBERED_HEADING_RE.match(text))
        and single
        and _style(text)
        and _han_count(text) <= MAX_SUBHEAD_CHARS
        and not re.search(r"[，,！？!?]", text)
        and next_is_text
        and previous is not None
        and (
            (adjacent is not None and adjacent.kind == "caption")
            or previous.kind == "head"
            or (previous.kind == "text" and not _ends_mid_sentence(previous))
        )
    ):
        return _Token("subhead", unit, candidate=group)
    if (
        single
        and adjacent is previous
        and _broken_mid_phrase(previous)
        and following is not None
        and following.kind == "text"
        and len(text) <= 40
        and len(previous.last_raw.strip()) > short_limit.value
        and len(text) <= short_limit.value
        and _balanced_quotes(text)
    ):
        # A short line inside a sentence broken across columns: a caption printed between them.
        unit.caption = Caption(clean.clean_text(text))
        return _Token("caption", unit)
    if not next_is_text and clean.is_banner(text):
        return _Token("furniture", _Unit("furniture", unit.lines, unit.gap, furniture=Furniture("banner", clean.clean_title(text))))
    return _Token("text", unit, candidate=group)


# ------------------------------------------------------------------ assembling articles


@dataclass
class _Draft:
    group: _Group | None
    items: list[_Token] = field(default_factory=list)
    continued: str | None = None
    continues: str | None = None
    closed: bool = False
    forward: bool = False  # body-first page: a headline with no text before it takes the text after it
    promoted: list[_Unit] = field(default_factory=list)  # heads of a rejected candidate made the title

    def has_text(self) -> bool:
        return any(t.kind in ("text", "subhead") for t in self.items)


def _assemble_headline_first(tokens: list[_Token]) -> tuple[list[_Draft], int]:
    drafts: list[_Draft] = []
    current: _Draft | None = None
    pending_continues: str | None = None
    held: list[_Token] = []  # captions/bylines seen before any article
    for position, token in enumerate(tokens):
        if token.kind == "title":
            current = _Draft(token.group, items=held, continues=pending_continues)
            held, pending_continues = [], None
            drafts.append(current)
        elif token.kind == "furniture":
            marker = token.unit.furniture if token.unit else None
            if marker is None:
                continue
            if marker.kind == "continued" and current is not None and not current.closed:
                current.continued = current.continued or marker.text
                current.closed = True
            elif marker.kind == "continues":
                pending_continues = marker.text
                if current is not None:
                    current.closed = True
        elif token.kind == "byline":
            nxt = tokens[position + 1] if position + 1 < len(tokens) else None
            if current is None or current.closed or (nxt is not None and nxt.kind == "title" and current.has_text() and _has_authors(current)):
                held.append(token)
            else:
                current.items.append(token)
        else:
            # A dateline (本报讯, 新华社…电) only ever opens an article: one inside a body starts another.
            if token.kind == "text" and current is not None and current.has_text() and _opens_with_dateline(token.unit):
                current.closed = True
            if current is None or current.closed:
                if token.kind == "caption" and current is None:
                    held.append(token)
                    continue
                current = _Draft(None, items=held, continues=pending_continues)
                held, pending_continues = [], None
                drafts.append(current)
            current.items.append(token)
    if held:  # captions/bylines after the last article, or a page without any article
        if drafts:
            drafts[-1].items.extend(held)
        else:
            drafts.append(_Draft(None, items=held, continues=pending_continues))
    cost = 0
    for draft in drafts:
        if draft.group is None and draft.continues is None and draft.has_text():
            cost += 3
        if draft.group is not None and not draft.has_text():
            cost += 3
    return drafts, cost


def _opens_with_dateline(unit: _Unit | None) -> bool:
    if unit is None or unit.kind not in ("text", "head") or (unit.gap == 0 and unit.line > 1):
        return False
    first = unit.first_raw.strip(_BLANK_CHARS)
    return _has_dateline(first)


def _has_authors(draft: _Draft) -> bool:
    return any(t.kind == "byline" for t in draft.items)


def _assemble_body_first(tokens: list[_Token]) -> tuple[list[_Draft], int]:
    drafts: list[_Draft] = []
    pending: list[_Token] = []
    forward: _Draft | None = None
    after_title: _Draft | None = None
    pending_continues: str | None = None
    cost = 0

    def close_pending() -> _Draft | None:
        nonlocal pending, cost, pending_continues
        if not any(t.kind in ("text", "subhead") for t in pending):
            return None
        draft, promoted = _promote(pending)
        cost += 1 if promoted else 3
        draft.continues, pending_continues = pending_continues, None
        drafts.append(draft)
        pending = []
        return draft

    for token in tokens:
        if token.kind == "title":
            if forward is None and any(t.kind in ("text", "subhead") for t in pending):
                draft = _Draft(token.group, items=pending, continues=pending_continues)
                pending_continues = None
            else:
                draft = _Draft(token.group, items=pending, continues=pending_continues, forward=True)
                pending_continues = None
                cost += 3
            pending = []
            drafts.append(draft)
            forward = draft if draft.forward else None
            after_title = draft
        elif token.kind == "byline":
            if after_title is not None:
                after_title.items.append(token)
            elif forward is not None:
                forward.items.append(token)
            else:
                pending.append(token)
        elif token.kind == "furniture":
            marker = token.unit.furniture if token.unit else None
            if marker is None:
                continue
            if marker.kind in ("continued", "continues"):
                target = after_title or forward or close_pending() or (drafts[-1] if drafts and marker.kind == "continued" else None)
                if marker.kind == "continued" and target is not None:
                    target.continued = target.continued or marker.text
                if marker.kind == "continues":
                    pending_continues = marker.text
                after_title = forward = None
            else:  # banners and figure boxes end a column of text
                if forward is None:
                    close_pending()
                after_title = None
        else:
            after_title = None
            if forward is not None:
                forward.items.append(token)
            else:
                pending.append(token)
    if pending:
        if not close_pending() and drafts:
            drafts[-1].items.extend(pending)
        elif not drafts:
            drafts.append(_Draft(None, items=pending))
    return drafts, cost


def _promote(pending: list[_Token]) -> tuple[_Draft, bool]:
    """Text that ran into furniture or the page end without a headline: a rejected candidate becomes the title.

    The last candidate followed only by bylines/captions (a headline under its body), else the
    first one with nothing but bylines/captions before it (a headline over its body).
    """
    order = []
    for token in pending:
        if token.candidate is not None and token.kind in ("text", "subhead") and token.candidate not in order:
            order.append(token.candidate)

    def split(group: _Group) -> tuple[list[_Token], list[_Token], list[_Token]]:
        indexes = [i for i, t in enumerate(pending) if t.candidate is group and t.kind in ("text", "subhead")]
        return pending[: indexes[0]], [pending[i] for i in indexes], pending[indexes[-1] + 1 :]

    def only_minor(tokens: list[_Token]) -> bool:
        return all(t.kind in ("byline", "caption") for t in tokens)

    def has_text(tokens: list[_Token]) -> bool:
        return any(t.kind in ("text", "subhead") for t in tokens)

    for group in reversed(order):
        before, heads, after = split(group)
        if only_minor(after) and has_text(before):
            return _Draft(None, items=before + after, promoted=[t.unit for t in heads if t.unit is not None]), True
    for group in order:
        before, heads, after = split(group)
        if only_minor(before) and has_text(after):
            return _Draft(None, items=before + after, promoted=[t.unit for t in heads if t.unit is not None]), True
    return _Draft(None, items=pending), False


# ------------------------------------------------------------------ building articles


def _heads_of(draft: _Draft, units: list[_Unit]) -> list[_Unit]:
    if draft.group is None:
        return []
    return [units[i] for i in draft.group.heads]


def _text_runs(items: list[_Token]) -> list[tuple[str, list[_Unit] | _Unit]]:
    """Body items in order: ("run", [text units]) and ("subhead", unit); captions are lifted out."""
    parts: list[tuple[str, list[_Unit] | _Unit]] = []
    for token in items:
        if token.kind == "text" and token.unit is not None:
            if parts and parts[-1][0] == "run":
                run = parts[-1][1]
                assert isinstance(run, list)
                run.append(token.unit)
            else:
                parts.append(("run", [token.unit]))
        elif token.kind == "subhead" and token.unit is not None:
            parts.append(("subhead", token.unit))
    return parts


def _run_lines(run: list[_Unit]) -> list[str]:
    lines: list[str] = []
    for number, unit in enumerate(run):
        if number and unit.gap:
            lines.append("")
        lines.extend(unit.raw)
    return lines


def _derived_title(body: str, captions: list[Caption] | tuple[Caption, ...] = ()) -> str:
    """A title for text that has none: its first sentence (or the first caption), cut at a clause."""
    if not _HAN_RE.search(body) and captions:
        body = "\n\n".join(c.text for c in captions)
    first = ""
    for paragraph in body.split("\n\n"):
        paragraph = paragraph.lstrip("# ").strip()
        if _HAN_RE.search(paragraph):
            first = paragraph
            break
    if not first:
        return "（无标题）"
    sentence = re.split(r"(?<=[。！？!?])", first, maxsplit=1)[0]
    sentence = sentence.strip("。！？!? ")
    if len(sentence) > DERIVED_TITLE_CHARS:
        cut = max(sentence.rfind(mark, 0, DERIVED_TITLE_CHARS) for mark in "，,；;：:、")
        sentence = sentence[:cut] if cut >= 8 else sentence[:DERIVED_TITLE_CHARS] + "…"
    return sentence.strip("，,；;：:、 ") or "（无标题）"


def ascii_slug(text: str) -> str:
    """Lower-case ASCII letters and digits joined by single hyphens."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "page"


@lru_cache(maxsize=4096)
def _source_slug(source: str) -> str:
    """The stem as an ASCII slug; when that loses characters (平湖日报-第1版 → 1), a hash of
    the whole stem is added, so two Chinese-named page files never share a slug."""
    stem = PurePath(source).stem
    slug = ascii_slug(stem)
    if re.fullmatch(r"[A-Za-z0-9]+(?:[-_. ][A-Za-z0-9]+)*", stem):
        return slug
    digest = hashlib.sha1(stem.encode("utf-8")).hexdigest()[:6]
    return f"{slug}-{digest}" if slug != "page" else f"page-{digest}"


def article_id(source: str, title: str) -> str:
    """`001-27413fd82a551e03-1a2b3c4d`: the page file's stem and the title's hash (no position in it)."""
    return f"{_source_slug(source)}-{hashlib.sha1(title.encode('utf-8')).hexdigest()[:8]}"


@dataclass
class _Built:
    article: Article
    first_line: int
    ends_mid_sentence: bool


_EDITORS_NOTE_RE = re.compile(r"^[【\[（(]?(?:编者按|编者的话|编者)[】\]）)]?[:：]")


def _with_editors_notes_joined(built: list[_Built], problems: list[Problem]) -> list[_Built]:
    """An editor's note (编者按：…) set above a headline is the start of that article, not one of its own."""
    out: list[_Built] = []
    pending: _Built | None = None
    for item in built:
        article = item.article
        if pending is not None:
            article.body = pending.article.body + "\n\n" + article.body if article.body else pending.article.body
            pending = None
        if UNTITLED_WARNING in article.warnings and _EDITORS_NOTE_RE.match(article.body) and item is not built[-1]:
            pending = item
            problems[:] = [p for p in problems if p.message != f"{UNTITLED_WARNING} ({article.title})"]
            continue
        out.append(item)
    return out


_PICTURE_MARKS = "▲△▼▽►▶◄◀←→↑↓"


def _captions_of(items: list[_Token]) -> list[Caption]:
    """The captions among the tokens; a credit line alone completes the caption before it."""
    captions: list[Caption] = []
    for token in items:
        if token.kind != "caption" or token.unit is None or token.unit.caption is None:
            continue
        caption = token.unit.caption
        if caption.text[:1] in _PICTURE_MARKS:  # ▲ 图为…: the arrow points at the picture
            caption = Caption(caption.text.lstrip(_PICTURE_MARKS + " \u3000"), caption.credit)
        if token.unit.kind == "credit" and captions and captions[-1].credit is None:
            captions[-1] = Caption(captions[-1].text, caption.credit)
        else:
            captions.append(caption)
    return captions


def _build(draft: _Draft, units: list[_Unit], source: str, problems: list[Problem]) -> _Built:
    heads = _heads_of(draft, units) or draft.promoted
    kicker = title = subtitle = None
    if heads:
        position = _title_position(heads)
        title = clean.clean_title(heads[position].head)
        kicker = " ".join(clean.clean_title(u.head) for u in heads[:position]) or None
        subtitle = " ".join(clean.clean_title(u.head) for u in heads[position + 1 :]) or None
    authors = _authors_of(draft.items)
    captions = _captions_of(draft.items)
    dateline: Dateline | None = None
    parts = _text_runs(draft.items)
    body_parts: list[str] = []
    last_run_index = max((i for i, (kind, _) in enumerate(parts) if kind == "run"), default=-1)
    for number, (kind, value) in enumerate(parts):
        if kind == "subhead":
            assert isinstance(value, _Unit)
            body_parts.append("## " + clean.clean_title(value.head))
            continue
        assert isinstance(value, list)
        lines = _run_lines(value)
        if number == 0 and lines:
            lines, dateline, found = _strip_dateline(lines)
            authors.extend(found)
        if number == last_run_index and lines:
            lines, found = _strip_closing_byline(lines)
            authors.extend(found)
        body_parts.extend(p for p in clean.join_lines(lines) if p.strip())
    body_parts = _rejoin_broken_paragraphs(body_parts)
    body = "\n\n".join(body_parts)
    warnings: list[str] = []
    first_line = min((u.line for t in draft.items if t.unit is not None for u in [t.unit]), default=0)
    if title is None:
        title = _derived_title(body, captions)
        warnings.append(UNTITLED_WARNING)
        problems.append(Problem(file=source, message=f"{UNTITLED_WARNING} ({title})", line=first_line or None))
    elif not body and not captions:  # (a headline over a captioned picture is a photo story)
        warnings.append("headline without text")
        line = heads[0].line if heads else None
        problems.append(Problem(file=source, message=f"headline without text: {title}", line=line))
    last_text = next((p for p in reversed(body_parts) if not p.startswith("## ")), "")
    article = Article(
        id="",
        source=source,
        position=0,
        title=title,
        kicker=kicker,
        subtitle=subtitle,
        authors=list(_dedupe_authors(authors)),
        dateline=dateline,
        body=body,
        captions=captions,
        continued=draft.continued,
        continues=draft.continues,
        warnings=warnings,
    )
    return _Built(article, heads[0].line if heads else first_line, bool(last_text) and not clean.ends_sentence(last_text))


_FRAGMENT_START_RE = re.compile(f"^(?:[{_HAN}][、，,；;]|[、，,。；;：:！？!?”’）)》])")


def _rejoin_broken_paragraphs(parts: list[str]) -> list[str]:
    """Columns out of order: a paragraph that breaks off inside a word continues with the one
    paragraph of the article that starts with a fragment no sentence can start with (`康、…`)."""
    fragments = [i for i, p in enumerate(parts) if not p.startswith("## ") and _FRAGMENT_START_RE.match(p)]
    if not fragments or len(fragments) > 2:  # none, or too many to tell which goes where
        return parts
    parts = list(parts)
    changed = True
    while changed:
        changed = False
        fragments = [i for i, p in enumerate(parts) if not p.startswith("## ") and _FRAGMENT_START_RE.match(p)]
        for index, paragraph in enumerate(parts):
            last = paragraph[-1:] if not paragraph.startswith("## ") else ""
            if not last or not (_HAN_RE.match(last) or last.isalnum()):
                continue
            others = [i for i in fragments if i != index]
            if len(others) == 1:
                parts[index] = clean.clean_text(paragraph + parts[others[0]])
                del parts[others[0]]
                changed = True
                break
    return parts


def _strip_dateline(lines: list[str]) -> tuple[list[str], Dateline | None, tuple[Author, ...]]:
    first = next((i for i, line in enumerate(lines) if line.strip(_BLANK_CHARS)), None)
    if first is None:
        return lines, None, ()
    opening = lines[first].strip(_BLANK_CHARS)
    if not _has_dateline(opening):  # most articles: no need to collect the lines after it
        return lines, None, ()
    found = _match_dateline(opening, [l for l in lines[first + 1 :] if l.strip()])
    if found is None:
        return lines, None, ()
    match, consumed = found
    # Drop the lines the wrapped byline used up (they are the next non-blank lines).
    remaining = lines[first + 1 :]
    while consumed and remaining:
        if remaining[0].strip():
            consumed -= 1
        remaining.pop(0)
    new_lines = lines[:first] + ([match.rest] if match.rest.strip() else []) + remaining
    return new_lines, match.dateline, match.authors


def _strip_closing_byline(lines: list[str]) -> tuple[list[str], tuple[Author, ...]]:
    found = _closing_byline_lines(lines)
    if found is None:
        return lines, ()
    first, rest, authors = found
    return lines[:first] + ([rest] if rest.strip() else []), authors


def _closing_byline_lines(lines: list[str]) -> tuple[int, str, tuple[Author, ...]] | None:
    """A closing byline at the end of these lines, perhaps wrapped over up to three of them:
    (index of the line it starts on, the text before it, authors)."""
    # The last non-blank line decides first (it rarely ends with a parenthesis): no list of them yet.
    last = next((line for line in reversed(lines) if line.strip(_BLANK_CHARS)), None)
    if last is None or last.rstrip()[-1:] not in ("）", ")"):
        return None
    filled = [i for i, line in enumerate(lines) if line.strip(_BLANK_CHARS)]
    for count in range(1, min(3, len(filled)) + 1):
        tail = filled[-count:]
        if "（" not in lines[tail[0]] and "(" not in lines[tail[0]]:
            continue
        for joined in _joinings([lines[i] for i in tail]):
            found = _closing_names(joined)
            if found is not None:
                return tail[0], found[0], found[1]
    return None


def _move_page_end_marker(built: list[_Built], tokens: list[_Token]) -> None:
    """A （下转…） that is the page's last line belongs to an article that stops mid-sentence."""
    if not tokens or tokens[-1].kind != "furniture" or tokens[-1].unit is None:
        return
    marker = tokens[-1].unit.furniture
    if marker is None or marker.kind != "continued":
        return
    holder = next((b for b in reversed(built) if b.article.continued == marker.text), None)
    if holder is None or holder.ends_mid_sentence:
        return
    broken = [b for b in built if b is not holder and b.ends_mid_sentence and b.article.continued is None]
    if broken:
        target = broken[-1]
        target.article.continued = marker.text
        holder.article.continued = None


def _segment(page: RawPage) -> PageResult:
    source = page.name
    problems: list[Problem] = []
    units = _page_units(page.text)
    marked_page = _is_marked_page(units)
    _make_candidates(units, marked_page)
    _merge_wrapped_heads(units)
    _gap_captions(units)
    groups = _groups(units, marked_page)
    # Names lines that do not sit right under a headline are text.
    in_groups = {i for g in groups for i in g.bylines}
    for index, unit in enumerate(units):
        if unit.kind == "names" and index not in in_groups:
            unit.kind = "text"
    _score_groups(units, groups, marked_page)
    groups = _split_subheads(units, groups)
    tokens = _tokens(units, groups, marked_page)
    headline_first, cost_hf = _assemble_headline_first(tokens)
    body_first, cost_bf = _assemble_body_first(tokens)
    drafts = body_first if cost_bf < cost_hf else headline_first
    furniture = tuple(t.unit.furniture for t in tokens if t.kind == "furniture" and t.unit is not None and t.unit.furniture is not None)
    built: list[_Built] = []
    orphans: list[_Token] = []  # bylines with no article of their own
    for draft in drafts:
        if draft.group is None and not draft.has_text() and not draft.promoted:
            # Only bylines or photo captions, no text (a picture set after a story's （下转…） line):
            # they go to the article before (or after), so nothing is lost.
            if built:
                built[-1].article.authors = list(_dedupe_authors([*built[-1].article.authors, *_authors_of(draft.items)]))
                built[-1].article.captions.extend(_captions_of(draft.items))
            else:
                orphans.extend(draft.items)
            continue
        if orphans:
            draft.items[:0] = orphans
            orphans = []
        built.append(_build(draft, units, source, problems))
    if orphans:  # a page with bylines but no text at all: keep them as furniture, and say so
        text = " ".join(clean.clean_title(line) for t in orphans if t.unit is not None for line in t.unit.raw)
        furniture = (*furniture, Furniture("byline", text))
        problems.append(Problem(file=source, message=f"byline without any article: {text}", line=orphans[0].unit.line if orphans[0].unit else None))
    _move_page_end_marker(built, tokens)
    built = _with_editors_notes_joined(built, problems)
    _move_stray_captions([b.article for b in built])
    articles = _with_ids(source, [b.article for b in built])
    for article in articles:
        text = [p for p in article.body.split("\n\n") if p and not p.startswith("## ")]
        if text and not clean.ends_sentence(text[-1]) and not article.continued:
            article.warnings.append("text stops mid-sentence (continued elsewhere or columns out of order?)")
    if not articles:
        problems.append(Problem(file=source, message="no article text found on the page"))
    return PageResult(source=source, articles=tuple(articles), furniture=furniture, problems=tuple(problems))


# Words of any caption, which say nothing about which article it belongs to.
_CAPTION_WORDS = frozenset({"图为", "记者", "摄影", "供图", "资料", "图片"})
MIN_SHARED_CAPTION = 3


def _bigrams(text: str) -> set[str]:
    han = _HAN_RE.findall(text)
    return {han[i] + han[i + 1] for i in range(len(han) - 1)}


def _move_stray_captions(articles: list[Article]) -> None:
    """A caption that shares nothing with the article it landed in goes to the one it plainly describes.

    Photo captions set at the foot of a page (图为安吉县大里村竹林) follow the last story in the
    dump whatever picture they belong to. Moved only when the caption shares no two-character
    sequence beyond 图为 with its article, at least MIN_SHARED_CAPTION with one other, and more than
    with any third: a caption that fits nowhere, or two places, stays where the page put it.
    """
    if len(articles) < 2 or not any(a.captions for a in articles):
        return
    texts = [f"{a.kicker or ''}{a.title}{a.subtitle or ''}{a.body}" for a in articles]
    for home, article in enumerate(articles):
        for caption in list(article.captions):
            grams = _bigrams(caption.text) - _CAPTION_WORDS
            if not grams or any(gram in texts[home] for gram in grams):
                continue
            shared = sorted(((sum(gram in texts[i] for gram in grams), i) for i in range(len(articles)) if i != home), reverse=True)
            best, where = shared[0]
            if best >= MIN_SHARED_CAPTION and (len(shared) < 2 or shared[1][0] < best):
                article.captions.remove(caption)
                articles[where].captions.append(caption)


def _authors_of(tokens: list[_Token]) -> list[Author]:
    return [a for t in tokens if t.kind == "byline" and t.unit is not None for a in t.unit.authors]


def _with_ids(source: str, articles: list[Article]) -> list[Article]:
    seen: dict[str, int] = {}
    for position, article in enumerate(articles):
        base = article_id(source, article.title)
        count = seen.get(base, 0) + 1
        seen[base] = count
        article.id = base if count == 1 else f"{base}-{count}"
        article.position = position
    return articles


def segment_page(page: RawPage) -> PageResult:
    """Split one page into articles. Never raises: an internal failure becomes one article and an error Problem."""
    try:
        return _segment(page)
    except Exception as exc:  # a bug must not stop a build; the whole page is kept as one article
        body = "\n\n".join(p for p in clean.join_lines(page.text.split("\n")) if p.strip())
        title = _derived_title(body)
        article = Article(id=article_id(page.name, title), source=page.name, position=0, title=title, body=body, warnings=[UNTITLED_WARNING])
        problem = Problem(file=page.name, message=f"internal error in segmentation ({type(exc).__name__}: {exc}); page kept as one article", level="error")
        return PageResult(source=page.name, articles=(article,), problems=(problem,))


# ------------------------------------------------------------------ output for the CLI and JSON


def article_to_dict(article: Article) -> dict:
    """The article as JSON-ready data (the CLI's `inspect --json`)."""
    dateline = article.dateline
    return {
        "id": article.id,
        "source": article.source,
        "position": article.position,
        "kicker": article.kicker,
        "title": article.title,
        "subtitle": article.subtitle,
        "authors": [{"name": a.name, "role": a.role} for a in article.authors],
        "dateline": (
            {"raw": dateline.raw, "place": dateline.place, "month": dateline.month, "day": dateline.day} if dateline else None
        ),
        "continued": article.continued,
        "continues": article.continues,
        "body": article.body,
        "captions": [{"text": c.text, "credit": c.credit} for c in article.captions],
        "warnings": list(article.warnings),
    }


def _authors_text(authors: list[Author]) -> str:
    return "、".join(f"{a.name}（{a.role}）" if a.role else a.name for a in authors) or "—"


def page_text_report(result: PageResult) -> str:
    """A readable preview of one page: what an editor checks before the site is built."""
    lines = [f"== {result.source}: {len(result.articles)} 篇文章, {len(result.furniture)} 项版面元素"]
    for article in result.articles:
        paragraphs = [p for p in article.body.split("\n\n") if p.strip()]
        subheads = [p[3:] for p in paragraphs if p.startswith("## ")]
        characters = sum(_han_count(p) for p in paragraphs if not p.startswith("## "))
        lines.append(f"[{article.position}] {article.title}")
        if article.kicker:
            lines.append(f"    引题: {article.kicker}")
        if article.subtitle:
            lines.append(f"    副题: {article.subtitle}")
        lines.append(f"    作者: {_authors_text(article.authors)}")
        if article.dateline:
            d = article.dateline
            where = "".join(
                part for part in (d.place or "", f"{d.month}月" if d.month else "", f"{d.day}日" if d.day else "") if part
            )
            lines.append(f"    电头: {d.raw}" + (f"（{where}）" if where else ""))
        lines.append(f"    正文: {len(paragraphs) - len(subheads)} 段, {characters} 字" + (f", 小标题: {' / '.join(subheads)}" if subheads else ""))
        if paragraphs:
            first = next((p for p in paragraphs if not p.startswith("## ")), "")
            lines.append(f"    开头: {first[:40]}{'…' if len(first) > 40 else ''}")
        for caption in article.captions:
            lines.append(f"    图片说明: {caption.text}" + (f"（{caption.credit}）" if caption.credit else ""))
        if article.continues:
            lines.append(f"    接续: {article.continues}")
        if article.continued:
            lines.append(f"    转版: {article.continued}")
        for warning in article.warnings:
            lines.append(f"    ! {warning}")
    for item in result.furniture:
        lines.append(f"  版面元素 [{item.kind}]: {item.text}")
    for problem in result.problems:
        lines.append(f"  ! {problem}")
    return "\n".join(lines)
