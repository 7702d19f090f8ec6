"""Set up a store holding the curated graph and every dataset of ``../shared/data``.

This is the store every issue is judged on ("a fresh clone with every shared dataset imported").
Tests (the ``real_store`` fixture), benchmarks and a person trying the tool use the same steps:
``dprk-kg build`` then one ``dprk-kg import`` per file, in the order below, through the CLI
exactly as the README prints them. Imports write their match proposals to a copy of
``links/matches.csv`` (``--matches``) unless ``--matches`` names the real file, so setting up a
scratch store never edits the reviewed match file.

Example:
    python bench/real_store.py /tmp/real/store           # a scratch store, matches copied
    python bench/real_store.py exports/store --matches links/matches.csv
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared" / "data"

#: (import kind, file or folder under ../shared/data), in import order.
IMPORTS: tuple[tuple[str, str], ...] = (
    ("ofac-sdn", "ofac_sdn_csv/sdn_2022-08-02.csv"),
    ("ofac-sdn", "ofac_sdn_csv/sdn_2022-08-08.csv"),
    ("ofac-sdn", "ofac_sdn_csv/sdn_2024-05-03.csv"),
    ("attack", "mitre_attack_enterprise/enterprise-attack.json"),
    ("misp-galaxy", "misp_galaxy_threat_actor/threat-actor.json"),
    ("incidents", "defillama_hacks_csv/defi_exploits.csv"),
    ("incidents", "dn_institute_crypto_incidents/incidents"),
    ("incidents", "tayvano_lazarus_incidents/breakdown_of_incidents.md"),
)


def available_imports(shared: Path = SHARED) -> list[tuple[str, Path]]:
    """The imports whose files exist under ``shared`` (a dataset not there is left out)."""
    return [(kind, shared / rel) for kind, rel in IMPORTS if (shared / rel).exists()]


def set_up(
    store: Path,
    matches: Path | None = None,
    exports: Path | None = None,
    command: list[str] | None = None,
    quiet: bool = True,
    imports: list[tuple[str, Path]] | None = None,
) -> list[str]:
    """Build the curated graph into ``store`` and import every shared dataset into it.

    ``matches`` is the match file the imports read and update (default: a copy of
    ``links/matches.csv`` beside the store); ``imports`` replaces the list of (kind, path) to
    import (default: every shared dataset there is). Returns the command lines run, for the record.
    Raises ``RuntimeError`` naming the command when one fails.
    """
    store = Path(store)
    store.parent.mkdir(parents=True, exist_ok=True)
    if matches is None:
        matches = store.parent / "matches.csv"
        shutil.copyfile(REPO / "links" / "matches.csv", matches)
    exports = exports or store.parent / "exports"
    base = command or [sys.executable, "-m", "cli"]
    lines = [[*base, "--store", str(store), "build", "--quiet", "--out", str(exports)]]
    for kind, path in available_imports() if imports is None else imports:
        lines.append([*base, "--store", str(store), "import", kind, str(path), "--matches", str(matches)])
    for line in lines:
        done = subprocess.run(line, cwd=REPO, capture_output=quiet, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(line)} exited {done.returncode}: {done.stderr or ''}")
    return [" ".join(line) for line in lines]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store", type=Path, help="the store folder to create (must not exist)")
    parser.add_argument("--matches", type=Path, help="match file the imports use (default: a copy)")
    args = parser.parse_args()
    if args.store.exists():
        parser.error(f"{args.store} exists; give a new folder")
    if not SHARED.is_dir():
        parser.error(f"no shared datasets at {SHARED}")
    started = time.perf_counter()
    try:
        lines = set_up(args.store, args.matches, quiet=False)
    except RuntimeError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    for line in lines:
        print(f"ran: {line}", file=sys.stderr)
    print(f"store with every shared dataset at {args.store} in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
