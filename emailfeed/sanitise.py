"""A received email's HTML made safe to look at: no scripts, no event handlers, no
remote images or styles, links that cannot run code and open in a new tab."""

from __future__ import annotations

import nh3

TAGS = {
    "a", "b", "blockquote", "br", "caption", "code", "div", "em", "h1", "h2", "h3", "h4",
    "h5", "h6", "hr", "i", "li", "ol", "p", "pre", "small", "span", "strong", "sub", "sup",
    "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul", "font", "center",
}  # fmt: skip
ATTRIBUTES = {"a": {"href", "title"}, "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"}}
MAX_HTML = 512 * 1024


def safe_html(html: str) -> str:
    """Only plain formatting survives; links keep http(s) and mailto only."""
    return nh3.clean(
        html[:MAX_HTML],
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
