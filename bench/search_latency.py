"""Time to first search results and bytes fetched, in headless Chromium, over http and file://,
for an index written by bench/search_scale.py. Usage: python bench/search_latency.py out_dir"""
import sys, shutil, time
from pathlib import Path
sys.path.insert(0,str(Path(__file__).resolve().parent.parent / 'tests'))
from pathlib import Path
from browser import SiteServer, CHROMIUM, CHROMIUM_ARGS, record_requests
from test_search_browser import render_partial, HARNESS, ROOT
from playwright.sync_api import sync_playwright
d=Path(sys.argv[1])
for asset in ("assets/javascripts/search.js", "assets/stylesheets/search.css"):
    (d/asset).parent.mkdir(parents=True, exist_ok=True); shutil.copy(ROOT/"overrides"/asset, d/asset)
(d/"sub").mkdir(exist_ok=True)
(d/"sub"/"page.html").write_text(HARNESS.format(partial=render_partial("..")), encoding="utf-8")
qs=["乡村振兴","共富工坊","毛家坪水厂","发展","职业经理人","西湖区 外卖骑手","高质量发展","鄉村振興","人才"]
with SiteServer(d) as srv, sync_playwright() as p:
    b=p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    for addr in (srv.url("sub/page.html"), (d/"sub"/"page.html").as_uri()):
        for q in qs:
            pg=b.new_page(); log=record_requests(pg)
            pg.goto(addr); pg.wait_for_selector('[data-digest-search-mounted]', state="attached")
            t=time.time()
            pg.fill("[data-digest-search-input]", q)
            pg.wait_for_function("(q)=>document.querySelector('[data-md-component=digest-search]').getAttribute('data-digest-search-query')===q", arg=q, timeout=20000)
            wall=(time.time()-t)*1000
            ms=pg.get_attribute('[data-md-component=digest-search]','data-digest-search-ms')
            n=pg.text_content('[data-digest-search-status]')
            sent=sum(s for path,s in srv.sent); srv.sent.clear()
            print(addr[:5], q, n, "js ms", ms, "wall ms(incl 80ms debounce)", round(wall), "bytes", sent, "reqs", len(log.urls))
            pg.close()
