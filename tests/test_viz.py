"""`dprk-kg viz` and `exports/graph.html`: options, errors, escaping and byte-identical output."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from cli import main
from tests.conftest import FIXTURES

VIZ = FIXTURES / "viz"
SAMPLE = VIZ / "sample.trig"
HOSTILE = VIZ / "hostile.ttl"


def page_data(path: Path) -> dict:
    """The JSON block a page draws from."""
    match = re.search(r'<script type="application/json" id="dprk-kg-data">(.*?)</script>',
                      path.read_text(encoding="utf-8"), re.S)
    assert match, f"no data block in {path}"
    return json.loads(match.group(1))


def start_tags(text: str) -> list[str]:
    """The elements an HTML parser sees in a page, in order."""
    from html.parser import HTMLParser

    tags: list[str] = []
    parser = HTMLParser()
    parser.handle_starttag = lambda tag, attrs: tags.append(tag)
    parser.feed(text)
    return tags


def labels(path: Path) -> set[str]:
    return {node["l"] for node in page_data(path)["nodes"]}


def viz(runner, tmp_path: Path, *args: str, name: str = "out.html"):
    out = tmp_path / name
    result = runner.invoke(main, ["viz", *args, "-o", str(out)])
    return result, out


def test_build_writes_a_self_contained_graph_page(built):
    page = built["exports"] / "graph.html"
    text = page.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    assert "vis-network" in text and "new vis.Network" in text
    assert not re.search(r"(src|href)\s*=\s*[\"']?(https?:)?//", text)
    assert "bootstrap" not in text.lower() and "cdn" not in text.lower()
    assert "default-src 'none'" in text.replace("&#x27;", "'")
    assert page_data(page)["nodes"]


def test_graph_page_draws_every_entity_of_the_curated_graph(built):
    from graph.build import load_dataset
    from graph.network import project

    graph = project(load_dataset())
    data = page_data(built["exports"] / "graph.html")
    assert {n["i"] for n in data["nodes"]} == set(graph.nodes)
    assert len(data["edges"]) == graph.number_of_edges()


def test_viz_from_the_store_matches_the_built_page(runner, built, tmp_path):
    out = tmp_path / "all.html"
    result = runner.invoke(main, ["--store", str(built["store"]), "viz", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert re.match(r"Wrote .*all\.html: [\d,]+ entities", result.stdout)
    assert labels(out) == labels(built["exports"] / "graph.html")


def test_same_graph_gives_the_same_bytes_whatever_the_hash_seed(tmp_path):
    pages = []
    for seed in ("1", "2"):
        out = tmp_path / f"page-{seed}.html"
        env = dict(os.environ, PYTHONHASHSEED=seed)
        subprocess.run([sys.executable, "-m", "cli", "viz", str(SAMPLE), "-o", str(out)],
                       check=True, env=env, capture_output=True, cwd=Path(__file__).parent.parent)
        pages.append(out.read_bytes())
    assert pages[0] == pages[1]


def test_hostile_labels_stay_text_in_the_file(runner, tmp_path):
    result, out = viz(runner, tmp_path, str(HOSTILE))
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    for raw in ("<script>alert(1)</script>", "<img src=x onerror", "</SCRIPT><!--", "<b onmouseover",
                "alert(4)</script>", "\u2028"):
        assert raw not in text, raw
    assert start_tags(text).count("script") == 3
    assert not {"img", "b"} & set(start_tags(text))
    data = page_data(out)
    shown = {n["l"] for n in data["nodes"]} | {a for n in data["nodes"] for a in n["a"]}
    assert {"<script>alert(1)</script>", "<img src=x onerror=alert(1)>",
            "\"quotes\" and 'single quotes'", "</script><script>alert(4)</script>"} <= shown
    urls = [u for source in data["sources"] for u in source["u"]]
    assert urls == ["https://example.org/report?a=1&b=%22%3E%3Cscript%3Ealert(2)%3C/script%3E"]


def test_focus_and_depth_keep_the_neighbourhood(runner, tmp_path):
    result, out = viz(runner, tmp_path, str(SAMPLE), "--focus", "example spider", "--depth", "1")
    assert result.exit_code == 0, result.output
    assert labels(out) == {"Test Group", "Testland", "Test Subgroup", "Test Bridge theft"}
    result, out = viz(runner, tmp_path, str(SAMPLE), "--focus", "kg:test-group", "--depth", "0")
    assert labels(out) == {"Test Group"}


def test_type_filter(runner, tmp_path):
    result, out = viz(runner, tmp_path, str(SAMPLE), "--type", "mixer", "--type", "Sanction")
    assert result.exit_code == 0, result.output
    assert labels(out) == {"Test Mixer", "Other Mixer", "Sanction on Test Mixer", "Sanction on Other Mixer"}
    assert {e["r"] for e in page_data(out)["edges"]} == {"sanction target"}


def test_source_and_since_filters_keep_what_those_sources_state(runner, tmp_path):
    _, by_source = viz(runner, tmp_path, str(SAMPLE), "--source", "src:report-b", name="b.html")
    _, since = viz(runner, tmp_path, str(SAMPLE), "--since", "2024", name="since.html")
    for out in (by_source, since):
        data = page_data(out)
        assert [s["n"] for s in data["sources"]] == ["Report B on the other mixer"]
        assert labels(out) == {"Report B on the other mixer", "Other Mixer", "Sanction on Other Mixer",
                               "Test Bridge theft"}
        assert "only sources issued" in out.read_text() or out is by_source


def test_page_facts_carry_their_sources(runner, tmp_path):
    _, out = viz(runner, tmp_path, str(SAMPLE))
    data = page_data(out)
    incident = next(n for n in data["nodes"] if n["l"] == "Test Bridge theft")
    facts = {(p, v): [data["sources"][s]["n"] for s in srcs] for p, v, srcs in incident["f"]}
    assert facts[("event date", "2022-03-23")] == ["Report A on the test group"]
    assert facts[("reported loss", "1000 USD")] == ["Report A on the test group"]
    sanction = {n["l"]: n["sc"] for n in data["nodes"]}
    assert (sanction["Test Mixer"], sanction["Other Mixer"], sanction["Test Group"]) == ("listed", "delisted", "")
    assert "Data as of 2024-11-26, the newest source date" in out.read_text()


def test_node_limit_keeps_the_most_connected_and_says_so(runner, tmp_path):
    result, out = viz(runner, tmp_path, str(SAMPLE), "--max-nodes", "3")
    assert result.exit_code == 0, result.output
    assert "note: Showing the 3 most connected of 11 entities" in result.stdout
    assert '<p class="note" role="status">Showing the 3 most connected of 11 entities' in out.read_text()
    assert len(page_data(out)["nodes"]) == 3


@pytest.mark.parametrize(("args", "message"), [
    (["--type", "spaceship"], "--type 'spaceship' is not a node type"),
    (["--since", "2024-02-30"], "--since: '2024-02-30' is not a date"),
    (["--focus", "nobody at all"], "--focus 'nobody at all' matches no entity"),
    (["--focus", "mixer"], "--focus 'mixer' matches 5 entities: Other Mixer (kg:other-mixer); Sanction on"),
    (["--source", "report-c"], "--source 'report-c' is not a source of this graph (did you mean report-"),
])
def test_bad_options_exit_2_with_a_message(runner, tmp_path, args, message):
    result, out = viz(runner, tmp_path, str(SAMPLE), *args)
    assert result.exit_code == 2
    assert "\nError: " + message in "\n" + result.stderr, result.stderr
    assert "Traceback" not in result.output
    assert not out.exists()


def test_unreadable_inputs_and_outputs(runner, tmp_path):
    result, _ = viz(runner, tmp_path, str(tmp_path / "missing.ttl"))
    assert result.exit_code == 2 and "missing.ttl: no such file" in result.stderr
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix x: <https://e.org/> .\nx:a x:b \n")
    result, _ = viz(runner, tmp_path, str(bad))
    assert result.exit_code == 2 and "bad.ttl:" in result.stderr
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = runner.invoke(main, ["viz", str(SAMPLE), "-o", str(blocker / "out.html")])
    assert result.exit_code == 4 and result.stderr.startswith("Error: cannot create")


def test_any_rdf_file_draws_even_outside_the_vocabulary(runner, tmp_path):
    other = tmp_path / "people.nt"
    other.write_text('<https://e.org/alice> <https://e.org/knows> <https://e.org/bob> .\n'
                     '<https://e.org/bob> <http://www.w3.org/2000/01/rdf-schema#label> "Bob" .\n')
    result, out = viz(runner, tmp_path, str(other))
    assert result.exit_code == 0, result.output
    data = page_data(out)
    assert labels(out) == {"https://e.org/alice", "Bob"}
    assert [e["r"] for e in data["edges"]] == ["knows"]
    assert [s["n"] for s in data["sources"]] == ["people.nt"]
