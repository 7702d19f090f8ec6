"""The project's prefixes as plain strings, for code that must not import rdflib (a query
starts in a fraction of a second); ``namespace`` builds its rdflib namespaces on the same IRIs."""

PREFIXES: dict[str, str] = {
    "dkg": "https://w3id.org/dprk-kg/ns#",
    "kg": "https://w3id.org/dprk-kg/id/",
    "src": "https://w3id.org/dprk-kg/source/",
    "dataset": "https://w3id.org/dprk-kg/dataset/",
    "stmt": "https://w3id.org/dprk-kg/statement/",
    "dcterms": "http://purl.org/dc/terms/",
    "org": "http://www.w3.org/ns/org#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "prov": "http://www.w3.org/ns/prov#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "schema": "https://schema.org/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
