"""Hostile inputs shared by the reliability tests: page files and editors' YAML that try to break
the generator, smuggle markup into the site, or write outside the output folders.

Everything is built from the seed pages (content/pages) or spelled out here, so the same call
gives the same bytes. `EVIL_HOST` is a host no built page may request or point at.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED_PAGES = ROOT / "content" / "pages"
EVIL_HOST = "evil.example"

# ------------------------------------------------------------------ markup that must stay text

# Each payload is something a browser or Markdown would act on if it reached the page as markup.
SCRIPT = "<script>alert(1)</script>"
IMG_ONERROR = "<img src=x onerror=alert(2)>"
JS_LINK_HTML = '<a href="javascript:alert(3)">点我</a>'
JS_LINK_MD = "[点这里](javascript:alert(4))"
EXTERNAL_IMG_MD = f"![图](http://{EVIL_HOST}/x.png)"
EXTERNAL_LINK_MD = f"[外链](https://{EVIL_HOST}/phish)"
AUTOLINK = f"<https://{EVIL_HOST}/auto>"
REF_LINK = f"[引用][r]\n\n[r]: javascript:alert(5)"
JINJA_VAR = "{{ config }}"
JINJA_TAG = "{% include 'x' %}"
JINJA_EXPR = "{{ 7*7 }}"
ATTR_LIST = "{: onclick=alert(6) }"
IFRAME = f'<iframe src="http://{EVIL_HOST}/frame"></iframe>'
SVG = "<svg onload=alert(7)></svg>"
STYLE_IMPORT = f"<style>@import url(http://{EVIL_HOST}/x.css);</style>"

# A raw HTML block (Markdown passes such blocks through untouched when they start a line).
RAW_HTML_BLOCK = (
    '<div class="evil" onmouseover="alert(8)">\n'
    f'<script src="http://{EVIL_HOST}/x.js"></script>\n'
    f'<img src="http://{EVIL_HOST}/block.png">\n'
    "</div>"
)
# YAML front matter inside the text: if the page writer passed it through, the page's
# metadata (title, template) would come from the newspaper text.
FRONT_MATTER = "---\ntitle: 被篡改的标题\ntemplate: main.html\n---"

HOSTILE_FILE_NAME = 'zz_<img src=x onerror=alert(14)> "标题".txt'
HOSTILE_TITLE = '标题"带引号"\'单引号\'：冒号: 井号 # 以及 ## 结尾 ##'
HOSTILE_KICKER = "引题 --- {{ config.site_name }} <b>粗体</b>"


def _markup_paragraphs() -> list[str]:
    """Paragraphs of Chinese text, each carrying payloads inline or as a whole block."""
    return [
        f"近日，杭州市西湖区推出人才新政{SCRIPT}，吸引青年人才落户创业。{IMG_ONERROR}政策覆盖住房补贴和创业资助。",
        f"详情请见{JS_LINK_HTML}或者{JS_LINK_MD}，也可以查看{EXTERNAL_IMG_MD}和{EXTERNAL_LINK_MD}以及{AUTOLINK}。",
        RAW_HTML_BLOCK,
        f"模板语法{JINJA_VAR}和{JINJA_TAG}还有{JINJA_EXPR}不应被执行。属性列表{ATTR_LIST}也不应生效。",
        FRONT_MATTER,
        f"{IFRAME}{SVG}{STYLE_IMPORT}嵌入内容不应出现在页面上。",
        REF_LINK,
        "---",
        "* 列表项 *强调* **加粗** `代码` ~~删除~~ ==高亮== | 表格 | 竖线 |",
        "> 引用块 <!-- 注释 --> &lt;已转义&gt; &amp; &#60;script&#62;",
        "    缩进四格的代码块 <script>alert(9)</script>",
        "!!! note \"警告框\"\n    admonition 内容",
        "## 小标题 <script>alert(10)</script>",
        "文章结尾，落实好各项惠企政策，推动高质量发展。",
    ]


def markup_page() -> str:
    """A page in the seed's Markdown layout (`# 标题`, byline line, paragraphs): two articles full of payloads."""
    first = [f"### {HOSTILE_KICKER}", f"# {HOSTILE_TITLE}", "记者 张三 李四", *_markup_paragraphs()]
    second = [
        f"# {SCRIPT}{IMG_ONERROR}{JINJA_VAR}",
        "通讯员 王五",
        f"本报讯 {JS_LINK_MD}宁波市北仑区开展助企服务，{EXTERNAL_IMG_MD}帮助企业招工揽才。{SCRIPT}",
        f"{FRONT_MATTER}\n近日，嘉兴市平湖市组织青年宣讲员集训，提升理论素养。",
    ]
    return "\n\n".join(first) + "\n\n\n" + "\n\n".join(second) + "\n"


def plain_markup_page() -> str:
    """The payloads in an unmarked layout (headline lines without `#`, hard-wrapped columns)."""
    return (
        f"{HOSTILE_TITLE}\n"
        "■记者 赵六\n\n"
        f"本报讯 {SCRIPT}衢州市柯城区深化“县乡一体、条抓块统”改\n"
        f"革，{IMG_ONERROR}推动基层治理提质增效。{JS_LINK_MD}\n"
        f"{JINJA_TAG}{JINJA_VAR}今年以来，全区累计办结群众诉求\n"
        "---\n"
        f"1200余件，{EXTERNAL_IMG_MD}满意率达到98%。\n"
    )


# Entries appended to content/sources.yml: the hostile pages are the newest (so they are on
# the home page), and the editor-written publication and page labels carry payloads too.
SOURCES_YAML = f"""
zz_markup.txt:
  publication: "<script>alert(11)</script>日报"
  date: 2030-12-31
  page: "第1版 <img src=x onerror=alert(12)>"
zz_markup_plain.txt:
  publication: "{{{{ config }}}} 晚报"
  date: 2030-12-30
  page: "A1 [x](javascript:alert(13)) ![i](http://{EVIL_HOST}/p.png)"
"""


# Strings that only appear in a built page if markup from the input got through.
# (Regexes over the raw HTML; the structured checks parse the HTML.)
LEAK_PATTERNS = (
    re.compile(r"<script>alert", re.I),
    re.compile(r"<img[^>]*\bsrc=[\"']?x\b", re.I),
    re.compile(r"<[a-z][^<>]*\bon(error|load|click|mouseover)\s*=", re.I),
    re.compile(r"<[a-z][^<>]*\b(href|src)\s*=\s*[\"']?\s*javascript:", re.I),
    re.compile(r"<(iframe|svg|style)\b[^>]*>[^<]*(evil|alert|@import)", re.I),
    re.compile(rf"<[a-z][^<>]*\b(href|src)\s*=\s*[\"']?[a-z]*:?//{re.escape(EVIL_HOST)}", re.I),
    re.compile(r"<b>粗体</b>"),
    re.compile(r"被篡改的标题</title>|<title>被篡改的标题"),
)


# ------------------------------------------------------------------ encodings and shapes


def seed_text(name: str | None = None) -> str:
    pages = sorted(SEED_PAGES.glob("*.txt"))
    page = next(p for p in pages if p.name == name) if name else pages[-1]
    return page.read_text(encoding="utf-8")


def seed_paragraphs() -> list[str]:
    """Long paragraphs of the seed pages (no headings, no short lines), in file order."""
    out = []
    for page in sorted(SEED_PAGES.glob("*.txt")):
        for block in re.split(r"\n\s*\n", page.read_text(encoding="utf-8")):
            block = block.strip()
            if len(block) >= 80 and not block.startswith("#"):
                out.append(block.replace("\n", ""))
    return out


def mixed_line_endings(text: str) -> bytes:
    """The text with its line endings cycling through CR LF, LF and lone CR."""
    lines = text.split("\n")
    endings = ("\r\n", "\n", "\r")
    return "".join(line + endings[i % 3] for i, line in enumerate(lines)).encode("utf-8")


def single_line(size: int = 1_000_000) -> bytes:
    """One line of `size` bytes or a little more: seed paragraphs glued together, no newline."""
    paragraphs = seed_paragraphs()
    parts: list[str] = []
    total = 0
    i = 0
    while total < size:
        piece = paragraphs[i % len(paragraphs)]
        parts.append(piece)
        total += len(piece.encode("utf-8"))
        i += 1
    return "".join(parts).encode("utf-8")


def huge_page(size: int = 20_000_000, article_size: int = 800_000) -> bytes:
    """A page of about `size` bytes: articles of about `article_size` bytes (`# 标题`, byline, seed paragraphs).

    Long articles rather than thousands of short ones: a 20 MB page cut into 1,500-character
    articles is 17,000 pages, minutes of MkDocs for nothing the long ones do not test.
    """
    paragraphs = seed_paragraphs()
    chunks: list[bytes] = []
    total = 0
    n = 0
    while total < size:
        chunk = f"# 第{len(chunks) + 1}篇 政策举措汇编\n\n记者 陈璐\n\n".encode("utf-8")
        parts = [chunk]
        length = len(chunk)
        while length < article_size and total + length < size:
            piece = (paragraphs[n % len(paragraphs)] + "\n\n").encode("utf-8")
            parts.append(piece)
            length += len(piece)
            n += 1
        chunks.append(b"".join(parts) + b"\n")
        total += length + 1
    return b"".join(chunks)


PNG_BYTES = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82"
)


def random_binary(size: int = 4096) -> bytes:
    """Deterministic bytes that are no text in any encoding (NULs and high bytes mixed)."""
    out = bytearray()
    state = 0x12345678
    for _ in range(size):
        state = (1103515245 * state + 12345) & 0x7FFFFFFF
        out.append((state >> 16) & 0xFF)
    return bytes(out)


def undecodable() -> bytes:
    """Neither UTF-8 nor GB18030, and no BOM, no NUL: a lone 0x80 is invalid in both."""
    return ("近日，杭州市推出新政。\n".encode("utf-8") * 3) + b"\x80\x80\xff\xfe\x80 abc \x80\n"


# Files that must stop a strict build with an error naming the file (not a traceback).
def rejected_pages() -> dict[str, bytes]:
    return {
        "zz_binary.txt": random_binary(),
        "zz_image.txt": PNG_BYTES,
        "zz_undecodable.txt": undecodable(),
    }


# Files that must be read (as text) or skipped with a warning naming the file; the build succeeds.
def accepted_pages() -> dict[str, bytes]:
    seed = seed_text()
    return {
        "zz_empty.txt": b"",
        "zz_whitespace.txt": " \n\t\r\n\u3000\u3000 \n\n".encode("utf-8"),
        "zz_gb18030.txt": seed.encode("gb18030"),
        "zz_utf16.txt": seed.encode("utf-16"),  # with a BOM
        "zz_mixed_eol.txt": mixed_line_endings(seed),
        "zz_one_line.txt": single_line(),
        "zz_markup.txt": markup_page().encode("utf-8"),
        "zz_markup_plain.txt": plain_markup_page().encode("utf-8"),
        # The file name is input too: it is shown on the about page and in each article's source line.
        HOSTILE_FILE_NAME: plain_markup_page().replace("赵六", "钱七").encode("utf-8"),
    }
