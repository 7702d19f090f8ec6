"""`dprk-kg query`: inline, file and named queries, formats, safety checks, errors, time limit."""

from __future__ import annotations

import csv
import io
import json
import re
import socket

import pytest

from cli import main
from tests.conftest import FIXTURES

RONIN = "SELECT DISTINCT ?g WHERE { GRAPH ?g { kg:ronin-bridge-hack dkg:reportedLoss ?a } } ORDER BY ?g"


def run(runner, built, *args):
    return runner.invoke(main, ["--store", str(built["store"]), "query", *args])


def test_inline_query_with_predeclared_prefixes_as_csv(runner, built):
    result = run(runner, built, RONIN, "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == ["g"]
    assert "https://w3id.org/dprk-kg/source/trm-labs-ronin-bridge-hack" in {r[0] for r in rows[1:]}


def test_table_shortens_iris_and_counts_rows(runner, built):
    result = run(runner, built, RONIN, "--format", "table")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].strip() == "g" and set(lines[1].strip()) == {"-"}
    assert "src:trm-labs-ronin-bridge-hack" in result.stdout
    assert "https://" not in result.stdout
    assert f"{len(lines) - 2} row(s)" in result.stderr


def test_table_cells_are_escaped_and_whole_off_a_terminal(runner, built):
    long = "x" * 150
    text = f'SELECT ?a ?b WHERE {{ VALUES (?a ?b) {{ ("red\\u001B[31m\\u202Eevil" "{long}") }} }}'
    result = run(runner, built, text, "--format", "table")
    assert result.exit_code == 0, result.output
    header, rule, row = result.stdout.splitlines()
    assert header.split() == ["a", "b"] and set(rule.split()) == {"-" * 150, "-" * len(r"red\x1b[31m\u202eevil")}
    assert row.split() == [r"red\x1b[31m\u202eevil", long]
    assert "\x1b" not in result.stdout and "\u202e" not in result.stdout


@pytest.mark.parametrize(
    "fmt, check",
    [
        ("json", lambda out: json.loads(out)["head"]["vars"] == ["g"]),
        ("xml", lambda out: out.startswith("<?xml") and '<variable name="g"/>' in out),
        ("tsv", lambda out: out.splitlines()[0] == "?g" and out.splitlines()[1].startswith("<https://")),
    ],
)
def test_standard_result_formats(runner, built, fmt, check):
    result = run(runner, built, RONIN, "--format", fmt)
    assert result.exit_code == 0
    assert check(result.stdout)


def test_query_from_a_file_matches_inline(runner, built):
    from_file = run(runner, built, "-f", str(FIXTURES / "query" / "ronin-sources.rq"), "--format", "csv")
    inline = run(runner, built, RONIN, "--format", "csv")
    assert from_file.exit_code == 0
    assert from_file.stdout.splitlines()[1:] == inline.stdout.splitlines()[1:]


def test_ask_prints_true_or_false_and_sets_exit_code(runner, built):
    yes = run(runner, built, "ASK { kg:tornado-cash a dkg:Mixer }")
    no = run(runner, built, "ASK { kg:tornado-cash a dkg:Exchange }")
    assert (yes.exit_code, yes.stdout) == (0, "true\n")
    assert (no.exit_code, no.stdout) == (1, "false\n")


def test_construct_prints_turtle(runner, built):
    result = run(runner, built, "CONSTRUCT WHERE { kg:tornado-cash a ?type }")
    assert result.exit_code == 0
    assert "kg:tornado-cash a dkg:Mixer" in result.stdout
    from rdflib import Graph

    assert len(Graph().parse(data=result.stdout, format="turtle")) >= 1


def test_empty_result_explains_what_to_do(runner, built):
    result = run(runner, built, 'SELECT ?s WHERE { ?s rdfs:label "no such name" }', "--format", "csv")
    assert result.exit_code == 0
    assert result.stdout.strip() == "s"
    assert "0 rows" in result.stderr and "dprk-kg show" in result.stderr


def test_list_shows_every_named_query_with_title(runner, built):
    result = run(runner, built, "--list")
    assert result.exit_code == 0
    names = [line.split()[0] for line in result.stdout.splitlines()]
    for name in (
        "sanctioned-mixers",
        "lazarus-incidents",
        "yearly-totals",
        "mixer-laundering",
        "source-claims",
        "sanctions-timeline",
        "address-sanctions",
        "actor-aliases",
    ):
        assert name in names
    assert "Sanctioned mixers:" in result.stdout


def test_syntax_error_gives_line_and_column(runner, built):
    result = run(runner, built, "-f", str(FIXTURES / "query" / "broken.rq"))
    assert result.exit_code == 2
    assert re.match(r"Error: query line \d+, column \d+: expected one of", result.stderr)
    assert "Traceback" not in result.output


def test_undeclared_prefix_is_named(runner, built):
    result = run(runner, built, "SELECT * WHERE { ?s foo:bar ?o }")
    assert result.exit_code == 2
    assert "query line 1, column" in result.stderr and "undeclared prefix 'foo:'" in result.stderr


@pytest.mark.parametrize(
    "text, word",
    [
        ("SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }", "SERVICE"),
        ("select * where { service <http://127.0.0.1:9/sparql> { ?s ?p ?o } }", "SERVICE"),
        ("LOAD <file:///etc/passwd>", "LOAD"),
        ("DELETE WHERE { ?s ?p ?o }", "DELETE"),
        ("INSERT DATA { kg:a kg:b kg:c }", "INSERT"),
        ("SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }", "FROM"),
        ("SELECT * FROM NAMED <http://127.0.0.1:9/g> WHERE { GRAPH ?g { ?s ?p ?o } }", "FROM"),
    ],
)
def test_remote_and_writing_queries_are_refused_before_running(runner, built, monkeypatch, text, word):
    def no_network(*args, **kwargs):
        raise AssertionError("a refused query opened a connection")

    monkeypatch.setattr(socket, "create_connection", no_network)
    result = run(runner, built, text)
    assert result.exit_code == 2
    assert f"{word} " in result.stderr and "refused" in result.stderr
    assert result.stdout == ""


def test_words_inside_strings_and_variables_are_not_refused(runner, built):
    result = run(runner, built, 'SELECT ?service WHERE { BIND("LOAD SERVICE FROM" AS ?service) }', "--format", "csv")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == ["service", "LOAD SERVICE FROM"]


def test_from_a_graph_of_the_store_is_allowed(runner, built):
    result = run(
        runner,
        built,
        "SELECT (COUNT(*) AS ?n) FROM src:trm-labs-ronin-bridge-hack WHERE { ?s ?p ?o }",
        "--format",
        "csv",
    )
    assert result.exit_code == 0
    assert int(result.stdout.splitlines()[1]) > 0


def test_timeout_stops_the_query_and_prints_nothing(runner, built):
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    result = run(runner, built, slow, "--timeout", "0.5", "--format", "csv")
    assert result.exit_code == 5
    assert result.stdout == ""
    assert "0.5 s limit" in result.stderr


def test_missing_store_says_to_build(runner, tmp_path):
    result = runner.invoke(main, ["--store", str(tmp_path / "none"), "query", "-n", "sources"])
    assert result.exit_code == 3
    assert "run `dprk-kg build` first" in result.stderr


def test_unknown_named_query_suggests_close_names(runner, built):
    result = run(runner, built, "-n", "sanctoned-mixers")
    assert result.exit_code == 2
    assert "did you mean sanctioned-mixers" in result.stderr


@pytest.mark.parametrize("args", [[], ["ASK {}", "-n", "sources"], ["-n", "sources", "-p", "novalue"]])
def test_bad_invocations_exit_2(runner, built, args):
    result = run(runner, built, *args)
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: ")


def test_help_has_an_example(runner):
    result = runner.invoke(main, ["query", "--help"])
    assert result.exit_code == 0 and "Example:" in result.stdout


def test_month_and_year_dates_kept_by_comparing_text(runner, built):
    typed = run(
        runner,
        built,
        'SELECT ?s WHERE { ?s dkg:listingDate ?d FILTER(?d >= "2022-01-01"^^xsd:date) }',
        "--format",
        "csv",
    )
    text = run(runner, built, 'SELECT ?s WHERE { ?s dkg:listingDate ?d FILTER(STR(?d) >= "2022") }', "--format", "csv")
    month = "https://w3id.org/dprk-kg/id/sanction-ofac-tornado-cash-2022-11"
    assert month not in typed.stdout.split()  # the xsd:date comparison drops a gYearMonth
    assert month in text.stdout.split()


def test_named_timeline_keeps_month_and_year_dated_sanctions(runner, built):
    result = run(runner, built, "-n", "sanctions-timeline", "--format", "csv")
    dates = {row[0] for row in csv.reader(io.StringIO(result.stdout))}
    assert {"2022-11", "2023", "2015-01"} <= dates
