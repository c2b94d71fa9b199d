"""Chart infrastructure: ECharts served by the portal itself through webassets, and the
chart macro's figure (container, JSON of the numbers, table of the same numbers)."""
from __future__ import annotations

import json
import re

import pytest
from ckan.lib.helpers import literal
from ckan.plugins import toolkit as tk
from flask import render_template_string

from ckanext.satudata.charts import format_number

DATA = {"type": "bar", "unit": "%", "max": 100, "categories": ["Dinkes", "Disdik </script>"],
        "series": [{"name": "Tepat waktu", "data": [87.5, None]},
                   {"name": "Target", "data": [50, 50]}]}


def _figure(app) -> tuple[str, str]:
    with app.flask_app.test_request_context("/"):
        body = render_template_string(
            "{% import 'satudata_chart/macros.html' as charts %}"
            "{{ charts.chart('uji', data, title='Persentase', category_label='OPD') }}",
            data=DATA)
        scripts = tk.h.render_assets("script")
    return body, str(literal(scripts))


@pytest.mark.usefixtures("with_plugins")
def test_figure_has_chart_json_and_table(app):
    body, _ = _figure(app)
    assert 'data-module="satudata-chart"' in body
    assert 'data-module-source="uji-data"' in body
    payload = re.search(r'<script type="application/json" id="uji-data">(.*?)</script>',
                        body, re.S).group(1)
    assert json.loads(payload) == DATA  # the closing tag in a label is escaped
    assert "<caption>Persentase</caption>" in body
    assert re.search(r"<th scope=\"row\">Dinkes</th>\s*<td>87,5%</td>\s*<td>50%</td>", body)
    assert "<td>–</td>" in body  # a missing value is a dash, not 0


@pytest.mark.usefixtures("with_plugins")
def test_echarts_is_served_by_the_portal(app):
    _, scripts = _figure(app)
    sources = re.findall(r'<script[^>]+src="([^"]+)"', scripts)
    assert sources and all(s.startswith("/") and not s.startswith("//") for s in sources)
    bodies = [app.get(s).get_data(as_text=True) for s in sources]
    assert any("echarts" in b and len(b) > 500_000 for b in bodies)
    assert any("satudata-chart" in b for b in bodies)


def test_numbers_in_indonesian(app):
    with app.flask_app.test_request_context("/"):
        assert format_number(1234.5) == "1.234,5"
        assert format_number(750) == "750"
        assert format_number(33.3333) == "33,33"
