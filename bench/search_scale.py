"""Search index at scale: synthetic corpus of N articles (seed paragraphs recombined) → build time,
sizes, shard sizes, bytes per query. Usage: JOBS=2 python bench/search_scale.py 10000 [out_dir]
(out_dir then serves bench/search_latency.py)."""
import sys, time, random, re, resource
from pathlib import Path
sys.path.insert(0,str(Path(__file__).resolve().parent.parent / 'tests'))
from pathlib import Path
from generator.model import Article, Digest, Enriched
from generator.yamlio import load_themes
from generator.search_index import build_search_index, index_stats, IndexReader
CONTENT=Path(__file__).resolve().parent.parent / "content"
paras=[]
for path in sorted((CONTENT/"pages").glob("*.txt")):
    for b in re.split(r"\n\s*\n", path.read_text()):
        b=re.sub(r"\s*\n\s*","",b).strip()
        if len(b)>30: paras.append(b)
N=int(sys.argv[1])
rnd=random.Random(1)
arts=[]
for i in range(N):
    body="\n\n".join(rnd.sample(paras,14))
    t=rnd.choice(paras); st=rnd.randrange(0,max(1,len(t)-15))
    arts.append(Enriched(article=Article(id=f"a{i:05d}",source="x",position=i,title=t[st:st+15],body=body),date="2024-11-01"))
th=load_themes(CONTENT/"themes.yml")
d=Digest(articles=tuple(arts),themes=th)
print("chars", sum(len(a.article.body) for a in arts)/N)
t=time.time()
files=build_search_index(d, lambda e: f"articles/{e.id}.html", jobs=int(__import__("os").environ.get("JOBS","1")))
print("build", time.time()-t, "s; maxrss MB", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss/1024)
st=index_stats(files); print(st)
r=IndexReader(files); print("shards", r.meta["shards"])
sizes=sorted(len(v) for k,v in files.items() if k.startswith("search/s/")); print("shard min/med/max", sizes[0], sizes[len(sizes)//2], sizes[-1])
for q in ["乡村振兴","共富工坊","毛家坪水厂","发展","职业经理人","西湖区 外卖骑手","高质量发展"]:
    b=r.bytes_for_query(q); print(q, len(r.match(q)), b, f"{100*b/st['total']:.2f}%")
if len(sys.argv)>2:
    out=Path(sys.argv[2])
    for k,v in files.items():
        (out/k).parent.mkdir(parents=True,exist_ok=True); (out/k).write_bytes(v)
