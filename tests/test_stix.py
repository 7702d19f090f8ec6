"""export --format stix (issue 12): the bundle is valid STIX 2.1 (OASIS validator), MISP's own
importer reads it, the project's STIX importer reads its groups back, and it carries the
graph's provenance: reports per source and per sanction action, attributions with their
confidence, every reported amount beside its source, deterministic ids and bytes."""

from __future__ import annotations

import importlib
import json
import uuid
from pathlib import Path

import pytest

from .conftest import SHARED_DATA, run

STIX_FILE = "graph.stix.json"
SCO_NAMESPACE = uuid.UUID("00abedb4-aa42-466c-9c01-fed23315a9b7")


def validation_errors(path: Path) -> list[str]:
    """Every error stix2-validator finds in the bundle (warnings are documented in docs/stix.md)."""
    from stix2validator import ValidationOptions, validate_file

    result = validate_file(str(path), ValidationOptions(version="2.1"))
    errors = [f"{o.object_id}: {e}" for o in result.object_results for e in o.errors]
    return errors if errors or result.is_valid else ["the validator rejected the bundle"]


def export(runner, store: Path, out: Path, *options: str) -> dict:
    result = run(runner, store, "export", "--format", "stix", "--out", str(out), *options)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"wrote {out / STIX_FILE}"
    return json.loads((out / STIX_FILE).read_text(encoding="utf-8"))


class Bundle:
    """A parsed bundle with lookups by type, name and id."""

    def __init__(self, data: dict, path: Path):
        self.data, self.path = data, path
        self.by_id = {o["id"]: o for o in data["objects"]}

    def of_type(self, stix_type: str) -> list[dict]:
        return [o for o in self.data["objects"] if o["type"] == stix_type]

    def named(self, stix_type: str, name: str) -> dict:
        found = [o for o in self.of_type(stix_type) if o.get("name") == name]
        assert len(found) == 1, f"{len(found)} {stix_type} objects named {name!r}"
        return found[0]

    def relationships(self, kind: str, source: dict, target: dict) -> list[dict]:
        return [
            o
            for o in self.of_type("relationship")
            if o["relationship_type"] == kind and o["source_ref"] == source["id"] and o["target_ref"] == target["id"]
        ]

    def relationships_of(self, obj: dict) -> list[dict]:
        return [o for o in self.of_type("relationship") if obj["id"] in (o["source_ref"], o["target_ref"])]

    def extension(self, obj: dict, name: str) -> dict:
        definitions = {o["name"]: o["id"] for o in self.of_type("extension-definition")}
        return obj["extensions"][definitions[name]]


@pytest.fixture(scope="module")
def curated(built, tmp_path_factory) -> Bundle:
    from click.testing import CliRunner

    out = tmp_path_factory.mktemp("stix")
    return Bundle(export(CliRunner(), built["store"], out), out / STIX_FILE)


@pytest.fixture(scope="session")
def real_export(tmp_path_factory):
    """Build, once, a store with the curated graph and the shared datasets, and export it
    whole (``full``) and around the Lazarus Group (``focus``).

        Tests request ``shared_data`` first, so they skip before this runs when ../shared is absent.
        The tayvano importer is being added on another branch: until it lands, the datasets are
        imported here with the CLI, the tayvano markdown file left out; then this becomes
        ``real_store.set_up(store)``.
    """
    from click.testing import CliRunner

    cache: dict[str, Bundle] = {}

    def make() -> dict[str, Bundle]:
        if not cache:
            real_store = importlib.import_module("bench.real_store")
            root = tmp_path_factory.mktemp("real-stix")
            store, matches = root / "store", root / "matches.csv"
            matches.write_bytes((Path(real_store.REPO) / "links" / "matches.csv").read_bytes())
            runner = CliRunner()
            assert run(runner, store, "build", "--quiet", "--out", str(root / "exports")).exit_code == 0
            for kind, path in real_store.available_imports(SHARED_DATA):
                if path.suffix == ".md":
                    continue
                result = run(runner, store, "import", kind, str(path), "--matches", str(matches))
                assert result.exit_code == 0, result.output
            cache["full"] = Bundle(export(runner, store, root / "full"), root / "full" / STIX_FILE)
            focus = ("--focus", "Lazarus Group", "--depth", "1")
            cache["focus"] = Bundle(export(runner, store, root / "focus", *focus), root / "focus" / STIX_FILE)
        return cache

    return make


# ---------------------------------------------------------------- validity and determinism


def test_curated_bundle_is_valid_stix(curated):
    assert validation_errors(curated.path) == []
    import stix2

    parsed = stix2.parse(curated.data, allow_custom=True)
    assert len(parsed.objects) == len(curated.data["objects"])
    types = {o["type"] for o in curated.data["objects"]}
    assert {
        "identity",
        "intrusion-set",
        "location",
        "incident",
        "relationship",
        "report",
        "cryptocurrency-wallet",
        "extension-definition",
        "threat-actor",
    } <= types


def test_same_graph_gives_same_bytes(runner, built, curated, tmp_path):
    export(runner, built["store"], tmp_path)
    assert (tmp_path / STIX_FILE).read_bytes() == curated.path.read_bytes()


def test_ids_are_deterministic_uuid5(curated):
    for obj in curated.data["objects"]:
        assert uuid.UUID(obj["id"].split("--")[1]).version == 5, obj["id"]
    for wallet in curated.of_type("cryptocurrency-wallet"):
        expected = uuid.uuid5(SCO_NAMESPACE, json.dumps({"value": wallet["value"]}, separators=(",", ":")))
        assert wallet["id"] == f"cryptocurrency-wallet--{expected}"


def test_timestamps_come_from_the_data(curated):
    """Dates in the data have no time of day: a clock would leave one."""
    stamps = {o[k] for o in curated.data["objects"] for k in ("created", "modified", "published") if k in o}
    assert stamps and all(s.endswith("T00:00:00.000Z") for s in stamps)
    tornado_delisting = [r for r in curated.of_type("report") if "sanction-delisting" in r.get("labels", [])]
    assert {r["published"] for r in tornado_delisting} == {"2025-03-21T00:00:00.000Z"}


# ---------------------------------------------------------------- the mapping


def test_lazarus_group_is_one_intrusion_set_with_its_identifiers(curated):
    lazarus = curated.named("intrusion-set", "Lazarus Group")
    refs = {(r["source_name"], r.get("external_id")) for r in lazarus["external_references"]}
    assert ("mitre-attack", "G0032") in refs
    assert ("dprk-kg", "kg:lazarus-group") in refs
    assert "APT28" not in json.dumps([o.get("aliases", []) for o in curated.data["objects"]])
    north_korea = curated.named("location", "North Korea")
    assert north_korea["country"] == "KP"
    assert curated.relationships("originates-from", lazarus, north_korea)
    for sub_group in ("Bluenoroff", "Andariel"):
        related = curated.relationships("related-to", curated.named("intrusion-set", sub_group), lazarus)
        assert related and all("is a sub-group of" in r["description"] for r in related)


def test_attribution_keeps_who_when_confidence_and_source(curated):
    bybit = curated.named("incident", "Bybit hack")
    fbi = curated.named("identity", "FBI")
    found = [
        r
        for r in curated.of_type("relationship")
        if r["relationship_type"] == "attributed-to"
        and r["source_ref"] == bybit["id"]
        and r.get("created_by_ref") == fbi["id"]
    ]
    assert found
    dated = [r for r in found if r.get("start_time") == "2025-02-26T00:00:00.000Z"]
    assert dated and {r["confidence"] for r in dated} == {85}
    assert any(ref.get("url", "").startswith("https://") for r in dated for ref in r["external_references"])
    levels = {r.get("confidence") for r in curated.of_type("relationship") if r["relationship_type"] == "attributed-to"}
    assert levels <= {85, 50, 15, None} and {85, 15} <= levels


def test_incident_keeps_every_reported_amount_with_its_source(curated, built):
    from .conftest import ask

    bybit = curated.named("incident", "Bybit hack")
    losses = curated.extension(bybit, "dprk-kg reported amounts")["reported_losses"]
    stated = ask(
        built["store"],
        "SELECT ?v WHERE { <https://w3id.org/dprk-kg/id/bybit-hack> "
        "dkg:reportedLoss ?a . ?a <https://schema.org/value> ?v }",
    )
    assert sorted(x["value"] for x in losses) == sorted(v for (v,) in stated)
    assert {"1500000000", "1400000000"} <= {x["value"] for x in losses}
    assert all(x["source"] for x in losses)
    for loss in losses:
        assert loss["text"] in bybit["description"]
    # the earliest day any source gives: one outlet's "Feb 19" (facts.md keeps it as a conflicting value)
    assert bybit["first_seen"] == "2025-02-19T00:00:00.000Z" and bybit["incident_type"] == "cybercrime"


def test_sanctions_are_reports_per_action(curated):
    ofac = curated.named("identity", "Office of Foreign Assets Control")
    tornado = curated.named("identity", "Tornado Cash")
    actions = sorted(
        (r["labels"][0], r["published"][:10])
        for r in curated.of_type("report")
        if tornado["id"] in r["object_refs"] and r["labels"][0].startswith("sanction-")
    )
    assert actions == [
        ("sanction-delisting", "2025-03-21"),
        ("sanction-designation", "2022-08-08"),
        ("sanction-redesignation", "2022-11-01"),
    ]
    lazarus = curated.named("intrusion-set", "Lazarus Group")
    designation = [
        r
        for r in curated.of_type("report")
        if r["labels"] == ["sanction-designation"] and lazarus["id"] in r["object_refs"]
    ]
    assert len(designation) == 1
    report = designation[0]
    assert report["created_by_ref"] == ofac["id"] and report["published"].startswith("2019-09-13")
    fields = curated.extension(report, "dprk-kg sanction action")
    assert fields["legal_basis"] == ["E.O. 13722"] and fields["listing_date"] == "2019-09-13"
    assert fields["authority_ref"] == ofac["id"] and fields["action"] == "designation"
    definition = curated.named("extension-definition", "dprk-kg sanction action")
    schema = json.loads(definition["schema"])
    assert set(fields) <= set(schema["properties"])


def test_source_documents_are_reports_with_publisher_and_url(curated):
    sm774 = [
        r
        for r in curated.of_type("report")
        if any(
            ref.get("external_id") == "src:us-treasury-2019-09-13-sm774-lazarus-sanctions"
            for ref in r["external_references"]
        )
        and "report_types" in r
    ]
    assert len(sm774) == 1
    report = sm774[0]
    assert report["published"] == "2019-09-13T00:00:00.000Z"
    assert curated.by_id[report["created_by_ref"]]["name"] == "U.S. Department of the Treasury"
    assert "https://home.treasury.gov/news/press-releases/sm774" in {
        ref.get("url") for ref in report["external_references"]
    }
    assert curated.named("intrusion-set", "Lazarus Group")["id"] in report["object_refs"]
    assert all(ref in curated.by_id for r in curated.of_type("report") for ref in r["object_refs"])


def test_wallets_are_observables_related_to_holders(curated):
    wallets = curated.of_type("cryptocurrency-wallet")
    assert wallets and all(w["value"] for w in wallets)
    # chain and asset as labels where a source states them (the CoinEx address has no stated chain)
    assert any(label.startswith("chain:") for w in wallets for label in w.get("labels", []))
    assert all(w.get("labels") != [] for w in wallets)
    held = [
        r
        for r in curated.of_type("relationship")
        if r["source_ref"] in {w["id"] for w in wallets} and "is held by" in r.get("description", "")
    ]
    assert held


# ---------------------------------------------------------------- options


def test_as_of_counts_only_sources_issued_by_then(runner, built, tmp_path):
    bundle = Bundle(export(runner, built["store"], tmp_path, "--as-of", "2022-12-31"), tmp_path / STIX_FILE)
    assert validation_errors(bundle.path) == []
    assert max(r["published"] for r in bundle.of_type("report")) <= "2022-12-31T23:59:59Z"
    assert not [o for o in bundle.of_type("incident") if o["name"] == "Bybit hack"]
    assert not [r for r in bundle.of_type("report") if "sanction-delisting" in r.get("labels", [])]


def test_focus_view_is_valid_and_closed(runner, built, tmp_path):
    bundle = Bundle(
        export(runner, built["store"], tmp_path, "--focus", "Lazarus Group", "--depth", "1"), tmp_path / STIX_FILE
    )
    assert validation_errors(bundle.path) == []
    lazarus = bundle.named("intrusion-set", "Lazarus Group")
    for rel in bundle.of_type("relationship"):
        assert rel["source_ref"] in bundle.by_id and rel["target_ref"] in bundle.by_id
    for obj in bundle.data["objects"]:
        assert obj.get("created_by_ref") is None or obj["created_by_ref"] in bundle.by_id
    attributed = {
        r["source_ref"] for r in bundle.relationships_of(lazarus) if r["relationship_type"] == "attributed-to"
    }
    assert attributed and {o["id"] for o in bundle.of_type("incident")} == attributed


def test_bad_options_are_refused(runner, built, tmp_path):
    unknown = run(
        runner,
        built["store"],
        "export",
        "--format",
        "stix",
        "--out",
        str(tmp_path),
        "--focus",
        "No Such Group Anywhere",
    )
    assert unknown.exit_code == 2 and unknown.stderr.startswith("Error: no entity named")
    bad_date = run(
        runner, built["store"], "export", "--format", "stix", "--out", str(tmp_path), "--as-of", "2025-02-30"
    )
    assert bad_date.exit_code == 2 and "--as-of" in bad_date.stderr
    source = run(
        runner,
        built["store"],
        "export",
        "--format",
        "stix",
        "--out",
        str(tmp_path),
        "--focus",
        "kg:amount-ap-fbi-north-korean-hackers-bybit-bybit-1-5b",
    )
    assert source.exit_code == 2 and "Error:" in source.stderr
    not_stix = run(runner, built["store"], "export", "--format", "csv", "--out", str(tmp_path), "--as-of", "2024")
    assert not_stix.exit_code == 2 and "--format stix" in not_stix.stderr
    assert not (tmp_path / STIX_FILE).exists()


# ---------------------------------------------------------------- other readers


def misp_events(bundle: Bundle, out: Path) -> list[dict]:
    """The MISP events misp-stix makes of the bundle (STIX 2.1 to MISP, one event per report)."""
    from misp_stix_converter import stix_2_to_misp

    result = stix_2_to_misp(str(bundle.path), output_dir=str(out))
    assert result["success"] == 1, result
    return [json.loads(p.read_text()) for p in sorted(out.glob("*.misp.out"))]


def test_misp_reads_one_event_per_report_with_its_producer(curated, tmp_path):
    events = misp_events(curated, tmp_path)
    reports = curated.of_type("report")
    assert sorted(e["uuid"] for e in events) == sorted(r["id"].split("--")[1] for r in reports)
    by_uuid = {e["uuid"]: e for e in events}
    for report in reports:
        tags = {t["name"] for t in by_uuid[report["id"].split("--")[1]].get("Tag", [])}
        if "created_by_ref" in report:
            producer = curated.by_id[report["created_by_ref"]]["name"]
            assert f'misp-galaxy:producer="{producer}"' in tags
        assert set(report.get("labels", [])) <= tags
    sanction_tags = {t["name"] for e in events for t in e.get("Tag", []) if t["name"].startswith("sanction-")}
    assert sanction_tags == {"sanction-designation", "sanction-redesignation", "sanction-delisting"}
    clusters = [
        c for e in events for g in e.get("Galaxy", []) for c in g["GalaxyCluster"] if c["value"] == "Lazarus Group"
    ]
    assert clusters and all("G0032" in c["meta"]["external_id"] for c in clusters)


def test_the_projects_stix_importer_reads_the_groups_back(curated):
    from graph.importers.attack import load_bundle, to_quads
    from graph.importers.dataset import dataset_info

    info = dataset_info("mitre-attack", "round-trip", "", curated.path)
    quads = to_quads(load_bundle(curated.path), info)
    assert quads.skipped == [] and quads.counts["groups"] == len(curated.of_type("intrusion-set"))
    back = {e.label: e for e in quads.entities}
    for group in curated.of_type("intrusion-set"):
        entity = back[group["name"]]
        assert sorted(entity.aliases) == sorted(group.get("aliases", []))
        attack = [r["external_id"] for r in group["external_references"] if r["source_name"] == "mitre-attack"]
        assert (("attackId", attack[0]) in entity.identifiers) if attack else len(entity.identifiers) == 1
        assert ("stixId", group["id"]) in entity.identifiers


# ---------------------------------------------------------------- every shared dataset imported


def shape(value, key: str | None = None):
    """What the validator checks of a value: its structure, the ids' types and the vocabulary
    values, not the free text."""
    if key in SHAPE_VOCABULARY:
        return json.dumps(value, sort_keys=True)
    if isinstance(value, dict):
        return tuple(sorted((k, shape(v, k)) for k, v in value.items()))
    if isinstance(value, list):
        return "list", tuple(sorted({shape(v) for v in value}, key=repr))
    if isinstance(value, str):
        return value.split("--")[0] + "--" if "--" in value[:40] else "text"
    return type(value).__name__


SHAPE_VOCABULARY = {
    "type",
    "spec_version",
    "labels",
    "identity_class",
    "relationship_type",
    "report_types",
    "extension_type",
    "extension_types",
    "country",
    "incident_type",
    "source_name",
    "action",
    "status",
    "confidence",
}


@pytest.mark.shared
def test_bundle_with_every_dataset_is_valid(shared_data, real_export, tmp_path):
    """The whole bundle (35,000 objects, about 30 minutes for the validator object by object) is
    validated as one object of each shape (``shape``): objects of one shape differ only in free
    text and in ids and timestamps that one function writes for all. The focus view is
    validated whole."""
    bundles = real_export()
    full, focus = bundles["full"], bundles["focus"]
    assert validation_errors(focus.path) == []
    representatives: dict = {}
    for obj in full.data["objects"]:
        representatives.setdefault(shape(obj), obj)
    sample = tmp_path / "shapes.json"
    sample.write_text(json.dumps({**full.data, "objects": list(representatives.values())}))
    assert validation_errors(sample) == []
    assert len(full.of_type("intrusion-set")) > 100 and full.of_type("incident")
    aliases = [a for o in full.data["objects"] for a in o.get("aliases", [])]
    assert "APT28" not in aliases
    assert len(aliases) == len(set(aliases)), "an alias on two objects makes OpenCTI merge them"


@pytest.mark.shared
def test_misp_keeps_lazarus_synonyms_and_attack_id(shared_data, real_export, tmp_path):
    focus = real_export()["focus"]
    lazarus = focus.named("intrusion-set", "Lazarus Group")
    assert len(lazarus["aliases"]) >= 5 and "APT28" not in lazarus["aliases"]
    events = misp_events(focus, tmp_path)
    assert len(events) == len(focus.of_type("report"))
    clusters = [
        c for e in events for g in e.get("Galaxy", []) for c in g["GalaxyCluster"] if c["value"] == "Lazarus Group"
    ]
    assert clusters
    for cluster in clusters:
        assert "G0032" in cluster["meta"]["external_id"]
        assert sorted(cluster["meta"]["synonyms"]) == sorted(lazarus["aliases"])


def test_the_reader_gives_every_value_as_the_store_holds_it():
    """The export reads the store's statements as SPARQL TSV results and unquotes them itself:
    each value is the one the store holds, whatever the literal carries (tabs, newlines, quotes,
    backslashes, a language, a datatype, a number), and blank nodes keep their ids."""
    import pyoxigraph as ox

    from graph.stix.read import read

    dkg, xsd = "https://w3id.org/dprk-kg/ns#", "http://www.w3.org/2001/XMLSchema#"
    graph = ox.NamedNode("https://w3id.org/dprk-kg/source/s")
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    values = [
        ox.Literal('tab\there, line\nbreak, \r, "quoted", back\\slash \\n, \u2028 and \U0001d518'),
        ox.Literal('ends with a quote"'),
        ox.Literal(""),
        ox.Literal("Lazarus", language="en"),
        ox.Literal("012", datatype=ox.NamedNode(xsd + "integer")),
        ox.Literal("2.50", datatype=ox.NamedNode(xsd + "decimal")),
        ox.Literal("true", datatype=ox.NamedNode(xsd + "boolean")),
        ox.Literal("2022-08-08", datatype=ox.NamedNode(xsd + "date")),
        ox.NamedNode("https://example.org/a?b=c#d"),
        ox.BlankNode("amount1"),
    ]
    store = ox.Store()
    for i, value in enumerate(values):
        store.add(ox.Quad(ox.NamedNode(f"{dkg}n{i}"), label, value, graph))
    store.add(ox.Quad(ox.BlankNode("node1"), label, ox.Literal("a blank subject"), graph))
    facts = read(store, ["rdfs:label"])
    expected = {
        q.subject.value: [(q.object.value, graph.value)] for q in store.quads_for_pattern(None, label, None, None)
    }
    assert {node: props[label.value] for node, props in facts.nodes.items()} == expected
    assert facts.nodes[f"{dkg}n0"][label.value][0][0] == values[0].value
