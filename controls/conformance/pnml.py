"""Read a Petri net from PNML, as the common process-mining tools write it.

Names follow the file: a place or transition is named by its ``id``; a transition's label is the
text of its ``<name>`` (its id when it has none), and a transition marked invisible by the tool
(``activity="$invisible$"``) has no label. Without ``<finalmarkings>``, every place with no
outgoing arc gets one token in the final marking.
"""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from controls.conformance.petri import ModelError, PetriNet, Place, Transition
from controls.conformance.safexml import describe, local, parse


def read_pnml(path: str | Path) -> PetriNet:
    name = str(path)
    root = parse(path)
    nets = [child for child in root if local(child.tag) == "net"]
    if local(root.tag) != "pnml" or not nets:
        raise ModelError(name, describe(root), "not a PNML file (expected <pnml><net>)")
    return _Reader(name).read(nets[-1])


class _Reader:
    def __init__(self, path: str) -> None:
        self.path = path
        self.net = PetriNet()
        self.places: dict[str, Place] = {}
        self.transitions: dict[str, Transition] = {}

    def fail(self, element: etree._Element, message: str) -> ModelError:
        return ModelError(self.path, describe(element), message)

    def read(self, net_element: etree._Element) -> PetriNet:
        pages = [c for c in net_element if local(c.tag) == "page"]
        page = pages[-1] if pages else net_element
        for child in page:
            if local(child.tag) == "place":
                self.place(child)
        for child in page:
            if local(child.tag) == "transition":
                self.transition(child)
        for child in page:
            if local(child.tag) == "arc":
                self.arc(child)
        finals = [c for c in net_element if local(c.tag) == "finalmarkings"]
        if finals:
            self.final_marking(finals[-1])
        else:
            self.net.final = {p: 1 for p in self.net.places if not p.outputs}
        return self.net

    def ident(self, element: etree._Element) -> str:
        ident = element.get("id")
        if not ident:
            raise self.fail(element, "missing id")
        if ident in self.places or ident in self.transitions:
            raise self.fail(element, f"duplicate id {ident!r}")
        return ident

    def place(self, element: etree._Element) -> None:
        place = self.net.add_place(self.ident(element))
        self.places[place.name] = place
        tokens = self.number(element, "initialmarking")
        if tokens:
            self.net.initial[place] = tokens

    def transition(self, element: etree._Element) -> None:
        ident = self.ident(element)
        label: str | None = _name_text(element) or ident
        for child in element:
            if local(child.tag) == "toolspecific" and _invisible(child):
                label = None
        self.transitions[ident] = self.net.add_transition(ident, label)

    def arc(self, element: etree._Element) -> None:
        source, target = element.get("source", ""), element.get("target", "")
        weight = self.number(element, "inscription") or 1
        if source in self.places and target in self.transitions:
            self.net.arc(self.places[source], self.transitions[target], weight)
        elif source in self.transitions and target in self.places:
            self.net.arc(self.transitions[source], self.places[target], weight)
        else:
            raise self.fail(element, f"arc from {source!r} to {target!r}: unknown endpoint")

    def number(self, element: etree._Element, tag: str) -> int:
        for child in element:
            if local(child.tag) == tag:
                text = _text_of(child)
                try:
                    value = int(text)
                except ValueError:
                    raise self.fail(child, f"expected a whole number, got {text!r}") from None
                if value < 0:
                    raise self.fail(child, "a token count cannot be negative")
                return value
        return 0

    def final_marking(self, element: etree._Element) -> None:
        for marking in element:
            for ref in marking:
                place = self.places.get(ref.get("idref", ""))
                if place is None:
                    raise self.fail(ref, f"final marking names unknown place {ref.get('idref')!r}")
                tokens = self.tokens(ref)
                if tokens > 0:
                    self.net.final[place] = tokens

    def tokens(self, ref: etree._Element) -> int:
        text = _text_of(ref)
        try:
            return int(text)
        except ValueError:
            raise self.fail(ref, f"expected a whole number, got {text!r}") from None


def _text_of(element: etree._Element) -> str:
    for child in element:
        if local(child.tag) == "text":
            return (child.text or "").strip()
    return ""


def _name_text(element: etree._Element) -> str:
    for child in element:
        if local(child.tag) == "name":
            for text in child:
                if text.text:
                    return text.text
    return ""


def _invisible(toolspecific: etree._Element) -> bool:
    if "ProM" in toolspecific.get("tool", ""):
        return "invisible" in toolspecific.get("activity", "")
    for child in toolspecific:
        if child.get("key") == "invisible" and (child.text or "").lower() == "true":
            return True
    return False
