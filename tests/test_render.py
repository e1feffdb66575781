"""generator/render.py: the docs tree MkDocs builds, checked without building it.

Markdown is rendered with the real Python-Markdown and the extensions of the repo's
mkdocs.yml (loaded by MkDocs itself), so escaping is tested against what the site runs.
Articles are the hand-made seed articles (tests/seed_articles.py) enriched for real.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path

import markdown
import pytest
import yaml
from mkdocs.utils.meta import get_data

from generator import render
from generator.enrich import enrich_corpus
from generator.model import Article, Author, Caption, Dateline, Digest, Enriched, Region, SourceInfo
from generator.pipeline import restrict_to_theme
from generator.render import md_escape, render_site
from generator.yamlio import load_sources, load_themes

from seed_articles import CONTENT, hand_made

ROOT = Path(__file__).resolve().parent.parent
SITE_URL = "https://example.org/digest/"

HOSTILE = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    '<a href="javascript:alert(1)">点我</a>',
    "[x](javascript:alert(1))",
    "![x](y)",
    "{{ 7*7 }}",
    "{% raw %}{% endraw %}",
    "---",
    "***",
    "# title",
    "## 标题 ##",
    "| a | b |",
    "*em* __strong__ _u_",
    "<!-- comment -->",
    "&amp; &lt;b&gt; &#60;i&#62;",
    "脚注[^1]",
    "{: .x onclick=\"alert(1)\" }",
    "标题 {#id .cls}",
    '<div markdown="1">*x*</div>',
    "1. 第一",
    "- 列表",
    "+ 列表",
    "> 引用",
    "    缩进的代码",
    "!!! note \"注意\"",
    "~~删除~~ ^^插入^^ ==标记== $x$",
    "`code` ``more``",
    "<https://evil.example/>",
    "<mailto:a@b.example>",
    "\\*反斜杠\\* \\\\",
    "\x02wzxhzdk:0\x03 占位符",
    "*[HTML]: Hyper Text",
    ": 定义",
    "<?php echo 1; ?>",
    "<![CDATA[x]]>",
    "a\u00a0b\u3000c",
    "347.2亿元、增长9.5%，C# 和 3+N",
    "=== \n---",
]


# ------------------------------------------------------------------ helpers


@lru_cache(maxsize=1)
def site_markdown_config() -> tuple[list, dict]:
    """The markdown_extensions of the repo's mkdocs.yml, as MkDocs itself loads them."""
    from mkdocs.config import load_config

    config = load_config(str(ROOT / "mkdocs.yml"))
    return list(config.markdown_extensions), dict(config.mdx_configs)


def to_html(text: str) -> str:
    extensions, configs = site_markdown_config()
    return markdown.Markdown(extensions=extensions, extension_configs=configs).convert(text)


class Elements(HTMLParser):
    """Tags (with attributes) and text of an HTML fragment."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.other: list[str] = []  # comments, declarations, processing instructions

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)

    def handle_comment(self, data):
        self.other.append(f"<!--{data}-->")

    def handle_decl(self, decl):
        self.other.append(decl)

    def handle_pi(self, data):
        self.other.append(data)

    def unknown_decl(self, data):
        self.other.append(data)


def parse(html: str) -> Elements:
    parser = Elements()
    parser.feed(html)
    parser.close()
    return parser


def squash(text: str) -> str:
    return " ".join(text.split())


@lru_cache(maxsize=1)
def seed_digest() -> tuple[Digest, dict[str, SourceInfo]]:
    themes = load_themes(CONTENT / "themes.yml")
    sources = load_sources(CONTENT / "sources.yml")
    items = enrich_corpus(hand_made(), sources, themes)
    items = [replace(items[0], featured=True), *items[1:]]
    items.sort(key=lambda e: (e.date is None, tuple(-int(p) for p in (e.date or "").split("-") if p.isdigit()), e.article.source, e.article.position))
    return Digest(articles=tuple(items), themes=themes), sources


def hostile_article() -> Enriched:
    evil = "<script>alert('x')</script> {{ 7*7 }} [x](javascript:alert(1)) ---"
    article = Article(
        id="999-hostile",
        source="999_hostile.txt",
        position=0,
        title="标题：<img src=x onerror=alert(1)> # \"引号\" 'single' --- {% raw %}",
        kicker="---\ntitle: 伪造\n...",
        subtitle="副题 | 表格 | *强调* [^1]",
        authors=[Author("<b>记者</b>", "记者<script>")],
        dateline=Dateline(raw="本报讯<i>"),
        body="\n\n".join(
            [
                "# 不是标题",
                "## 真的小标题 <em>x</em>",
                evil,
                "---",
                "<div markdown=\"1\">\n*x*\n</div>",
                "| a | b |\n| --- | --- |\n| 1 | 2 |",
                "    code block?",
                "{: .evil onclick=alert(1) }",
            ]
        ),
        captions=[Caption("图<script>1</script>", "摄影 <a href=javascript:x>y</a>")],
        continued="下转<b>2</b>版",
        continues=None,
    )
    return Enriched(
        article=article,
        date="2024-11-06",
        themes=["talent"],
        summary=evil,
        keywords=["<kw>", "{{x}}"],
        regions=[Region("杭州市", "西湖区")],
        figures=[render_figure("<b>金额</b>", "1<2亿元")],
        related=["000-water", "no-such-article"],
        publication="浙江<日报>",
        page="第1版",
    )


def render_figure(label: str, value: str):
    from generator.model import Figure

    return Figure(label=label, value=value)


MD_LINK = re.compile(r"\]\(([^)\s]+)\)")


def markdown_links(text: str) -> list[str]:
    return MD_LINK.findall(text)


# ------------------------------------------------------------------ md_escape


@pytest.mark.parametrize("text", HOSTILE)
def test_md_escape_renders_as_the_same_text_and_no_element(text):
    html = to_html(md_escape(text))
    found = parse(html)
    assert [t for t, _ in found.tags] == ["p"], html
    assert found.other == [], html
    assert "".join(found.text) == render.clean_text(text), html


@pytest.mark.parametrize("text", HOSTILE)
def test_md_escape_is_safe_in_every_context_render_uses(text):
    escaped = md_escape(text)
    contexts = {
        "heading": (f"## {escaped}", ["h2", "a"]),  # the a: toc's permalink (¶)
        "list item": (f"- {escaped}", ["ul", "li"]),
        "link text": (f"[{escaped}](a.md)", ["p", "a"]),
        "table cell": (f"| h |\n| --- |\n| {escaped} |", ["table", "thead", "tr", "th", "tbody", "tr", "td"]),
        "md_in_html": (f'<div class="c" markdown>\n\n{escaped}\n\n</div>', ["div", "p"]),
        "attr_list paragraph": (f"{escaped}\n{{: .k }}", ["p"]),
    }
    for name, (source, tags) in contexts.items():
        html = to_html(source)
        found = parse(html)
        assert [t for t, _ in found.tags] == tags, (name, html)
        assert found.other == [], (name, html)
        text_nodes = squash("".join(found.text).replace("\u00b6", ""))
        assert render.clean_text(text) in text_nodes or squash(render.clean_text(text)) in text_nodes, (name, html)


def test_md_escape_collapses_whitespace_and_drops_control_characters():
    assert md_escape("  a\n\n b\t c  ") == "a b c"
    assert md_escape("x\x00\x02\x03\x1b y") == "x y"
    assert md_escape(None) == ""


def test_md_escape_leaves_ordinary_chinese_text_alone():
    text = "今年前三季度，我市完成固定资产投资347.2亿元、增长9.5%。“千项万亿”"
    assert md_escape(text) == text


# ------------------------------------------------------------------ front matter


def test_front_matter_parses_back_to_the_data():
    digest, sources = seed_digest()
    files = render_site(digest, sources, SITE_URL)
    themes = {t.id: t for t in digest.themes}
    by_id = {a.id: a for a in digest.articles}
    for item in digest.articles:
        text = files[f"articles/{item.id}.md"].decode("utf-8")
        body, meta = get_data(text)  # MkDocs' own front matter reader
        expected = render.front_matter_data(item, themes, SITE_URL)
        expected["related"] = [r for r in expected["related"] if r in by_id]
        assert meta == expected
        assert yaml.safe_load(text.split("---\n")[1]) == expected
        assert meta["title"] == render.html_text(item.article.title)
        assert meta["url"] == f"{SITE_URL}articles/{item.id}.html"
        assert body.strip()


def test_hostile_values_survive_front_matter_and_never_reach_html_unescaped():
    digest, sources = seed_digest()
    evil = hostile_article()
    hostile = Digest(articles=(evil, *digest.articles), themes=digest.themes)
    files = render_site(hostile, sources, None)
    text = files["articles/999-hostile.md"].decode("utf-8")
    body, meta = get_data(text)
    assert meta["kicker"] == "--- title: 伪造 ..."  # one line: a `---` line cannot end the block early
    assert meta["subtitle"] == evil.article.subtitle
    assert meta["title"] == render.html_text(evil.article.title)
    assert "<" not in meta["title"] and "&lt;img" in meta["title"]
    assert meta["authors"] == [{"name": "<b>记者</b>", "role": "记者<script>"}]  # escaped by the template
    assert meta["related"] == ["000-water"]  # a related id that is not in the digest is dropped
    assert meta["url"] == "999-hostile.html"  # relative when there is no site_url

    html = to_html(body)
    found = parse(html)
    allowed = {"p", "h2", "span", "div", "ul", "li", "a"}
    assert {t for t, _ in found.tags} <= allowed, html
    for tag, attrs in found.tags:
        assert set(attrs) <= {"class", "id", "href", "title"}, (tag, attrs)
        assert not any("javascript" in v.lower() for v in attrs.values() if v), (tag, attrs)
        if tag == "a":
            assert attrs.get("href") in ("000-water.md", "#related") or attrs.get("class") == "headerlink", attrs
    assert "<script" not in html and "<img" not in html and "<em>" not in html and "<table" not in html
    assert "<pre" not in html and "<hr" not in html and "<h1" not in html
    text_out = "".join(found.text)
    assert "<script>alert('x')</script> {{ 7*7 }} [x](javascript:alert(1)) ---" in text_out
    assert "# 不是标题" in text_out
    assert "{: .evil onclick=alert(1) }" in text_out
    # the real subhead is a heading, with its text escaped
    assert re.search(r"<h2[^>]*>真的小标题 &lt;em&gt;x&lt;/em&gt;", html)


def test_feed_and_json_escape_hostile_text():
    digest, sources = seed_digest()
    evil = hostile_article()
    hostile = Digest(articles=(evil, *digest.articles), themes=digest.themes)
    files = render_site(hostile, sources, SITE_URL)
    feed = ET.fromstring(files["feed.xml"])
    titles = [i.findtext("title") for i in feed.iter("item")]
    assert render.clean_text(evil.article.title) in titles
    data = json.loads(files["api/articles.json"])
    assert data["articles"][0]["title"] == render.clean_text(evil.article.title)


# ------------------------------------------------------------------ links and pages


def resolve(from_path: str, target: str) -> tuple[str, str]:
    path, _, fragment = target.partition("#")
    import posixpath

    return posixpath.normpath(posixpath.join(posixpath.dirname(from_path), path)), fragment


def anchors_of(markdown_text: str) -> set[str]:
    return set(re.findall(r"\{: #([\w-]+) \}", markdown_text))


@pytest.mark.parametrize("site_url", [SITE_URL, None])
def test_every_internal_link_resolves_to_a_rendered_file(site_url):
    digest, sources = seed_digest()
    files = render_site(digest, sources, site_url)
    checked = 0
    for path, data in files.items():
        if not path.endswith(".md"):
            continue
        text = data.decode("utf-8")
        for target in markdown_links(text):
            assert not re.match(r"[a-z]+:", target), (path, target)
            rel, fragment = resolve(path, target)
            assert rel in files, f"{path}: link to {target} → {rel} does not exist"
            if fragment:
                assert fragment in anchors_of(files[rel].decode("utf-8")), f"{path}: no #{fragment} in {rel}"
            checked += 1
        _body, meta = get_data(text)
        # links the article template builds from the front matter
        for entry in meta.get("themes", []) + meta.get("regions", []):
            page, _, fragment = entry["page"].partition("#")
            assert page.endswith(".html") and page[:-5] + ".md" in files, (path, entry)
            if fragment:
                assert fragment in anchors_of(files[page[:-5] + ".md"].decode("utf-8")), (path, entry)
        for feed in [meta.get("feed")] if meta.get("feed") else []:
            assert feed in files, (path, feed)
    assert checked > 50


def test_every_article_has_a_page_and_index_pages_exist():
    digest, sources = seed_digest()
    files = render_site(digest, sources, SITE_URL)
    for item in digest.articles:
        assert f"articles/{item.id}.md" in files
    for path in ("index.md", "about.md", "themes/index.md", "regions/index.md", "archive/index.md", "feed.xml", "api/articles.json"):
        assert path in files
    assert all(p.isascii() for p in files), [p for p in files if not p.isascii()]
    # articles without a theme have their page
    assert "themes/other.md" in files
    other = files["themes/other.md"].decode("utf-8")
    for item in digest.articles:
        if not item.themes:
            assert f"../articles/{item.id}.md" in other


def test_render_is_deterministic():
    digest, sources = seed_digest()
    first = render_site(digest, sources, SITE_URL)
    second = render_site(digest, sources, SITE_URL)
    assert first == second
    # a fresh enrichment of the same articles gives the same bytes too
    themes = load_themes(CONTENT / "themes.yml")
    again = enrich_corpus(hand_made(), sources, themes)
    order = [a.id for a in digest.articles]
    again = sorted((replace(a, featured=a.id == digest.articles[0].id and digest.articles[0].featured) for a in again), key=lambda a: order.index(a.id))
    assert render_site(Digest(articles=tuple(again), themes=themes), sources, SITE_URL) == first


def test_theme_page_groups_by_year_newest_first_with_counts():
    digest, sources = seed_digest()
    base = digest.articles[0]
    dated = [
        replace(base, article=replace(base.article, id=f"t-{date}", title=f"文章{date}"), date=date, themes=["talent"], related=[])
        for date in ("2024-11-06", "2023-02", "2024-03", "2023")
    ]
    undated = replace(base, article=replace(base.article, id="t-undated", title="无日期"), date=None, themes=["talent"], related=[])
    # digest order is newest first (pipeline._sort_key)
    ordered = (dated[0], dated[2], dated[1], dated[3], undated)
    files = render_site(Digest(articles=ordered, themes=digest.themes), sources, None)
    page = files["themes/talent.md"].decode("utf-8")
    headings = re.findall(r"^## (.+?)(?: \{:.*\})?$", page, re.M)
    assert headings == ["2024年（2 篇）", "2023年（2 篇）", "日期不详（1 篇）"]
    order = re.findall(r"\(\.\./articles/(t-[\w-]+)\.md\)", page)
    assert order == ["t-2024-11-06", "t-2024-03", "t-2023-02", "t-2023", "t-undated"]
    archive = files["archive/index.md"].decode("utf-8")
    months = re.findall(r"\]\((20[\w-]+|undated)\.md\)", archive)
    assert months == ["2024-11", "2024-03", "2023-02", "2023", "undated"]
    assert "archive/undated.md" in files and "archive/2023.md" in files


def test_feeds_are_well_formed_with_one_item_per_article():
    digest, sources = seed_digest()
    for site_url in (SITE_URL, None):
        files = render_site(digest, sources, site_url)
        feed = ET.fromstring(files["feed.xml"])
        assert feed.tag == "rss" and feed.get("version") == "2.0"
        items = feed.findall("./channel/item")
        assert [i.findtext("guid") for i in items] == [
            (f"{SITE_URL}articles/{a.id}.html" if site_url else a.id) for a in digest.articles[: render.FEED_SIZE]
        ]
        links = [i.findtext("link") for i in items]
        if site_url:
            assert all(l.startswith(SITE_URL + "articles/") for l in links)
        else:
            assert all(l.startswith("articles/") for l in links)
        for theme in digest.themes:
            path = f"themes/{theme.id}.xml"
            members = [a for a in digest.articles if theme.id in a.themes]
            if not members:
                assert path not in files
                continue
            theme_feed = ET.fromstring(files[path])
            theme_links = [i.findtext("link") for i in theme_feed.iter("item")]
            assert len(theme_links) == len(members)
            if not site_url:  # relative to the feed's own folder
                assert all(l.startswith("../articles/") for l in theme_links)


def test_feed_keeps_the_newest_fifty():
    digest, sources = seed_digest()
    base = digest.articles[0]
    many = tuple(
        replace(base, article=replace(base.article, id=f"a{n:03d}"), date=f"2024-{12 - n // 28:02d}-{28 - n % 28:02d}", related=[])
        for n in range(60)
    )
    files = render_site(Digest(articles=many, themes=digest.themes), sources, SITE_URL)
    items = ET.fromstring(files["feed.xml"]).findall("./channel/item")
    assert len(items) == 50
    assert items[0].findtext("guid").endswith("a000.html")


def test_api_json_lists_every_article_deterministically():
    digest, sources = seed_digest()
    data = render_site(digest, sources, SITE_URL)["api/articles.json"]
    payload = json.loads(data)
    assert [a["id"] for a in payload["articles"]] == [a.id for a in digest.articles]
    assert payload["count"] == len(digest.articles)
    assert "\\u" not in data.decode("utf-8")  # ensure_ascii=False: Chinese as itself
    first = payload["articles"][0]
    assert first["url"] == f"{SITE_URL}articles/{first['id']}.html"
    assert set(first) >= {"title", "date", "themes", "regions", "authors", "source", "publication", "summary", "keywords", "related"}


def test_theme_restricted_digest_links_only_to_present_articles():
    digest, sources = seed_digest()
    theme = "talent"
    kept = restrict_to_theme(list(digest.articles), theme)
    assert kept, "the seed articles should have a talent article"
    files = render_site(Digest(articles=tuple(kept), themes=digest.themes), sources, None)
    present = {f"articles/{a.id}.md" for a in kept}
    assert {p for p in files if p.startswith("articles/")} == present
    for path, data in files.items():
        if path.endswith(".md"):
            for target in markdown_links(data.decode("utf-8")):
                rel, _ = resolve(path, target)
                if rel.startswith("articles/"):
                    assert rel in present, (path, target)
        if path.endswith(".xml"):
            for link in ET.fromstring(data).iter("link"):
                match = re.search(r"articles/([\w.-]+)\.html", link.text or "")
                assert match is None or f"articles/{match.group(1)}.md" in present
    assert {p for p in files if p.startswith("themes/") and p.endswith(".md")} == {"themes/index.md", f"themes/{theme}.md"}


def test_region_pages_have_ascii_names_and_county_anchors():
    digest, sources = seed_digest()
    files = render_site(digest, sources, None)
    pages = [p for p in files if p.startswith("regions/") and p != "regions/index.md"]
    assert pages and all(re.fullmatch(r"regions/(\d{6}|city-[0-9a-f]{8})\.md", p) for p in pages)
    jiaxing = files["regions/330400.md"].decode("utf-8")
    assert "# 嘉兴市" in jiaxing and "{: #county-330482 }" in jiaxing  # 平湖市
    assert render.city_slug("不存在市").startswith("city-")


def test_article_body_keeps_subheads_paragraphs_captions_and_notes():
    digest, sources = seed_digest()
    files = render_site(digest, sources, SITE_URL)
    talent = files["articles/000-talent.md"].decode("utf-8")
    assert "\n## “以投带引”汇聚科创人才\n" in talent
    governance = files["articles/004-governance.md"].decode("utf-8")
    assert "图片说明：上虞区三方协同“微治理之家”" in governance and "上虞区委组织部供图" in governance
    invest = files["articles/001-invest.md"].decode("utf-8")
    assert "本文转至2版" in invest
    poetry = files["articles/002-poetry.md"].decode("utf-8")
    assert '<span class="digest-dateline">本报桐庐2月26日电</span> 26日' in poetry
    html = to_html(get_data(invest)[0])
    assert "相关举措" in html and 'href="000-talent.md"' in html


def test_body_blocks_split_paragraphs_and_subheads():
    assert render.body_blocks("第一段\n续行\n\n## 小标题\n正文\n\n### 三级\n\n  ") == [
        ("p", "第一段续行"),
        ("h2", "小标题"),
        ("p", "正文"),
        ("h3", "三级"),
    ]
    assert render.join_lines(["English", "words", "中文", "继续"]) == "English words中文继续"


def test_home_page_has_purpose_featured_latest_and_theme_cards():
    digest, sources = seed_digest()
    home = render_site(digest, sources, None)["index.md"].decode("utf-8")
    assert home.startswith("# 政策举措文摘\n")
    assert "## 编辑推荐" in home and "## 最新文章" in home and "## 主题" in home
    featured = [a for a in digest.articles if a.featured]
    assert featured and f"(articles/{featured[0].id}.md)" in home
    for theme in digest.themes:
        count = sum(theme.id in a.themes for a in digest.articles)
        if count:
            assert f"[{theme.name}](themes/{theme.id}.md)" in home
            assert f"{count} 篇" in home


def test_about_page_lists_the_sources():
    digest, sources = seed_digest()
    about = render_site(digest, sources, None)["about.md"].decode("utf-8")
    html = to_html(about)
    text = "".join(parse(html).text)
    for name, info in sources.items():
        assert name in text
        if info.publication:
            assert info.publication in text
    assert "| 版面文件 | 报纸 | 日期 | 版次 | 收录文章 |" in about
    assert html.count("<tr>") == len(sources) + 1


def test_reserved_theme_ids_do_not_collide_with_index_pages():
    assert render.theme_path("index") == "themes/_index.md"
    assert render.theme_path("other") == "themes/_other.md"
    assert render.theme_path("talent") == "themes/talent.md"


def test_front_matter_reads_back_as_the_data_written():
    """The hand-written YAML writer against PyYAML's reader, on every seed article and a hostile one."""
    digest, sources = seed_digest()
    themes = {t.id: t for t in digest.themes}
    for item in (*digest.articles, hostile_article()):
        data = render.front_matter_data(item, themes, SITE_URL)
        text = render.front_matter(data)
        assert text.startswith("---\n") and text.endswith("---\n\n")
        assert yaml.safe_load(text[4:-5]) == data


def test_pages_read_back_from_the_cache_equal_fresh_ones_after_an_edit(tmp_path):
    """Article and index pages are reused by content (render_site's cache_dir): an edited
    article's card changes every theme, region and month page listing it, and no page is stale."""
    digest, sources = seed_digest()
    plain = render_site(digest, sources, SITE_URL)
    assert render_site(digest, sources, SITE_URL, cache_dir=tmp_path) == plain  # cold cache
    assert render_site(digest, sources, SITE_URL, cache_dir=tmp_path) == plain  # warm
    item = next(a for a in digest.articles if a.themes and a.regions and a.date)
    edited_item = replace(item, article=replace(item.article, title="新标题"), summary="新的摘要。")
    edited = replace(digest, articles=tuple(edited_item if a is item else a for a in digest.articles))
    fresh = render_site(edited, sources, SITE_URL)
    assert render_site(edited, sources, SITE_URL, cache_dir=tmp_path) == fresh
    changed = {path for path in fresh if fresh[path] != plain.get(path)}
    for folder in ("themes/", "regions/", "archive/", "articles/"):
        assert any(path.startswith(folder) for path in changed), folder
