/*
 * 政策举措文摘 — Chinese full-text search that works on the hosted site and from file://.
 *
 * The index (generator/search_index.py) is a set of classic scripts that call
 * window.__digestSearch.*: no fetch, no XHR, no worker, so a bundle opened from
 * disk searches exactly like the hosted site. A query loads meta.js once, the
 * parts of the traditional → simplified table its characters hash to, the shards
 * its character bigrams hash to, then the text of the results it shows.
 *
 * Matching is exact: a query part of two or more characters matches where all
 * its bigrams sit at consecutive positions, so single characters of a word never
 * match. Parts separated by spaces or punctuation must all match (AND).
 * Everything shown comes from the index through textContent, never innerHTML.
 */
(function () {
  "use strict";

  if (window.__digestSearch && window.__digestSearch.mounted) return;

  var PAGE = 20;
  var TERMINAL = "0123456789abcdefghijklmnopqrstuv";
  var CONTINUE = "ABCDEFGHIJKLMNOPQRSTUVWXYZwxyz-_";
  var DIGIT = {};
  (function () {
    for (var i = 0; i < 32; i++) {
      DIGIT[TERMINAL.charAt(i)] = i;
      DIGIT[CONTINUE.charAt(i)] = -1 - i;
    }
  })();
  var INDEXABLE = /[\p{L}\p{N}]/u;

  var T2S_SHARDS = 16; // generator/search_index.py T2S_SHARDS
  var store = { meta: null, t2s: {}, phrases: {}, maxPhrase: 0, shards: {}, docs: {}, table: null };
  var loading = {};

  window.__digestSearch = {
    mounted: true,
    meta: function (m) { store.meta = m; },
    t2s: function (_k, from, to, phrases) {
      var a = Array.from(from), b = Array.from(to);
      for (var i = 0; i < a.length; i++) store.t2s[a[i]] = b[i];
      for (var p in phrases || {}) {
        store.phrases[p] = phrases[p];
        store.maxPhrase = Math.max(store.maxPhrase, Array.from(p).length);
      }
    },
    shard: function (k, data) { store.shards[k] = { g: data.g || {}, w: data.w || {}, cache: {} }; },
    doc: function (n, data) { store.docs[n] = data; },
    // For tests: the pieces that must agree with generator/search_index.py.
    internals: {
      decode: function (t) { return decode(t); },
      shardOf: function (k, n) { return shardOf(k, n); },
      normalise: function (t) { return normArray(t).join(""); },
      parse: function (q) { return parseQuery(q).map(function (p) { return p.join(""); }); }
    }
  };

  // ------------------------------------------------------------ loading

  function baseURL(root) {
    var base = root.getAttribute("data-base") || ".";
    if (base.charAt(base.length - 1) !== "/") base += "/";
    return new URL(base, document.baseURI);
  }

  function loadScript(url) {
    if (loading[url]) return loading[url];
    loading[url] = new Promise(function (resolve, reject) {
      var s = document.createElement("script");
      s.src = url;
      s.async = true;
      s.charset = "utf-8";
      s.onload = function () { resolve(); };
      s.onerror = function () { delete loading[url]; reject(new Error("cannot load " + url)); };
      document.head.appendChild(s);
    });
    return loading[url];
  }

  function indexFile(base, path, versioned) {
    var url = new URL("search/" + path, base).href;
    if (versioned && store.meta) url += "?v=" + store.meta.version;
    return loadScript(url);
  }

  function ready(base) {
    return indexFile(base, "meta.js", false).then(function () {
      if (!store.meta) throw new Error("search index missing");
      if (!store.table) {
        var nums = decode(store.meta.table), table = [];
        for (var i = 0; i + 2 < nums.length; i += 3) {
          table.push({ titleEnd: nums[i], headEnd: nums[i] + nums[i + 1], body: nums[i + 2] });
        }
        store.table = table;
      }
    });
  }

  // The parts of the traditional → simplified table that the query's characters need.
  function loadT2S(base, query) {
    var set = {};
    for (var ch of query) if (ch.codePointAt(0) > 0x7f) set[shardOf(ch, T2S_SHARDS)] = true;
    return Promise.all(Object.keys(set).map(function (k) { return indexFile(base, "t/" + k + ".js", true); }));
  }

  // ------------------------------------------------------------ codec, hashing, normalisation

  function decode(text) {
    var out = [], acc = 0;
    for (var i = 0; i < text.length; i++) {
      var d = DIGIT[text.charAt(i)];
      if (d >= 0) { out.push(acc * 32 + d); acc = 0; } else { acc = acc * 32 + (-1 - d); }
    }
    return out;
  }

  function shardOf(key, shards) {
    var h = 0x811c9dc5;
    for (var ch of key) {
      h ^= ch.codePointAt(0);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    return h % shards;
  }

  // One code point in, one code point out (mirrors search_index.normalise).
  function normChar(ch) {
    var c = ch.codePointAt(0);
    if (c >= 0x41 && c <= 0x5a) return String.fromCharCode(c + 32);
    if (c >= 0xff21 && c <= 0xff3a) return String.fromCharCode(c - 0xfee0 + 32);
    if (c >= 0xff01 && c <= 0xff5e) return String.fromCharCode(c - 0xfee0);
    if (c === 0x3000) return " ";
    return store.t2s[ch] || ch;
  }

  function normArray(text) {
    var cps = Array.from(text);
    for (var i = 0; i < cps.length; i++) cps[i] = normChar(cps[i]);
    return cps;
  }

  // Traditional phrases whose character-by-character conversion would be wrong (OpenCC TSPhrases).
  function convertPhrases(text) {
    if (!store.maxPhrase) return text;
    var cps = Array.from(text), out = "";
    for (var i = 0; i < cps.length; ) {
      var done = false;
      for (var n = Math.min(store.maxPhrase, cps.length - i); n >= 2 && !done; n--) {
        var sub = cps.slice(i, i + n).join("");
        if (Object.prototype.hasOwnProperty.call(store.phrases, sub)) {
          out += store.phrases[sub];
          i += n;
          done = true;
        }
      }
      if (!done) { out += cps[i]; i++; }
    }
    return out;
  }

  // Query → distinct parts (arrays of code points); anything not a letter or digit separates parts.
  function parseQuery(query) {
    var cps = normArray(convertPhrases(query.normalize("NFC")));
    var parts = [], cur = [], seen = {};
    function flush() {
      if (cur.length) {
        var key = cur.join("");
        if (!seen[key]) { seen[key] = true; parts.push(cur); }
      }
      cur = [];
    }
    for (var i = 0; i < cps.length; i++) {
      if (INDEXABLE.test(cps[i])) cur.push(cps[i]); else flush();
    }
    flush();
    // A part inside another part adds nothing to an AND and would only repeat highlights.
    return parts.filter(function (p) {
      var key = p.join("");
      return !parts.some(function (q) { return q !== p && q.length > p.length && q.join("").indexOf(key) >= 0; });
    });
  }

  // ------------------------------------------------------------ postings

  function grams(part) {
    var out = [];
    for (var i = 0; i + 1 < part.length; i++) out.push(part[i] + part[i + 1]);
    return out;
  }

  function neededShards(parts) {
    var n = store.meta.shards, set = {};
    parts.forEach(function (p) {
      set[shardOf(p.join(""), n)] = true;
      grams(p).forEach(function (g) { set[shardOf(g, n)] = true; });
    });
    return Object.keys(set).map(Number).sort(function (a, b) { return a - b; });
  }

  // Postings of one key, decoded once per page load: kind "g" (bigrams) or "w" (words).
  function postings(kind, key, parse) {
    var shard = store.shards[shardOf(key, store.meta.shards)];
    if (!shard) return null;
    var slot = kind + key, cached = shard.cache[slot];
    if (cached !== undefined) return cached;
    var raw = shard[kind][key];
    var map = raw === undefined ? null : parse(decode(raw));
    shard.cache[slot] = map;
    return map;
  }

  // bigram → Map(doc → sorted positions)
  function gramPostings(key) {
    return postings("g", key, function (nums) {
      var map = new Map(), doc = -1, i = 0;
      while (i < nums.length) {
        doc += nums[i] + 1;
        var count = nums[i + 1], pos = -1, list = new Array(count);
        i += 2;
        for (var j = 0; j < count; j++) { pos += nums[i + j] + 1; list[j] = pos; }
        i += count;
        map.set(doc, list);
      }
      return map;
    });
  }

  // word → Map(doc → count)
  function wordPostings(key) {
    return postings("w", key, function (nums) {
      var map = new Map(), doc = -1;
      for (var i = 0; i + 1 < nums.length; i += 2) { doc += nums[i] + 1; map.set(doc, nums[i + 1]); }
      return map;
    });
  }

  function hasPos(list, value) {
    var lo = 0, hi = list.length - 1;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (list[mid] === value) return true;
      if (list[mid] < value) lo = mid + 1; else hi = mid - 1;
    }
    return false;
  }

  // Map(doc → start positions) where the whole part occurs, or Map(doc → null) for one-character parts.
  function matchPart(part) {
    var out = new Map();
    if (part.length === 1) {
      var words = wordPostings(part[0]);
      if (words) words.forEach(function (_c, doc) { out.set(doc, null); });
      return out;
    }
    var lists = grams(part).map(gramPostings);
    if (lists.some(function (l) { return !l; })) return out;
    var order = lists.map(function (_l, i) { return i; }).sort(function (a, b) { return lists[a].size - lists[b].size; });
    lists[order[0]].forEach(function (_pos, doc) {
      for (var k = 1; k < order.length; k++) if (!lists[order[k]].has(doc)) return;
      var starts = lists[0].get(doc), hits = [];
      for (var s = 0; s < starts.length; s++) {
        var p = starts[s], ok = true;
        for (var i = 1; i < lists.length && ok; i++) ok = hasPos(lists[i].get(doc), p + i);
        if (ok) hits.push(p);
      }
      if (hits.length) out.set(doc, hits);
    });
    return out;
  }

  // ------------------------------------------------------------ ranking

  function rank(parts) {
    var matches = parts.map(matchPart);
    var words = parts.map(function (p) { return wordPostings(p.join("")) || new Map(); });
    var smallest = matches.reduce(function (a, b) { return a.size <= b.size ? a : b; });
    var n = store.meta.count, avg = Math.max(1, store.meta.avglen), results = [];
    smallest.forEach(function (_v, doc) {
      if (!matches.every(function (m) { return m.has(doc); })) return;
      var f = store.table[doc], score = 0;
      for (var k = 0; k < parts.length; k++) {
        var idf = Math.log(1 + n / matches[k].size), hits = matches[k].get(doc), len = parts[k].length;
        var t = 0, h = 0, b = 0;
        if (hits) {
          hits.forEach(function (p) { if (p < f.titleEnd) t++; else if (p < f.headEnd) h++; else b++; });
        } else {
          b = words[k].get(doc) || 1;
        }
        var bm25 = b ? (b * 2.2) / (b + 1.2 * (0.25 + 0.75 * f.body / avg)) : 0;
        var s = (t ? 6 + 2 * len / Math.max(len, f.titleEnd) : 0) + (h ? 2.5 : 0) + bm25;
        if (words[k].has(doc)) s += 0.8; // the part is a whole word here, not pieces of two
        score += idf * s;
      }
      // A phrase hit: consecutive parts that sit next to each other in the text count more.
      for (var q = 0; q + 1 < parts.length; q++) {
        var a = matches[q].get(doc), c = matches[q + 1].get(doc);
        if (a && c && a.some(function (p) { return hasPos(c, p + parts[q].length); })) score += 2;
      }
      results.push({ doc: doc, score: score, hits: matches.map(function (m) { return m.get(doc); }) });
    });
    results.sort(function (x, y) { return y.score - x.score || x.doc - y.doc; });
    return results;
  }

  // ------------------------------------------------------------ rendering

  // Ranges [start, end) of every occurrence of any part inside norm[from, to).
  function findRanges(norm, parts, from, to) {
    var ranges = [];
    parts.forEach(function (p) {
      for (var i = from; i + p.length <= to; i++) {
        var ok = true;
        for (var j = 0; j < p.length && ok; j++) ok = norm[i + j] === p[j];
        if (ok) ranges.push([i, i + p.length]);
      }
    });
    ranges.sort(function (a, b) { return a[0] - b[0] || b[1] - a[1]; });
    var merged = [];
    ranges.forEach(function (r) {
      var last = merged[merged.length - 1];
      if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]); else merged.push(r.slice());
    });
    return merged;
  }

  function appendMarked(el, cps, from, to, ranges) {
    var pos = from;
    ranges.forEach(function (r) {
      var s = Math.max(r[0], from), e = Math.min(r[1], to);
      if (e <= s) return;
      if (s > pos) el.appendChild(document.createTextNode(cps.slice(pos, s).join("")));
      var mark = document.createElement("mark");
      mark.textContent = cps.slice(s, e).join("");
      el.appendChild(mark);
      pos = e;
    });
    if (pos < to) el.appendChild(document.createTextNode(cps.slice(pos, to).join("")));
  }

  function snippetWindow(norm, parts, f) {
    var bodyStart = f.headEnd + 1; // title \n head \n body
    var inBody = findRanges(norm, parts, bodyStart, norm.length);
    var inHead = findRanges(norm, parts, f.titleEnd + 1, bodyStart);
    var anchor = inBody.length ? inBody[0][0] : inHead.length ? inHead[0][0] : bodyStart;
    var from = Math.max(anchor === bodyStart ? bodyStart : f.titleEnd + 1, anchor - 24);
    var to = Math.min(norm.length, from + 110);
    return [from, to];
  }

  function renderItem(result, parts) {
    var data = store.docs[result.doc], f = store.table[result.doc];
    var cps = Array.from(data.x), norm = cps.map(normChar);
    var li = document.createElement("li");
    li.className = "md-search-result__item";
    var a = document.createElement("a");
    a.className = "md-search-result__link";
    a.href = new URL(data.u, current.base).href;
    var art = document.createElement("article");
    art.className = "md-search-result__article md-typeset";
    var title = document.createElement("div");
    title.className = "digest-search__title";
    var titleCps = Array.from(data.t);
    appendMarked(title, titleCps, 0, titleCps.length, findRanges(titleCps.map(normChar), parts, 0, titleCps.length));
    art.appendChild(title);
    var w = snippetWindow(norm, parts, f);
    var teaser = document.createElement("p");
    teaser.className = "md-search-result__teaser";
    var text = cps.slice(0);
    for (var i = w[0]; i < w[1]; i++) if (text[i] === "\n") text[i] = " ";
    if (w[0] > f.titleEnd + 1 && text[w[0] - 1] !== "\n") teaser.appendChild(document.createTextNode("…"));
    appendMarked(teaser, text, w[0], w[1], findRanges(norm, parts, w[0], w[1]));
    if (w[1] < cps.length) teaser.appendChild(document.createTextNode("…"));
    art.appendChild(teaser);
    if (data.d) {
      var meta = document.createElement("p");
      meta.className = "digest-search__date";
      meta.textContent = data.d;
      art.appendChild(meta);
    }
    a.appendChild(art);
    li.appendChild(a);
    return li;
  }

  // ------------------------------------------------------------ UI

  var current = { seq: 0, results: [], parts: [], shown: 0, base: null };

  function mount(root) {
    var base = baseURL(root);
    current.base = base;
    var input = root.querySelector("[data-digest-search-input]");
    var form = root.querySelector("form");
    var status = root.querySelector("[data-digest-search-status]");
    var list = root.querySelector("[data-digest-search-list]");
    var more = root.querySelector("[data-digest-search-more]");
    var toggle = document.getElementById("__search");
    var timer = 0, composing = false;

    function setStatus(text) { status.textContent = text; }

    function showMore() {
      var seq = current.seq, from = current.shown, slice = current.results.slice(from, from + PAGE);
      return Promise.all(slice.map(function (r) { return indexFile(base, "d/" + r.doc + ".js", true); })).then(function () {
        if (seq !== current.seq) return;
        slice.forEach(function (r) { list.appendChild(renderItem(r, current.parts)); });
        current.shown = from + slice.length;
        more.hidden = current.shown >= current.results.length;
      });
    }

    function run(query) {
      var seq = ++current.seq;
      var started = performance.now();
      if (!query.trim()) {
        list.textContent = "";
        more.hidden = true;
        setStatus("输入关键词搜索");
        root.removeAttribute("data-digest-search-state");
        return Promise.resolve();
      }
      root.setAttribute("data-digest-search-state", "busy");
      root.removeAttribute("data-digest-search-query");
      return ready(base)
        .then(function () { return loadT2S(base, query); })
        .then(function () {
          var parts = parseQuery(query);
          if (!parts.length) return [parts, []];
          return Promise.all(neededShards(parts).map(function (k) { return indexFile(base, "s/" + k + ".js", true); }))
            .then(function () { return [parts, rank(parts)]; });
        })
        .then(function (pr) {
          if (seq !== current.seq) return;
          current.parts = pr[0];
          current.results = pr[1];
          current.shown = 0;
          list.textContent = "";
          more.hidden = true;
          if (!pr[1].length) {
            setStatus("没有找到相关文章");
            root.setAttribute("data-digest-search-state", "done");
            root.setAttribute("data-digest-search-query", query);
            return;
          }
          setStatus("找到 " + pr[1].length + " 篇");
          return showMore().then(function () {
            if (seq !== current.seq) return;
            root.setAttribute("data-digest-search-state", "done");
            root.setAttribute("data-digest-search-query", query);
            root.setAttribute("data-digest-search-ms", String(Math.round(performance.now() - started)));
          });
        })
        .catch(function () {
          if (seq !== current.seq) return;
          setStatus("搜索索引加载失败");
          root.setAttribute("data-digest-search-state", "error");
          root.setAttribute("data-digest-search-query", query);
        });
    }

    function schedule() {
      if (composing) return;
      clearTimeout(timer);
      timer = setTimeout(function () { run(input.value); }, 80);
    }

    function open() {
      if (toggle && !toggle.checked) { toggle.checked = true; toggle.dispatchEvent(new Event("change")); }
    }

    function close() {
      if (toggle && toggle.checked) { toggle.checked = false; toggle.dispatchEvent(new Event("change")); }
      input.blur();
    }

    input.addEventListener("compositionstart", function () { composing = true; });
    input.addEventListener("compositionend", function () { composing = false; schedule(); });
    input.addEventListener("input", schedule);
    input.addEventListener("focus", function () {
      open();
      ready(base).catch(function () {}); // warm up while the user types
    });
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      clearTimeout(timer);
      run(input.value).then(function () {
        var first = list.querySelector("a");
        if (first) first.focus();
      });
    });
    form.addEventListener("reset", function () {
      setTimeout(function () { run(""); input.focus(); }, 0);
    });
    more.addEventListener("click", function () { showMore(); });
    if (toggle) {
      toggle.addEventListener("change", function () {
        if (toggle.checked && document.activeElement !== input) input.focus();
      });
    }

    root.addEventListener("keydown", function (ev) {
      var links = Array.prototype.slice.call(list.querySelectorAll("a"));
      var at = links.indexOf(document.activeElement);
      if (ev.key === "Escape") {
        ev.preventDefault();
        close();
      } else if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
        if (!links.length) return;
        ev.preventDefault();
        var next = ev.key === "ArrowDown" ? at + 1 : at - 1;
        if (next < 0) input.focus();
        else links[Math.min(next, links.length - 1)].focus();
      }
    });

    // "/" or "s" anywhere outside a text field opens search, as in stock Material.
    document.addEventListener("keydown", function (ev) {
      if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
      var el = document.activeElement;
      var typing = el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
      if (!typing && (ev.key === "/" || ev.key === "s" || ev.key === "S")) {
        ev.preventDefault();
        open();
        input.focus();
        input.select();
      }
    });

    // ?q=… opens the search with that query (shareable links, and tests).
    var q = new URLSearchParams(location.search).get("q");
    if (q) {
      input.value = q;
      open();
      run(q);
    }
  }

  function init() {
    var root = document.querySelector('[data-md-component="digest-search"]');
    if (root && !root.hasAttribute("data-digest-search-mounted")) {
      root.setAttribute("data-digest-search-mounted", "");
      mount(root);
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
