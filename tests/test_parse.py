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
    "remote.jsonld": (
        '{"@context": "https://example.org/context.jsonld", "@id": "https://example.org/a"}',
        ":1: JSON-LD with a remote @context is refused",
    ),
    "huge.ttl": (
        '<https://example.org/a> <https://example.org/p> "' + "x" * 1_100_000 + '" .\n',
        ":1: line longer than 1,000,000 characters",
    ),
    "nul.nt": ('<https://example.org/a> <https://example.org/p> "a\\u0000b" .\n', "control character in literal"),
    "notes.txt": ("just text\n", "unknown file type '.txt'"),
    "triple-term.ttl": (
        "<https://example.org/a> <https://example.org/p> "
        "<<( <https://example.org/a> <https://example.org/p> <https://example.org/b> )>> .\n",
        "a triple term (RDF 1.2) is refused",
    ),
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


EX = "https://example.org/"
XSD_NS = "http://www.w3.org/2001/XMLSchema#"


def _deep_jsonld(levels: int) -> str:
    return (
        '{"@id": "https://example.org/a", '
        + '"https://example.org/p": {' * levels
        + '"@id": "https://example.org/b"'
        + "}" * levels
        + "}"
    )


@pytest.mark.parametrize(
    "name, text, message",
    [
        ("deep.jsonld", _deep_jsonld(20_000), ":1: nested deeper than 100 levels"),
        (
            "deep-array.jsonld",
            '{"@id": "https://example.org/a", "https://example.org/p": ' + "[" * 5000 + "]" * 5000 + "}",
            ":1: nested deeper than 100 levels",
        ),
        (
            "deep.rdf",
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
            'xmlns:e="https://example.org/">\n'
            + "<rdf:Description><e:p>" * 200
            + "</e:p></rdf:Description>" * 200
            + "</rdf:RDF>",
            ":2: nested deeper than 100 levels",
        ),
        (
            "digits.ttl",
            f'<{EX}a> <{EX}p> "{"9" * 5000}"^^<{XSD_NS}integer> .\n',
            ":1: number of 5,000 characters (more than 100) in a xsd:integer literal",
        ),
        (
            "exponent.ttl",
            f'<{EX}a> <{EX}p> "1e999999999"^^<{XSD_NS}double> .\n',
            ":1: number with an exponent of four digits or more",
        ),
        (
            "exponent-decimal.jsonld",
            '{"@id": "https://example.org/a", "https://example.org/p": '
            '{"@value": "1E+0999999999", "@type": "http://www.w3.org/2001/XMLSchema#decimal"}}',
            ":1: number with an exponent of four digits or more",
        ),
        ("bare-exponent.ttl", f"<{EX}a> <{EX}p> 1.5e99999 .\n", ":1: number with an exponent of four digits or more"),
        ("infinity.ttl", f'<{EX}a> <{EX}p> "INF"^^<{XSD_NS}double> .\n', "is not a finite number"),
        ("bidi.ttl", f'<{EX}a> <{EX}p> "evil\\u202Egnp.exe" .\n', "control character in literal"),
        ("escape.ttl", f'<{EX}a> <{EX}p> "red\\u001B[31m" .\n', "control character in literal"),
        ("c1.ttl", f'<{EX}a> <{EX}p> "x\\u0085y" .\n', "control character in literal"),
    ],
)
def test_bounded_checks_refuse_before_the_parser(runner, tmp_path, name, text, message) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(main, ["validate", str(path)])
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"Error: {path}"), result.stderr
    assert message in result.stderr and "Traceback" not in result.output


def test_every_ill_typed_literal_is_reported(runner, tmp_path) -> None:
    path = tmp_path / "many.ttl"
    path.write_text(
        "\n".join(
            [
                f'<{EX}a> <{EX}p> "2024-02-30"^^<{XSD_NS}date> .',
                f'<{EX}a> <{EX}q> "fine" .',
                f'<{EX}a> <{EX}r> "twelve"^^<{XSD_NS}integer> .',
                f'<{EX}a> <{EX}s> "1.x"^^<{XSD_NS}decimal> .',
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    result = runner.invoke(main, ["validate", str(path)])
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f'Error: {path}:1: ill-typed literal "2024-02-30"')
    assert lines[1].startswith(f'{path}:3: ill-typed literal "twelve"')
    assert lines[2].startswith(f'{path}:4: ill-typed literal "1.x"')
    assert len(lines) == 3


@pytest.mark.parametrize(
    "body, line",
    [
        (f'<{EX}a> <{EX}p> [ <{EX}q> "x" ] .', 3),
        (f"<{EX}a> <{EX}p> _:b1 .", 3),
        (f"<{EX}a> <{EX}p> ( <{EX}b> ) .", 3),
    ],
)
def test_blank_nodes_in_curated_data_are_refused_with_their_line(runner, tmp_path, body, line) -> None:
    path = tmp_path / "blank.ttl"
    path.write_text(f'# a "[" in a comment\n<{EX}a> <{EX}label> "not [ this" .\n{body}\n', encoding="utf-8")
    result = runner.invoke(main, ["validate", str(path)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: {path}:{line}: blank node refused")
