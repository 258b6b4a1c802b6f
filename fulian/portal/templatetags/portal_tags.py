from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


def _tally(context: dict[str, Any]) -> Any:
    request = context.get("request")
    return getattr(request, "fulian_views", None)


@register.simple_tag(takes_context=True)
def page_views(context: dict[str, Any]) -> SafeString:
    """被阅览数, wrapped in markers so a cached copy of the page gets the live number."""
    tally = _tally(context)
    return mark_safe(f"<!--pv-->{tally.page_views if tally else 0}<!--/pv-->")  # noqa: S308 - an int


@register.simple_tag(takes_context=True)
def site_visits(context: dict[str, Any]) -> SafeString:
    """总访问量, likewise marked for the page cache."""
    tally = _tally(context)
    if tally is None:
        from redis.exceptions import RedisError

        from fulian.counters.backends import DatabaseCounter, get_counter

        try:
            count = get_counter().site_visits()
        except (OSError, ConnectionError, RedisError):
            count = DatabaseCounter().site_visits()  # the flushed total, when Redis is unreachable
    else:
        count = tally.site_visits
    return mark_safe(f"<!--sv-->{count}<!--/sv-->")  # noqa: S308 - an int


@register.simple_tag
def breadcrumb_pages(page: Any) -> list[Any]:
    """The page's ancestors below the home page (当前位置), memorised until the next publish."""
    from fulian.pagecache.memo import remember

    return remember(("ancestors", page.pk), lambda: [p.specific_deferred for p in page.get_ancestors()[2:]])


@register.simple_tag(takes_context=True)
def article_body(context: template.Context, page: Any) -> SafeString:
    """The rendered StreamField body, memorised per language until the next publish."""
    from django.utils.translation import get_language

    from fulian.pagecache.memo import remember

    return remember(("body", page.pk, get_language()), lambda: mark_safe(page.body.render_as_block(context.flatten())))  # noqa: S308 - rendered by block templates


class MemoNode(template.Node):
    # Not walked by get_nodes_by_type (which {% extends %} does on every render): a memorised
    # fragment holds no {% block %} of its own.
    child_nodelists = ()

    def __init__(self, nodelist: template.NodeList, keys: list[template.base.FilterExpression]) -> None:
        self.nodelist = nodelist
        self.keys = keys

    def render(self, context: template.Context) -> str:
        from django.utils.translation import get_language

        from fulian.pagecache.memo import remember

        key = ("fragment", get_language(), *(k.resolve(context) for k in self.keys))
        return remember(key, lambda: self.nodelist.render(context))


@register.tag
def memo(parser: template.base.Parser, token: template.base.Token) -> MemoNode:
    """{% memo "name" key… %}…{% endmemo %}: the rendered fragment, memorised per language and keys
    until the next publish. Only for fragments that depend on nothing but their keys."""
    bits = token.split_contents()[1:]
    if not bits:
        raise template.TemplateSyntaxError("{% memo %} needs at least a name")
    nodelist = parser.parse(("endmemo",))
    parser.delete_first_token()
    return MemoNode(nodelist, [parser.compile_filter(bit) for bit in bits])
