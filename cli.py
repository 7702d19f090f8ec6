"""dprk-kg: the command line. Each command parses its options, calls one library function in
``graph`` and renders the result; library errors become ``Error: ...`` and a documented exit code.

Heavy libraries (rdflib, pyshacl, networkx, pyvis) are imported inside the commands that need
them, so ``dprk-kg --help`` stays instant.
"""

from __future__ import annotations

import atexit
import errno
import os
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
  2    bad input: a data file, a query or an option value (an --endpoint of show, screen,
       timeline or conflicts that is not an Oxigraph server)
  3    the store is missing, locked or unreadable; a server is unreachable or refused a request
  4    an output file or folder cannot be written
  5    a query ran past --timeout (or its result past a size cap); a server did not answer in time
  6    a server cut a query's result (row cap or its own time limit); nothing was printed
  130  interrupted (Ctrl-C or SIGTERM); each set of files is the previous one or the new one
  141  the output pipe was closed by its reader (e.g. `| head`); nothing more is printed
"""


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _ignore_late_sigterm() -> None:
    """At exit, once the command has run: ignore SIGTERM. While the interpreter shuts down it
    puts back the default action, and a SIGTERM then would report a finished run as killed."""
    signal.signal(signal.SIGTERM, signal.SIG_IGN)


class DprkKgGroup(click.Group):
    """A click group that reports library errors as one line and an exit code."""

    def invoke(self, ctx: click.Context):
        try:
            result = super().invoke(ctx)
            sys.stdout.flush()  # inside the try: a full disk is reported like any failed write
            return result
        except DprkKgError as exc:
            from graph.render import safe

            click.echo(f"Error: {safe(str(exc))}", err=True)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo(
                "Error: interrupted; each set of files is the previous one or the new one, never a mix", err=True
            )
            ctx.exit(130)
        except BrokenPipeError:
            _drop_stdout()
            ctx.exit(141)
        except OSError as exc:
            if exc.errno not in (errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EFBIG):
                raise
            _drop_stdout()
            click.echo(f"Error: cannot write the output: {exc.strerror}", err=True)
            ctx.exit(4)


def _drop_stdout() -> None:
    """Point stdout at /dev/null, so the interpreter's last flush of what could not be written
    fails neither loudly nor twice."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # no real file behind stdout (a test runner): nothing to flush
        return


def _progress(message: str) -> None:
    click.echo(f"... {message}", err=True)


def _format_option(*choices: str):
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(list(choices)),
        default=choices[0],
        show_default=True,
        help="Output format (json: see the README for its keys).",
    )


def _neighbourhood_options(command):
    """--focus, --depth and --type, with one meaning for `viz` and `export`."""
    command = click.option(
        "--type",
        "types",
        multiple=True,
        metavar="KIND",
        help="Only nodes of this kind (repeatable): state, group, person, mixer, incident, address, ...",
    )(command)
    command = click.option(
        "--depth",
        type=click.IntRange(0, 20),
        default=2,
        show_default=True,
        help="With --focus: how many relation steps away from it.",
    )(command)
    return click.option(
        "--focus", metavar="NAME", help="Only what lies around this entity (name, alias, identifier, address or CURIE)."
    )(command)


_AS_OF_OPTION = click.option(
    "--as-of",
    "as_of",
    metavar="DATE",
    help="Answer as of DATE (YYYY[-MM[-DD]]): only sources issued on or before it count, and "
    "sanction status is computed for that date [default: today].",
)
_WIDE_OPTION = click.option(
    "--wide", is_flag=True, help="Never cut a table cell (output that is not a terminal is never cut)."
)


_ENDPOINT_READ_OPTION = click.option(
    "--endpoint",
    metavar="URL",
    help="Read the graphs on this Oxigraph server's SPARQL endpoint (where `dprk-kg push` sent "
    "them) instead of the store, with the same output; another server is refused (exit 2). A "
    "user, if the server needs one, comes from $DPRK_KG_USER and the password from $DPRK_KG_PASSWORD.",
)


def _wide(wide: bool) -> bool:
    return wide or not sys.stdout.isatty()


def _reader(ctx: click.Context, endpoint: str | None):
    """The store's reader, or with --endpoint a reader of the project's graphs on that server
    (its connection closed when the command ends; a server other than Oxigraph is refused, exit 2)."""
    if not endpoint:
        from graph.reader import open_reader

        return open_reader(ctx.obj["store"], _progress)
    import os

    from graph import remote
    from graph.remote_query import remote_reader

    user = os.environ.get("DPRK_KG_USER")
    server = remote.open_server(endpoint, None, None, user, "DPRK_KG_PASSWORD", remote.DEFAULT_TIMEOUT)
    return remote_reader(ctx.with_resource(server), ctx.command.name or "")


def _as_of(value: str | None) -> str:
    from graph.terms import check_date, today

    return check_date(value, "--as-of") if value else today()


@click.group(
    cls=DprkKgGroup,
    epilog=EXIT_CODES,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.option(
    "--store",
    "store_path",
    type=click.Path(path_type=Path),
    default=paths.DEFAULT_STORE,
    envvar="DPRK_KG_STORE",
    show_default=True,
    show_envvar=True,
    help="Folder of the embedded Oxigraph store that build writes and other commands read.",
)
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
    atexit.unregister(_ignore_late_sigterm)
    atexit.register(_ignore_late_sigterm)
    ctx.obj = {"store": store_path}


def _print_violations(violations, file_of) -> None:
    from graph.render import violations_text

    click.echo(violations_text(violations, file_of), nl=False)


@main.command()
@click.option(
    "-o",
    "--out",
    "out_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=paths.DEFAULT_EXPORTS,
    show_default=True,
    help="Folder for the exports.",
)
@click.option(
    "--sources",
    "sources_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=paths.SOURCES_DIR,
    show_default="the curated sources/ folder",
    help="Folder of curated source files, one Turtle file per source document.",
)
@click.option("-q", "--quiet", is_flag=True, help="Print only the summary, no progress.")
@_format_option("table", "json")
@click.pass_context
def build(ctx: click.Context, out_dir: Path, sources_dir: Path, quiet: bool, fmt: str) -> None:
    """Build the graph: parse the ontology and curated sources, validate them with SHACL, write
    the exports (Turtle, TriG, N-Triples, JSON-LD) and refresh the store.

    Nothing is written unless everything parses and validates; exports are replaced atomically.

    \b
    Example:
        dprk-kg build
        dprk-kg build --out /tmp/exports --quiet
        dprk-kg build --format json
    """
    from graph.build import build as run_build
    from graph.build import graph_file
    from graph.errors import ValidationFailed

    try:
        report = run_build(out_dir, ctx.obj["store"], sources_dir, progress=(lambda _: None) if quiet else _progress)
    except ValidationFailed as exc:
        _print_violations(exc.violations, lambda g: graph_file(g, sources_dir))
        raise
    if fmt == "json":
        from graph.render import render_json

        click.echo(
            render_json(
                {
                    "entities": report.entities,
                    "sources": report.sources,
                    "facts": report.facts,
                    "conflicts": report.conflicts,
                    "files": [str(f) for f in report.files],
                    "unchanged": report.unchanged,
                    "store": str(report.store),
                    "seconds": round(report.seconds, 3),
                }
            ),
            nl=False,
        )
        return
    from graph.render import build_text

    click.echo(build_text(report), nl=False)


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
    from graph.storage import ensure_current
    from graph.validate import validate as run_validate
    from graph.validate import validate_store

    if files:
        dataset = builder.load_files(list(files))
        names = {str(SRC[p.stem]): str(p) for p in files}
        file_of = lambda g: names.get(g, g)  # noqa: E731
        violations = run_validate(dataset, _progress)
    else:
        ensure_current(ctx.obj["store"], _progress)
        file_of = builder.graph_file
        violations = validate_store(ctx.obj["store"], _progress)
    if violations:
        _print_violations(violations, file_of)
        click.echo(f"{len(violations)} violation(s)", err=True)
        ctx.exit(1)
    click.echo("The graph conforms to the shapes.")


@main.command()
@click.argument("text", required=False)
@click.option(
    "-f",
    "--file",
    "query_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Read the query from a .rq file.",
)
@click.option("-n", "--name", help="Run a query of the named library (see --list).")
@click.option("--list", "list_queries", is_flag=True, help="List the named queries and exit.")
@click.option(
    "-p",
    "--param",
    "params",
    multiple=True,
    metavar="VAR=VALUE",
    help="Bind ?VAR before the query runs: VALUE is an IRI (kg:x, <...>) or a string.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "tsv", "json", "xml"]),
    help="Result format [default: table on a terminal, csv otherwise].",
)
@click.option(
    "--timeout",
    type=float,
    default=30.0,
    show_default=True,
    metavar="SECONDS",
    help="Stop the query after this many seconds, above 0 and at most 86400 (exit 5).",
)
@click.option(
    "--as-of",
    "as_of",
    metavar="DATE",
    help="Answer as of DATE: a named query that takes asOf (the sanction queries) filters its own "
    "dates; any other query runs on the graphs issued on or before DATE (and undated ones).",
)
@click.option(
    "--endpoint",
    metavar="URL",
    help="Run the query on this SPARQL server (where `dprk-kg push` sent the graphs) "
    "instead of the store. A user, if the server needs one, comes from "
    "$DPRK_KG_USER and the password from $DPRK_KG_PASSWORD.",
)
@_WIDE_OPTION
@click.pass_context
def query(
    ctx: click.Context,
    text: str | None,
    query_file: Path | None,
    name: str | None,
    list_queries: bool,
    params: tuple[str, ...],
    fmt: str | None,
    timeout: float,
    as_of: str | None,
    endpoint: str | None,
    wide: bool,
) -> None:
    """Run a read-only SPARQL query on the store: inline, from a file (-f) or by name (-n).

    The project prefixes (dkg:, kg:, src:, schema:, skos:, ...) are predeclared and the default
    graph is the union of all sources; GRAPH ?source { ... } says which source states a triple.
    SERVICE, LOAD, updates and FROM outside the store are refused, and the query runs in a
    process that cannot open a network connection. FROM / FROM NAMED a graph of the store make
    it the query's dataset. SELECT prints a table or a SPARQL results format, streamed as it
    comes; CONSTRUCT and DESCRIBE print Turtle, ASK prints true/false and exits 0 or 1.

    Dates given only to the month or year (xsd:gYearMonth, xsd:gYear, e.g. many sanctions)
    do not compare with xsd:date: compare their text, FILTER(STR(?date) >= "2022-05"),
    which orders YYYY, YYYY-MM and YYYY-MM-DD alike (see docs/queries.md).

    \b
    Example:
        dprk-kg query --list
        dprk-kg query -n sanctioned-mixers
        dprk-kg query -n actor-aliases -p actor=kg:lazarus-group --format csv
        dprk-kg query -n sanctioned-mixers --as-of 2024-06-01
        dprk-kg query 'SELECT ?g (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g'
        dprk-kg query -f my-query.rq --format json --timeout 10
        dprk-kg query -n yearly-totals --endpoint http://127.0.0.1:7878/query
    """
    from graph import query as q
    from graph.errors import InputError
    from graph.storage import ensure_current

    if list_queries:
        queries = q.named_queries()
        width = max((len(nq.name) for nq in queries), default=0)
        for nq in queries:
            click.echo(f"{nq.name:<{width}}  {nq.title}: {nq.description}")
        return
    given = [x for x in (text, query_file, name) if x is not None]
    if len(given) != 1:
        raise InputError(
            "give exactly one query: inline TEXT, -f FILE or -n NAME (`dprk-kg query --list` shows the named ones)"
        )
    if query_file is not None:
        from graph.files import read_text

        text = read_text(query_file)
    bindings = {}
    for param in params:
        var, sep, value = param.partition("=")
        if not sep or not var.lstrip("?$"):
            raise InputError(f"--param {param!r}: expected VAR=VALUE, e.g. actor=kg:lazarus-group")
        bindings[var.lstrip("?$")] = value
    day = _as_of(as_of) if as_of else None
    dated_by_query = False
    if name is not None:
        if day and any(p == "asOf" for p, _ in q.named_query(name).params):
            bindings.setdefault("asOf", day)
            dated_by_query = True  # the query filters its own dates: it runs on the whole store
        text, bindings = q.named_query(name).bound_text(bindings), {}
    fmt = fmt or ("table" if sys.stdout.isatty() else "csv")
    q.check_timeout(timeout)
    assert text is not None  # exactly one of TEXT, -f and -n was given, and each sets it
    if endpoint:
        import os

        from graph import remote
        from graph.remote_query import run_query as run_remote

        if day:
            raise InputError("--as-of runs on the local store; it does not go with --endpoint")
        with remote.open_server(
            endpoint, None, None, os.environ.get("DPRK_KG_USER"), "DPRK_KG_PASSWORD", timeout
        ) as server:
            result = run_remote(server, text, fmt, bindings, wide=_wide(wide))
        click.echo(result.data, nl=False)
    else:
        dataset = None
        if day and not dated_by_query:
            from graph.reader import open_reader

            # the store's own entity index knows each source's date (a bare Reader would index anew)
            graphs = open_reader(ctx.obj["store"], _progress).graphs_as_of(day)
            dataset = q.QueryDataset(default=graphs, named=graphs)
        else:
            ensure_current(ctx.obj["store"], _progress, check_swap=False)
        result = q.run_query(
            ctx.obj["store"],
            text,
            fmt,
            timeout,
            bindings,
            out=sys.stdout.buffer,
            progress=_progress,
            dataset=dataset,
            wide=_wide(wide),
        )
    if result.kind == "ask":
        ctx.exit(0 if result.truth else 1)
    if result.count == 0:
        what = "triples" if result.kind == "graph" else "rows"
        click.echo(
            f"0 {what}: nothing matched; check names with `dprk-kg show NAME` and the "
            "sources with `dprk-kg query -n sources`",
            err=True,
        )
    elif fmt == "table":
        click.echo(f"{result.count} row(s)", err=True)


@main.command()
@click.argument("name")
@_AS_OF_OPTION
@_format_option("table", "json")
@click.option("--all", "list_all", is_flag=True, help="List every technique and software used, not counts.")
@_WIDE_OPTION
@_ENDPOINT_READ_OPTION
@click.pass_context
def show(
    ctx: click.Context, name: str, as_of: str | None, fmt: str, list_all: bool, wide: bool, endpoint: str | None
) -> None:
    """Everything about one entity, merged over its records: the curated node and every imported
    record a person confirmed (SDN entries, ATT&CK and MISP groups). NAME is a name, alias,
    identifier (G0032, an SDN entry number), crypto address or CURIE, in any case.

    Each fact is shown once with every source or dataset that states it; designations with
    their status as of --as-of; addresses with chain and the snapshots that list them; possible
    (proposed) matches apart; the sources cited, with publisher, date and URL, at the end.

    \b
    Example:
        dprk-kg show "Lazarus Group"
        dprk-kg show "Tornado Cash" --as-of 2024-06-01
        dprk-kg show 0x098B716B8Aaf21512996dC57EB0615e2383E2f96
        dprk-kg show G0032 --all --format json
        dprk-kg show "Lazarus Group" --endpoint http://127.0.0.1:7878/query
    """
    from graph import render
    from graph.show import entity_view

    day = _as_of(as_of)
    reader = _reader(ctx, endpoint)
    view = entity_view(reader, reader.entities.resolve(name), day)
    if fmt == "json":
        click.echo(render.render_json(view), nl=False)
    else:
        click.echo(render.show_text(view, _wide(wide), list_all), nl=False)


@main.command()
@click.argument("text")
@click.option(
    "--kind",
    "kinds",
    multiple=True,
    metavar="KIND",
    help="Only entities of this kind (repeatable): group, mixer, incident, address, ...",
)
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True, help="Most results.")
@_format_option("table", "csv", "json")
@_WIDE_OPTION
@click.pass_context
def search(ctx: click.Context, text: str, kinds: tuple[str, ...], limit: int, fmt: str, wide: bool) -> None:
    """Find entities by name, alias, identifier or address: exact matches first, then names that
    start with TEXT, contain it, or are spelt close to it (case and spacing ignored). One row per
    entity (records of one entity count once), with the name that matched and its sources. The
    search box of the HTML views ranks the same way.

    \b
    Example:
        dprk-kg search lazarus
        dprk-kg search "hidden cobra" --format json
        dprk-kg search 0x098b716b --kind address
    """
    from graph import render
    from graph.errors import InputError
    from graph.kinds import table
    from graph.reader import open_reader

    unknown = [k for k in kinds if k not in table().kinds]
    if unknown:
        raise InputError(f"--kind {unknown[0]!r} is not a kind; use one of: {', '.join(table().kinds)}")
    reader = open_reader(ctx.obj["store"], _progress)
    hits = reader.entities.search(text, limit, kinds)
    if fmt == "json":
        click.echo(render.render_json(hits), nl=False)
    else:
        header = ["entity", "label", "kind", "match", "matched", "field", "sources"]
        rows = [[h.entity, h.label, h.kind, h.match, h.name, h.field, ", ".join(h.sources)] for h in hits]
        click.echo(
            render.render_csv(header, rows) if fmt == "csv" else render.render_table(header, rows, wide=_wide(wide)),
            nl=False,
        )
    if not hits:
        click.echo(f"nothing matches {text!r}", err=True)


@main.command()
@click.argument("file", type=click.Path(path_type=Path, allow_dash=True))
@click.option("--column", metavar="NAME", help="Read the addresses from this column of a CSV file.")
@_AS_OF_OPTION
@_format_option("table", "csv", "json")
@click.option("--fail-on-hit", is_flag=True, help="Exit 1 when any address is in the store (for scripts and CI).")
@_WIDE_OPTION
@_ENDPOINT_READ_OPTION
@click.pass_context
def screen(
    ctx: click.Context,
    file: Path,
    column: str | None,
    as_of: str | None,
    fmt: str,
    fail_on_hit: bool,
    wide: bool,
    endpoint: str | None,
) -> None:
    """Screen crypto addresses (one per line, or a CSV --column; FILE or - for standard input)
    against everything the store knows, curated and imported: one row per input, in order, with
    the entity holding it, its designations and their status as of --as-of, chain and asset,
    the incidents tied to it, and the sources and datasets. EVM addresses match in any case,
    others exactly; a value of no known address format is reported as such.

    Exits 0 when the screening ran, whatever it found, unless --fail-on-hit (exit 1 on a hit).

    \b
    Example:
        dprk-kg screen addresses.txt
        dprk-kg screen wallets.csv --column address --format json
        echo 0x098B716B8Aaf21512996dC57EB0615e2383E2f96 | dprk-kg screen - --fail-on-hit
        dprk-kg screen addresses.txt --endpoint http://127.0.0.1:7878/query
    """
    from graph import render
    from graph.files import decode, read_text
    from graph.screen import read_inputs
    from graph.screen import screen as run_screen

    day = _as_of(as_of)
    if str(file) == "-":
        text, where = decode(sys.stdin.buffer.read(), Path("<stdin>")), "<stdin>"
    else:
        text, where = read_text(file), str(file)
    inputs = read_inputs(text, where, column)
    reader = _reader(ctx, endpoint)
    results = run_screen(reader, inputs, day)
    if fmt == "json":
        click.echo(render.render_json(results, pretty=sys.stdout.isatty()), nl=False)
    else:
        header = ["line", "input", "hit", "status", "held by", "programs", "chain", "incidents", "sources"]
        rows = [
            [
                str(r.line),
                r.input,
                "yes" if r.hit else "no",
                r.status,
                "; ".join(f"{p.label} ({p.entity}, {p.kind})" for p in r.holders),
                ", ".join(sorted({g for p in r.holders for d in p.designations for g in d.programs})),
                ", ".join(r.chains),
                ", ".join(r.incidents),
                ", ".join(r.sources),
            ]
            for r in results
        ]
        click.echo(
            render.render_csv(header, rows) if fmt == "csv" else render.render_table(header, rows, wide=_wide(wide)),
            nl=False,
        )
    hits = sum(r.hit for r in results)
    click.echo(
        f"screened {len(results)} value(s) as of {day}: {hits} hit(s), "
        f"{sum(r.status == 'not an address' for r in results)} not an address",
        err=True,
    )
    if fail_on_hit and hits:
        ctx.exit(1)


@main.command()
@click.argument("a")
@click.argument("b")
@_format_option("table", "json")
@click.pass_context
def explain(ctx: click.Context, a: str, b: str, fmt: str) -> None:
    """The shortest chain of relations between two entities, hop by hop, with the sources that
    state each hop. Entities are found as in `show` (name, alias, identifier, address, CURIE),
    and each is the whole entity: a relation of any of its confirmed records counts.

    \b
    Example:
        dprk-kg explain "Tornado Cash" "North Korea"
        dprk-kg explain sinbad kg:lazarus-group --format json
    """
    from graph import render
    from graph.explain import explain as find_chain
    from graph.explain import render_explain
    from graph.reader import open_reader

    reader = open_reader(ctx.obj["store"], _progress)
    result = find_chain(reader, reader.entities.resolve(a), reader.entities.resolve(b))
    click.echo(render.render_json(result) if fmt == "json" else render_explain(result), nl=False)


@main.command()
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True, help="Output format."
)
@click.option("--top", type=click.IntRange(min=1), default=10, show_default=True, help="How many rows per section.")
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
    from graph.reader import open_reader
    from graph.render import render_table

    reader = open_reader(ctx.obj["store"], _progress)
    _progress("projecting the graph onto a network (one node per entity)")
    result = an.analyze(project(reader), top, _progress)
    if fmt == "json":
        click.echo(json.dumps(asdict(result), indent=2, ensure_ascii=False, sort_keys=True))
        return
    click.echo(f"Network: {result.nodes:,} nodes, {result.edges:,} edges (source documents left out)")
    click.echo("\nMost central actors and services (betweenness):")
    click.echo(
        render_table(
            ["entity", "label", "kind", "betweenness", "degree"],
            [[c["id"], c["label"], c["kind"], f"{c['betweenness']:.4f}", str(c["degree"])] for c in result.central],
        ),
        nl=False,
    )
    click.echo(f"\nConnected components (largest {len(result.components)}):")
    click.echo(
        render_table(
            ["size", "actors", "services", "best-connected member"],
            [[str(c["size"]), str(c["actors"]), str(c["services"]), c["example"]] for c in result.components],
        ),
        nl=False,
    )
    click.echo("\nCommunities (Louvain):")
    click.echo(
        render_table(
            ["size", "best-connected members"], [[str(c["size"]), "; ".join(c["members"])] for c in result.communities]
        ),
        nl=False,
    )
    click.echo("\nBridge nodes (removal separates actors from services):")
    if result.bridges:
        click.echo(
            render_table(
                ["entity", "label", "kind", "actor-service pairs cut"],
                [[b["id"], b["label"], b["kind"], str(b["cut_pairs"])] for b in result.bridges],
            ),
            nl=False,
        )
    else:
        click.echo("none: every actor reaches its services by more than one path")


@main.command()
@click.option("--entity", metavar="NAME", help="Only facts about this entity (name, alias, id, address).")
@_AS_OF_OPTION
@_format_option("table", "csv", "json")
@_WIDE_OPTION
@_ENDPOINT_READ_OPTION
@click.pass_context
def conflicts(
    ctx: click.Context, entity: str | None, as_of: str | None, fmt: str, wide: bool, endpoint: str | None
) -> None:
    """Every fact on which sources disagree (an incident's amount, a year's total, a date), the
    values side by side with the sources that state each. Records of one entity count as one
    (an imported figure for a hack sits beside the curated ones); a range shows both bounds.

    \b
    Example:
        dprk-kg conflicts
        dprk-kg conflicts --entity "Ronin bridge hack" --format json
        dprk-kg conflicts --as-of 2023-01-01
        dprk-kg conflicts --endpoint http://127.0.0.1:7878/query
    """
    from graph import render
    from graph.conflicts import NO_ACTOR, facets, find_conflicts
    from graph.terms import shorten

    day = _as_of(as_of) if as_of else None
    reader = _reader(ctx, endpoint)
    found = find_conflicts(facets(reader, day))
    if entity:
        canonical = reader.entities.resolve(entity).canonical
        found = [c for c in found if c.subject == canonical]
    named = [(c, reader.entities.label(c.subject) if c.subject else NO_ACTOR) for c in found]
    if fmt == "json":
        click.echo(
            render.render_json(
                [
                    {
                        "entity": shorten(c.subject),
                        "label": label,
                        "aspect": c.aspect,
                        "values": [{"value": v, "sources": [shorten(s) for s in srcs]} for v, srcs in c.values.items()],
                    }
                    for c, label in named
                ]
            ),
            nl=False,
        )
    elif fmt == "csv":
        click.echo(
            render.render_csv(
                ["entity", "label", "aspect", "value", "sources"],
                [
                    [shorten(c.subject), label, c.aspect, v, " ".join(shorten(s) for s in srcs)]
                    for c, label in named
                    for v, srcs in c.values.items()
                ],
            ),
            nl=False,
        )
    else:
        for conflict, label in named:
            short = shorten(conflict.subject)
            click.echo(f"{render.safe(label)}{f' ({short})' if short and short != label else ''}: {conflict.aspect}")
            rows = [[value, ", ".join(shorten(s) for s in sources)] for value, sources in conflict.values.items()]
            table = render.render_table(["value", "sources"], rows, wide=_wide(wide))
            click.echo("".join(f"    {line}\n" for line in table.splitlines()))
    click.echo(f"{len(found)} fact(s) on which sources disagree", err=True)


@main.command()
@click.option("--since", metavar="DATE", help="Only events on or after DATE (YYYY[-MM[-DD]]).")
@click.option("--until", metavar="DATE", help="Only events on or before DATE (YYYY[-MM[-DD]]).")
@click.option("--entity", metavar="NAME", help="Only events involving this entity (name, alias, id, address).")
@click.option(
    "--event",
    "event_types",
    multiple=True,
    type=click.Choice(["incident", "attribution", "designation", "delisting", "claim", "report"]),
    help="Only events of this type (repeatable).",
)
@click.option("--curated-only", is_flag=True, help="Only events stated by curated sources, not imported lists.")
@_AS_OF_OPTION
@_format_option("table", "csv", "json")
@_WIDE_OPTION
@_ENDPOINT_READ_OPTION
@click.pass_context
def timeline(
    ctx: click.Context,
    since: str | None,
    until: str | None,
    entity: str | None,
    event_types: tuple[str, ...],
    curated_only: bool,
    as_of: str | None,
    fmt: str,
    wide: bool,
    endpoint: str | None,
) -> None:
    """Dated events in order: incidents, disclosures, attributions, designations, delistings,
    address listings, launderings, claims and reports, each with the sources that give its date.

    \b
    Example:
        dprk-kg timeline --since 2022-01-01 --until 2022-12-31
        dprk-kg timeline --entity "Tornado Cash" --event designation --event delisting
        dprk-kg timeline --entity "Lazarus Group" --curated-only --format json
        dprk-kg timeline --since 2024-01-01 --endpoint http://127.0.0.1:7878/query
    """
    from graph import render
    from graph.terms import check_period
    from graph.timeline import events

    since, until = check_period(since, until)
    day = _as_of(as_of) if as_of else None
    reader = _reader(ctx, endpoint)
    cluster = reader.entities.resolve(entity) if entity else None
    found = events(reader, since, until, cluster, day, event_types, curated_only)
    if fmt == "json":
        click.echo(render.render_json(found), nl=False)
        return
    if not found:
        click.echo(
            "no dated events match; widen --since/--until or check the name with `dprk-kg search TEXT`", err=True
        )
        return
    header = ["date", "event", "what", "involved", "sources"]
    rows = [[e.date, e.event, f"{e.label} ({e.node})", ", ".join(e.involved), ", ".join(e.sources)] for e in found]
    click.echo(
        render.render_csv(header, rows) if fmt == "csv" else render.render_table(header, rows, wide=_wide(wide)),
        nl=False,
    )


@main.command("export")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["graphml", "gexf", "csv", "stix"]),
    required=True,
    help="graphml (Cytoscape, Gephi), gexf (Gephi), csv (nodes and edges files) or stix "
    "(a STIX 2.1 bundle for OpenCTI and MISP, graph.stix.json).",
)
@click.option(
    "-o",
    "--out",
    "out_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=paths.DEFAULT_EXPORTS,
    show_default=True,
    help="Folder for the files.",
)
@_neighbourhood_options
@click.option("--records", is_flag=True, help="Keep the records of one entity apart (one node per record).")
@click.option(
    "--as-of",
    "as_of",
    metavar="DATE",
    help="stix: only sources issued on or before DATE count (YYYY, YYYY-MM or YYYY-MM-DD).",
)
@click.pass_context
def export_network(
    ctx: click.Context,
    fmt: str,
    out_dir: Path,
    focus: str | None,
    depth: int,
    types: tuple[str, ...],
    records: bool,
    as_of: str | None,
) -> None:
    """Export the typed network (entities and relations, without amounts and claims) for Gephi,
    Cytoscape or a spreadsheet: one node per entity (its confirmed records merged; --records
    keeps them apart). Nodes carry kind, label, aliases, records and sanction state; edges carry
    the relation and their sources. Files are deterministic and replaced atomically.

    With --format stix, write the graph as one STIX 2.1 bundle: actors, incidents (every reported
    amount with its source), attributions with their confidence, sanctions as reports, crypto
    addresses as observables, and one report per source document (docs/stix.md).

    \b
    Example:
        dprk-kg export --format graphml
        dprk-kg export --format csv --out /tmp/network
        dprk-kg export --format gexf --focus "Lazarus Group" --depth 1 --type group --type incident
        dprk-kg export --format stix --out /tmp/stix
        dprk-kg export --format stix --focus "Lazarus Group" --depth 1 --as-of 2023-12-31
    """
    from graph.errors import InputError
    from graph.kinds import table

    if fmt == "stix":
        if types or records:
            raise InputError("--type and --records do not apply to --format stix")
        _export_stix(ctx.obj["store"], out_dir, focus, depth, as_of)
        return
    if as_of:
        raise InputError("--as-of goes with --format stix")
    from graph.netexport import export_network as write
    from graph.network import neighbourhood, project
    from graph.reader import open_reader

    unknown = [t for t in types if t not in table().kinds]
    if unknown:
        raise InputError(f"--type {unknown[0]!r} is not a kind; use one of: {', '.join(table().kinds)}")
    reader = open_reader(ctx.obj["store"], _progress)
    if focus:
        graph = neighbourhood(reader, reader.entities.resolve(focus).canonical, depth, records, types)
    else:
        graph = project(reader, records, types)
    for path in write(graph, fmt, out_dir):
        click.echo(f"wrote {path}")
    click.echo(f"{graph.number_of_nodes():,} nodes, {graph.number_of_edges():,} edges", err=True)


def _export_stix(store_path: Path, out_dir: Path, focus: str | None, depth: int, as_of: str | None) -> None:
    from graph.stix import export_stix
    from graph.storage import ensure_current, open_ox
    from graph.terms import check_date

    as_of = check_date(as_of, "--as-of") if as_of else None
    ensure_current(store_path, _progress)
    done = export_stix(open_ox(store_path, read_only=True), store_path, out_dir, focus, depth, as_of)
    click.echo(f"wrote {done.path}")
    shown = ", ".join(f"{n:,} {kind}" for kind, n in done.counts.items())
    click.echo(f"{done.total:,} STIX objects ({shown})", err=True)
    if done.undated_sources:
        click.echo(
            f"{done.undated_sources} source(s) state no date at all: their facts are exported, "
            "without a report of their own",
            err=True,
        )


@main.command()
@click.argument("file", required=False, type=click.Path(path_type=Path))
@_neighbourhood_options
@click.option(
    "--source",
    "sources",
    multiple=True,
    metavar="SOURCE",
    help="Show only facts stated by this source (repeatable): file stem, CURIE or IRI.",
)
@click.option("--since", metavar="DATE", help="Only sources (or, with --timeline, events) from DATE on.")
@click.option("--until", metavar="DATE", help="Only sources (or, with --timeline, events) up to DATE.")
@click.option(
    "--as-of",
    "as_of",
    metavar="DATE",
    help="What the sources said on DATE: later sources left out, sanctions in their state on DATE.",
)
@click.option("--sources", "draw_sources", is_flag=True, help="Also draw source documents as nodes.")
@click.option("--isolated", is_flag=True, help="Also draw entities with no relation in the view.")
@click.option(
    "--records", is_flag=True, help="Draw each record of an entity (curated, ATT&CK, SDN, ...) as its own node."
)
@click.option(
    "--max-nodes",
    type=click.IntRange(1),
    default=1500,
    show_default=True,
    help="Past this many nodes keep the most relevant ones, with a note on the page.",
)
@click.option("--timeline", is_flag=True, help="Draw the dated events on a time axis instead of the graph.")
@click.option("--entity", metavar="NAME", help="With --timeline: only the events of this entity.")
@click.option(
    "-o", "--out", "out", type=click.Path(path_type=Path, dir_okay=False), required=True, help="The HTML file to write."
)
@click.pass_context
def viz(
    ctx: click.Context,
    file: Path | None,
    focus: str | None,
    depth: int,
    types: tuple[str, ...],
    sources: tuple[str, ...],
    since: str | None,
    until: str | None,
    as_of: str | None,
    draw_sources: bool,
    isolated: bool,
    records: bool,
    max_nodes: int,
    timeline: bool,
    entity: str | None,
    out: Path,
) -> None:
    """Draw the graph (or part of it, or any RDF FILE) as one interactive HTML page that works
    offline: one node per entity, colours and shapes per type, a legend with type filters, a
    search box (names, aliases, addresses), and every fact with the sources that state it.
    With --timeline, draw the dated events on a time axis instead.

    \b
    Example:
        dprk-kg viz -o graph.html
        dprk-kg viz --focus "Lazarus Group" --depth 1 -o lazarus.html
        dprk-kg viz --type incident --type group --since 2023 -o recent.html
        dprk-kg viz --timeline --entity "Tornado Cash" -o tornado.html
        dprk-kg viz --timeline --as-of 2024-06-01 -o timeline-2024.html
        dprk-kg viz sources/seed-cryptonews-trm-2023.ttl -o seed.html
    """
    from graph import views
    from graph.errors import InputError

    views.check_output(out)
    if timeline and (focus or types or sources or draw_sources or isolated or records):
        raise InputError("--timeline takes --entity, --since, --until and --as-of only")
    if entity and not timeline:
        raise InputError("--entity is for --timeline; a graph view takes --focus NAME")
    if file:
        reader = views.ViewReader.of_file(file)
    else:
        from graph.reader import open_reader

        reader = views.ViewReader(open_reader(ctx.obj["store"], _progress))
    name = f"dprk-kg: {file.name}" if file else None
    if timeline:
        options = views.TimelineOptions(
            entity=entity, since=since, until=until, as_of=as_of, title=name or "dprk-kg timeline"
        )
        page = views.render_timeline(reader, options)
        views.write_page(page.html, out)
        click.echo(f"Wrote {out}: {page.events:,} events, {page.sources:,} sources")
        return
    view = views.render(
        reader,
        views.ViewOptions(
            focus=focus,
            depth=depth,
            types=types,
            sources=sources,
            since=since,
            until=until,
            as_of=as_of,
            max_nodes=max_nodes,
            draw_sources=draw_sources,
            isolated=isolated,
            records=records,
            title=name or "dprk-kg graph view",
        ),
        _progress,
    )
    views.write_page(view.html, out)
    click.echo(f"Wrote {out}: {view.nodes:,} entities, {view.edges:,} relations, {view.sources:,} sources")
    for note in view.notes:
        click.echo(f"  note: {note}")


def _print_import(report, fmt: str) -> None:
    import json

    from graph.render import import_text

    for line in report.warnings:
        click.echo(f"warning: {line}", err=True)
    for skipped in report.skipped:
        click.echo(f"skipped: {skipped}", err=True)
    if fmt == "json":
        click.echo(json.dumps(report.as_json(), indent=2, sort_keys=True))
        return
    click.echo(import_text(report), nl=False)


def _run_import(ctx: click.Context, importer, path: Path, match_file: Path | None, fmt: str) -> None:
    from graph.importers.driver import run_import

    _print_import(run_import(importer, path, ctx.obj["store"], match_file, _progress), fmt)


_MATCHES_OPTION = click.option(
    "--matches",
    "match_file",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="The editable match file (default: links/matches.csv of the checkout; for an installed "
    "tool, matches.csv in the user's data folder). New matches are added as proposed; "
    "confirmed and rejected rows are kept as a person left them.",
)
_IMPORT_FORMAT_OPTION = click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="Summary format: a table, or JSON (counts, files, matches, skipped records) for scripts.",
)


@main.group("import", epilog=EXIT_CODES)
def import_group() -> None:
    """Import a public dataset into its own named graph, beside the curated sources.

    Every import is described as a source (file, version or date, licence, when imported);
    re-importing a file replaces its graph, and a file that fails leaves the store as it was.
    Matches go to the match file for review: entities by shared identifier, name or alias;
    incidents by victim and date (dates at most 7 days apart), against curated incidents and
    those of other imported datasets. Only rows a person marks `confirmed` become
    skos:closeMatch links (re-run the import of the dataset in the row's `imported` column).
    Hostile files are refused with one line (non-regular files, over-size files, deep JSON,
    huge numbers, YAML aliases); bad records are skipped with file, line and reason.

    \b
    Example:
        dprk-kg import ofac-sdn sdn.csv --date 2024-05-03
        dprk-kg import attack enterprise-attack.json
        dprk-kg import misp-galaxy threat-actor.json
        dprk-kg import incidents defi_exploits.csv --format json
    """


@import_group.command("ofac-sdn")
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--date",
    "day",
    metavar="YYYY-MM-DD",
    help="Snapshot date; read from the file name (sdn_2022-08-08.csv) when absent.",
)
@_MATCHES_OPTION
@_IMPORT_FORMAT_OPTION
@click.pass_context
def import_ofac_sdn(ctx: click.Context, file: Path, day: str | None, match_file: Path | None, fmt: str) -> None:
    """Import OFAC's legacy SDN list (sdn.csv from https://www.treasury.gov/ofac/downloads/sdn.csv)
    into graph dataset:ofac-sdn-<date>: each entry as a designated party with its sanction,
    programs, type, aliases and digital-currency addresses.

    Remarks cut at 1,000 characters are flagged; malformed rows are skipped with their line.

    \b
    Example:
        dprk-kg import ofac-sdn ../shared/data/ofac_sdn_csv/sdn_2022-08-08.csv
        dprk-kg import ofac-sdn sdn.csv --date 2024-05-03 --format json
    """
    from graph.importers.ofac_sdn import SdnImporter

    _run_import(ctx, SdnImporter(day), file, match_file, fmt)


@import_group.command("attack")
@click.argument("file", type=click.Path(path_type=Path))
@_MATCHES_OPTION
@_IMPORT_FORMAT_OPTION
@click.pass_context
def import_attack(ctx: click.Context, file: Path, match_file: Path | None, fmt: str) -> None:
    """Import a MITRE ATT&CK STIX 2 bundle (enterprise-attack.json from
    https://github.com/mitre/cti) into graph dataset:mitre-attack: groups with their aliases and
    citations, campaigns, software and techniques they use. Revoked and deprecated objects are
    left out.

    \b
    Example:
        dprk-kg import attack ../shared/data/mitre_attack_enterprise/enterprise-attack.json
    """
    from graph.importers.attack import AttackImporter

    _run_import(ctx, AttackImporter(), file, match_file, fmt)


@import_group.command("misp-galaxy")
@click.argument("file", type=click.Path(path_type=Path))
@_MATCHES_OPTION
@_IMPORT_FORMAT_OPTION
@click.pass_context
def import_misp(ctx: click.Context, file: Path, match_file: Path | None, fmt: str) -> None:
    """Import a MISP galaxy cluster file (clusters/threat-actor.json from
    https://github.com/MISP/misp-galaxy) into graph dataset:misp-galaxy-<type>: synonyms,
    country, references, attribution confidence and related clusters.

    \b
    Example:
        dprk-kg import misp-galaxy ../shared/data/misp_galaxy_threat_actor/threat-actor.json
    """
    from graph.importers.misp import MispImporter

    _run_import(ctx, MispImporter(), file, match_file, fmt)


@import_group.command("incidents")
@click.argument("path", type=click.Path(path_type=Path))
@click.option(
    "--name",
    help="Dataset name (default: defillama-hacks for a CSV, "
    "dn-institute-incidents for write-ups, tayvano-lazarus-incidents "
    "for a Markdown incident table).",
)
@_MATCHES_OPTION
@_IMPORT_FORMAT_OPTION
@click.pass_context
def import_incidents(ctx: click.Context, path: Path, name: str | None, match_file: Path | None, fmt: str) -> None:
    """Import incidents: the DeFiLlama hacks CSV; a Markdown write-up (or a folder of them) with
    YAML front matter as in the DN Institute's incidents/*.md; or a Markdown table of incidents
    attributed to the DPRK (date, vector emoji, victim, amount, yearly TOTAL rows), each row an
    incident and an attribution by the table's author.

    Dates keep their precision (YYYY is a year); amounts that are not $N,NNN, $Unknown or blank
    are reported with their line and left out; a yearly TOTAL that differs from the sum of its
    rows is reported.

    \b
    Example:
        dprk-kg import incidents ../shared/data/defillama_hacks_csv/defi_exploits.csv
        dprk-kg import incidents ../shared/data/dn_institute_crypto_incidents
        dprk-kg import incidents ../shared/data/tayvano_lazarus_incidents/breakdown_of_incidents.md
    """
    from graph.importers.incidents import IncidentsImporter

    _run_import(ctx, IncidentsImporter(name), path, match_file, fmt)


@main.command("diff-sdn")
@click.argument("old", type=click.Path(path_type=Path))
@click.argument("new", type=click.Path(path_type=Path))
@click.option(
    "--program", metavar="PROGRAM", help="Only entries listed under this program in either snapshot (a glob: DPRK*)."
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
    help="Output format.",
)
def diff_sdn(old: Path, new: Path, program: str | None, fmt: str) -> None:
    """Show what changed between two SDN snapshots (sdn.csv files): entries added, removed,
    re-designated (delisted and listed again under a new number with the same name) and changed
    field by field (name, type, programs, title, aliases, addresses, vessel data, remarks).
    Every line names the entry's programs (old -> new where they changed).

    \b
    Example:
        dprk-kg diff-sdn sdn_2022-08-02.csv sdn_2022-08-08.csv
        dprk-kg diff-sdn sdn_2022-08-08.csv sdn_2024-05-03.csv --program 'DPRK*'
        dprk-kg diff-sdn sdn_2022-08-08.csv sdn_2024-05-03.csv --format json
    """
    import csv
    import json
    from dataclasses import asdict

    from graph.importers import ofac_sdn, sdn_diff
    from graph.render import safe

    result = sdn_diff.diff(ofac_sdn.parse(old), ofac_sdn.parse(new), program)
    if fmt == "json":
        click.echo(
            json.dumps(
                {
                    "old": str(result.old),
                    "new": str(result.new),
                    "program": program,
                    "counts": result.counts,
                    "changes": [asdict(c) for c in result.changes],
                },
                indent=2,
                sort_keys=True,
            )
        )
        return
    if fmt == "csv":
        out = csv.writer(sys.stdout, lineterminator="\n")
        out.writerow(
            [
                "change",
                "ent_num",
                "old_ent_num",
                "name",
                "entry_type",
                "programs",
                "old_programs",
                "field",
                "removed",
                "added",
            ]
        )
        for c in result.changes:
            entry = [
                c.change,
                c.ent_num,
                c.old_ent_num or "",
                c.name,
                c.entry_type,
                "; ".join(c.programs),
                "; ".join(c.old_programs),
            ]
            for f in c.fields or [None]:  # type: ignore[list-item]  # an entry without changed fields is one row
                cells = [*entry, *([f.field, "; ".join(f.removed), "; ".join(f.added)] if f else ["", "", ""])]
                out.writerow([safe(str(cell)) for cell in cells])
        return
    click.echo(f"{old.name} -> {new.name}: " + ", ".join(f"{n} {kind}" for kind, n in result.counts.items()))
    signs = {"added": "+", "removed": "-", "redesignated": "=", "changed": "~"}
    for c in result.changes:
        programs = "; ".join(c.programs)
        if c.old_programs and c.old_programs != c.programs:
            programs = f"{'; '.join(c.old_programs)} -> {programs}"
        number = f"{c.old_ent_num} -> {c.ent_num}" if c.old_ent_num else str(c.ent_num)
        head = safe(f"{signs[c.change]} {number} {c.name} [{programs}]")
        if c.change in ("added", "removed"):
            click.echo(f"{head} {c.entry_type}" + (f", {c.addresses} address(es)" if c.addresses else ""))
        if c.change == "redesignated":
            click.echo(f"{head} re-designated")
        for f in c.fields:
            values = [f"-{v}" for v in f.removed] + [f"+{v}" for v in f.added]
            click.echo(safe(f"{head} {f.field}: {', '.join(values)}"))


@main.command()
@click.option(
    "--endpoint",
    metavar="URL",
    required=True,
    envvar="DPRK_KG_ENDPOINT",
    show_envvar=True,
    help="The server's SPARQL query endpoint.",
)
@click.option("--update", "update_url", metavar="URL", help="Its SPARQL update endpoint [default: --endpoint].")
@click.option("--gsp", metavar="URL", help="Its Graph Store HTTP Protocol endpoint [default: --endpoint].")
@click.option("--user", envvar="DPRK_KG_USER", show_envvar=True, help="User for Basic or Digest authentication.")
@click.option(
    "--password-env",
    metavar="VAR",
    default="DPRK_KG_PASSWORD",
    show_default=True,
    help="Environment variable that holds the password (never given on the command line).",
)
@click.option(
    "--graph",
    "graphs",
    multiple=True,
    metavar="IRI",
    help="Push only this graph (repeatable): IRI or prefixed name, e.g. dataset:mitre-attack.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=300.0,
    show_default=True,
    help="Seconds to wait for the server's answer to each request.",
)
@click.pass_context
def push(
    ctx: click.Context,
    endpoint: str,
    update_url: str | None,
    gsp: str | None,
    user: str | None,
    password_env: str,
    graphs: tuple[str, ...],
    timeout: float,
) -> None:
    """Send the store's named graphs (curated sources and imported datasets) to a team's SPARQL
    1.1 server, where `dprk-kg query --endpoint` and other tools can read them.

    Readers see each graph old or new, never a partial one: a graph new on an Oxigraph server
    (0.5 or later) is loaded under its name in one atomic request; any other goes through the
    Graph Store HTTP Protocol into a fresh staging graph and one MOVE puts it in place; either way
    its triple count on the server is checked. A graph the server already holds with the same
    content is not sent again. Project graphs no longer in the store are dropped (not with
    --graph). The marker graph urn:dprk-kg:push, written last, names the build the server holds.
    A failure stops the push and says at which graph and why; re-running converges.

    \b
    Example:
        dprk-kg push --endpoint http://127.0.0.1:7878/query --update http://127.0.0.1:7878/update \\
            --gsp http://127.0.0.1:7878/store
        DPRK_KG_PASSWORD=... dprk-kg push --endpoint http://127.0.0.1:8890/sparql-auth \\
            --gsp http://127.0.0.1:8890/sparql-graph-crud-auth --user loader
        dprk-kg push --endpoint URL --graph dataset:mitre-attack
    """
    from graph import remote
    from graph.push import push as run_push
    from graph.render import push_text

    with remote.open_server(endpoint, update_url, gsp, user, password_env, timeout) as server:
        report = run_push(ctx.obj["store"], server, graphs, _progress)
    click.echo(push_text(report, remote.shown(report.endpoint), remote.MARKER_GRAPH), nl=False)


@main.command()
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; anything but loopback needs --allow-remote.",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=7878,
    show_default=True,
    help="Port to listen on (0 picks a free one).",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=30.0,
    show_default=True,
    help="Stop each query after this many seconds (answers 503).",
)
@click.option(
    "--cors", metavar="ORIGIN", help="Let pages from this one origin (e.g. http://localhost:3000) read the answers."
)
@click.option(
    "--allow-remote", is_flag=True, help="Allow a --host other than loopback: anyone who reaches it can read the store."
)
@click.option(
    "--hostname",
    "names",
    multiple=True,
    metavar="NAME",
    help="Another name clients use in the Host header (repeatable), e.g. with --allow-remote.",
)
@click.option(
    "--views",
    type=click.Path(path_type=Path, file_okay=False),
    default=paths.DEFAULT_EXPORTS,
    show_default=True,
    help="Folder of HTML views (build, viz) linked from the start page.",
)
@click.option(
    "--max-result",
    type=click.IntRange(min=1),
    default=64,
    show_default=True,
    metavar="MB",
    help="Largest answer in megabytes; a larger result is an error, never cut short.",
)
@click.option("-q", "--quiet", is_flag=True, help="Do not log each request to stderr.")
@click.pass_context
def serve(
    ctx: click.Context,
    host: str,
    port: int,
    timeout: float,
    cors: str | None,
    allow_remote: bool,
    names: tuple[str, ...],
    views: Path,
    max_result: int,
    quiet: bool,
) -> None:
    """Serve the store as a read-only SPARQL 1.1 endpoint at /sparql (GET, or POST as a form or
    application/sparql-query), with a start page at / listing the named queries and views.

    As with `query`, the project prefixes are predeclared, the default graph is the union of
    all graphs (default-graph-uri and named-graph-uri choose graphs of the store), and SERVICE,
    LOAD, updates and outside graphs are refused. Answers: SELECT/ASK as SPARQL JSON, XML, CSV
    or TSV; CONSTRUCT/DESCRIBE as Turtle, N-Triples, N-Quads or JSON-LD, by the Accept header.
    A rebuild or import while serving is seen by the next query. Stop with Ctrl-C.

    \b
    Example:
        dprk-kg serve
        dprk-kg serve --port 8000 --timeout 10 --cors http://localhost:3000
        curl -H 'Accept: text/csv' 'http://127.0.0.1:7878/sparql?query=ASK%7B%7D'
    """
    from graph import serve as server
    from graph.storage import ensure_current

    options = server.ServeOptions(
        store=ctx.obj["store"],
        host=host,
        port=port,
        timeout=timeout,
        cors=cors,
        allow_remote=allow_remote,
        names=names,
        views=views,
        max_result=max_result << 20,
        log=None if quiet else (lambda line: click.echo(line, err=True)),
    )
    for warning in server.check_options(options):
        click.echo(f"warning: {warning}", err=True)
    ensure_current(ctx.obj["store"], _progress)
    try:
        server.serve(
            options,
            lambda url: click.echo(
                f"Serving {ctx.obj['store']} read-only at {url}sparql (start page {url}); Ctrl-C stops"
            ),
        )
    except KeyboardInterrupt:
        click.echo("stopped", err=True)


@main.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["nquads", "trig"]),
    default="nquads",
    show_default=True,
    help="N-Quads (one quad a line) or TriG (a block per graph).",
)
@click.option(
    "--graph",
    "graphs",
    multiple=True,
    metavar="IRI",
    help="Dump only this graph (repeatable): an IRI or a CURIE such as src:x or dataset:x.",
)
@click.option(
    "-o",
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write to this file, replaced atomically [default: standard output].",
)
@click.pass_context
def dump(ctx: click.Context, fmt: str, graphs: tuple[str, ...], out: Path | None) -> None:
    """Dump the whole store, curated and imported graphs, sorted and deterministic: the same
    store always gives the same bytes. It streams, so memory stays bounded for any size;
    `load-dump` restores it.

    \b
    Example:
        dprk-kg dump -o store.nq
        dprk-kg dump --format trig --graph dataset:mitre-attack -o attack.trig
        dprk-kg dump | gzip > store.nq.gz
    """
    from graph import dump as dumper
    from graph.storage import ensure_current

    ensure_current(ctx.obj["store"], _progress)
    if out is None:
        stream = sys.stdout.buffer
        report = dumper.dump_store(ctx.obj["store"], stream, fmt, graphs)
        stream.flush()
    else:
        report = dumper.write_dump(ctx.obj["store"], out, fmt, graphs)
    where = f" to {out}" if out else ""
    click.echo(
        f"Dumped {report.quads:,} quads in {report.graphs:,} graph(s){where} in {report.seconds:.1f} s", err=True
    )


@main.command("load-dump")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["nquads", "trig"]),
    help="The dump's format [default: from the file name, .nq or .trig].",
)
@click.option("--replace", is_flag=True, help="Replace everything in a store that is not empty (in one transaction).")
@click.pass_context
def load_dump(ctx: click.Context, file: Path, fmt: str | None, replace: bool) -> None:
    """Restore a `dump` into the store (--store), which must be empty unless --replace is
    given. The restored store dumps to the same bytes.

    \b
    Example:
        dprk-kg --store /tmp/restored load-dump store.nq
        dprk-kg load-dump --replace store.trig
    """
    from graph import dump as dumper

    report = dumper.load_dump(ctx.obj["store"], file, fmt, replace)
    click.echo(
        f"Loaded {report.quads:,} quads in {report.graphs:,} graph(s) from {report.file} into "
        f"{report.store} in {report.seconds:.1f} s"
    )
    if not report.fingerprint:
        click.echo(
            "note: the dump records no curated-sources fingerprint; the next command "
            "rebuilds the curated graphs from sources/",
            err=True,
        )


@main.command()
@_format_option("table", "csv", "json")
@_WIDE_OPTION
@click.pass_context
def sources(ctx: click.Context, fmt: str, wide: bool) -> None:
    """List every imported dataset and curated source in the store, with its version, date,
    import time and triple count.

    \b
    Example:
        dprk-kg sources
        dprk-kg sources --format json
    """
    from graph import render
    from graph.importers import list_sources

    rows = list_sources(ctx.obj["store"], _progress)
    if fmt == "json":
        click.echo(render.render_json(rows), nl=False)
        return
    header = ["graph", "kind", "version", "date", "imported", "triples"]
    cells = [[r.graph, r.kind, r.version, r.issued, r.imported[:19], f"{r.triples:,}"] for r in rows]
    # the count first: after the table, a reader that stops early (`| head`) may never get it
    click.echo(f"{len(rows)} sources, {sum(r.triples for r in rows):,} triples", err=True)
    click.echo(
        render.render_csv(header, cells) if fmt == "csv" else render.render_table(header, cells, wide=_wide(wide)),
        nl=False,
    )


if __name__ == "__main__":
    sys.exit(main())
