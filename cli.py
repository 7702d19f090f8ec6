"""dprk-kg: the command line. Each command parses its options, calls one library function in
``graph`` and renders the result; library errors become ``Error: ...`` and a documented exit code.

Heavy libraries (rdflib, pyshacl, networkx, pyvis) are imported inside the commands that need
them, so ``dprk-kg --help`` stays instant.
"""

from __future__ import annotations

import signal
import sys
from pathlib import Path

import click

from graph import paths
from graph.errors import DprkKgError

EXIT_CODES = """\b
Exit codes:
  0    success
  1    the graph violates its SHACL shapes; an ASK query answered false
  2    bad input: a data file, a query or an option value
  3    the store is missing, locked or unreadable; a server is unreachable or refused a request
  4    an output file or folder cannot be written
  5    a query ran past --timeout; a server did not answer within --timeout
  6    a server cut a query's result (row cap or its own time limit); nothing was printed
  130  interrupted (Ctrl-C or SIGTERM); previous exports are left intact
"""


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


class DprkKgGroup(click.Group):
    """A click group that reports library errors as one line and an exit code."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except DprkKgError as exc:
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("Error: interrupted; previous exports are left intact", err=True)
            ctx.exit(130)


def _progress(message: str) -> None:
    click.echo(f"... {message}", err=True)


@click.group(cls=DprkKgGroup, epilog=EXIT_CODES,
             context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--store", "store_path", type=click.Path(path_type=Path), default=paths.DEFAULT_STORE,
              envvar="DPRK_KG_STORE", show_default=True, show_envvar=True,
              help="Folder of the embedded Oxigraph store that build writes and other commands read.")
@click.version_option(package_name="dprk-kg", prog_name="dprk-kg")
@click.pass_context
def main(ctx: click.Context, store_path: Path) -> None:
    """A sourced knowledge graph of North Korea's crypto theft: actors, incidents, laundering,
    sanctions, and the documents that say so.

    \b
    Example:
        dprk-kg build
        dprk-kg validate
    """
    signal.signal(signal.SIGTERM, _interrupt)
    ctx.obj = {"store": store_path}


def _print_violations(violations, file_of) -> None:
    for v in violations:
        files = ", ".join(file_of(g) for g in v.graphs) or "(no source graph)"
        value = f" (value: {v.value})" if v.value else ""
        prop = f" {v.path}" if v.path else ""
        click.echo(f"{files}: {v.focus}{prop}: {v.message}{value}")


@main.command()
@click.option("-o", "--out", "out_dir", type=click.Path(path_type=Path, file_okay=False),
              default=paths.DEFAULT_EXPORTS, show_default=True, help="Folder for the exports.")
@click.option("--sources", "sources_dir", type=click.Path(path_type=Path, file_okay=False),
              default=paths.SOURCES_DIR, show_default="the curated sources/ folder",
              help="Folder of curated source files, one Turtle file per source document.")
@click.option("-q", "--quiet", is_flag=True, help="Print only the summary, no progress.")
@click.pass_context
def build(ctx: click.Context, out_dir: Path, sources_dir: Path, quiet: bool) -> None:
    """Build the graph: parse the ontology and curated sources, validate them with SHACL, write
    the exports (Turtle, TriG, N-Triples, JSON-LD) and refresh the store.

    Nothing is written unless everything parses and validates; exports are replaced atomically.

    \b
    Example:
        dprk-kg build
        dprk-kg build --out /tmp/exports --quiet
    """
    from graph.build import build as run_build, graph_file
    from graph.errors import ValidationFailed

    try:
        report = run_build(out_dir, ctx.obj["store"], sources_dir,
                           progress=(lambda _: None) if quiet else _progress)
    except ValidationFailed as exc:
        _print_violations(exc.violations, lambda g: graph_file(g, sources_dir))
        raise
    click.echo(f"Built the dprk-kg graph in {report.seconds:.2f} s")
    click.echo(f"  entities   {sum(report.entities.values()):>6,}")
    for cls, count in report.entities.items():
        click.echo(f"    {cls:<28} {count:>6,}")
    click.echo(f"  sources    {report.sources:>6,} documents")
    click.echo(f"  facts      {report.facts:>6,} triples")
    click.echo(f"  conflicts  {report.conflicts:>6,} facts on which sources disagree (dprk-kg conflicts)")
    for path in report.files:
        click.echo(f"  wrote      {path}")
    click.echo(f"  store      {report.store}")


@main.command()
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.pass_context
def validate(ctx: click.Context, files: tuple[Path, ...]) -> None:
    """Validate the built graph (or the given Turtle files) against the SHACL shapes.

    Prints each violation with the source file, focus node, property, message and value.
    Exits 0 when the graph conforms, 1 on violations, 2 when an input cannot be read.

    \b
    Example:
        dprk-kg validate
        dprk-kg validate sources/my-new-source.ttl
    """
    from graph import build as builder
    from graph.namespace import SRC
    from graph.validate import validate as run_validate

    if files:
        dataset = builder.load_files(list(files))
        names = {str(SRC[p.stem]): str(p) for p in files}
        file_of = lambda g: names.get(g, g)  # noqa: E731
    else:
        dataset = builder.open_current(ctx.obj["store"], _progress)
        file_of = builder.graph_file
    violations = run_validate(dataset)
    if violations:
        _print_violations(violations, file_of)
        click.echo(f"{len(violations)} violation(s)", err=True)
        ctx.exit(1)
    click.echo("The graph conforms to the shapes.")


@main.command()
@click.argument("text", required=False)
@click.option("-f", "--file", "query_file", type=click.Path(path_type=Path, dir_okay=False),
              help="Read the query from a .rq file.")
@click.option("-n", "--name", help="Run a query of the named library (see --list).")
@click.option("--list", "list_queries", is_flag=True, help="List the named queries and exit.")
@click.option("-p", "--param", "params", multiple=True, metavar="VAR=VALUE",
              help="Bind ?VAR before the query runs: VALUE is an IRI (kg:x, <...>) or a string.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "tsv", "json", "xml"]),
              help="Result format [default: table on a terminal, csv otherwise].")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=30.0,
              show_default=True, help="Stop the query after this many seconds (exit 5).")
@click.option("--endpoint", metavar="URL",
              help="Run the query on this SPARQL server (where `dprk-kg push` sent the graphs) "
                   "instead of the store. A user, if the server needs one, comes from "
                   "$DPRK_KG_USER and the password from $DPRK_KG_PASSWORD.")
@click.pass_context
def query(ctx: click.Context, text: str | None, query_file: Path | None, name: str | None,
          list_queries: bool, params: tuple[str, ...], fmt: str | None, timeout: float,
          endpoint: str | None) -> None:
    """Run a read-only SPARQL query on the store: inline, from a file (-f) or by name (-n).

    The project prefixes (dkg:, kg:, src:, schema:, skos:, ...) are predeclared and the default
    graph is the union of all sources; GRAPH ?source { ... } says which source states a triple.
    SERVICE, LOAD, updates and FROM outside the store are refused. SELECT prints a table or a
    SPARQL results format, CONSTRUCT and DESCRIBE print Turtle, ASK prints true/false and exits
    0 or 1.

    \b
    Example:
        dprk-kg query --list
        dprk-kg query -n sanctioned-mixers
        dprk-kg query -n actor-aliases -p actor=kg:lazarus-group --format csv
        dprk-kg query 'SELECT ?g (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g'
        dprk-kg query -f my-query.rq --format json --timeout 10
        dprk-kg query -n yearly-totals --endpoint http://127.0.0.1:7878/query
    """
    from graph import query as q
    from graph.errors import InputError

    if list_queries:
        queries = q.named_queries()
        width = max((len(nq.name) for nq in queries), default=0)
        for nq in queries:
            click.echo(f"{nq.name:<{width}}  {nq.title}: {nq.description}")
        return
    given = [x for x in (text, query_file, name) if x is not None]
    if len(given) != 1:
        raise InputError("give exactly one query: inline TEXT, -f FILE or -n NAME "
                         "(`dprk-kg query --list` shows the named ones)")
    if query_file is not None:
        from graph.parse import read_text

        text = read_text(query_file)
    elif name is not None:
        text = q.named_query(name).text
    bindings = {}
    for param in params:
        var, sep, value = param.partition("=")
        if not sep or not var.lstrip("?$"):
            raise InputError(f"--param {param!r}: expected VAR=VALUE, e.g. actor=kg:lazarus-group")
        bindings[var.lstrip("?$")] = value
    fmt = fmt or ("table" if sys.stdout.isatty() else "csv")
    if endpoint:
        import os

        from graph import remote
        from graph.remote_query import run_query

        with remote.open_server(endpoint, None, None, os.environ.get("DPRK_KG_USER"),
                                "DPRK_KG_PASSWORD", timeout) as server:
            result = run_query(server, text, fmt, bindings)
    else:
        q.ensure_current(ctx.obj["store"], _progress)
        result = q.run_query(ctx.obj["store"], text, fmt, timeout, bindings)
    click.echo(result.data, nl=False)
    if result.kind == "ask":
        ctx.exit(0 if result.truth else 1)
    sys.stdout.flush()
    if result.count == 0:
        what = "triples" if result.kind == "graph" else "rows"
        click.echo(f"0 {what}: nothing matched; check names with `dprk-kg show NAME` and the "
                   "sources with `dprk-kg query -n sources`", err=True)
    elif fmt == "table":
        click.echo(f"{result.count} row(s)", err=True)


@main.command()
@click.argument("name")
@click.pass_context
def show(ctx: click.Context, name: str) -> None:
    """Everything about one entity, found by name or alias (case-insensitive): its types,
    aliases, facts and the relations pointing at it, each with the sources that state it.

    \b
    Example:
        dprk-kg show "Tornado Cash"
        dprk-kg show apt38
        dprk-kg show kg:ronin-bridge-hack
    """
    from graph import lookup
    from graph.query import open_store

    dataset = open_store(ctx.obj["store"], _progress)
    click.echo(lookup.render_view(lookup.entity_view(dataset, lookup.find_entity(dataset, name))),
               nl=False)


@main.command()
@click.argument("a")
@click.argument("b")
@click.pass_context
def explain(ctx: click.Context, a: str, b: str) -> None:
    """The shortest chain of relations between two entities, hop by hop, with the sources that
    state each hop. Entities are found by name or alias, as in `show`.

    \b
    Example:
        dprk-kg explain "Tornado Cash" "North Korea"
        dprk-kg explain sinbad kg:lazarus-group
    """
    from graph import analyze as an
    from graph.lookup import find_entity
    from graph.network import project
    from graph.query import open_store

    dataset = open_store(ctx.obj["store"], _progress)
    start, end = find_entity(dataset, a), find_entity(dataset, b)
    graph = project(dataset)
    click.echo(an.render_explain(graph, an.explain(graph, start, end)), nl=False)


@main.command()
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="Output format.")
@click.option("--top", type=click.IntRange(min=1), default=10, show_default=True,
              help="How many rows per section.")
@click.pass_context
def analyze(ctx: click.Context, fmt: str, top: int) -> None:
    """Network analysis of the graph's typed projection (NetworkX): the most central actors and
    services, connected components, communities, and bridge nodes whose removal cuts actors off
    from services. Progress goes to stderr.

    \b
    Example:
        dprk-kg analyze
        dprk-kg analyze --format json --top 5 > analysis.json
    """
    import json
    from dataclasses import asdict

    from graph import analyze as an
    from graph.network import project
    from graph.query import open_store, render_table

    dataset = open_store(ctx.obj["store"], _progress)
    _progress("projecting the graph onto a network")
    result = an.analyze(project(dataset), top, _progress)
    if fmt == "json":
        click.echo(json.dumps(asdict(result), indent=2, ensure_ascii=False, sort_keys=True))
        return
    click.echo(f"Network: {result.nodes:,} nodes, {result.edges:,} edges (source documents left out)")
    click.echo("\nMost central actors and services (betweenness):")
    click.echo(render_table(["entity", "label", "kind", "betweenness", "degree"],
                            [[c["id"], c["label"], c["kind"], f"{c['betweenness']:.4f}", str(c["degree"])]
                             for c in result.central]), nl=False)
    click.echo(f"\nConnected components (largest {len(result.components)}):")
    click.echo(render_table(["size", "actors", "services", "best-connected member"],
                            [[str(c["size"]), str(c["actors"]), str(c["services"]), c["example"]]
                             for c in result.components]), nl=False)
    click.echo("\nCommunities (Louvain):")
    click.echo(render_table(["size", "best-connected members"],
                            [[str(c["size"]), "; ".join(c["members"])] for c in result.communities]),
               nl=False)
    click.echo("\nBridge nodes (removal separates actors from services):")
    if result.bridges:
        click.echo(render_table(["entity", "label", "kind", "actor-service pairs cut"],
                                [[b["id"], b["label"], b["kind"], str(b["cut_pairs"])]
                                 for b in result.bridges]), nl=False)
    else:
        click.echo("none: every actor reaches its services by more than one path")


@main.command()
@click.pass_context
def conflicts(ctx: click.Context) -> None:
    """Every fact on which sources disagree (an incident's amount, a year's total, a date), the
    values side by side with the sources that state each.

    \b
    Example:
        dprk-kg conflicts
        dprk-kg conflicts | grep -A4 ronin
    """
    from graph.conflicts import facets, find_conflicts
    from graph.lookup import label_of
    from graph.query import open_store, render_table
    from graph.validate import shorten

    dataset = open_store(ctx.obj["store"], _progress)
    found = find_conflicts(facets(dataset))
    for conflict in found:
        name, short = label_of(dataset, conflict.subject), shorten(conflict.subject)
        click.echo(f"{name if name == short else f'{name} ({short})'}: {conflict.aspect}")
        rows = [[value, ", ".join(shorten(s) for s in sources)] for value, sources in conflict.values.items()]
        click.echo("".join(f"    {line}\n" for line in render_table(["value", "sources"], rows).splitlines()))
    click.echo(f"{len(found)} fact(s) on which sources disagree", err=True)


@main.command()
@click.option("--since", metavar="DATE", help="Only events on or after DATE (YYYY[-MM[-DD]]).")
@click.option("--until", metavar="DATE", help="Only events on or before DATE (YYYY[-MM[-DD]]).")
@click.option("--entity", metavar="NAME", help="Only events involving this entity (name or alias).")
@click.pass_context
def timeline(ctx: click.Context, since: str | None, until: str | None, entity: str | None) -> None:
    """Dated events in order: incidents, disclosures, attributions, designations, delistings,
    address listings, launderings and reports, each with the sources that give its date.

    \b
    Example:
        dprk-kg timeline
        dprk-kg timeline --since 2022-01-01 --until 2022-12-31
        dprk-kg timeline --entity "Tornado Cash"
    """
    from graph import timeline as tl
    from graph.lookup import find_entity
    from graph.query import open_store, render_table
    from graph.validate import shorten

    since, until = (tl.check_date(d) if d else None for d in (since, until))
    dataset = open_store(ctx.obj["store"], _progress)
    iri = find_entity(dataset, entity) if entity else None
    found = tl.events(dataset, since, until, iri)
    if not found:
        click.echo("no dated events match; widen --since/--until or check the name with "
                   "`dprk-kg show NAME`", err=True)
        return
    click.echo(render_table(["date", "event", "what", "sources"],
                            [[e.date, e.event, f"{e.label} ({shorten(e.node)})", ", ".join(e.sources)]
                             for e in found]), nl=False)


@main.command("export")
@click.option("--format", "fmt", type=click.Choice(["graphml", "gexf", "csv"]), required=True,
              help="graphml (Cytoscape, Gephi), gexf (Gephi) or csv (nodes and edges files).")
@click.option("-o", "--out", "out_dir", type=click.Path(path_type=Path, file_okay=False),
              default=paths.DEFAULT_EXPORTS, show_default=True, help="Folder for the files.")
@click.pass_context
def export_network(ctx: click.Context, fmt: str, out_dir: Path) -> None:
    """Export the typed network (entities and relations, without amounts and claims) for Gephi,
    Cytoscape or a spreadsheet. Nodes carry kind, label, aliases and sanction state; edges carry
    the relation and their sources. Files are deterministic and replaced atomically.

    \b
    Example:
        dprk-kg export --format graphml
        dprk-kg export --format csv --out /tmp/network
    """
    from graph.netexport import export_network as write
    from graph.network import project
    from graph.query import open_store

    dataset = open_store(ctx.obj["store"], _progress)
    graph = project(dataset)
    for path in write(graph, fmt, out_dir):
        click.echo(f"wrote {path}")
    click.echo(f"{graph.number_of_nodes():,} nodes, {graph.number_of_edges():,} edges", err=True)


@main.command()
@click.argument("file", required=False, type=click.Path(path_type=Path))
@click.option("--focus", metavar="NAME", help="Show only what lies around this entity (label, alias or CURIE).")
@click.option("--depth", type=click.IntRange(0, 20), default=2, show_default=True,
              help="With --focus: how many relation steps away from it to show.")
@click.option("--type", "types", multiple=True, metavar="TYPE",
              help="Show only nodes of this type (repeatable): state, group, person, mixer, incident, ...")
@click.option("--source", "sources", multiple=True, metavar="SOURCE",
              help="Show only facts stated by this source (repeatable): file stem, CURIE or IRI.")
@click.option("--since", metavar="DATE", help="Show only facts from sources issued on or after DATE.")
@click.option("--max-nodes", type=click.IntRange(1), default=5000, show_default=True,
              help="Past this many nodes keep the most connected ones, with a note on the page.")
@click.option("-o", "--out", "out", type=click.Path(path_type=Path, dir_okay=False), required=True,
              help="The HTML file to write.")
@click.pass_context
def viz(ctx: click.Context, file: Path | None, focus: str | None, depth: int, types: tuple[str, ...],
        sources: tuple[str, ...], since: str | None, max_nodes: int, out: Path) -> None:
    """Draw the graph (or part of it, or any RDF FILE) as one interactive HTML page that works
    offline: colours and shapes per node type, a legend with type filters, a search box, and the
    facts and sources of every node and edge on hover or click.

    \b
    Example:
        dprk-kg viz -o graph.html
        dprk-kg viz --focus "Lazarus Group" --depth 1 -o lazarus.html
        dprk-kg viz --type incident --type group --since 2023 -o recent.html
        dprk-kg viz sources/seed-cryptonews-trm-2023.ttl -o seed.html
    """
    from graph.build import open_current
    from graph.visualize import ViewOptions, load_file, write_view

    title = f"dprk-kg: {file.name}" if file else "dprk-kg graph view"
    options = ViewOptions(focus=focus, depth=depth, types=types, sources=sources, since=since,
                          max_nodes=max_nodes, title=title)
    dataset = load_file(file) if file else open_current(ctx.obj["store"], _progress)
    view = write_view(dataset, out, options, _progress)
    click.echo(f"Wrote {out}: {view.nodes:,} entities, {view.edges:,} relations, {view.sources:,} sources")
    for note in view.notes:
        click.echo(f"  note: {note}")


def _print_import(report) -> None:
    from graph.importers.common import short

    click.echo(f"Imported {report.file} into graph {short(report.graph)} in {report.seconds:.1f} s")
    for name, count in report.counts.items():
        click.echo(f"  {name:<34} {count:>8,}")
    click.echo(f"  {'triples':<34} {report.triples:>8,}")
    links = ", ".join(f"{n} {status}" for status, n in report.matches.items())
    click.echo(f"  {'links to curated entities':<34} {sum(report.matches.values()):>8,} ({links})")
    click.echo(f"  {'skipped records':<34} {len(report.skipped):>8,}")
    for line in report.warnings:
        click.echo(f"warning: {line}", err=True)
    for line in report.skipped:
        click.echo(f"skipped: {line}", err=True)


_MATCHES_OPTION = click.option(
    "--matches", "match_file", type=click.Path(path_type=Path, dir_okay=False), default=None,
    help="The editable match file (default: links/matches.csv). New matches are added as "
         "proposed; confirmed and rejected rows are kept as a person left them.")


@main.group("import", epilog=EXIT_CODES)
def import_group() -> None:
    """Import a public dataset into its own named graph, beside the curated sources.

    Every import is described as a source (file, version or date, licence, when imported);
    re-importing a file replaces its graph, and a file that fails leaves the store as it was.
    Matches to curated entities go to links/matches.csv for review: only rows a person marks
    `confirmed` become skos:closeMatch links (re-run the import after editing).

    \b
    Example:
        dprk-kg import ofac-sdn sdn.csv --date 2024-05-03
        dprk-kg import attack enterprise-attack.json
        dprk-kg import misp-galaxy threat-actor.json
        dprk-kg import incidents defi_exploits.csv
    """


@import_group.command("ofac-sdn")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--date", "day", metavar="YYYY-MM-DD",
              help="Snapshot date; read from the file name (sdn_2022-08-08.csv) when absent.")
@_MATCHES_OPTION
@click.pass_context
def import_ofac_sdn(ctx: click.Context, file: Path, day: str | None, match_file: Path | None) -> None:
    """Import OFAC's legacy SDN list (sdn.csv from https://www.treasury.gov/ofac/downloads/sdn.csv)
    into graph dataset:ofac-sdn-<date>: each entry as a designated party with its sanction,
    programs, type, aliases and digital-currency addresses.

    Remarks cut at 1,000 characters are flagged; malformed rows are skipped with their line.

    \b
    Example:
        dprk-kg import ofac-sdn ../shared/data/ofac_sdn_csv/sdn_2022-08-08.csv
    """
    from graph.importers import ofac_sdn

    _print_import(ofac_sdn.import_file(file, ctx.obj["store"], day, match_file, _progress))


@import_group.command("attack")
@click.argument("file", type=click.Path(path_type=Path))
@_MATCHES_OPTION
@click.pass_context
def import_attack(ctx: click.Context, file: Path, match_file: Path | None) -> None:
    """Import a MITRE ATT&CK STIX 2 bundle (enterprise-attack.json from
    https://github.com/mitre/cti) into graph dataset:mitre-attack: groups with their aliases and
    citations, campaigns, software and techniques they use. Revoked and deprecated objects are
    left out.

    \b
    Example:
        dprk-kg import attack ../shared/data/mitre_attack_enterprise/enterprise-attack.json
    """
    from graph.importers import attack

    _print_import(attack.import_file(file, ctx.obj["store"], match_file=match_file,
                                     progress=_progress))


@import_group.command("misp-galaxy")
@click.argument("file", type=click.Path(path_type=Path))
@_MATCHES_OPTION
@click.pass_context
def import_misp(ctx: click.Context, file: Path, match_file: Path | None) -> None:
    """Import a MISP galaxy cluster file (clusters/threat-actor.json from
    https://github.com/MISP/misp-galaxy) into graph dataset:misp-galaxy-<type>: synonyms,
    country, references, attribution confidence and related clusters.

    \b
    Example:
        dprk-kg import misp-galaxy ../shared/data/misp_galaxy_threat_actor/threat-actor.json
    """
    from graph.importers import misp

    _print_import(misp.import_file(file, ctx.obj["store"], match_file, _progress))


@import_group.command("incidents")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--name", help="Dataset name (default: defillama-hacks for a CSV, "
                             "dn-institute-incidents for Markdown).")
@_MATCHES_OPTION
@click.pass_context
def import_incidents(ctx: click.Context, path: Path, name: str | None, match_file: Path | None) -> None:
    """Import an incident table: the DeFiLlama hacks CSV, or a Markdown write-up (or a folder of
    them) with YAML front matter as in the DN Institute's incidents/*.md.

    \b
    Example:
        dprk-kg import incidents ../shared/data/defillama_hacks_csv/defi_exploits.csv
        dprk-kg import incidents ../shared/data/dn_institute_crypto_incidents
    """
    from graph.importers import incidents

    _print_import(incidents.import_path(path, ctx.obj["store"], name, match_file, _progress))


@main.command("diff-sdn")
@click.argument("old", type=click.Path(path_type=Path))
@click.argument("new", type=click.Path(path_type=Path))
def diff_sdn(old: Path, new: Path) -> None:
    """Show the designations added, removed and changed between two SDN snapshots (sdn.csv files).

    \b
    Example:
        dprk-kg diff-sdn sdn_2022-08-02.csv sdn_2022-08-08.csv
    """
    from graph.importers import ofac_sdn

    result = ofac_sdn.diff(ofac_sdn.parse(old), ofac_sdn.parse(new))
    click.echo(f"{old.name} -> {new.name}: {len(result.added)} added, {len(result.removed)} "
               f"removed, {len(result.changed)} changed")
    for sign, entries in (("+", result.added), ("-", result.removed)):
        for e in entries:
            click.echo(f"{sign} {e.ent_num} {e.name} [{'; '.join(e.programs)}] {e.sdn_type}"
                       + (f", {len(e.addresses)} address(es)" if e.addresses else ""))
    for change in result.changed:
        click.echo(f"~ {change.ent_num} {change.name}")
        for field, (before, after) in change.fields.items():
            gone, added = [v for v in before if v not in after], [v for v in after if v not in before]
            click.echo(f"    {field}: " + ", ".join([f"-{v}" for v in gone] + [f"+{v}" for v in added]))


@main.command()
@click.option("--endpoint", metavar="URL", required=True, envvar="DPRK_KG_ENDPOINT", show_envvar=True,
              help="The server's SPARQL query endpoint.")
@click.option("--update", "update_url", metavar="URL",
              help="Its SPARQL update endpoint [default: --endpoint].")
@click.option("--gsp", metavar="URL", help="Its Graph Store HTTP Protocol endpoint [default: --endpoint].")
@click.option("--user", envvar="DPRK_KG_USER", show_envvar=True,
              help="User for Basic or Digest authentication.")
@click.option("--password-env", metavar="VAR", default="DPRK_KG_PASSWORD", show_default=True,
              help="Environment variable that holds the password (never given on the command line).")
@click.option("--graph", "graphs", multiple=True, metavar="IRI",
              help="Push only this graph (repeatable): IRI or prefixed name, e.g. dataset:mitre-attack.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=300.0,
              show_default=True, help="Seconds to wait for the server's answer to each request.")
@click.pass_context
def push(ctx: click.Context, endpoint: str, update_url: str | None, gsp: str | None, user: str | None,
         password_env: str, graphs: tuple[str, ...], timeout: float) -> None:
    """Send the store's named graphs (curated sources and imported datasets) to a team's SPARQL
    1.1 server, where `dprk-kg query --endpoint` and other tools can read them.

    Each graph goes through the Graph Store HTTP Protocol into a fresh staging graph, its
    triple count on the server is checked, then one MOVE puts it in place: readers see the old
    graph or the new one, never a partial one. Project graphs no longer in the store are dropped
    (not with --graph). The marker graph urn:dprk-kg:push, written last, names the build the
    server holds. A failure stops at that graph and says why; re-running converges.

    \b
    Example:
        dprk-kg push --endpoint http://127.0.0.1:7878/query --update http://127.0.0.1:7878/update \\
            --gsp http://127.0.0.1:7878/store
        DPRK_KG_PASSWORD=... dprk-kg push --endpoint http://127.0.0.1:8890/sparql-auth \\
            --gsp http://127.0.0.1:8890/sparql-graph-crud-auth --user loader
        dprk-kg push --endpoint URL --graph dataset:mitre-attack
    """
    from graph import remote
    from graph.importers.common import short
    from graph.push import push as run_push

    with remote.open_server(endpoint, update_url, gsp, user, password_env, timeout) as server:
        report = run_push(ctx.obj["store"], server, graphs, _progress)
    click.echo(f"Pushed {len(report.pushed)} graph(s), {report.triples:,} triples, to "
               f"{remote.shown(report.endpoint)} ({report.server or 'server'}) in {report.seconds:.1f} s")
    for graph in report.dropped:
        click.echo(f"  dropped    {short(graph)} (no longer in the store)")
    click.echo(f"  build      {report.build}")
    click.echo(f"  marker     <{remote.MARKER_GRAPH}>")


@main.command()
@click.pass_context
def sources(ctx: click.Context) -> None:
    """List every imported dataset and curated source in the store, with its version, date,
    import time and triple count.

    \b
    Example:
        dprk-kg sources
    """
    from graph.importers import list_sources

    rows = list_sources(ctx.obj["store"])
    click.echo(f"{'graph':<48} {'kind':<20} {'version':<12} {'date':<10} {'imported':<20} {'triples':>8}")
    for r in rows:
        click.echo(f"{r.graph:<48} {r.kind:<20} {r.version[:12]:<12} {r.issued:<10} "
                   f"{r.imported[:19]:<20} {r.triples:>8,}")
    click.echo(f"{len(rows)} sources, {sum(r.triples for r in rows):,} triples")


if __name__ == "__main__":
    sys.exit(main())
