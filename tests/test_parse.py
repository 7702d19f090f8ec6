"""Hostile RDF inputs are refused before any parser sees them: DTDs and entity expansion in
RDF/XML, remote JSON-LD contexts, huge literals, NUL bytes, unknown file types."""

from __future__ import annotations

import pytest

from cli import main

LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="https://example.org/">
  <rdf:Description rdf:about="https://example.org/a"><ex:p>&lol3;</ex:p></rdf:Description>
</rdf:RDF>
"""

CASES = {
    "laughs.rdf": (LAUGHS, ":2: RDF/XML with a DTD or entity declarations is refused"),
    "remote.jsonld": ('{"@context": "https://example.org/context.jsonld", "@id": "https://example.org/a"}',
                      ":1: JSON-LD with a remote @context is refused"),
    "huge.ttl": ('<https://example.org/a> <https://example.org/p> "' + "x" * 1_100_000 + '" .\n',
                 ":1: line longer than 1,000,000 characters"),
    "nul.nt": ('<https://example.org/a> <https://example.org/p> "a\\u0000b" .\n', "control character in literal"),
    "notes.txt": ("just text\n", "unknown file type '.txt'"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_file_is_refused_with_its_location(runner, tmp_path, name: str) -> None:
    text, message = CASES[name]
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    for command in (["validate", str(path)], ["viz", str(path), "-o", str(tmp_path / "out.html")]):
        result = runner.invoke(main, command)
        assert result.exit_code == 2, (command, result.output)
        assert result.stderr.startswith(f"Error: {path}"), result.stderr
        assert message in result.stderr
        assert "Traceback" not in result.output
    assert not (tmp_path / "out.html").exists()
