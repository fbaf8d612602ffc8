"""The markup fixes every report page gets: ids html-validate accepts, with the links to them kept,
and the <style> elements of pandas' outputs moved into the head."""

from __future__ import annotations

import pytest
from trustlab.runner.page_markup import strict_id, strict_ids, styles_to_head


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Summary", "Summary"),  # already strict: kept, so links to #Summary still work
        ("cell-id=cell-007", "cell-id-cell-007"),
        ("7.-The-616-(Q2)-and-Double-11-(Q4)-effects", "s-7-The-616-Q2-and-Double-11-Q4-effects"),
        ("03-%C2%B7-Pricing", "s-03-Pricing"),  # %C2%B7 is the middle dot U+00B7, not a letter
        ("%E4%BF%A1%E4%BB%BB's-order", "u4fe1-u4efb-s-order"),  # 信任: U+4FE1 U+4EFB
        ("%%%", "id"),  # nothing left: a plain "id"
    ],
)
def test_strict_id(raw, expected):
    assert strict_id(raw) == expected


def test_renamed_ids_keep_their_links_and_stay_unique():
    html = (
        '<h2 id="1.-A">A</h2><a class="anchor-link" href="#1.-A">¶</a>'
        '<h2 id="s-1-A">B</h2><a href="#s-1-A">to B</a><a href="#Summary">S</a><p id="Summary"></p>'
    )
    assert strict_ids(html) == (
        '<h2 id="s-1-A-2">A</h2><a class="anchor-link" href="#s-1-A-2">¶</a>'
        '<h2 id="s-1-A">B</h2><a href="#s-1-A">to B</a><a href="#Summary">S</a><p id="Summary"></p>'
    )


def test_an_outputs_style_moves_to_the_head_and_an_empty_one_goes():
    html = (
        "<html><head><title>t</title></head><body>"
        '<div class="jp-OutputArea-output" data-mime-type="text/html">\n<style type="text/css">\n#T_1 td { color: red; }\n</style>'
        '<table id="T_1"></table></div>'
        '<div data-mime-type="text/html"><style type="text/css">\n</style><table id="T_2"></table></div>'
        "<pre>&lt;style&gt;kept&lt;/style&gt;</pre></body></html>"
    )
    assert styles_to_head(html) == (
        '<html><head><title>t</title><style type="text/css">\n#T_1 td { color: red; }\n</style>\n</head><body>'
        '<div class="jp-OutputArea-output" data-mime-type="text/html">\n<table id="T_1"></table></div>'
        '<div data-mime-type="text/html"><table id="T_2"></table></div>'
        "<pre>&lt;style&gt;kept&lt;/style&gt;</pre></body></html>"
    )
