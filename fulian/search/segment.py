"""Chinese word segmentation for indexing and queries (rjieba: jieba's dictionary and algorithm in Rust).

The domain dictionary (SearchWord) and synonyms (SearchSynonym) are editable in the admin;
each process rebuilds its segmenter when public content (which includes them) changes.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter
from typing import Any

from fulian.pagecache.memo import remember

# Words every federation site needs whole, before editors add their own.
BUILT_IN_WORDS = [
    "妇联", "妇女联合会", "最美家庭", "巾帼", "12338", "人身安全保护令", "保护令", "一站式", "强制报告",
    "家暴", "家庭暴力", "性侵", "性侵害", "留守儿童", "留守妇女", "心理咨询", "心理健康", "两癌", "宫颈癌",
    "乳腺癌", "婚调", "婚姻家庭纠纷调解", "告诫书", "联席会议", "维权", "春蕾", "巾帼志愿者", "家风家教",
]  # fmt: skip
WORD_RE = re.compile(r"[0-9a-z\u3400-\u9fff]")
MAX_TOKEN = 32


@functools.cache
def _simplifier() -> Any:
    import opencc

    return opencc.OpenCC("t2s")


def normalise(text: str) -> str:
    """Traditional characters to simplified (婦聯 finds 妇联), full-width letters and digits to ASCII, lower case."""
    return str(_simplifier().convert(unicodedata.normalize("NFKC", text))).lower()


def _build() -> Any:
    import rjieba

    from fulian.search.models import SearchSynonym, SearchWord

    jieba = rjieba.Jieba()
    words = set(BUILT_IN_WORDS) | set(SearchWord.objects.values_list("word", flat=True))
    for group in SearchSynonym.objects.all():
        words.update(group.word_list)
    for word in words:
        jieba.add_word(normalise(word), None, None)
    return jieba


def segmenter() -> Any:
    return remember(("search-segmenter",), _build)


def _keep(token: str) -> bool:
    token = token.strip()
    if not token or len(token) > MAX_TOKEN or not WORD_RE.search(token):
        return False
    # A lone character (的, 在, a) is too common to mean anything on its own.
    return len(token) > 1


def index_tokens(text: str) -> Counter[str]:
    """Words of a text for the index, search mode: 最美家庭 gives 最美, 家庭 and 最美家庭."""
    return Counter(t.strip() for t in segmenter().cut_for_search(normalise(text), True) if _keep(t))


def query_terms(query: str) -> list[str]:
    """The words a visitor typed, in order, each once."""
    terms: list[str] = []
    for token in segmenter().cut(normalise(query), True):
        token = token.strip()
        if _keep(token) and token not in terms:
            terms.append(token)
    return terms


def synonyms() -> dict[str, tuple[str, ...]]:
    def build() -> dict[str, tuple[str, ...]]:
        from fulian.search.models import SearchSynonym

        groups: dict[str, tuple[str, ...]] = {}
        for group in SearchSynonym.objects.all():
            words = tuple(dict.fromkeys(normalise(w) for w in group.word_list))
            for word in words:
                groups[word] = tuple(dict.fromkeys(groups.get(word, ()) + words))
        return groups

    return remember(("search-synonyms",), build)


def admin_index_words(text: str) -> str:
    """Text for the admin's search index: every word separated by spaces, single characters kept.

    The admin finds people's names and short titles, where one character can matter (王, 桥).
    """
    return " ".join(
        t for t in (t.strip() for t in segmenter().cut_for_search(normalise(text), True)) if t and WORD_RE.search(t)
    )


def admin_query_words(query: str) -> str:
    """What an editor typed in an admin search box, as space-separated words."""
    return " ".join(t for t in (t.strip() for t in segmenter().cut(normalise(query), True)) if t and WORD_RE.search(t))
