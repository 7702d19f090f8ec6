"""`dprk-kg viz` and `exports/graph.html`: what the page's data says, options, errors, escaping
and byte-identical output. The page in a browser is tested in test_browser.py."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from cli import main
from tests.conftest import FIXTURES, REPO

VIZ = FIXTURES / "viz"
SAMPLE = VIZ / "sample.trig"
CLUSTER = VIZ / "cluster.trig"
HOSTILE = VIZ / "hostile.ttl"
CORE = {
    "North Korea",
    "Lazarus Group",
    "Tornado Cash",
    "Sinbad",
    "Blender.io",
    "Ronin bridge hack",
    "Harmony Horizon bridge hack",
    "Bybit hack",
    "DMM Bitcoin hack",
    "WazirX hack",
}


def page_data(path: Path) -> dict:
    """The JSON block a page draws from."""
    match = re.search(
        r'<script type="application/json" id="dprk-kg-data">(.*?)</script>', path.read_text(encoding="utf-8"), re.S
    )
    assert match, f"no data block in {path}"
    return json.loads(match.group(1))


def notes(path: Path) -> list[str]:
    return re.findall(r'<p class="note" role="status">(.*?)</p>', path.read_text(encoding="utf-8"))


def start_tags(text: str) -> list[str]:
    """The elements an HTML parser sees in a page, in order."""
    from html.parser import HTMLParser

    tags: list[str] = []
    parser = HTMLParser()
    parser.handle_starttag = lambda tag, attrs: tags.append(tag)
    parser.feed(text)
    return tags


def labels(path: Path) -> set[str]:
    return {node["label"] for node in page_data(path)["nodes"]}


def node(data: dict, label: str) -> dict:
    return next(n for n in data["nodes"] if n["label"] == label)


def kind_of(data: dict, n: dict) -> str:
    return data["kinds"][n["kind"]]["name"]


def viz(runner, tmp_path: Path, *args: str, name: str = "out.html"):
    out = tmp_path / name
    result = runner.invoke(main, ["viz", *args, "-o", str(out)])
    return result, out


def test_build_writes_self_contained_graph_and_timeline_pages(built):
    for name in ("graph.html", "timeline.html"):
        page = built["exports"] / name
        text = page.read_text(encoding="utf-8")
        assert text.startswith("<!DOCTYPE html>")
        assert not re.search(r"(src|href)\s*=\s*[\"']?(https?:)?//", text)
        assert "bootstrap" not in text.lower() and "cdn" not in text.lower()
        assert "default-src 'none'" in text.replace("&#x27;", "'")
    assert "new vis.Network" in (built["exports"] / "graph.html").read_text(encoding="utf-8")
    assert page_data(built["exports"] / "timeline.html")["events"]


def test_curated_page_draws_the_core_and_no_sources_or_sanctions(built):
    data = page_data(built["exports"] / "graph.html")
    assert {n["label"] for n in data["nodes"]} >= CORE
    kinds = {kind_of(data, n) for n in data["nodes"]}
    assert not kinds & {"source", "sanction"}
    assert not any(n["label"].startswith(("OFAC designation", "Treasury")) for n in data["nodes"])
    assert any("--sources draws them" in note for note in notes(built["exports"] / "graph.html"))


def drawn_and_stated(store: Path, page: Path) -> tuple[set, set]:
    """The edges a page draws, and the relations of ``relations.rq`` (the one definition the
    network projection and paths use too) between two entities it draws, but sanctions (a
    page draws a sanction as a ring on its target), each as (subject, relation, object) CURIEs."""
    from graph.reader import Reader
    from graph.storage import open_ox
    from graph.terms import shorten

    reader = Reader(open_ox(store, read_only=True), store)
    entities = reader.entities
    data = page_data(page)
    ids = [n["id"] for n in data["nodes"]]
    drawn = {(ids[e["from"]], e["relation"], ids[e["to"]]) for e in data["edges"]}

    def shown(iri: str) -> str:
        return shorten(entities.cluster(iri).canonical if entities.is_record(iri) else iri)

    related = {(shown(r["source"] or ""), r["relation"], shown(r["target"] or "")) for r in reader.rows("relations")}
    return drawn, {(s, r, o) for s, r, o in related if s in ids and o in ids and s != o and r != "sanctioned by"}


def test_curated_page_draws_the_relations_of_relations_rq(built):
    """Every edge of the page is a relation of ``relations.rq`` between two entities it draws,
    and every such relation is an edge."""
    drawn, stated = drawn_and_stated(built["store"], built["exports"] / "graph.html")
    assert ("kg:lazarus-group", "laundered through", "kg:sinbad") in drawn
    assert drawn == stated


@pytest.mark.shared
def test_focus_page_of_every_shared_dataset_draws_the_relations_of_relations_rq(runner, real_store, tmp_path):
    """A view reads its edges from the entity index, not from the store: on the store with
    every shared dataset, the edges of a focus page are exactly the relations ``relations.rq``
    finds between the entities it draws."""
    out = tmp_path / "focus.html"
    result = runner.invoke(
        main, ["--store", str(real_store), "viz", "--focus", "Lazarus Group", "--depth", "2", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    drawn, stated = drawn_and_stated(real_store, out)
    assert {"uses", "attributed to", "victim"} <= {r for _, r, _ in drawn}
    assert len(drawn) > 1000
    assert drawn == stated


@pytest.mark.shared
def test_filtered_page_of_every_shared_dataset_hides_what_has_no_relation(runner, real_store, tmp_path):
    """A --type/--since view of the store with every shared dataset draws only the kinds asked
    for, each node with a relation; the page counts what it hid, and --isolated draws exactly
    those too."""
    args = ["--store", str(real_store), "viz", "--type", "incident", "--type", "group", "--since", "2023"]
    out, every = tmp_path / "filtered.html", tmp_path / "isolated.html"
    assert runner.invoke(main, [*args, "-o", str(out)]).exit_code == 0
    result = runner.invoke(main, [*args, "--isolated", "--max-nodes", "5000", "-o", str(every)])
    assert result.exit_code == 0, result.output
    data, all_data = page_data(out), page_data(every)
    assert data["nodes"] and {kind_of(data, n) for n in data["nodes"]} == {"incident", "group"}
    assert {e[k] for e in data["edges"] for k in ("from", "to")} == set(range(len(data["nodes"])))
    hidden = re.search(r"([\d,]+) entities with no relation in this view are hidden", " ".join(notes(out)))
    assert hidden, notes(out)
    assert len(all_data["nodes"]) == len(data["nodes"]) + int(hidden.group(1).replace(",", ""))
    assert {n["id"] for n in data["nodes"]} <= {n["id"] for n in all_data["nodes"]}


def test_tornado_cash_shows_its_delisting_with_the_dates_and_sources(built):
    data = page_data(built["exports"] / "graph.html")
    tornado = node(data, "Tornado Cash")
    assert tornado["sanction"]["state"] == "delisted"
    history = [(day, text) for day, text, _ in tornado["sanction"]["history"]]
    assert [day for day, _ in history] == ["2022-08-08", "2022-11", "2025-03-21"]
    assert "ended" in history[-1][1]
    delisting = tornado["sanction"]["history"][-1][2]
    named = [data["sources"][i] for i in delisting]
    assert any(s["date"] == "2025-03-21" and s["urls"] for s in named)
    assert {node(data, "Lazarus Group")["sanction"]["state"], node(data, "Sinbad")["sanction"]["state"]} == {"listed"}


def test_every_fact_names_sources_with_publisher_date_and_link(built):
    data = page_data(built["exports"] / "graph.html")
    incident = node(data, "Ronin bridge hack")
    facts = [f for r in incident["records"] for f in r["facts"]]
    assert facts and all(f[2] for f in facts)
    losses = [f for f in facts if f[0] == "reported loss"]
    assert losses and all(re.match(r"([a-z ]+ )?\d+ [A-Z]+ \(", f[1]) for f in losses)
    cited = {i for f in facts for i in f[2]}
    assert any(
        data["sources"][i]["publisher"] and data["sources"][i]["date"] and data["sources"][i]["urls"] for i in cited
    )
    attribution = next(
        e
        for e in data["edges"]
        if e["relation"] == "attributed to"
        and data["nodes"][e["from"]]["label"] == "Ronin bridge hack"
        and data["nodes"][e["to"]]["label"] == "Lazarus Group"
    )
    assert any(f[0] == "attributed by" and f[2] for f in attribution["facts"])


def test_viz_from_the_store_matches_the_built_page(runner, built, tmp_path):
    out = tmp_path / "all.html"
    result = runner.invoke(main, ["--store", str(built["store"]), "viz", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert re.match(r"Wrote .*all\.html: [\d,]+ entities", result.stdout)
    assert labels(out) == labels(built["exports"] / "graph.html")


def test_same_graph_gives_the_same_bytes_whatever_the_hash_seed(tmp_path):
    pages = []
    for seed in ("1", "2"):
        for args in ([str(SAMPLE)], [str(SAMPLE), "--timeline"]):
            out = tmp_path / f"page-{seed}-{len(args)}.html"
            env = dict(os.environ, PYTHONHASHSEED=seed)
            subprocess.run(
                [sys.executable, "-m", "cli", "viz", *args, "-o", str(out)],
                check=True,
                env=env,
                capture_output=True,
                cwd=REPO,
            )
            pages.append(out.read_bytes())
    assert pages[0] == pages[2] and pages[1] == pages[3]


def test_hostile_labels_stay_text_in_the_file(runner, tmp_path):
    result, out = viz(runner, tmp_path, str(HOSTILE))
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    for raw in (
        "<script>alert(1)</script>",
        "<img src=x onerror",
        "</SCRIPT><!--",
        "<b onmouseover",
        "alert(4)</script>",
        "\u2028",
    ):
        assert raw not in text, raw
    assert start_tags(text).count("script") == 3
    assert not {"img", "b"} & set(start_tags(text))
    data = page_data(out)
    shown = {n["label"] for n in data["nodes"]} | {x[0] for n in data["nodes"] for x in n["names"]}
    assert {
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "\"quotes\" and 'single quotes'",
        "</script><script>alert(4)</script>",
    } <= shown
    urls = [u for source in data["sources"] for u in source["urls"]]
    assert urls == ["https://example.org/report?a=1&b=%22%3E%3Cscript%3Ealert(2)%3C/script%3E"]


def test_one_node_per_cluster_whose_panel_lists_each_record_with_its_dataset(runner, tmp_path):
    result, out = viz(runner, tmp_path, str(CLUSTER))
    assert result.exit_code == 0, result.output
    data = page_data(out)
    mixer = node(data, "Sample Mixer")
    assert "SAMPLE MIXER" not in labels(out)
    records = {r["id"]: r for r in mixer["records"]}
    assert set(records) == {"kg:sample-mixer", "dataset:sample-list/entry/7"}
    entry = records["dataset:sample-list/entry/7"]
    assert [data["sources"][i]["name"] for i in entry["sources"]] == ["Sample list (2022-08-08)"]
    assert data["sources"][entry["sources"][0]]["dataset"] is True
    assert ("list entry id", "7") in {(f[0], f[1]) for f in entry["facts"]}
    assert len([f for f in entry["facts"] if f[0] == "holds address"]) == 4
    assert {"Mixer Seven", "0x00000000000000000000000000000000000000a1"} <= {
        x[0] for n in data["nodes"] for x in n["names"]
    }


def test_an_entry_missing_from_the_newest_snapshot_counts_as_delisted(runner, tmp_path):
    _, out = viz(runner, tmp_path, str(CLUSTER))
    sanction = node(page_data(out), "Sample Mixer")["sanction"]
    assert sanction["state"] == "delisted"
    assert [h[0] for h in sanction["history"]] == ["2022-08-08", "2022-08-08", "2024-05-03"]
    assert "not in the newest snapshot (2024-05-03)" in sanction["history"][-1][1]
    _, before = viz(runner, tmp_path, str(CLUSTER), "--as-of", "2023-01-01", name="before.html")
    assert node(page_data(before), "Sample Mixer")["sanction"]["state"] == "listed"


def test_records_option_keeps_the_records_of_a_cluster_apart(runner, tmp_path):
    _, out = viz(runner, tmp_path, str(CLUSTER), "--records")
    data = page_data(out)
    assert {"Sample Mixer", "SAMPLE MIXER"} <= labels(out)
    same = [e for e in data["edges"] if e["relation"] == "same entity as"]
    assert [(data["nodes"][e["from"]]["label"], data["nodes"][e["to"]]["label"]) for e in same] == [
        ("SAMPLE MIXER", "Sample Mixer")
    ]


def test_sources_option_draws_source_documents(runner, tmp_path):
    _, out = viz(runner, tmp_path, str(SAMPLE), "--sources")
    data = page_data(out)
    sources = {n["label"] for n in data["nodes"] if kind_of(data, n) == "source"}
    assert sources == {"Report A on the test group", "Report B on the other mixer"}
    assert {e["relation"] for e in data["edges"]} >= {"states"}


def test_focus_and_depth_keep_the_neighbourhood(runner, tmp_path):
    result, out = viz(runner, tmp_path, str(SAMPLE), "--focus", "example spider", "--depth", "1")
    assert result.exit_code == 0, result.output
    assert labels(out) == {"Test Group", "Testland", "Test Subgroup", "Test Bridge theft"}
    result, out = viz(runner, tmp_path, str(SAMPLE), "--focus", "kg:test-group", "--depth", "0")
    assert labels(out) == {"Test Group"}
    result, out = viz(
        runner, tmp_path, str(CLUSTER), "--focus", "0x00000000000000000000000000000000000000A2", "--depth", "1"
    )
    assert result.exit_code == 0, result.output
    assert labels(out) == {"ETH 0x00000000000000000000000000000000000000a2", "Sample Mixer"}


def test_type_filter_hides_isolated_nodes_unless_asked(runner, tmp_path):
    result, out = viz(runner, tmp_path, str(SAMPLE), "--type", "mixer", "--type", "group")
    assert result.exit_code == 0, result.output
    assert labels(out) == {"Test Group", "Test Subgroup"}
    assert "2 entities with no relation in this view are hidden (2 mixer); --isolated shows them." in notes(out)
    _, out = viz(runner, tmp_path, str(SAMPLE), "--type", "mixer", "--type", "group", "--isolated", name="all.html")
    assert labels(out) == {"Test Group", "Test Subgroup", "Test Mixer", "Other Mixer"}


def test_source_and_since_filters_keep_what_those_sources_state(runner, tmp_path):
    _, by_source = viz(runner, tmp_path, str(SAMPLE), "--source", "src:report-b", name="b.html")
    _, since = viz(runner, tmp_path, str(SAMPLE), "--since", "2024", name="since.html")
    for out in (by_source, since):
        data = page_data(out)
        assert [s["name"] for s in data["sources"]] == ["Report B on the other mixer"]
        assert labels(out) == {"Other Mixer", "Test Bridge theft"}
    assert "only sources issued from 2024" in since.read_text()


def test_page_facts_carry_their_sources(runner, tmp_path):
    _, out = viz(runner, tmp_path, str(SAMPLE))
    data = page_data(out)
    incident = node(data, "Test Bridge theft")
    facts = {
        (p, v): [data["sources"][s]["name"] for s in srcs] for r in incident["records"] for p, v, srcs in r["facts"]
    }
    assert facts[("event date", "2022-03-23")] == ["Report A on the test group"]
    assert facts[("reported loss", "1000 USD")] == ["Report A on the test group"]
    sanction = {n["label"]: n["sanction"]["state"] for n in data["nodes"]}
    assert (sanction["Test Mixer"], sanction["Other Mixer"], sanction["Test Group"]) == ("listed", "delisted", "")
    assert "Data as of 2024-11-26, the newest source date" in out.read_text()


def test_node_limit_keeps_the_most_relevant_and_says_so(runner, tmp_path):
    result, out = viz(runner, tmp_path, str(SAMPLE), "--max-nodes", "3")
    assert result.exit_code == 0, result.output
    assert "note: Showing the 3 most relevant entities: 3 more in this selection are left out" in result.stdout
    assert len(page_data(out)["nodes"]) == 3


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--type", "spaceship"], "--type 'spaceship' is not a node type"),
        (["--type", "sanction"], "--type 'sanction' is not a node type"),
        (["--since", "2024-02-30"], "--since: '2024-02-30' is not a date"),
        (["--as-of", "2024-13"], "--as-of: '2024-13' is not a date"),
        (["--since", "2025", "--until", "2024"], "--since 2025 is after --until 2024"),
        (["--focus", "nobody at all"], "no entity named 'nobody at all'"),
        (["--focus", "mixer", "--timeline"], "--timeline takes --entity, --since, --until and --as-of only"),
        (["--entity", "Test Mixer"], "--entity is for --timeline"),
        (["--source", "report-c"], "--source 'report-c' is not a source of this graph (did you mean report-"),
    ],
)
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
    other.write_text(
        "<https://e.org/alice> <https://e.org/knows> <https://e.org/bob> .\n"
        '<https://e.org/bob> <http://www.w3.org/2000/01/rdf-schema#label> "Bob" .\n'
    )
    result, out = viz(runner, tmp_path, str(other))
    assert result.exit_code == 0, result.output
    data = page_data(out)
    assert labels(out) == {"https://e.org/alice", "Bob"}
    assert [e["relation"] for e in data["edges"]] == ["knows"]
    assert [s["name"] for s in data["sources"]] == ["people.nt"]
