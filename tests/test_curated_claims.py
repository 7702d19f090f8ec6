"""Every curated claim, one by one: each must be in the built graph, in the named graph of its source.

One row per claim: an id (the facts.md row or seed it comes from), the stem of the source file that
states it, and a SPARQL pattern that must match inside ``GRAPH src:<stem> { ... }``. Amounts are
compared as exact ``xsd:decimal`` literals, dates with their datatype, so a wrong value, a float or
a missing source fails the row. Conflicting values each have their own row in their own source.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import URIRef
from rdflib.namespace import RDF

from graph.build import load_dataset
from graph.paths import SOURCES_DIR

PREFIXES = """
PREFIX dkg: <https://w3id.org/dprk-kg/ns#>
PREFIX kg: <https://w3id.org/dprk-kg/id/>
PREFIX src: <https://w3id.org/dprk-kg/source/>
PREFIX schema: <https://schema.org/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""
SRC = "https://w3id.org/dprk-kg/source/"


def usd(value: str, qualifier: str | None = None, currency: str = "USD", var: str = "?a") -> str:
    """The pattern of an amount node ``var`` worth exactly ``value`` (an xsd:decimal lexical form)."""
    q = f' ; dkg:amountQualifier "{qualifier}"' if qualifier else ""
    return f'{var} a schema:MonetaryAmount ; schema:value "{value}"^^xsd:decimal ; schema:currency "{currency}"{q} .'


def loss(incident: str, value: str, qualifier: str | None = None, currency: str = "USD") -> str:
    return f"kg:{incident} a dkg:Incident ; dkg:reportedLoss ?a . " + usd(value, qualifier, currency)


def estimate(by: str, value: str, qualifier: str | None = None, currency: str = "USD", of: str | None = "kg:dprk",
             extra: str = "") -> str:
    of_pattern = f"dkg:estimateOf {of} ;" if of else "FILTER NOT EXISTS { ?e dkg:estimateOf ?x } ?e"
    if of:
        head = f"?e a dkg:TheftEstimate ; dkg:estimatedBy {by} ; {of_pattern} dkg:estimatedAmount ?a {extra} . "
    else:
        head = (f"?e a dkg:TheftEstimate ; dkg:estimatedBy {by} ; dkg:estimatedAmount ?a {extra} . "
                "FILTER NOT EXISTS { ?e dkg:estimateOf ?x } ")
    return head + usd(value, qualifier, currency)


def laundering(through: str, value: str, qualifier: str | None = None, extra: str = "") -> str:
    return (f"?l a dkg:Laundering ; dkg:launderedThrough {through} ; dkg:launderedAmount ?a {extra} . "
            + usd(value, qualifier))


def attribution(incident: str, to: str, by: str, extra: str = "") -> str:
    return (f"?t a dkg:Attribution ; dkg:attributedIncident kg:{incident} ; dkg:attributedTo {to} ; "
            f"dkg:attributedBy {by} {extra} .")


def claim(about: str, words: str, extra: str = "") -> str:
    """A dkg:Claim about ``about`` whose English statement contains ``words``."""
    return (f'?c a dkg:Claim ; dkg:about {about} ; dkg:statement ?s {extra} . '
            f'FILTER(CONTAINS(LCASE(STR(?s)), LCASE("{words}")) && LANG(?s) = "en")')


def d(value: str) -> str:
    kind = {4: "gYear", 7: "gYearMonth", 10: "date"}[len(value)]
    return f'"{value}"^^xsd:{kind}'


SANCTION_2019 = ["lazarus-group", "bluenoroff", "andariel"]
S1_FILES = ["us-treasury-2019-09-13-sm774-lazarus-sanctions", "willkie-2019-09-13-ofac-targets-north-korean-state"]
S2_FILES = ["blockchainlegalresource-2019-09-ofac-sanctions-north-korean-crypto-hackers", "securitytoday-2019-09-17-ofac-north-korean-hackers"]
S3_FILES = ["sc-magazine-2022-04-15-fbi-axie-infinity-theft", "law360-2022-04-14-ofac-lazarus-ronin-address"]
S4_FILES = ["crowdfundinsider-2022-05-blender-io-sanctioned", "thecoinrise-blender-added-to-treasury-sanction-list"]
S5_FILES = ["us-treasury-2022-08-08-jy0916-tornado-cash", "worldecr-treasury-turns-screws-on-tornado-cash",
            "cnn-us-sanctions-tornado-cash-north-korea", "law360-tornado-cash-sanctions"]
S7_FILES = ["steptoe-treasury-delists-tornado-cash", "ofac-2025-03-21-recent-action-tornado-cash-delisting",
            "coindesk-why-ofac-delisted-tornado-cash"]
S8_FILES = ["sc-magazine-2023-11-30-lazarus-linked-mixer-sinbad-sanctions", "cryptofigures-sinbad-sanctions", "now-bitcoin-sinbad-sanctions"]
ADDR_RONIN = "kg:address-eth-0x098b716b8aaf21512996dc57eb0615e2383e2f96"

CLAIMS: list[tuple[str, str, str]] = []


def row(claim_id: str, stem: str, pattern: str) -> None:
    CLAIMS.append((claim_id, stem, pattern))


# ---------------------------------------------------------------- seed article 1 (TRM Labs, 2023)
SEED1 = "seed-article-1-trm-2023"
row("seed1-source", SEED1, f'src:{SEED1} a dkg:SourceDocument ; dkg:documentKind dkg:NewsArticle ; '
    'dcterms:title "North Korea Accused of Stealing Over $700 Million in Cryptocurrency in 2023" ; '
    'prov:wasQuotedFrom ?r . ?r a dkg:SourceDocument ; dcterms:publisher kg:trm-labs .')
row("seed1-headline-700m", SEED1, estimate("kg:trm-labs", "700000000", "more than", extra='; dkg:year "2023"^^xsd:gYear'))
row("seed1-2023-over-600m", SEED1, estimate("kg:trm-labs", "600000000", "more than", extra='; dkg:year "2023"^^xsd:gYear'))
row("seed1-2023-possibly-700m", SEED1, estimate("kg:trm-labs", "700000000", "possibly", extra='; dkg:year "2023"^^xsd:gYear'))
row("seed1-two-years-1-5b", SEED1, estimate("kg:trm-labs", "1500000000", "about",
    extra='; dkg:periodStart "2022"^^xsd:gYear ; dkg:periodEnd "2023"^^xsd:gYear'))
row("seed1-weapons-funding", SEED1, claim("kg:dprk", "ballistic missile programs"))
row("seed1-assets", SEED1, claim("kg:dprk", "Ethereum, Bitcoin and Tether"))
row("seed1-sanction-lazarus", SEED1, "kg:sanction-ofac-lazarus-group-2019-09-13 a dkg:Sanction ; dkg:sanctionTarget kg:lazarus-group .")
row("seed1-sanction-sinbad", SEED1, "kg:sanction-ofac-sinbad-2023-11-29 a dkg:Sanction ; dkg:sanctionTarget kg:sinbad .")
row("seed1-lazarus-state-sponsored", SEED1, "kg:lazarus-group dkg:controlledBy kg:dprk . " + claim("kg:lazarus-group", "suspected state-sponsored"))
row("seed1-nelson", SEED1, 'kg:brian-e-nelson a schema:Person ; schema:jobTitle "Under Secretary of the Treasury for Terrorism and Financial Intelligence" . '
    + claim("kg:brian-e-nelson", "ICBM tests in 2023"))
row("seed1-ten-times", SEED1, claim("kg:dprk", "at least ten times"))
row("seed1-laundering-evolves", SEED1, claim("kg:dprk", "money laundering techniques"))
row("seed1-outlook-2024", SEED1, claim("kg:dprk", "expected in 2024"))
row("seed1-pyongyang", SEED1, 'kg:dprk skos:altLabel "Pyongyang" .')

# ---------------------------------------------------------------- seed article 2 (NIS via AP)
SEED2 = "seed-cryptonews-nis-ap"
row("seed2-source", SEED2, f'src:{SEED2} a dkg:SourceDocument ; dcterms:publisher kg:cryptonews ; dcterms:creator ?w ; '
    'dcterms:title "New Report: North Korea has Stolen In Excess of $1 Billion Worth of Crypto Assets" ; prov:wasQuotedFrom ?r . '
    '?w rdfs:label "Ruholamin Haqshanas" ; org:memberOf kg:cryptonews . ?r dcterms:publisher kg:ap .')
row("seed2-headline-1b-since-2017", SEED2, estimate("kg:nis", "1000000000", "more than", extra='; dkg:periodStart "2017"^^xsd:gYear'))
row("seed2-nis-1-5t-won", SEED2, estimate("kg:nis", "1500000000000", "about", "KRW"))
row("seed2-nis-1-2b", SEED2, estimate("kg:nis", "1200000000", "about"))
row("seed2-nis-800b-won-this-year", SEED2, estimate("kg:nis", "800000000000", "about", "KRW"))
row("seed2-nis-626m-this-year", SEED2, estimate("kg:nis", "626000000", "about"))
row("seed2-nis-100b-won-south-korea", SEED2, estimate("kg:nis", "100000000000", "more than", "KRW"))
row("seed2-nis-78m-south-korea", SEED2, estimate("kg:nis", "78000000", "more than"))
row("seed2-best-in-world", SEED2, claim("kg:nis", "best in the world"))
row("seed2-cybercrime-since-2017", SEED2, claim("kg:dprk", "since 2017 after U.N. economic sanctions"))
row("seed2-funding-nuclear", SEED2, claim("kg:ap", "fund its nuclear program"))
row("seed2-outlook-2023", SEED2, claim("kg:nis", "increase their illicit cyber activities in 2023"))
row("seed2-trilateral-sanctions", SEED2, claim("kg:japan", "new sanctions on North Korean officials"))
row("seed2-missile-tests", SEED2, claim("kg:dprk", "record number of missile tests"))
row("seed2-tornado-sanction", SEED2, "kg:sanction-ofac-tornado-cash-2022-08-08 a dkg:Sanction ; dkg:sanctionTarget kg:tornado-cash ; dkg:authority kg:ofac .")
row("seed2-tornado-7b-since-2019", SEED2, laundering("kg:tornado-cash", "7000000000", "more than", '; dkg:periodStart "2019"^^xsd:gYear'))
row("seed2-tornado-lazarus-1b", SEED2, laundering("kg:tornado-cash", "1000000000", "about", "; dkg:launderedFor kg:lazarus-group"))
row("seed2-ronin-lazarus", SEED2, attribution("ronin-bridge-hack", "kg:lazarus-group", "kg:cryptonews"))
row("seed2-ronin-625m", SEED2, loss("ronin-bridge-hack", "625000000", "about") + ' kg:ronin-bridge-hack dkg:asset "ETH" , "USDC" ; dkg:victim kg:axie-infinity .')
row("seed2-denial", SEED2, claim("kg:dprk", "repeatedly denied"))
row("seed2-sony-wannacry", SEED2, claim("kg:lazarus-group", "2014 hack of Sony Pictures"))

# ---------------------------------------------------------------- S1
for stem in S1_FILES:
    for target in SANCTION_2019:
        row(f"S1-{target}-eo13722-{stem.split('-')[0]}", stem,
            f'kg:sanction-ofac-{target}-2019-09-13 a dkg:Sanction ; dkg:sanctionTarget kg:{target} ; dkg:authority kg:ofac ; '
            f'dkg:legalBasis "E.O. 13722" ; dkg:listingDate "2019-09-13"^^xsd:date .')
    row(f"S1-controlled-by-dprk-rgb-{stem.split('-')[0]}", stem,
        "kg:lazarus-group dkg:controlledBy kg:dprk ; dkg:affiliatedWith kg:rgb . kg:rgb rdfs:label \"RGB\" . "
        "kg:bluenoroff dkg:controlledBy kg:dprk . kg:andariel dkg:controlledBy kg:dprk .")
row("S1-treasury-url-sm774", S1_FILES[0], f'src:{S1_FILES[0]} dkg:documentKind dkg:PressRelease ; dcterms:issued "2019-09-13"^^xsd:date ; '
    'schema:url "https://home.treasury.gov/news/press-releases/sm774"^^xsd:anyURI .')
row("S1-treasury-copy-fraser", S1_FILES[0], f'?c prov:wasQuotedFrom src:{S1_FILES[0]} ; schema:url ?u . FILTER(STRSTARTS(STR(?u), "https://fraser.stlouisfed.org/"))')
row("S1-treasury-sub-groups", S1_FILES[0], "kg:bluenoroff org:subOrganizationOf kg:lazarus-group . kg:andariel org:subOrganizationOf kg:lazarus-group .")
row("S1-rgb-ofac-2015-eo13687", S1_FILES[1], 'kg:sanction-ofac-rgb-2015-01 a dkg:Sanction ; dkg:sanctionTarget kg:rgb ; dkg:authority kg:ofac ; '
    'dkg:legalBasis "E.O. 13687" ; dkg:listingDate "2015-01"^^xsd:gYearMonth .')
row("S1-rgb-un-2016", S1_FILES[1], 'kg:sanction-un-rgb-2016-03 a dkg:Sanction ; dkg:sanctionTarget kg:rgb ; dkg:authority kg:un-security-council ; '
    'dkg:listingDate "2016-03"^^xsd:gYearMonth .')
row("S1-willkie-url", S1_FILES[1], f'src:{S1_FILES[1]} dkg:documentKind dkg:LegalAnalysis ; schema:url "https://complianceconcourse.willkie.com/articles/news-alerts-2019-09-september-20190913-ofac-targets-north-korean-state/"^^xsd:anyURI .')
row("S1-ecd-sub-groups", "export-compliance-daily-lazarus-sub-groups",
    "kg:bluenoroff org:subOrganizationOf kg:lazarus-group . kg:andariel org:subOrganizationOf kg:lazarus-group . " + claim("kg:andariel", "sub-groups"))

# ---------------------------------------------------------------- S2
for stem in S2_FILES:
    short = stem.split("-")[0]
    row(f"S2-571m-{short}", stem, estimate("kg:us-treasury", "571000000", "about",
        extra='; dkg:periodStart "2017-01"^^xsd:gYearMonth ; dkg:periodEnd "2018-09"^^xsd:gYearMonth'))
    row(f"S2-five-exchanges-{short}", stem, claim("kg:bluenoroff", "five exchanges in Asia"))
    row(f"S2-16-orgs-11-countries-{short}", stem, claim("kg:andariel", "more than 16 organisations in 11 countries"))
row("S2-blr-url", S2_FILES[0], f'src:{S2_FILES[0]} schema:url "https://www.blockchainlegalresource.com/2019/09/ofac-sanctions-north-korean-crypto-hackers/"^^xsd:anyURI .')
row("S2-securitytoday-date", S2_FILES[1], f'src:{S2_FILES[1]} dcterms:issued "2019-09-17"^^xsd:date .')

# ---------------------------------------------------------------- S3
for stem in S3_FILES:
    short = stem.split("-")[0]
    row(f"S3-address-{short}", stem,
        f'{ADDR_RONIN} a dkg:CryptoAddress ; dkg:address "0x098B716B8Aaf21512996dC57EB0615e2383E2f96" ; dkg:chain "ETH" ; '
        'dkg:holder kg:lazarus-group ; dkg:listedUnder kg:sanction-ofac-lazarus-group-2019-09-13 ; '
        'dkg:listingDate "2022-04-14"^^xsd:date ; dkg:linkedIncident kg:ronin-bridge-hack .')
    row(f"S3-173600-eth-{short}", stem, loss("ronin-bridge-hack", "173600", currency="ETH"))
    row(f"S3-25-5m-usdc-{short}", stem, loss("ronin-bridge-hack", "25500000", currency="USDC"))
row("S3-sc-url", S3_FILES[0], f'src:{S3_FILES[0]} dcterms:issued "2022-04-15"^^xsd:date ; '
    'schema:url "https://www.scmagazine.com/brief/cybercrime/fbi-north-korean-hackers-behind-620m-axie-infinity-theft"^^xsd:anyURI .')
row("S3-sc-quotes-chainalysis", S3_FILES[0], claim("kg:chainalysis", "173,600 ETH"))
row("S3-law360-date", S3_FILES[1], f'src:{S3_FILES[1]} dcterms:issued "2022-04-14"^^xsd:date .')

# ---------------------------------------------------------------- S4
for stem in S4_FILES:
    short = stem.split("-")[0]
    row(f"S4-blender-sanction-{short}", stem, 'kg:sanction-ofac-blender-io-2022-05-06 a dkg:Sanction ; dkg:sanctionTarget kg:blender-io ; '
        'dkg:authority kg:ofac ; dkg:listingDate "2022-05-06"^^xsd:date . kg:blender-io a dkg:Mixer .')
    row(f"S4-first-mixer-{short}", stem, claim("kg:blender-io", "first time ever"))
    row(f"S4-ronin-20-5m-{short}", stem, laundering("kg:blender-io", "20500000", extra="; dkg:proceedsOf kg:ronin-bridge-hack"))
    row(f"S4-500m-btc-since-2017-{short}", stem, laundering("kg:blender-io", "500000000", "more than", '; dkg:periodStart "2017"^^xsd:gYear'))
    row(f"S4-lazarus-4-addresses-{short}", stem, claim("kg:lazarus-group", "four more Ethereum addresses"))
row("S4-46-blender-addresses-thecoinrise", S4_FILES[1], claim("kg:blender-io", "46 Blender.io addresses"))
row("S4-treasury-release", "us-treasury-2022-05-06-blender-io-sanctions",
    'kg:sanction-ofac-blender-io-2022-05-06 dkg:listingDate "2022-05-06"^^xsd:date .')

# ---------------------------------------------------------------- S5
for stem in S5_FILES:
    short = stem.split("-")[0]
    row(f"S5-tornado-legal-basis-{short}", stem, 'kg:sanction-ofac-tornado-cash-2022-08-08 a dkg:Sanction ; dkg:sanctionTarget kg:tornado-cash ; '
        'dkg:authority kg:ofac ; dkg:legalBasis "E.O. 13694, as amended" ; dkg:listingDate "2022-08-08"^^xsd:date .')
    row(f"S5-tornado-7b-{short}", stem, laundering("kg:tornado-cash", "7000000000", "more than", '; dkg:periodStart "2019"^^xsd:gYear'))
    row(f"S5-tornado-lazarus-455m-{short}", stem, laundering("kg:tornado-cash", "455000000", "more than", "; dkg:launderedFor kg:lazarus-group"))
    row(f"S5-tornado-harmony-96m-{short}", stem, laundering("kg:tornado-cash", "96000000", "more than", "; dkg:proceedsOf kg:harmony-horizon-hack")
        + ' kg:harmony-horizon-hack dkg:eventDate "2022-06-24"^^xsd:date .')
    row(f"S5-tornado-nomad-7-8m-{short}", stem, laundering("kg:tornado-cash", "7800000", "at least", "; dkg:proceedsOf kg:nomad-hack")
        + ' kg:nomad-hack dkg:eventDate "2022-08-02"^^xsd:date .')
    row(f"S5-44-addresses-{short}", stem, claim("kg:tornado-cash", "44 USDC and ETH addresses"))
row("S5-cnn-copy-kyma", S5_FILES[2], f'?c prov:wasQuotedFrom src:{S5_FILES[2]} ; '
    'schema:url "https://kyma.com/cnn-us-politics/2022/08/08/us-sanctions-cryptocurrency-service-allegedly-used-by-north-korea-for-money-laundering/"^^xsd:anyURI .')
row("S5-conflict-7-6b-coincentral", "coincentral-2025-tornado-cash-delisting", laundering("kg:tornado-cash", "7600000000"))
row("S5-conflict-7-6b-ainvest", "ainvest-2025-tornado-cash", laundering("kg:tornado-cash", "7600000000"))

# ---------------------------------------------------------------- S6, S7
STEPTOE = S7_FILES[0]
row("S6-redesignation-2022-11", STEPTOE, 'kg:sanction-ofac-tornado-cash-2022-11 a dkg:Sanction ; dkg:sanctionTarget kg:tornado-cash ; '
    'dkg:listingDate "2022-11"^^xsd:gYearMonth .')
row("S6-van-loon-2024-11-26", STEPTOE, claim("kg:tornado-cash", "Van Loon v. Treasury", '; dkg:eventDate "2024-11-26"^^xsd:date'))
for stem in S7_FILES:
    short = stem.split("-")[0]
    row(f"S7-delisted-2025-03-21-{short}", stem, 'kg:sanction-ofac-tornado-cash-2022-11 a dkg:Sanction ; '
        'dkg:endDate "2025-03-21"^^xsd:date ; dkg:status dkg:Delisted .')
    row(f"S7-semenov-listed-{short}", stem, "kg:sanction-ofac-roman-semenov a dkg:Sanction ; dkg:sanctionTarget kg:roman-semenov ; "
        'dkg:status dkg:Listed . kg:roman-semenov rdfs:label "Roman Semenov" .')
row("S7-ofac-url", S7_FILES[1], f'src:{S7_FILES[1]} dcterms:publisher kg:ofac ; dcterms:issued "2025-03-21"^^xsd:date ; '
    'schema:url "https://ofac.treasury.gov/recent-actions/20250321"^^xsd:anyURI .')
row("S7-coindesk-copy-worldbts", S7_FILES[2], f'?c prov:wasQuotedFrom src:{S7_FILES[2]} ; '
    'schema:url "https://worldbts.com/politics/why-ofac-delisted-tornado-cash"^^xsd:anyURI .')
row("S7-coincentral-100-addresses", "coincentral-2025-tornado-cash-delisting", claim("kg:tornado-cash", "over 100 Ethereum wallet addresses"))

# ---------------------------------------------------------------- S8
for stem in S8_FILES:
    short = stem.split("-")[0]
    row(f"S8-sinbad-sanction-{short}", stem, 'kg:sanction-ofac-sinbad-2023-11-29 a dkg:Sanction ; dkg:sanctionTarget kg:sinbad ; '
        'dkg:authority kg:ofac ; dkg:listingDate "2023-11-29"^^xsd:date .')
    row(f"S8-sinbad-heists-{short}", stem, "?l a dkg:Laundering ; dkg:launderedThrough kg:sinbad ; dkg:launderedFor kg:lazarus-group ; "
        "dkg:proceedsOf kg:harmony-horizon-hack , kg:ronin-bridge-hack , kg:atomic-wallet-hack .")
    row(f"S8-seizure-{short}", stem, claim("kg:sinbad", "FIOD") + " ?c dkg:about kg:fbi , kg:fiod , kg:nbi-finland .")
    row(f"S8-blender-successor-{short}", stem, claim("kg:sinbad", "successor"))
row("S8-conflict-850m-cryptofigures", S8_FILES[1], estimate("kg:cointelegraph", "850000000", "about", of="kg:lazarus-group"))
row("S8-conflict-820m-now-bitcoin", S8_FILES[2], estimate("kg:cointelegraph", "820000000", "about", of="kg:lazarus-group"))
row("S8-conflict-820m-token10x", "token10x-sinbad-sanctions", estimate("kg:token10x", "820000000", "about", of="kg:lazarus-group"))
row("S8-elliptic-highly-likely", "elliptic-2023-02-sinbad-blender-successor", claim("kg:blender-io", "highly likely", '; dkg:eventDate "2023-02"^^xsd:gYearMonth'))

# ---------------------------------------------------------------- S9
S9 = "crypto-news-us-sanctions-individuals-aiding-north-korea"
for who in ["wu-huihui", "cheng-hung-man"]:
    row(f"S9-{who}-eo13722", S9, f'kg:sanction-ofac-{who}-2023 a dkg:Sanction ; dkg:sanctionTarget kg:{who} ; dkg:legalBasis "E.O. 13722" ; '
        'dkg:listingDate "2023"^^xsd:gYear .')
row("S9-wu-huihui-lazarus", S9, claim("kg:wu-huihui", "material support to the Lazarus Group"))

# ---------------------------------------------------------------- I1 Ronin
row("I1-ronin-fbi-attribution-2022-04-14", S3_FILES[0], attribution("ronin-bridge-hack", "kg:lazarus-group", "kg:fbi",
    '; dkg:attributedTo kg:bluenoroff ; dkg:attributionDate "2022-04-14"^^xsd:date ; dkg:confidence dkg:Confirmed'))
row("I1-ronin-bluenoroff-aka-apt38", S3_FILES[0], 'kg:bluenoroff skos:altLabel "APT38" , "BlueNorOff" .')
row("I1-ronin-victims", S3_FILES[0], "kg:ronin-bridge-hack dkg:victim kg:ronin-bridge , kg:axie-infinity , kg:sky-mavis .")
row("I1-ronin-fbi-treasury-620m-sc", S3_FILES[0], loss("ronin-bridge-hack", "620000000"))
row("I1-ronin-treasury-620m-2022-03-23", "us-treasury-2022-05-06-blender-io-sanctions",
    loss("ronin-bridge-hack", "620000000", "almost") + ' kg:ronin-bridge-hack dkg:eventDate "2022-03-23"^^xsd:date .')
P2M = "play2moon-binance-intercepts-funds-from-ronin-bridge-hack"
row("I1-ronin-play2moon-dates", P2M, 'kg:ronin-bridge-hack dkg:eventDate "2022-03-23"^^xsd:date ; dkg:disclosureDate "2022-03-29"^^xsd:date .')
row("I1-ronin-play2moon-621-630m", P2M, loss("ronin-bridge-hack", "621000000", "at least")
    + ' ?a schema:minValue "621000000"^^xsd:decimal ; schema:maxValue "630000000"^^xsd:decimal .')
row("I1-ronin-forbes-india-540m", "forbes-india-2022-04-ronin-bridge-hack", loss("ronin-bridge-hack", "540000000"))
row("I1-ronin-hacker-news-540m", "the-hacker-news-ronin-bridge-hack", loss("ronin-bridge-hack", "540000000"))
row("I1-ronin-coindesk-600m-plus", "coindesk-2022-04-ronin-bridge-hack", loss("ronin-bridge-hack", "600000000", "more than"))
row("I1-ronin-decrypt-622m", "decrypt-ronin-bridge-hack", loss("ronin-bridge-hack", "622000000"))
row("I1-ronin-trm-625m", "trm-labs-ronin-bridge-hack", loss("ronin-bridge-hack", "625000000"))
row("I1-ronin-cryptotimes-625m", "cryptotimes-ronin-bridge-hack", loss("ronin-bridge-hack", "625000000"))
row("I1-ronin-elliptic-18pct-forbes", "forbes-india-2022-04-ronin-bridge-hack", claim("kg:elliptic", "18%"))
row("I1-ronin-elliptic-14pct-coindesk", "coindesk-2022-04-ronin-bridge-hack", claim("kg:elliptic", "14%"))

# ---------------------------------------------------------------- I2 Harmony
FBI_H = "fbi-2023-01-23-harmony-horizon-lazarus"
OUTLOOK = "outlookseries-fbi-lazarus-harmony-horizon-bridge-theft"
row("I2-harmony-fbi-lazarus-apt38", FBI_H, attribution("harmony-horizon-hack", "kg:lazarus-group", "kg:fbi",
    '; dkg:attributedTo kg:apt38 ; dkg:attributionDate "2023-01-23"^^xsd:date ; dkg:confidence dkg:Confirmed'))
row("I2-harmony-reported-2022-06-24", FBI_H, 'kg:harmony-horizon-hack dkg:disclosureDate "2022-06-24"^^xsd:date ; dkg:victim kg:harmony-horizon-bridge .')
row("I2-harmony-100m", FBI_H, loss("harmony-horizon-hack", "100000000", "about"))
row("I2-harmony-railgun-60m-2023-01-13", FBI_H, laundering("kg:railgun", "60000000", "more than",
    '; dkg:proceedsOf kg:harmony-horizon-hack ; dkg:eventDate "2023-01-13"^^xsd:date'))
row("I2-harmony-11-btc-addresses", FBI_H, claim("kg:harmony-horizon-hack", "11 bitcoin addresses"))
row("I2-harmony-copy-ss7hacking", FBI_H, f'?c prov:wasQuotedFrom src:{FBI_H} ; dcterms:issued "2023-01-24"^^xsd:date ; '
    'schema:url "https://www.ss7hacking.com/2023/01/24/fbi-north-korean-hackers-took-100-million-from-harmony-crypto-hack/"^^xsd:anyURI .')
row("I2-harmony-apt28-sic-alias", OUTLOOK, 'kg:lazarus-group skos:altLabel "APT28" . ' + claim("kg:lazarus-group", "also known as APT28"))
row("I2-harmony-apt28-copy-of-fbi", OUTLOOK, f"src:{OUTLOOK} prov:wasQuotedFrom src:{FBI_H} .")
row("I2-harmony-elliptic-suspected-2022-06", "elliptic-2022-06-harmony-horizon-lazarus-suspected",
    attribution("harmony-horizon-hack", "kg:lazarus-group", "kg:elliptic", '; dkg:attributionDate "2022-06"^^xsd:gYearMonth ; dkg:confidence dkg:Suspected'))

# ---------------------------------------------------------------- I3, I4, I5 (FBI 2023-09-06 and Elliptic)
FBI_S = "fbi-2023-09-06-stake-com-lazarus"
ANV = "anvilogic-lazarus-2023-coinex-crypto-attack"
row("I3-atomic-fbi-2023-06-02", FBI_S, 'kg:atomic-wallet-hack dkg:eventDate "2023-06-02"^^xsd:date ; dkg:victim kg:atomic-wallet .')
row("I3-atomic-elliptic-2023-06-03", ANV, 'kg:atomic-wallet-hack dkg:eventDate "2023-06-03"^^xsd:date .')
row("I3-atomic-100m-fbi", FBI_S, loss("atomic-wallet-hack", "100000000", "about"))
row("I3-atomic-assets", FBI_S, 'kg:atomic-wallet-hack dkg:asset "BTC" , "ETH" , "TRX" , "XRP" , "XLM" , "DOGE" , "LTC" .')
row("I3-atomic-fbi-attribution", FBI_S, attribution("atomic-wallet-hack", "kg:lazarus-group", "kg:fbi", '; dkg:attributionDate "2023-09-06"^^xsd:date'))
row("I3-atomic-elliptic-attribution", ANV, attribution("atomic-wallet-hack", "kg:lazarus-group", "kg:elliptic"))
row("I3-fbi-200m-in-2023", FBI_S, estimate("kg:fbi", "200000000", "more than", extra='; dkg:periodStart "2023"^^xsd:gYear ; dkg:periodEnd "2023-09-06"^^xsd:date'))
row("I3-atomic-trm-laundering-sinbad", "trm-labs-2023-08-north-korean-hackers-2023",
    '?l a dkg:Laundering ; dkg:launderedThrough kg:sinbad ; dkg:proceedsOf kg:atomic-wallet-hack ; dkg:technique ?t . FILTER(CONTAINS(STR(?t), "WBTC"))')
row("I4-alphapo-coinspaid-fbi-2023-07-22-60m", FBI_S, loss("alphapo-coinspaid-hack", "60000000", "about")
    + ' kg:alphapo-coinspaid-hack dkg:eventDate "2023-07-22"^^xsd:date ; dkg:victim kg:alphapo , kg:coinspaid .')
row("I4-alphapo-coinspaid-fbi-attribution", FBI_S, attribution("alphapo-coinspaid-hack", "kg:lazarus-group", "kg:fbi", "; dkg:confidence dkg:Confirmed"))
row("I4-alphapo-elliptic-60m", ANV, loss("alphapo-hack", "60000000"))
row("I4-coinspaid-elliptic-37-3m", ANV, loss("coinspaid-hack", "37300000"))
row("I4-alphapo-cointelegraph-2023-07-23", "cointelegraph-alphapo-hack", 'kg:alphapo-hack dkg:eventDate "2023-07-23"^^xsd:date .')
row("I5-stake-2023-09-04-41m", FBI_S, loss("stake-hack", "41000000", "about") + ' kg:stake-hack dkg:eventDate "2023-09-04"^^xsd:date ; dkg:victim kg:stake-com .')
row("I5-stake-chains", FBI_S, 'kg:stake-hack dkg:chain "ETH" , "BSC" , "Polygon" . ' + claim("kg:stake-hack", "bitcoin addresses"))
row("I5-stake-fbi-lazarus-aka-apt38", FBI_S, attribution("stake-hack", "kg:lazarus-group", "kg:fbi",
    '; dkg:attributionDate "2023-09-06"^^xsd:date ; dkg:confidence dkg:Confirmed') + ' kg:lazarus-group skos:altLabel "APT38" .')
row("I5-stake-copy-coinsnews", FBI_S, f'?c prov:wasQuotedFrom src:{FBI_S} ; '
    'schema:url "https://coinsnews.com/fbi-traces-41-million-cryptocurrency-theft-from-stakecom-to-lazarus-group"^^xsd:anyURI .')
row("I5-stake-copy-crowdfundinsider", FBI_S, f'?c prov:wasQuotedFrom src:{FBI_S} ; '
    'schema:url "https://www.crowdfundinsider.com/2023/09/212697-fbi-identifies-lazarus-group-cyber-actors-as-responsible-for-theft-of-41m-in-crypto-from-stake-com/"^^xsd:anyURI .')

# ---------------------------------------------------------------- I6 CoinEx
CPOL = "cryptopolitan-lazarus-suspected-coinex-hack"
ELL_C = "elliptic-2023-09-coinex-lazarus"
row("I6-coinex-2023-09-12", CPOL, 'kg:coinex-hack dkg:eventDate "2023-09-12"^^xsd:date ; dkg:victim kg:coinex .')
row("I6-coinex-initial-27-28m", CPOL, loss("coinex-hack", "27000000", "about")
    + ' ?a schema:minValue "27000000"^^xsd:decimal ; schema:maxValue "28000000"^^xsd:decimal .')
row("I6-coinex-zachxbt-54m", CPOL, loss("coinex-hack", "54000000", "about"))
row("I6-coinex-slowmist-55m", CPOL, loss("coinex-hack", "55000000", "about"))
row("I6-coinex-elliptic-54m", ELL_C, loss("coinex-hack", "54000000", "about"))
row("I6-coinex-zachxbt-2023-09-13", CPOL, attribution("coinex-hack", "kg:lazarus-group", "kg:zachxbt", '; dkg:attributionDate "2023-09-13"^^xsd:date'))
row("I6-coinex-address-linked-to-stake", CPOL, '?x a dkg:CryptoAddress ; dkg:address "0x75497999432b8701330fb68058bd21918c02ac59" ; '
    "dkg:linkedIncident kg:coinex-hack , kg:stake-hack .")
row("I6-coinex-elliptic-should-be-suspected", ELL_C, attribution("coinex-hack", "kg:lazarus-group", "kg:elliptic", "; dkg:confidence dkg:Suspected"))
row("I6-elliptic-240m-104-days", ELL_C, estimate("kg:elliptic", "240000000", "almost", of="kg:lazarus-group",
    extra='; dkg:periodStart "2023-06"^^xsd:gYearMonth ; dkg:periodEnd "2023-09"^^xsd:gYearMonth'))
row("I6-coinatory-270m-102-days", "coinatory-lazarus-270m-102-days", estimate("kg:coinatory", "270000000", "more than", of="kg:lazarus-group"))

# ---------------------------------------------------------------- I7 DMM Bitcoin
FBI_D = "fbi-2024-12-23-dmm-bitcoin-tradertraitor"
CDJ = "coindesk-japan-dmm-bitcoin-tradertraitor"
for stem in [FBI_D, CDJ]:
    short = stem.split("-")[0]
    row(f"I7-dmm-4502-9-btc-{short}", stem, loss("dmm-bitcoin-hack", "4502.9", currency="BTC"))
    row(f"I7-dmm-48-2b-jpy-{short}", stem, loss("dmm-bitcoin-hack", "48200000000", currency="JPY"))
    row(f"I7-dmm-late-may-2024-{short}", stem, 'kg:dmm-bitcoin-hack dkg:eventDate "2024-05"^^xsd:gYearMonth ; dkg:victim kg:dmm-bitcoin .')
    row(f"I7-dmm-tradertraitor-{short}", stem, attribution("dmm-bitcoin-hack", "kg:tradertraitor", "kg:fbi",
        "; dkg:attributedBy kg:japan-npa , kg:dod-dc3 ; dkg:confidence dkg:Confirmed") + " kg:tradertraitor dkg:affiliatedWith kg:lazarus-group .")
    row(f"I7-dmm-ginco-technique-{short}", stem, 'kg:dmm-bitcoin-hack dkg:technique ?t . FILTER(CONTAINS(STR(?t), "Ginco") && LANG(?t) = "en")')
row("I7-dmm-fbi-308m", FBI_D, loss("dmm-bitcoin-hack", "308000000", "about"))
row("I7-dmm-chainalysis-305m", "chainalysis-2024-12-19-crypto-hacking-2024", loss("dmm-bitcoin-hack", "305000000"))
row("I7-dmm-viewusglobal-350m", "viewusglobal-dmm-bitcoin-hack", loss("dmm-bitcoin-hack", "350000000"))
row("I7-dmm-closed-sbi-vc-trade", CDJ, claim("kg:sbi-vc-trade", "SBI VC Trade", '; dkg:eventDate "2025-03"^^xsd:gYearMonth'))

# ---------------------------------------------------------------- I8 WazirX
row("I8-wazirx-230m-bitcoinworld", "bitcoinworld-wazirx-hacked-230m", loss("wazirx-hack", "230000000")
    + ' kg:wazirx-hack dkg:eventDate "2024-07-18"^^xsd:date .')
row("I8-wazirx-230m-crypto-news", "crypto-news-wazirx-publishes-230m-hack-post-mortem", loss("wazirx-hack", "230000000"))
row("I8-wazirx-45pct-aum", "crypto-news-wazirx-publishes-230m-hack-post-mortem", claim("kg:wazirx", "45%"))
row("I8-wazirx-vector-safe-liminal", "crypto-news-wazirx-publishes-230m-hack-post-mortem",
    'kg:wazirx-hack dkg:technique ?t . FILTER(CONTAINS(STR(?t), "Safe multisig") && CONTAINS(STR(?t), "Liminal"))')
row("I8-wazirx-cyvers-234-9m", "cyvers-wazirx-hack", loss("wazirx-hack", "234900000"))
row("I8-wazirx-chainalysis-235m", "cryptosurges-wazirx-235m-hack-north-korea-link", loss("wazirx-hack", "235000000"))
row("I8-wazirx-elliptic-same-day", "elliptic-2024-07-18-wazirx-north-korea", attribution("wazirx-hack", "kg:dprk", "kg:elliptic",
    '; dkg:attributionDate "2024-07-18"^^xsd:date'))
row("I8-wazirx-elliptic-via-bitcoinworld", "bitcoinworld-wazirx-hacked-230m", attribution("wazirx-hack", "kg:dprk", "kg:elliptic"))
row("I8-wazirx-zachxbt-potential-markings", "zachxbt-wazirx-lazarus-markings", attribution("wazirx-hack", "kg:lazarus-group", "kg:zachxbt",
    "; dkg:confidence dkg:Suspected"))
row("I8-wazirx-zachxbt-via-cryptosurges", "cryptosurges-wazirx-235m-hack-north-korea-link",
    attribution("wazirx-hack", "kg:lazarus-group", "kg:zachxbt", "; dkg:confidence dkg:Suspected"))
row("I8-wazirx-lookonchain-shib", "lookonchain-wazirx-hack-assets", loss("wazirx-hack", "5430000000000", currency="SHIB"))
row("I8-wazirx-lookonchain-eth", "lookonchain-wazirx-hack-assets", loss("wazirx-hack", "15298", currency="ETH"))

# ---------------------------------------------------------------- I9 Bybit
FBI_B = "fbi-ic3-2025-02-26-bybit-tradertraitor"
row("I9-bybit-2025-02-21-1-5b", FBI_B, loss("bybit-hack", "1500000000", "about") + ' kg:bybit-hack dkg:eventDate "2025-02-21"^^xsd:date ; dkg:victim kg:bybit .')
row("I9-bybit-401000-eth", FBI_B, loss("bybit-hack", "401000", "about", "ETH"))
row("I9-bybit-fbi-dprk-tradertraitor", FBI_B, attribution("bybit-hack", "kg:dprk", "kg:fbi",
    '; dkg:attributedTo kg:tradertraitor ; dkg:attributionDate "2025-02-26"^^xsd:date ; dkg:confidence dkg:Confirmed'))
row("I9-tradertraitor-aliases", FBI_B, 'kg:tradertraitor skos:altLabel "Jade Sleet" , "Slow Pisces" , "UNC4899" .')
row("I9-bybit-48-addresses", FBI_B, claim("kg:bybit-hack", "48 Ethereum addresses"))
row("I9-bybit-copy-protos", FBI_B, f'?c prov:wasQuotedFrom src:{FBI_B} ; '
    'schema:url "https://protos.com/fbi-confirms-north-korean-tradertraitor-to-blame-for-1-5-billion-bybit-hack"^^xsd:anyURI .')
row("I9-bybit-copy-aicoin", FBI_B, f'?c prov:wasQuotedFrom src:{FBI_B} ; schema:url "https://www.aicoin.com/en/article/445007"^^xsd:anyURI .')
row("I9-bybit-ap-scworld-2025-02-28", "ap-fbi-north-korean-hackers-bybit", loss("bybit-hack", "1500000000")
    + ' ?c prov:wasQuotedFrom src:ap-fbi-north-korean-hackers-bybit ; dcterms:issued "2025-02-28"^^xsd:date .')
row("I9-bybit-chainalysis-1-4b", "chainalysis-bybit-hack-estimate", loss("bybit-hack", "1400000000"))
for stem in ["safe-bybit-root-cause", "trm-labs-bybit-root-cause"]:
    row(f"I9-safe-laptop-2025-02-04-{stem.split('-')[0]}", stem, claim("kg:safe-wallet", "malicious Docker project", '; dkg:eventDate "2025-02-04"^^xsd:date'))

# ---------------------------------------------------------------- totals table
CH23 = "chainalysis-2023-02-01-crypto-hacking-2022"
for stem in [CH23, "bbc-world-asia-64494094", "bloomberg-2023-02-01-north-korea-crypto-theft"]:
    short = stem.split("-")[0]
    row(f"T-2022-chainalysis-1-7b-44pct-{short}", stem, estimate("kg:chainalysis", "1700000000",
        extra='; dkg:year "2022"^^xsd:gYear ; dkg:shareOfTotal "0.44"^^xsd:decimal'))
    row(f"T-2022-all-thieves-3-8b-{short}", stem, estimate("kg:chainalysis", "3800000000", of=None, extra='; dkg:year "2022"^^xsd:gYear'))
row("T-2022-chainalysis-report-date", CH23, f'src:{CH23} dcterms:issued "2023-02-01"^^xsd:date ; dkg:documentKind dkg:VendorReport .')
row("T-2021-chainalysis-429m-bbc", "bbc-world-asia-64494094", estimate("kg:chainalysis", "429000000", extra='; dkg:year "2021"^^xsd:gYear'))
row("T-2021-bbc-copy-thewriterstown", "bbc-world-asia-64494094",
    '?c prov:wasQuotedFrom src:bbc-world-asia-64494094 ; schema:url "https://thewriterstown.com/news/world-asia-64494094"^^xsd:anyURI .')
row("T-2021-chainalysis-400m-bloomberg", "bloomberg-2023-02-01-north-korea-crypto-theft",
    estimate("kg:chainalysis", "400000000", "about", extra='; dkg:year "2021"^^xsd:gYear'))
KBS = "kbs-2023-chainalysis-north-korea-crypto-theft"
row("T-2022-chainalysis-1-65b-43-4pct-kbs", KBS, estimate("kg:chainalysis", "1650000000",
    extra='; dkg:year "2022"^^xsd:gYear ; dkg:shareOfTotal "0.434"^^xsd:decimal'))
row("T-cumulative-kbs-3-23b-7-years", KBS, estimate("kg:chainalysis", "3230000000"))
TRM24 = "trm-labs-2024-01-05-north-korea-crypto-theft"
row("T-2022-trm-850m", TRM24, estimate("kg:trm-labs", "850000000", "about", extra='; dkg:year "2022"^^xsd:gYear'))
row("T-2022-trm-850m-redbord", TRM24, claim("kg:redbord", "850") + ' kg:redbord rdfs:label "Redbord" .')
row("T-cumulative-trm-3b-since-2017", TRM24, estimate("kg:trm-labs", "3000000000", "about", extra='; dkg:periodStart "2017"^^xsd:gYear'))
row("T-2022-trm-over-800m-aug-2023", "trm-labs-2023-08-north-korean-hackers-2023",
    estimate("kg:trm-labs", "800000000", "more than", extra='; dkg:year "2022"^^xsd:gYear'))
NIS = "nis-2022-12-22-dprk-crypto-theft-briefing"
row("T-2022-nis-800b-won", NIS, estimate("kg:nis", "800000000000", "about", "KRW", extra='; dkg:year "2022"^^xsd:gYear'))
row("T-2022-nis-626m", NIS, estimate("kg:nis", "626000000", "about", extra='; dkg:year "2022"^^xsd:gYear'))
row("T-cumulative-nis-1-5t-won", NIS, estimate("kg:nis", "1500000000000", "about", "KRW", extra='; dkg:periodStart "2017"^^xsd:gYear'))
row("T-cumulative-nis-1-2b", NIS, estimate("kg:nis", "1200000000", "about", extra='; dkg:periodStart "2017"^^xsd:gYear'))
row("T-nis-copy-incyber", NIS, f'?c prov:wasQuotedFrom src:{NIS} ; schema:url "https://incyber.org/en/north-korea-specialist-cryptocurrency-theft/"^^xsd:anyURI .')
KH = "korea-herald-2023-07-19-nis-north-korea-crypto"
row("T-2022-nis-700m-two-incidents", KH, estimate("kg:nis", "700000000",
    extra='; dkg:year "2022"^^xsd:gYear ; dkg:incidentCount "2"^^xsd:integer'))
row("NIS-30pct-foreign-currency", KH, claim("kg:nis", "30%", '; dkg:eventDate "2023-07-19"^^xsd:date'))
row("NIS-160b-won-south-korean-targets", "chosun-2023-02-07-nis-south-korean-targets",
    estimate("kg:nis", "160000000000", "about", "KRW", extra='; dkg:year "2022"^^xsd:gYear'))
CH24 = "chainalysis-2024-12-19-crypto-hacking-2024"
row("T-2023-chainalysis-660-5m-20-incidents", CH24, estimate("kg:chainalysis", "660500000",
    extra='; dkg:year "2023"^^xsd:gYear ; dkg:incidentCount "20"^^xsd:integer'))
row("T-2023-trm-600m-hacker-news", "the-hacker-news-2024-01-08-north-korea-cyber-heist",
    estimate("kg:trm-labs", "600000000", "about", extra='; dkg:year "2023"^^xsd:gYear'))
row("T-2023-trm-possibly-700m-hacker-news", "the-hacker-news-2024-01-08-north-korea-cyber-heist",
    estimate("kg:trm-labs", "700000000", "possibly", extra='; dkg:year "2023"^^xsd:gYear'))
row("T-2023-trm-one-third", "the-hacker-news-2024-01-08-north-korea-cyber-heist", claim("kg:trm-labs", "one third"))
row("T-2024-chainalysis-1-34b-47-61pct", CH24, estimate("kg:chainalysis", "1340000000",
    extra='; dkg:year "2024"^^xsd:gYear ; dkg:incidentCount "47"^^xsd:integer ; dkg:shareOfTotal "0.61"^^xsd:decimal'))
row("T-2024-all-2-2b-303-hacks", CH24, estimate("kg:chainalysis", "2200000000", of=None,
    extra='; dkg:year "2024"^^xsd:gYear ; dkg:incidentCount "303"^^xsd:integer'))
row("T-2024-copy-fxmarketfeed", CH24, f'?c prov:wasQuotedFrom src:{CH24} ; '
    'schema:url "https://fxmarketfeed.com/north-korean-hackers-linked-to-1-3-billion-in-stolen-crypto-in-2024"^^xsd:anyURI .')
row("T-h1-2025-chainalysis-2-17b", "lapaas-voice-chainalysis-h1-2025", estimate("kg:chainalysis", "2170000000", of=None,
    extra='; dkg:periodStart "2025-01"^^xsd:gYearMonth ; dkg:periodEnd "2025-06"^^xsd:gYearMonth'))
TRM25 = "trm-labs-2025-06-27-h1-2025-crypto-hacks"
row("T-h1-2025-trm-1-6b-70pct", TRM25, estimate("kg:trm-labs", "1600000000",
    extra='; dkg:shareOfTotal "0.70"^^xsd:decimal ; dkg:periodStart "2025-01"^^xsd:gYearMonth ; dkg:periodEnd "2025-06"^^xsd:gYearMonth'))
row("T-h1-2025-trm-2-1b-75-hacks", TRM25, estimate("kg:trm-labs", "2100000000", of=None, extra='; dkg:incidentCount "75"^^xsd:integer'))
row("T-h1-2025-copy-nairametrics", TRM25, f'?c prov:wasQuotedFrom src:{TRM25} ; '
    'schema:url "https://nairametrics.com/2025/06/27/crypto-worth-2-1-billion-stolen-in-half-year-2025-report/"^^xsd:anyURI .')
CH25 = "chainalysis-2025-12-18-crypto-hacking-2025"
row("T-2025-chainalysis-2-02b-59pct", CH25, estimate("kg:chainalysis", "2020000000", "at least",
    extra='; dkg:year "2025"^^xsd:gYear ; dkg:shareOfTotal "0.59"^^xsd:decimal'))
row("T-2025-all-3-4b", CH25, estimate("kg:chainalysis", "3400000000", of=None, extra='; dkg:year "2025"^^xsd:gYear'))
row("T-2025-plus-51pct", CH25, claim("kg:dprk", "51%"))
row("T-2025-76pct-service-compromises", CH25, claim("kg:dprk", "76% of service compromises"))
row("T-cumulative-chainalysis-6-75b", CH25, estimate("kg:chainalysis", "6750000000", "about"))
row("T-2025-copies", CH25, f'?c1 prov:wasQuotedFrom src:{CH25} ; schema:url "https://www.binance.bh/en/square/post/33885752593234"^^xsd:anyURI . '
    f'?c2 prov:wasQuotedFrom src:{CH25} ; schema:url "https://particle.news/story/north-koreas-crypto-heists-hit-record-202-billion-in-2025-after-bybit-breach"^^xsd:anyURI .')
row("T-cumulative-trm-5b-since-2017", "investorminute-2025-trm-north-korea-5-billion",
    estimate("kg:trm-labs", "5000000000", "more than", extra='; dkg:periodStart "2017"^^xsd:gYear'))
row("T-cumulative-un-up-to-2b-2019", "ap-2019-08-05-un-north-korea-2-billion", estimate("kg:un-panel-of-experts", "2000000000", "up to"))
row("T-cumulative-un-58-attacks-3b", "reuters-2024-02-un-panel-58-attacks", estimate("kg:un-panel-of-experts", "3000000000", "about",
    extra='; dkg:incidentCount "58"^^xsd:integer ; dkg:periodStart "2017"^^xsd:gYear ; dkg:periodEnd "2023"^^xsd:gYear'))
NHK = "nhk-2024-05-16-un-panel-97-attacks"
row("T-cumulative-un-97-attacks-3-6b", NHK, estimate("kg:un-panel-of-experts", "3600000000",
    extra='; dkg:incidentCount "97"^^xsd:integer ; dkg:periodStart "2017"^^xsd:gYear ; dkg:periodEnd "2024-04"^^xsd:gYearMonth'))
row("T-un-panel-disbanded-2024-04", NHK, claim("kg:un-panel-of-experts", "Russian veto", '; dkg:eventDate "2024-04"^^xsd:gYearMonth'))

# ---------------------------------------------------------------- actor identity
row("ID-lazarus-g0032", "mitre-attack-groups", 'kg:lazarus-group dkg:attackId "G0032" ; '
    'dkg:stixId "intrusion-set--c93fccb1-e8e8-42cf-ae33-2ad1d183913a" .')
row("ID-apt38-g0082", "mitre-attack-groups", 'kg:apt38 dkg:attackId "G0082" ; dkg:stixId "intrusion-set--00f67a77-86a4-4adf-be26-1a54fc713340" .')
row("ID-andariel-g0138", "mitre-attack-groups", 'kg:andariel dkg:attackId "G0138" .')
row("ID-attack-separate-groups", "mitre-attack-groups", claim("kg:apt38", "separate") + " ?c dkg:about kg:andariel .")
row("ID-attack-kind-dataset", "mitre-attack-groups", "src:mitre-attack-groups dkg:documentKind dkg:Dataset ; dcterms:publisher kg:mitre .")
row("ID-lazarus-misp-uuid", "misp-galaxy-threat-actor", 'kg:lazarus-group dkg:mispUuid "68391641-859f-4a9a-9a1e-3e5cf71ec376" .')
row("ID-misp-apt38-alias", "misp-galaxy-threat-actor", 'kg:lazarus-group skos:altLabel "APT38" . '
    + claim("kg:apt38", "FireEye", '; dkg:eventDate "2018-11-07"^^xsd:date'))
row("ID-misp-andariel-sub-group", "misp-galaxy-threat-actor", "kg:andariel org:subOrganizationOf kg:lazarus-group . " + claim("kg:andariel", "#942"))
row("ID-tradertraitor-fbi-name", FBI_B, "kg:tradertraitor a dkg:ThreatGroup ; dkg:controlledBy kg:dprk .")


def _query(stem: str, pattern: str) -> str:
    return f"{PREFIXES}\nASK {{ GRAPH <{SRC}{stem}> {{ {pattern} }} }}"


@pytest.fixture(scope="module")
def dataset():
    return load_dataset()


def test_claim_ids_are_unique():
    ids = [claim_id for claim_id, _, _ in CLAIMS]
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})


def test_every_claim_names_a_source_file():
    missing = sorted({stem for _, stem, _ in CLAIMS if not (SOURCES_DIR / f"{stem}.ttl").is_file()})
    assert not missing, f"claims name source files that do not exist: {missing}"


@pytest.mark.parametrize(("stem", "pattern"), [(s, p) for _, s, p in CLAIMS], ids=[c for c, _, _ in CLAIMS])
def test_claim_is_in_its_source(dataset, stem, pattern):
    result = dataset.query(_query(stem, pattern))
    assert result.askAnswer, f"not stated in src:{stem}:\n{pattern}"


@pytest.mark.parametrize("path", sorted(SOURCES_DIR.glob("*.ttl")), ids=lambda p: Path(p).stem)
def test_source_file_describes_itself(dataset, path):
    graph_iri = URIRef(SRC + path.stem)
    graph = dataset.graph(graph_iri)
    assert (graph_iri, RDF.type, URIRef("https://w3id.org/dprk-kg/ns#SourceDocument")) in graph
