"""Parse a model file as XML without ever expanding entities or fetching anything."""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from controls.conformance.petri import ModelError

# A DOCTYPE is where entities are declared: it is refused before the parser sees it, in the
# encodings a model file may come in, so even the parser's own entity limits are never tested.
_DECLARATIONS = tuple(
    marker.encode(codec)
    for marker in ("<!DOCTYPE", "<!ENTITY")
    for codec in ("utf-8", "utf-16-le", "utf-16-be")
)


def parse(path: str | Path) -> etree._Element:
    """The root element; a DOCTYPE (the door to entity expansion) is refused outright."""
    name = str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise ModelError(name, None, f"cannot open: {error.strerror}") from None
    if any(marker in data for marker in _DECLARATIONS):
        raise ModelError(name, None, "DOCTYPE and entity declarations are not allowed")
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, remove_comments=True
    )
    try:
        root = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as error:
        raise ModelError(
            name, f"line {error.lineno}", f"not well-formed XML: {error.msg}"
        ) from None
    info = root.getroottree().docinfo  # a second line of defence (other encodings)
    if info.internalDTD is not None or info.system_url or info.public_id:
        raise ModelError(name, None, "DOCTYPE and entity declarations are not allowed")
    return root


def local(tag: object) -> str:
    """An element's tag without its namespace, lower-cased (files differ in both)."""
    text = tag if isinstance(tag, str) else ""
    return text.rsplit("}", 1)[-1].lower()


def describe(element: etree._Element) -> str:
    """How an error names an element: its tag, its id, and its line."""
    ident = element.get("id")
    tag = local(element.tag)
    label = f"<{tag} id={ident!r}>" if ident else f"<{tag}>"
    return f"{label} at line {element.sourceline}"
