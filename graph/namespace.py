"""The project's namespaces. ``DKG`` is closed: a misspelt term fails at import, not in the data.

>>> str(DKG.Sanction)
'https://w3id.org/dprk-kg/ns#Sanction'
"""

from rdflib import Namespace, URIRef
from rdflib.namespace import DefinedNamespace

from .terms import PREFIXES


class DKG(DefinedNamespace):
    """dprk-kg ontology terms; each has a label and a comment in ``ontology/dprk-kg.ttl``."""

    _NS = Namespace(PREFIXES["dkg"])
    _fail = True

    # classes
    AttackTechnique: URIRef
    Attribution: URIRef
    Bridge: URIRef
    Campaign: URIRef
    Claim: URIRef
    Company: URIRef
    CryptoAddress: URIRef
    DesignatedParty: URIRef
    EntityMatch: URIRef
    Exchange: URIRef
    GovernmentBody: URIRef
    Incident: URIRef
    Laundering: URIRef
    Mixer: URIRef
    Protocol: URIRef
    Sanction: URIRef
    Service: URIRef
    Software: URIRef
    SourceDocument: URIRef
    State: URIRef
    TheftEstimate: URIRef
    ThreatGroup: URIRef
    Wallet: URIRef
    # properties
    about: URIRef
    address: URIRef
    affiliatedWith: URIRef
    amountQualifier: URIRef
    asset: URIRef
    attackId: URIRef
    attributedBy: URIRef
    attributedIncident: URIRef
    attributedTo: URIRef
    attributionDate: URIRef
    authority: URIRef
    chain: URIRef
    confidence: URIRef
    controlledBy: URIRef
    country: URIRef
    disclosureDate: URIRef
    documentKind: URIRef
    earliestDate: URIRef
    endDate: URIRef
    estimateOf: URIRef
    estimateScope: URIRef
    estimatedAmount: URIRef
    estimatedBy: URIRef
    eventDate: URIRef
    holder: URIRef
    importedAt: URIRef
    incidentCount: URIRef
    latestDate: URIRef
    launderedAmount: URIRef
    launderedFor: URIRef
    launderedThrough: URIRef
    legalBasis: URIRef
    linkedIncident: URIRef
    listEntryId: URIRef
    listedUnder: URIRef
    listingDate: URIRef
    matchBasis: URIRef
    matchObject: URIRef
    matchStatus: URIRef
    matchSubject: URIRef
    mispUuid: URIRef
    periodEnd: URIRef
    periodStart: URIRef
    proceedsOf: URIRef
    program: URIRef
    reportedLoss: URIRef
    sanctionTarget: URIRef
    shareOfTotal: URIRef
    sourceFile: URIRef
    statement: URIRef
    status: URIRef
    stixId: URIRef
    technique: URIRef
    uses: URIRef
    victim: URIRef
    year: URIRef
    # concept schemes and concepts
    ConfidenceLevel: URIRef
    Confirmed: URIRef
    Likely: URIRef
    Suspected: URIRef
    DocumentKind: URIRef
    CourtDecision: URIRef
    Dataset: URIRef
    GovernmentStatement: URIRef
    LegalAnalysis: URIRef
    NewsArticle: URIRef
    PressRelease: URIRef
    VendorReport: URIRef
    SanctionStatus: URIRef
    Listed: URIRef
    Delisted: URIRef
    MatchStatus: URIRef
    MatchConfirmed: URIRef
    MatchProposed: URIRef
    MatchRejected: URIRef


#: Curated entities (actors, incidents, sanctions, amounts ...).
KG = Namespace(PREFIXES["kg"])
#: Curated source documents; each curated file is the named graph of its document.
SRC = Namespace(PREFIXES["src"])
#: Imported datasets; each import is the named graph of its dataset.
DATASET = Namespace(PREFIXES["dataset"])
#: Statement nodes that carry provenance in the single-graph exports.
STMT = Namespace(PREFIXES["stmt"])
#: The named graph that holds the ontology inside the store.
ONTOLOGY_GRAPH = URIRef("https://w3id.org/dprk-kg/ns#")


def bind_prefixes(graph) -> None:
    """Bind the project prefixes on an rdflib graph or dataset, replacing rdflib's defaults."""
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, iri, override=True, replace=True)
