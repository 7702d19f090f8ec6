"""Write a synthetic dprk-kg graph of about N triples as N-Quads, deterministic for a seed.

It uses the project's own vocabulary and shape: actors (groups under the Lazarus Group, which
North Korea controls), incidents with amounts, attributions, mixers, sanctions (some delisted),
launderings, addresses and theft estimates, each source document its own named graph. Names and
figures are random and fictitious (``synth-`` IRIs); they only give the queries work to do.

    python bench/generate.py 100000 bench/out/synthetic-100000.nq
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

DKG = "https://w3id.org/dprk-kg/ns#"
KG = "https://w3id.org/dprk-kg/id/"
SRC = "https://w3id.org/dprk-kg/source/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
ALT = "http://www.w3.org/2004/02/skos/core#altLabel"
SUB = "http://www.w3.org/ns/org#subOrganizationOf"
SDO = "https://schema.org/"
XSD = "http://www.w3.org/2001/XMLSchema#"


def _iri(value: str) -> str:
    return f"<{value}>"


def _lit(value: str, datatype: str | None = None) -> str:
    return f'"{value}"^^<{XSD}{datatype}>' if datatype else f'"{value}"'


def generate(triples: int, seed: int = 7) -> bytes:
    """About ``triples`` quads (a little more: the last source document is completed)."""
    rng = random.Random(seed)
    lines: list[str] = []
    graph = ""

    def add(s: str, p: str, o: str) -> None:
        lines.append(f"{_iri(s)} {_iri(p)} {o} {_iri(graph)} .")

    graph = SRC + "synth-core"
    add(SRC + "synth-core", RDF_TYPE, _iri(DKG + "SourceDocument"))
    add(KG + "dprk", RDF_TYPE, _iri(DKG + "State"))
    add(KG + "dprk", LABEL, _lit("North Korea"))
    add(KG + "lazarus-group", RDF_TYPE, _iri(DKG + "ThreatGroup"))
    add(KG + "lazarus-group", LABEL, _lit("Lazarus Group"))
    add(KG + "lazarus-group", DKG + "controlledBy", _iri(KG + "dprk"))
    actors = [KG + "lazarus-group"]
    mixers: list[str] = []
    incidents: list[str] = []
    doc = 0
    while len(lines) < triples:
        doc += 1
        graph = SRC + f"synth-{doc}"
        add(graph, RDF_TYPE, _iri(DKG + "SourceDocument"))
        add(graph, "http://purl.org/dc/terms/title", _lit(f"Synthetic report {doc}"))
        add(
            graph,
            "http://purl.org/dc/terms/issued",
            _lit(f"{rng.randint(2017, 2025)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}", "date"),
        )
        if doc % 5 == 1:
            actor = KG + f"synth-group-{len(actors)}"
            add(actor, RDF_TYPE, _iri(DKG + "ThreatGroup"))
            add(actor, LABEL, _lit(f"Group {len(actors)}"))
            add(actor, ALT, _lit(f"APT-{len(actors)}"))
            add(actor, SUB, _iri(rng.choice(actors)))
            actors.append(actor)
        if doc % 7 == 1:
            mixer = KG + f"synth-mixer-{len(mixers)}"
            add(mixer, RDF_TYPE, _iri(DKG + "Mixer"))
            add(mixer, LABEL, _lit(f"Mixer {len(mixers)}"))
            sanction = KG + f"synth-sanction-{len(mixers)}"
            add(sanction, RDF_TYPE, _iri(DKG + "Sanction"))
            add(sanction, DKG + "sanctionTarget", _iri(mixer))
            add(sanction, DKG + "authority", _iri(KG + "ofac"))
            add(
                sanction,
                DKG + "listingDate",
                _lit(f"20{rng.randint(18, 24)}-0{rng.randint(1, 9)}-0{rng.randint(1, 9)}", "date"),
            )
            add(sanction, DKG + "legalBasis", _lit(f"E.O. {rng.randint(13000, 14000)}"))
            if rng.random() < 0.2:
                add(sanction, DKG + "endDate", _lit("2025-03-21", "date"))
            address = KG + f"synth-address-{len(mixers)}"
            add(address, RDF_TYPE, _iri(DKG + "CryptoAddress"))
            add(address, DKG + "address", _lit(f"0x{rng.getrandbits(160):040x}"))
            add(address, DKG + "chain", _lit("ETH"))
            add(address, DKG + "listedUnder", _iri(sanction))
            mixers.append(mixer)
        for _ in range(rng.randint(1, 3)):
            if incidents and rng.random() < 0.5:
                incident = rng.choice(incidents)
            else:
                incident = KG + f"synth-incident-{len(incidents)}"
                incidents.append(incident)
                add(incident, RDF_TYPE, _iri(DKG + "Incident"))
                add(incident, LABEL, _lit(f"Incident {len(incidents)}"))
            add(
                incident,
                DKG + "eventDate",
                _lit(f"20{rng.randint(17, 25)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}", "date"),
            )
            amount = KG + f"synth-amount-{doc}-{len(lines)}"
            add(incident, DKG + "reportedLoss", _iri(amount))
            add(amount, RDF_TYPE, _iri(SDO + "MonetaryAmount"))
            add(amount, SDO + "value", _lit(str(rng.randint(1, 2000) * 1_000_000), "decimal"))
            add(amount, SDO + "currency", _lit("USD"))
            attribution = KG + f"synth-attribution-{doc}-{len(lines)}"
            add(attribution, RDF_TYPE, _iri(DKG + "Attribution"))
            add(attribution, DKG + "attributedIncident", _iri(incident))
            add(attribution, DKG + "attributedTo", _iri(rng.choice(actors)))
            add(attribution, DKG + "attributedBy", _iri(KG + f"synth-vendor-{rng.randint(0, 20)}"))
            add(
                attribution,
                DKG + "attributionDate",
                _lit(f"20{rng.randint(18, 25)}-0{rng.randint(1, 9)}-2{rng.randint(0, 8)}", "date"),
            )
            if mixers and rng.random() < 0.4:
                laundering = KG + f"synth-laundering-{doc}-{len(lines)}"
                add(laundering, RDF_TYPE, _iri(DKG + "Laundering"))
                add(laundering, DKG + "proceedsOf", _iri(incident))
                add(laundering, DKG + "launderedThrough", _iri(rng.choice(mixers)))
        estimate = KG + f"synth-estimate-{doc}"
        amount = KG + f"synth-estimate-amount-{doc}"
        add(estimate, RDF_TYPE, _iri(DKG + "TheftEstimate"))
        add(estimate, DKG + "estimatedBy", _iri(KG + f"synth-vendor-{rng.randint(0, 20)}"))
        add(estimate, DKG + "estimateOf", _iri(KG + "dprk"))
        add(estimate, DKG + "year", _lit(str(rng.randint(2017, 2025)), "gYear"))
        add(estimate, DKG + "estimatedAmount", _iri(amount))
        add(amount, SDO + "value", _lit(str(rng.randint(100, 3000) * 1_000_000), "decimal"))
        add(amount, SDO + "currency", _lit("USD"))
    return ("\n".join(lines) + "\n").encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("triples", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(generate(args.triples, args.seed))


if __name__ == "__main__":
    main()
