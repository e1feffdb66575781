"""The Chinese search index: Digest → files under `search/` that the browser loads with <script> tags.

Why a custom index rather than Material's search (see README, 搜索):
- exact substring semantics: a query finds exactly the articles containing it
  (毛家坪水厂 never matches 毛 + 水 scattered over a page), verified with
  positional character-bigram postings, so no article text is needed to decide;
- it must work from file:// (offline bundles): no fetch, no XHR, no workers —
  every file is a classic script calling a global registration function
  (JSONP style), which the browser loads from disk as happily as over http;
- it must scale to 10,000 articles: postings are sharded by a hash of the
  key, so one query loads the few shards its bigrams hash to, the small
  document table, and the text of the results it shows.

Layout (all files are UTF-8 with a BOM, so any server or file:// decodes them right):
- `search/meta.js`   — shard count, document table (field ends, lengths), a version hash;
- `search/t/<k>.js`   — traditional → simplified table (OpenCC TSCharacters + TSPhrases), in
                        T2S_SHARDS parts by a hash of the (first) character, loaded for the query's characters;
- `search/s/<k>.js`  — shard k: `{"g": {bigram: postings}, "w": {word: postings}}`;
- `search/d/<n>.js`  — document n (digest order): title, URL, date, searchable text.

Text normalisation (here and in search.js, identically): full-width ASCII → ASCII,
ideographic space → space, ASCII lowercase, traditional → simplified by character.
Every step maps one character to one character, so positions in the normalised
text are positions in the original text: snippets and highlights need no mapping.

Postings are strings of numbers in a compact base-32 variable-length code
(see `encode_numbers`): a bigram's postings are, per document, the document
gap, the number of occurrences, and the position gaps; a word's postings are
the document gap and the count.
"""

from __future__ import annotations

import hashlib
import json
import pickle
import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable, Mapping, NamedTuple

from .atomic import write_file
from .model import Article, Digest, Enriched

FORMAT_VERSION = 1
# A shard's postings should stay around this size: a query loads a handful of
# shards, so bytes per query stay flat while the corpus grows.
TARGET_SHARD_BYTES = 32 * 1024
MIN_SHARDS = 64
T2S_SHARDS = 16
MAX_SHARDS = 4096
# Below this many articles a process pool costs more (start-up, jieba load) than it saves.
PARALLEL_THRESHOLD = 1000
# Documents per chunk (the unit analysed and cached): small, so that a rebuild after one
# article changed re-analyses few documents.
BATCH_SIZE = 64
# Chunks per group (the unit merged and cached, and the unit of work of a pool worker):
# the calling process merges one export per group, so few groups keep that serial part short.
GROUP_SIZE = 16

# Characters never shown: zero-width spaces and joiners, BOM, soft hyphen.
_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u2060\ufeff]")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+")
_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~])")
_MD_EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1")
_BLANK_LINES = re.compile(r"\n\s*\n")

# Terminal digits end a number; continuation digits carry the higher 5-bit groups.
_TERMINAL = "0123456789abcdefghijklmnopqrstuv"
_CONTINUE = "ABCDEFGHIJKLMNOPQRSTUVWXYZwxyz-_"



# ---------------------------------------------------------------- numbers


def _encode_one(n: int) -> str:
    if n < 0:
        raise ValueError(f"cannot encode negative number {n}")
    groups = [n & 31]
    n >>= 5
    while n:
        groups.append(n & 31)
        n >>= 5
    return "".join(_CONTINUE[g] for g in reversed(groups[1:])) + _TERMINAL[groups[0]]


# Gaps and counts are nearly always small: a table lookup beats the loop ~10×.
_CODES = [_encode_one(n) for n in range(32768)]
_CODES_ASCII = [c.encode("ascii") for c in _CODES]


def encode_numbers(numbers: Iterable[int]) -> str:
    """Non-negative ints → a JSON-safe string, 5 bits a character (1 char < 32, 2 chars < 1024)."""
    codes = _CODES
    return "".join(codes[n] if 0 <= n < 32768 else _encode_one(n) for n in numbers)


def decode_numbers(text: str) -> list[int]:
    """The inverse of encode_numbers (search.js has the same loop)."""
    out, acc = [], 0
    for ch in text:
        t = _TERMINAL.find(ch)
        if t >= 0:
            out.append(acc * 32 + t)
            acc = 0
        else:
            acc = acc * 32 + _CONTINUE.index(ch)
    return out


def shard_of(key: str, shards: int) -> int:
    """FNV-1a over code points; search.js computes the same to know which file to load."""
    h = 0x811C9DC5
    for ch in key:
        h ^= ord(ch)
        h = (h * 0x01000193) & 0xFFFFFFFF
    return h % shards


# ---------------------------------------------------------------- normalisation


def _opencc_dictionary() -> Path:
    import opencc  # opencc-python-reimplemented ships OpenCC's dictionary files

    return Path(opencc.__file__).resolve().parent / "dictionary"


@lru_cache(maxsize=1)
def t2s_tables() -> tuple[dict[str, str], dict[str, str]]:
    """(characters, phrases): OpenCC's traditional → simplified data, chains resolved.

    A character maps to OpenCC's first candidate; a chain (A → B, B → C) is
    followed to its end so that mapping twice changes nothing, which keeps the
    index side (text mapped once) and the query side consistent. Only
    one-character → one-character entries are kept, so positions survive.
    """
    folder = _opencc_dictionary()
    chars: dict[str, str] = {}
    for line in (folder / "TSCharacters.txt").read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) != 2 or len(parts[0]) != 1:
            continue
        target = parts[1].split(" ")[0]
        if len(target) == 1 and target != parts[0]:
            chars[parts[0]] = target
    resolved = {}
    for src in chars:
        seen, dst = {src}, chars[src]
        while dst in chars and dst not in seen:
            seen.add(dst)
            dst = chars[dst]
        if dst != src:
            resolved[src] = dst
    phrases: dict[str, str] = {}
    for line in (folder / "TSPhrases.txt").read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) != 2:
            continue
        target = parts[1].split(" ")[0]
        # Only phrases whose character-by-character conversion would be wrong are worth shipping.
        if "".join(resolved.get(c, c) for c in parts[0]) != "".join(resolved.get(c, c) for c in target):
            phrases[parts[0]] = target
    return resolved, phrases


@lru_cache(maxsize=1)
def _translate_table() -> dict[int, str]:
    chars, _phrases = t2s_tables()
    table = {ord(k): v for k, v in chars.items()}
    for code in range(0xFF01, 0xFF5F):  # full-width ASCII
        table.setdefault(code, chr(code - 0xFEE0))
    table[0x3000] = " "
    for code in range(ord("A"), ord("Z") + 1):
        table[code] = chr(code + 32)
    # Full-width capitals: fold straight to lowercase ASCII.
    for code in range(0xFF21, 0xFF3B):
        table[code] = chr(code - 0xFEE0 + 32)
    return table


def normalise(text: str) -> str:
    """One character in, one character out (see module docstring); search.js mirrors it."""
    out = text.translate(_translate_table())
    if len(out) != len(text):  # a table entry must never change the length
        raise AssertionError("normalisation changed the text length")
    return out


def indexable(ch: str) -> bool:
    """Letters and digits of any script (JS: /[\\p{L}\\p{N}]/u); punctuation and spaces break terms.

    Python's str.isalnum is exactly Unicode categories L* and N* (checked over every code point).
    """
    return ch.isalnum()


# Runs of letters and digits (re's \w is isalnum plus "_").
_RUN = re.compile(r"[^\W_]+")


def clean(text: str | None) -> str:
    return _INVISIBLE.sub("", text or "").strip()


def plain_body(markdown: str) -> str:
    """Article body Markdown → plain paragraphs, subheads kept as lines of their own."""
    paras = []
    for block in _BLANK_LINES.split(markdown or ""):
        lines = []
        for line in block.splitlines():
            # Most lines hold none of the characters a pattern needs: skip its (slow) sub.
            if "#" in line:
                line = _HEADING.sub("", line)
            if "**" in line or "__" in line:
                line = _MD_EMPHASIS.sub(r"\2", line)
            if "\\" in line:
                line = _MD_ESCAPE.sub(r"\1", line)
            lines.append(line.strip())
        text = "".join(lines).strip()
        if text:
            paras.append(text)
    return "\n".join(paras)


# ---------------------------------------------------------------- documents


class SearchDoc:
    """The searchable text of one article: title, then head (kicker, subtitle), then body.

    Fields are separated by newlines, which no term spans; `title_end` and
    `head_end` are the offsets where the title and the head end.
    """

    __slots__ = ("title", "url", "date", "text", "title_end", "head_end")

    def __init__(self, item: Enriched, url: str) -> None:
        self.url = url
        self.date = item.date or ""
        self.title = clean(item.article.title)
        self.text, self.title_end, self.head_end = search_fields(item.article)


class IndexedDoc(NamedTuple):
    """What the index keeps of document n besides its postings: its file (search/d/n.js),
    its text's key (text_key) and length, where its title and head end."""

    file: bytes
    text_key: bytes
    length: int
    title_end: int
    head_end: int


def _indexed(doc: SearchDoc, n: int) -> IndexedDoc:
    data = _js("doc", n, {"t": doc.title, "u": doc.url, "d": doc.date, "x": doc.text})
    return IndexedDoc(data, text_key(doc.text), len(doc.text), doc.title_end, doc.head_end)


def _documents(
    digest: Digest, article_url: Callable[[Enriched], str], cache_dir: Path | None
) -> tuple[list[IndexedDoc], dict[int, str], list[tuple[Path, bytes]]]:
    """IndexedDoc of every article; with a cache_dir, those of articles curation left as read
    (Digest.content_keys) are kept there under that key, the number, URL and date, so a
    rebuild neither extracts nor encodes their text again.

    Also returns the texts extracted here (by document number: _Texts need not extract
    them again) and the cache entries to write once the index is made.
    """
    if cache_dir is not None:
        cache_dir.mkdir(parents=True, exist_ok=True)
        prefix = f"{_code_fingerprint()}\0".encode()
    out, texts, entries = [], {}, []
    for n, item in enumerate(digest.articles):
        url = article_url(item)
        content_key = digest.content_keys.get(item.id) if cache_dir is not None else None
        entry = None
        if content_key is not None:
            key = hashlib.sha256(prefix + f"{content_key}\0{n}\0{url}\0{item.date}".encode("utf-8")).hexdigest()
            entry = cache_dir / f"{key}.pickle"
            try:
                found = pickle.loads(entry.read_bytes())
                if isinstance(found, tuple) and len(found) == len(IndexedDoc._fields):
                    out.append(IndexedDoc(*found))
                    continue
            except Exception:  # missing or unreadable: made again
                pass
        search_doc = SearchDoc(item, url)
        doc = _indexed(search_doc, n)
        texts[n] = search_doc.text
        if entry is not None:
            entries.append((entry, pickle.dumps(tuple(doc), protocol=pickle.HIGHEST_PROTOCOL)))
        out.append(doc)
    return out, texts, entries


def _write_entries(entries: list[tuple[Path, bytes]]) -> None:
    for entry, data in entries:
        write_file(entry, data)


class _Texts(Sequence):
    """The documents' searchable texts, extracted when asked for: a rebuild indexes again
    only the runs of documents that changed, and needs only their texts."""

    def __init__(self, digest: Digest, docs: list[IndexedDoc], known: dict[int, str]) -> None:
        self.items, self.docs, self.known = digest.articles, docs, known

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, index):  # type: ignore[override]
        if isinstance(index, slice):
            return [self[n] for n in range(*index.indices(len(self)))]
        if index in self.known:
            return self.known[index]
        text = search_fields(self.items[index].article)[0]
        if text_key(text) != self.docs[index].text_key:
            raise AssertionError("a cached search document does not match its article")
        return text


def search_fields(article: Article) -> tuple[str, int, int]:
    """An article's searchable text, with the offsets where its title and its head end."""
    title = clean(article.title)
    head = [clean(x) for x in (article.kicker, article.subtitle) if clean(x)]
    body = [clean(plain_body(article.body))]
    body += [clean(c.text) for c in article.captions if clean(c.text)]
    names = " ".join(clean(au.name) for au in article.authors if clean(au.name))
    if names:
        body.append(names)
    title_end = len(title)
    head_text = "\n".join(head)
    head_end = title_end + (1 + len(head_text) if head_text else 0)
    return "\n".join([title, *head, *[b for b in body if b]]), title_end, head_end


def text_key(text: str) -> bytes:
    """What search postings are cached and handed over by: a hash of the searchable text."""
    return hashlib.sha256(text.encode("utf-8")).digest()


def bigram_positions(norm: str) -> dict[str, list[int]]:
    """Every pair of adjacent letters/digits → its start offsets, in order."""
    out: dict[str, list[int]] = {}
    get = out.get
    for run in _RUN.finditer(norm):
        text, start = run.group(), run.start()
        for i in range(len(text) - 1):
            key = text[i : i + 2]
            hits = get(key)
            if hits is None:
                out[key] = [start + i]
            else:
                hits.append(start + i)
    return out


def word_counts(tokens: Iterable[str], norm: str, dictionary: frozenset[str] | None = None) -> dict[str, int]:
    """Words of the text (tokens of the original, spelled as in the normalised text `norm`),
    with the dictionary sub-words of long ones, as jieba's search mode does."""
    counts: dict[str, int] = {}
    pos = 0
    for token in tokens:
        end = pos + len(token)
        word = norm[pos:end]
        pos = end
        if not word.isalnum():
            continue
        counts[word] = counts.get(word, 0) + 1
        if dictionary is not None and len(word) > 2:
            for n in (2, 3):
                for i in range(len(word) - n + 1):
                    sub = word[i : i + n]
                    if sub != word and sub in dictionary:
                        counts[sub] = counts.get(sub, 0) + 1
    return counts


def document_words(tokens: Iterable[str], text: str, dictionary: frozenset[str]) -> str:
    """A document's word postings, for handing over between processes: `word count` lines.

    Enrichment cuts every article with the same tokenizer as the index; it computes this
    from its own tokens (see enrich.Analyzer), so the index need not cut the text again.
    One string rather than a dict keeps 10,000 of them small in memory and cheap to pickle.
    """
    counts = word_counts(tokens, normalise(text), dictionary)
    return "".join(f"{word} {count}\n" for word, count in counts.items())


def _parse_words(words: str) -> dict[str, int]:
    out = {}
    for line in words.splitlines():
        word, _, count = line.rpartition(" ")
        out[word] = int(count)
    return out


def search_dictionary(tokenizer) -> frozenset[str]:
    """The words whose occurrences inside longer words are indexed too (jieba's search mode)."""
    return frozenset(w for w, f in tokenizer.FREQ.items() if f and len(w) > 1)


class _Analyser:
    """Per process: the tokenizer (theme lexicons and division names as user words) and its dictionary."""

    def __init__(self, lexicon: tuple[str, ...]) -> None:
        from .enrich import regions as _regions
        from .enrich.text import shared_tokenizer

        # The same tokenizer as enrichment's (same terms): loaded once per process.
        tokenizer, self.cut = shared_tokenizer(frozenset(lexicon) | frozenset(_regions.dictionary_words()))
        self.dictionary = search_dictionary(tokenizer)

    def words(self, text: str) -> dict[str, int]:
        return word_counts(self.cut(text), normalise(text), self.dictionary)


def document_fragments(text: str, words: dict[str, int]) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """One document's postings (ASCII), encoded except for the document gap added when merging."""
    norm = normalise(text)
    codes, encode = _CODES, _encode_one
    grams = {}
    for key, hits in bigram_positions(norm).items():
        last, out = -1, [codes[len(hits)] if len(hits) < 32768 else encode(len(hits))]
        for p in hits:
            gap = p - last - 1
            out.append(codes[gap] if gap < 32768 else encode(gap))
            last = p
        grams[key] = "".join(out).encode("ascii")
    word_fragments = {
        key: (codes[count] if count < 32768 else encode(count)).encode("ascii") for key, count in words.items()
    }
    return grams, word_fragments


@lru_cache(maxsize=1)
def _analyser(lexicon: tuple[str, ...]) -> _Analyser:
    # One per process and lexicon: the jieba dictionary loads once (~1 s), also in pool workers,
    # and only where some document's words were not handed over by enrichment.
    return _Analyser(lexicon)


Batch = tuple[dict[str, tuple[int, int, bytes]], dict[str, tuple[int, int, bytes]]]


def _analyse_batch(texts: list[str], start: int, lexicon: tuple[str, ...], known: list[str | None] | None = None) -> Batch:
    """Postings of documents start, start+1, …: key → (first doc, last doc, codes after the first gap).

    `known` holds, per text, its words from enrichment (document_words) or None.
    Merging per batch rather than per document keeps the serial part (the merge in the
    calling process) small: one step per key and batch instead of per key and document.
    """
    grams, words = _Postings(), _Postings()
    for n, text in enumerate(texts, start):
        handed = known[n - start] if known is not None else None
        counts = _parse_words(handed) if handed is not None else _analyser(lexicon).words(text)
        gram_fragments, word_fragments = document_fragments(text, counts)
        grams.add(n, gram_fragments)
        words.add(n, word_fragments)
    return grams.export(), words.export()


def _text_hashes(texts: list[str]) -> list[bytes]:
    return [text_key(text) for text in texts]


def _cut_points(hashes: list[bytes], size: int) -> list[tuple[int, int]]:
    """Items cut into runs of about `size`, at points chosen by the items' own hashes.

    Content-defined cut points (a run ends after an item whose hash says so) keep the
    other runs the same when an item is added or removed, so their cached postings
    still serve; the postings do not depend on where the runs are cut.
    """
    size = max(1, size)
    longest = size * 2
    out, start = [], 0
    for i, digest in enumerate(hashes):
        if int.from_bytes(digest[:4], "big") % size == 0 or i + 1 - start >= longest:
            out.append((start, i + 1))
            start = i + 1
    if start < len(hashes):
        out.append((start, len(hashes)))
    return out


@lru_cache(maxsize=1)
def _code_fingerprint() -> str:
    """Changes whenever the postings of a text could: this module, the tokenizer code, its data, jieba."""
    import jieba

    here = Path(__file__).resolve().parent
    digest = hashlib.sha256(f"{FORMAT_VERSION}\0jieba {jieba.__version__}".encode())
    files = [here / "search_index.py", here / "enrich" / "text.py", here / "enrich" / "regions.py"]
    files += sorted((here / "data").glob("*"))
    for path in files:
        if path.is_file():
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _read_batch(path: Path | None) -> Batch | None:
    if path is None:
        return None
    try:
        value = pickle.loads(path.read_bytes())
    except Exception:  # missing, truncated or from another version: just a miss
        return None
    return value if isinstance(value, tuple) and len(value) == 2 else None


def _write_batch(path: Path | None, batch: Batch) -> None:
    if path is None:
        return
    write_file(path, pickle.dumps(batch, protocol=pickle.HIGHEST_PROTOCOL))


# A group: its cache file, and its chunks as
# (first document, relative to the group; texts; their words if handed over; cache file).
Group = tuple["Path | None", list[tuple[int, list[str], "list[str | None] | None", "Path | None"]]]


def _analyse_group(group: Group, lexicon: tuple[str, ...]) -> Batch:
    """A group's postings (documents numbered from 0): its chunks read from the cache or analysed, merged.

    Runs in pool workers too: each writes the cache files of what it computed.
    """
    path, chunks = group
    grams, words = _Postings(), _Postings()
    for offset, texts, known, chunk_path in chunks:
        batch = _read_batch(chunk_path)
        if batch is None:
            batch = _analyse_batch(texts, 0, lexicon, known)
            _write_batch(chunk_path, batch)
        grams.merge(batch[0], offset)
        words.merge(batch[1], offset)
    batch = grams.export(), words.export()
    _write_batch(path, batch)
    return batch


def _analysed_batches(
    texts: Sequence[str],
    lexicon: tuple[str, ...],
    jobs: int,
    cache_dir: Path | None = None,
    known_words: Mapping[bytes, str] | None = None,
    hashes: list[bytes] | None = None,
):
    """(first document, postings numbered from 0) per group of documents, in order.

    Documents are cut into chunks of about BATCH_SIZE, chunks into groups of about
    GROUP_SIZE chunks. With a cache_dir both levels are kept there under a hash of their
    texts, the lexicon and the code: a rebuild after a small change reads the unchanged
    groups whole, and re-merges only the changed group from its chunks, of which it
    analyses only the changed ones. The calling process merges one export per group.
    A pool with a bounded queue serves big corpora, so memory stays flat.
    `hashes`, if given, are the texts' text_key: then only the texts of groups not cached
    are asked for (`texts` may make them on demand, as _Texts does).
    """
    if hashes is None:
        hashes = _text_hashes(list(texts))
    chunks = _cut_points(hashes, BATCH_SIZE)
    prefix = hashlib.sha256(f"{_code_fingerprint()}\0{lexicon!r}".encode("utf-8")).digest() if cache_dir else b""
    chunk_keys = [hashlib.sha256(prefix + b"\1" + b"".join(hashes[a:b])).digest() for a, b in chunks]
    groups = _cut_points(chunk_keys, GROUP_SIZE)
    if cache_dir is not None:
        cache_dir.mkdir(parents=True, exist_ok=True)

    def cache_path(key: bytes) -> Path | None:
        return cache_dir / f"{key.hex()}.pickle" if cache_dir is not None else None

    work: list[tuple[int, Group]] = []  # (first document, group)
    cached: list[Batch | None] = []
    missing_docs = 0
    for a, b in groups:
        first = chunks[a][0]
        path = cache_path(hashlib.sha256(prefix + b"\2" + b"".join(chunk_keys[a:b])).digest())
        found = _read_batch(path)
        members = [
            (s - first, texts[s:e], [known_words.get(h) for h in hashes[s:e]] if known_words else None, cache_path(chunk_keys[c]))
            for c, (s, e) in enumerate(chunks[a:b], a)
        ] if found is None else []  # a cached group's texts are not needed
        cached.append(found)
        work.append((first, (path, members)))
        if found is None:  # the documents to analyse: those of chunks not cached either
            missing_docs += sum(len(t) for _s, t, _k, chunk_path in members if chunk_path is None or not chunk_path.exists())

    if jobs <= 1 or missing_docs < PARALLEL_THRESHOLD:
        for g, (first, group) in enumerate(work):
            batch, cached[g] = cached[g], None
            yield first, batch if batch is not None else _analyse_group(group, lexicon)
        return
    from collections import deque
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=jobs) as pool:
        pending: deque = deque()
        todo = iter([g for g, found in enumerate(cached) if found is None])

        def submit_ahead() -> None:
            while len(pending) <= jobs:
                g = next(todo, None)
                if g is None:
                    return
                pending.append((g, pool.submit(_analyse_group, work[g][1], lexicon)))

        submit_ahead()
        for g, (first, _group) in enumerate(work):
            batch, cached[g] = cached[g], None
            if batch is None:
                done, future = pending.popleft()
                if done != g:
                    raise AssertionError("search index groups out of order")
                batch = future.result()
                submit_ahead()
            yield first, batch


class _Postings:
    """Merged postings: key → bytearray of ASCII codes; document gaps filled in as documents arrive."""

    __slots__ = ("data", "first", "last")

    def __init__(self) -> None:
        self.data: dict[str, bytearray] = {}
        self.first: dict[str, int] = {}
        self.last: dict[str, int] = {}

    def add(self, n: int, fragments: dict[str, bytes]) -> None:
        """One document's fragments (codes after its gap)."""
        data, last, codes = self.data, self.last, _CODES_ASCII
        for key, fragment in fragments.items():
            previous = last.get(key)
            last[key] = n
            if previous is None:
                self.first[key] = n
                data[key] = bytearray(fragment)
                continue
            gap = n - previous - 1
            buf = data[key]
            buf += codes[gap] if gap < 32768 else _encode_one(gap).encode("ascii")
            buf += fragment

    def export(self) -> dict[str, tuple[int, int, bytes]]:
        return {key: (self.first[key], self.last[key], bytes(buf)) for key, buf in self.data.items()}

    def merge(self, batch: dict[str, tuple[int, int, bytes]], offset: int = 0) -> None:
        """A later batch's export (documents numbered from `offset`): same as adding its documents one by one."""
        data, last, codes = self.data, self.last, _CODES_ASCII
        for key, (first, end, codes_after) in batch.items():
            previous = last.get(key)
            last[key] = end + offset
            if previous is None:
                self.first[key] = first + offset
                data[key] = bytearray(codes_after)
                continue
            gap = first + offset - previous - 1
            buf = data[key]
            buf += codes[gap] if gap < 32768 else _encode_one(gap).encode("ascii")
            buf += codes_after

    def encoded(self) -> dict[str, str]:
        """Key → postings; the first document's gap is its number (the gap from document -1)."""
        out = {}
        for key, buf in self.data.items():
            first = self.first[key]
            out[key] = _CODES[first] + buf.decode("ascii") if first < 32768 else _encode_one(first) + buf.decode("ascii")
        return out


# One encoder for every file (json.dumps with options builds one per call), one call per
# file: at 10,000 documents the per-call overhead is most of the cost of encoding.
_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def _js(call: str, *args: object) -> bytes:
    payload = _JSON.encode(args)[1:-1]  # one call for all: the arguments of a JSON array
    return ("\ufeff" + f"__digestSearch.{call}({payload});\n").encode("utf-8")


def _shard_count(estimated_bytes: int) -> int:
    n = MIN_SHARDS
    while n < MAX_SHARDS and estimated_bytes / n > TARGET_SHARD_BYTES:
        n *= 2
    return n


def build_search_index(
    digest: Digest,
    article_url: Callable[[Enriched], str],
    *,
    jobs: int = 1,
    cache_dir: Path | None = None,
    known_words: Mapping[bytes, str] | None = None,
) -> dict[str, bytes]:
    """Digest → {"search/...": bytes}; pure and deterministic (same digest, same bytes, whatever `jobs`).

    With `cache_dir`, the postings of runs of documents are kept there by content hash
    (see _analysed_batches): the result is the same, a rebuild analyses only what changed.
    `known_words` maps text_key(text) → document_words(…) of texts enrichment has already
    cut; the others are cut here. Either way the words are the same.
    """
    docs, extracted, entries = _documents(digest, article_url, cache_dir / "docs" if cache_dir is not None else None)
    lexicon = tuple(sorted({term for theme in digest.themes for term, _weight in theme.lexicon}))
    grams, words = _Postings(), _Postings()
    texts = _Texts(digest, docs, extracted)
    hashes = [doc.text_key for doc in docs]
    for start, (gram_batch, word_batch) in _analysed_batches(texts, lexicon, jobs, cache_dir, known_words, hashes):
        grams.merge(gram_batch, start)
        words.merge(word_batch, start)
    del extracted
    _write_entries(entries)
    table: list[int] = []
    for doc in docs:
        table += [doc.title_end, doc.head_end - doc.title_end, doc.length - doc.head_end]
    encoded_grams, encoded_words = grams.encoded(), words.encoded()
    del grams, words

    estimated = sum(len(k) * 3 + len(v) + 6 for k, v in encoded_grams.items())
    estimated += sum(len(k) * 3 + len(v) + 6 for k, v in encoded_words.items())
    shards = _shard_count(estimated)
    shard_grams: list[dict[str, str]] = [{} for _ in range(shards)]
    shard_words: list[dict[str, str]] = [{} for _ in range(shards)]
    for key, value in encoded_grams.items():
        shard_grams[shard_of(key, shards)][key] = value
    for key, value in encoded_words.items():
        shard_words[shard_of(key, shards)][key] = value

    files: dict[str, bytes] = {}
    for k in range(shards):
        files[f"search/s/{k}.js"] = _js("shard", k, {"g": shard_grams[k], "w": shard_words[k]})
    for n, doc in enumerate(docs):
        files[f"search/d/{n}.js"] = doc.file
    chars, phrases = t2s_tables()
    for k in range(T2S_SHARDS):
        keys = sorted(c for c in chars if shard_of(c, T2S_SHARDS) == k)
        part = {p: v for p, v in sorted(phrases.items()) if shard_of(p[0], T2S_SHARDS) == k}
        files[f"search/t/{k}.js"] = _js("t2s", k, "".join(keys), "".join(chars[c] for c in keys), part)

    # The version changes with any index file, so stale cached shards are never mixed with a new table.
    version = hashlib.sha256()
    for name in sorted(files):
        version.update(name.encode() + b"\0" + files[name])
    total_len = sum(d.length for d in docs)
    meta = {
        "format": FORMAT_VERSION,
        "version": version.hexdigest()[:12],
        "count": len(docs),
        "shards": shards,
        "avglen": round(total_len / len(docs), 1) if docs else 0,
        "table": encode_numbers(table),
    }
    files["search/meta.js"] = _js("meta", meta)
    return files


def index_stats(files: dict[str, bytes]) -> dict[str, int]:
    """Sizes by kind, for benchmarks and the report."""
    stats = {"total": 0, "shards": 0, "docs": 0, "other": 0, "files": len(files)}
    for name, data in files.items():
        stats["total"] += len(data)
        kind = "shards" if name.startswith("search/s/") else "docs" if name.startswith("search/d/") else "other"
        stats[kind] += len(data)
    return stats


# ---------------------------------------------------------------- reading (tests, benchmarks)


def _payload(data: bytes) -> list:
    text = data.decode("utf-8-sig")
    inner = text[text.index("(") + 1 : text.rindex(")")]
    return json.loads(f"[{inner}]")


def query_parts(query: str) -> list[str]:
    """The query as search.js splits it: normalised, cut at anything not a letter or digit."""
    _chars, phrases = t2s_tables()
    longest = max((len(k) for k in phrases), default=0)
    text, out, i = unicodedata.normalize("NFC", query), [], 0
    while i < len(text):
        for n in range(min(longest, len(text) - i), 1, -1):
            if text[i : i + n] in phrases:
                out.append(phrases[text[i : i + n]])
                i += n
                break
        else:
            out.append(text[i])
            i += 1
    norm = normalise("".join(out))
    parts: list[str] = []
    current = ""
    for ch in norm + " ":
        if indexable(ch):
            current += ch
        else:
            if current and current not in parts:
                parts.append(current)
            current = ""
    return [p for p in parts if not any(p != q and p in q for q in parts)]


class IndexReader:
    """Reads the generated files back: which files a query needs, and which documents match.

    Mirrors search.js's loading and matching (not its ranking), so tests can check the
    index without a browser and benchmarks can count the bytes a query fetches.
    """

    def __init__(self, files: dict[str, bytes]) -> None:
        self.files = files
        self.meta = _payload(files["search/meta.js"])[0]
        self._shards: dict[int, dict] = {}

    def shard(self, k: int) -> dict:
        if k not in self._shards:
            self._shards[k] = _payload(self.files[f"search/s/{k}.js"])[1]
        return self._shards[k]

    def shard_files(self, parts: list[str]) -> list[str]:
        n = self.meta["shards"]
        keys = set(parts) | {p[i : i + 2] for p in parts for i in range(len(p) - 1)}
        return [f"search/s/{k}.js" for k in sorted({shard_of(key, n) for key in keys})]

    def gram(self, key: str) -> dict[int, list[int]]:
        raw = self.shard(shard_of(key, self.meta["shards"]))["g"].get(key)
        out: dict[int, list[int]] = {}
        if raw is None:
            return out
        nums, doc, i = decode_numbers(raw), -1, 0
        while i < len(nums):
            doc += nums[i] + 1
            count, pos, hits = nums[i + 1], -1, []
            for gap in nums[i + 2 : i + 2 + count]:
                pos += gap + 1
                hits.append(pos)
            out[doc] = hits
            i += 2 + count
        return out

    def word(self, key: str) -> dict[int, int]:
        raw = self.shard(shard_of(key, self.meta["shards"]))["w"].get(key)
        nums = decode_numbers(raw) if raw else []
        out, doc = {}, -1
        for i in range(0, len(nums) - 1, 2):
            doc += nums[i] + 1
            out[doc] = nums[i + 1]
        return out

    def match_part(self, part: str) -> dict[int, list[int]]:
        if len(part) == 1:
            return {doc: [] for doc in self.word(part)}
        lists = [self.gram(part[i : i + 2]) for i in range(len(part) - 1)]
        out = {}
        for doc, starts in lists[0].items():
            if all(doc in other for other in lists[1:]):
                hits = [p for p in starts if all(p + i in set(lists[i][doc]) for i in range(1, len(lists)))]
                if hits:
                    out[doc] = hits
        return out

    def match(self, query: str) -> set[int]:
        parts = query_parts(query)
        if not parts:
            return set()
        docs = None
        for part in parts:
            found = set(self.match_part(part))
            docs = found if docs is None else docs & found
        return docs or set()

    def bytes_for_query(self, query: str, shown: int = 20) -> int:
        """Bytes search.js fetches to show the first page of results for a query."""
        parts = query_parts(query)
        t2s = {shard_of(c, T2S_SHARDS) for c in query if not c.isascii()}
        names = ["search/meta.js", *(f"search/t/{k}.js" for k in sorted(t2s)), *self.shard_files(parts)]
        names += [f"search/d/{n}.js" for n in sorted(self.match(query))[:shown]]
        return sum(len(self.files[name]) for name in names)
