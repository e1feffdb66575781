"""Multi-label theme tagging from the weighted lexicons of content/themes.yml.

Principles (nothing here knows any particular theme):
- Evidence is counted on jieba tokens, with every lexicon term in the
  tokenizer's dictionary, so 水务 is never found inside 丽水源 and a longer
  term (人才住房) is counted once, not also as its part (人才).
- A term in the headline (title, kicker, subtitle) says what the article is
  about; one in the body may be incidental: headline hits weigh TITLE_WEIGHT.
- Scores are densities: weighted hits per 1,000 characters, so a long article
  does not win by length. Very short texts are measured as MIN_LENGTH long, so
  that one passing mention in a photo caption is not a high density.
- A theme is accepted when its density reaches ACCEPT, it rests on strong
  terms (weight ≥ STRONG) and not on one passing mention: their weighted hits
  reach MIN_EVIDENCE (two core mentions in the body, or one in the headline),
  and, for a second or third theme, it reaches MARGIN of the strongest theme —
  unless a strong term of that theme is in the headline: a headline that names
  two subjects (优秀人才扎根海岛 优质资源下沉乡村) is about both.
  Weak terms (大学生, 招聘, 街道) add to a density but never make a theme alone. An article that passes for no theme
  gets none (shown as 其他) rather than being forced into the nearest one.
- Themes scoring at least REVIEW_LOW but not accepted, or accepted within
  REVIEW_HIGH, are "borderline" and listed by `python -m generator review`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from ..model import Theme, ThemeScore

TITLE_WEIGHT = 4.0
MIN_LENGTH = 600  # characters
ACCEPT = 7.0  # weighted hits per 1,000 characters
STRONG = 2.0  # lexicon weight from which a term counts as strong evidence
MIN_EVIDENCE = 6.0  # weighted hits of strong terms: two core (3) mentions, or one in the headline
MARGIN = 0.35  # a secondary theme needs this share of the strongest theme's density
MAX_THEMES = 3
REVIEW_LOW = 0.5 * ACCEPT
REVIEW_HIGH = 1.5 * ACCEPT


@dataclass(frozen=True)
class ThemeIndex:
    """The lexicons turned into one lookup: token → [(theme id, weight)]."""

    themes: tuple[Theme, ...]
    weights: dict[str, tuple[tuple[str, float], ...]]

    @classmethod
    def build(cls, themes: tuple[Theme, ...]) -> "ThemeIndex":
        table: dict[str, list[tuple[str, float]]] = {}
        for theme in themes:
            for term, weight in theme.lexicon:
                table.setdefault(term, []).append((theme.id, float(weight)))
        return cls(themes=themes, weights={t: tuple(v) for t, v in table.items()})

    @property
    def terms(self) -> list[str]:
        return sorted(self.weights)


def score_themes(
    index: ThemeIndex,
    head_tokens: list[str] | Counter,
    body_tokens: list[str] | Counter,
    length: int,
    evidence: dict[str, float],
    headline_evidence: dict[str, float] | None = None,
) -> list[ThemeScore]:
    """Every theme with any evidence, strongest first, with the terms that triggered it.

    `evidence` is filled with each theme's weighted hits of strong terms, and
    `headline_evidence` (when given) with the part of them found in the headline.
    """
    weights = index.weights
    head = head_tokens if isinstance(head_tokens, Counter) else Counter(head_tokens)
    body = body_tokens if isinstance(body_tokens, Counter) else Counter(body_tokens)
    head = _lexicon_counts(head, weights)
    body = _lexicon_counts(body, weights)
    raw: dict[str, float] = {}
    strong: dict[str, float] = {}
    contributions: dict[str, dict[str, float]] = {}
    for term in set(head) | set(body):
        hits = TITLE_WEIGHT * head.get(term, 0) + body.get(term, 0)
        for theme_id, weight in index.weights[term]:
            raw[theme_id] = raw.get(theme_id, 0.0) + weight * hits
            if weight >= STRONG:
                strong[theme_id] = strong.get(theme_id, 0.0) + weight * hits
                if headline_evidence is not None and head.get(term):
                    headline_evidence[theme_id] = headline_evidence.get(theme_id, 0.0) + weight * head[term]
            contributions.setdefault(theme_id, {})[term] = weight * hits
    per_mille = max(length, MIN_LENGTH) / 1000.0
    scores = []
    for theme in index.themes:
        if theme.id not in raw:
            continue
        terms = sorted(contributions[theme.id].items(), key=lambda kv: (-kv[1], kv[0]))
        scores.append(
            ThemeScore(theme=theme.id, score=round(raw[theme.id] / per_mille, 3), terms=tuple(t for t, _ in terms))
        )
        evidence[theme.id] = strong.get(theme.id, 0.0)
    scores.sort(key=lambda s: (-s.score, s.theme))
    return scores


MIN_COMPOUND = 4  # a dictionary word this long may carry a lexicon term at its start or end


def _lexicon_counts(tokens: Counter, weights: dict) -> dict[str, int]:
    """Lexicon terms among the tokens, including one at the start or end of a longer dictionary
    word that is not itself a term (优秀人才 → 人才, 农村供水 → 供水), as jieba's search mode
    would find it. Only whole-word edges count, so 水务 is still never found inside 丽水源."""
    found: dict[str, int] = {}
    for token, count in tokens.items():
        if token in weights:
            found[token] = found.get(token, 0) + count
            continue
        if len(token) < MIN_COMPOUND:
            continue
        edges = set()
        for n in range(len(token) - 2, 1, -1):  # the longest term at each edge
            if token[:n] in weights:
                edges.add(token[:n])
                break
        for n in range(len(token) - 2, 1, -1):
            if token[-n:] in weights:
                edges.add(token[-n:])
                break
        for term in edges:
            found[term] = found.get(term, 0) + count
    return found


def accept_themes(
    scores: list[ThemeScore],
    strong_evidence: dict[str, float],
    headline_evidence: dict[str, float] | None = None,
) -> list[str]:
    accepted: list[str] = []
    if not scores:
        return accepted
    top = scores[0].score
    for s in scores:
        if len(accepted) >= MAX_THEMES:
            break
        if s.score < ACCEPT or strong_evidence.get(s.theme, 0.0) < MIN_EVIDENCE:
            continue
        in_headline = bool(headline_evidence and headline_evidence.get(s.theme, 0.0) > 0)
        if accepted and s.score < MARGIN * top and not in_headline:
            continue
        accepted.append(s.theme)
    return accepted


def borderline(scores: list[ThemeScore], accepted: list[str]) -> list[ThemeScore]:
    """Scores close to the acceptance line on either side: worth an editor's look."""
    return [
        s
        for s in scores
        if (s.theme in accepted and s.score < REVIEW_HIGH) or (s.theme not in accepted and s.score >= REVIEW_LOW)
    ]
