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
  3    the store is missing, locked or unreadable
  4    an output file or folder cannot be written
  5    a query ran past --timeout
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
    for path in [*report.files, *report.extra]:
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


if __name__ == "__main__":
    sys.exit(main())
