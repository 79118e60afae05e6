"""Read a BPMN 2.0 process and turn it into a Petri net for replay.

Supported: tasks (any ``*Task``), start and end events, exclusive and parallel gateways and
sequence flows. The translation is the usual one, so fitness agrees with the common tools:

- a ``source`` place (initial marking) and a ``sink`` place (final marking);
- each sequence flow becomes a place named after the flow's id;
- each node becomes a transition (labelled with the task's name; gateways and events are
  invisible) between an entry place ``ent_<id>`` and an exit place ``exi_<id>``; a start event is
  fed from ``source`` and an end event feeds ``sink`` through invisible transitions;
- a parallel gateway splits (or joins) through one invisible transition over all its flows;
  any other node chooses one outgoing flow (or takes any incoming flow) through an invisible
  transition per flow;
- finally, invisible transitions that merely pass a token along are merged away.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from controls.conformance.petri import ModelError, PetriNet, Place, Transition
from controls.conformance.safexml import describe, local, parse

_UNSUPPORTED = {
    "subprocess": "sub-processes",
    "adhocsubprocess": "sub-processes",
    "transaction": "transactions",
    "callactivity": "call activities",
    "intermediatecatchevent": "intermediate events",
    "intermediatethrowevent": "intermediate events",
    "boundaryevent": "boundary events",
    "inclusivegateway": "inclusive gateways",
    "eventbasedgateway": "event-based gateways",
    "complexgateway": "complex gateways",
}


@dataclass(eq=False)
class _Node:
    ident: str
    kind: str  # "task", "start", "end", "xor", "and"
    name: str
    element: etree._Element


@dataclass(eq=False)
class _Flow:
    ident: str
    source: _Node
    target: _Node


def read_bpmn(path: str | Path) -> PetriNet:
    """The BPMN file's process (all its ``<process>`` elements) as a Petri net."""
    name = str(path)
    root = parse(path)
    processes = [e for e in root.iter() if local(e.tag) == "process"]
    if local(root.tag) != "definitions" or not processes:
        raise ModelError(name, describe(root), "not a BPMN 2.0 file (expected <definitions>)")
    nodes, flows = _read_elements(name, processes)
    if not any(n.kind == "start" for n in nodes):
        raise ModelError(name, None, "the process has no start event")
    if not any(n.kind == "end" for n in nodes):
        raise ModelError(name, None, "the process has no end event")
    return to_petri_net(nodes, flows)


def _read_elements(path: str, processes: list[etree._Element]) -> tuple[list[_Node], list[_Flow]]:
    nodes: dict[str, _Node] = {}
    flow_elements = []
    for process in processes:
        for element in process.iter():
            tag = local(element.tag)
            if tag in _UNSUPPORTED:
                raise ModelError(
                    path, describe(element), f"{_UNSUPPORTED[tag]} are not supported yet"
                )
            kind = _kind(tag)
            if kind is not None:
                node = _node(path, element, kind)
                if node.ident in nodes:
                    raise ModelError(path, describe(element), f"duplicate id {node.ident!r}")
                nodes[node.ident] = node
            elif tag == "sequenceflow":
                flow_elements.append(element)
    flows = [_flow(path, element, nodes) for element in flow_elements]
    return list(nodes.values()), flows


def _kind(tag: str) -> str | None:
    if tag.endswith("task"):
        return "task"
    return {
        "startevent": "start",
        "endevent": "end",
        "exclusivegateway": "xor",
        "parallelgateway": "and",
    }.get(tag)


def _node(path: str, element: etree._Element, kind: str) -> _Node:
    ident = element.get("id")
    if not ident:
        raise ModelError(path, describe(element), "missing id")
    # Names may be wrapped over lines in the editor; the log's activity has no line breaks.
    name = element.get("name", "").replace("\r", "").replace("\n", "")
    return _Node(ident, kind, name, element)


def _flow(path: str, element: etree._Element, nodes: dict[str, _Node]) -> _Flow:
    ident = element.get("id")
    if not ident:
        raise ModelError(path, describe(element), "missing id")
    ends = []
    for attribute in ("sourceRef", "targetRef"):
        ref = element.get(attribute)
        if ref not in nodes:
            raise ModelError(path, describe(element), f"{attribute} {ref!r} is not a known node")
        ends.append(nodes[ref])
    return _Flow(ident, ends[0], ends[1])


def to_petri_net(nodes: list[_Node], flows: list[_Flow]) -> PetriNet:
    net = PetriNet()
    source, sink = net.add_place("source"), net.add_place("sink")
    net.initial[source] = 1
    net.final[sink] = 1
    flow_place = {f: net.add_place(f.ident) for f in flows}
    outgoing = {n: sum(1 for f in flows if f.source is n) for n in nodes}
    incoming = {n: sum(1 for f in flows if f.target is n) for n in nodes}
    exits: dict[_Node, Place | Transition] = {}
    entries: dict[_Node, Place | Transition] = {}
    for node in nodes:
        entry = net.add_place(f"ent_{node.ident}")
        exit_ = net.add_place(f"exi_{node.ident}")
        label = node.name if node.kind == "task" and node.name else None
        body = net.add_transition(node.ident, label)
        net.arc(entry, body)
        net.arc(body, exit_)
        entries[node], exits[node] = entry, exit_
        if node.kind == "and" and outgoing[node] > 1:
            split = net.add_transition(f"{node.ident}_split")
            net.arc(exit_, split)
            exits[node] = split
        if node.kind == "and" and incoming[node] > 1:
            join = net.add_transition(f"{node.ident}_join")
            net.arc(join, entry)
            entries[node] = join
        if node.kind == "start":
            start = net.add_transition(f"{node.ident}_start")
            net.arc(source, start)
            net.arc(start, entry)
        elif node.kind == "end":
            end = net.add_transition(f"{node.ident}_end")
            net.arc(exit_, end)
            net.arc(end, sink)
    for flow in flows:
        out, into = exits[flow.source], entries[flow.target]
        if isinstance(out, Place):
            leave = net.add_transition(f"sfl_{flow.ident}")
            net.arc(out, leave)
            out = leave
        if isinstance(into, Place):
            arrive = net.add_transition(f"tfl_{flow.ident}")
            net.arc(arrive, into)
            into = arrive
        net.arc(out, flow_place[flow])
        net.arc(flow_place[flow], into)
    _reduce(net)
    for place in list(net.places):
        isolated = not place.inputs and not place.outputs
        if isolated and place not in net.initial and place not in net.final:
            net.remove_place(place)
    return net


def _reduce(net: PetriNet) -> None:
    """Merge invisible transitions that only pass a token on, until nothing changes."""
    while True:
        size = (len(net.transitions), len(net.places))
        while _merge_into_producer(net):
            pass
        while _merge_into_consumer(net):
            pass
        if (len(net.transitions), len(net.places)) == size:
            return


def _merge_into_producer(net: PetriNet) -> bool:
    """An invisible transition fed by a place that only one transition fills and only it
    empties: the filling transition can produce the invisible one's outputs directly."""
    for t in list(net.transitions):
        if t.label is not None or len(t.inputs) != 1:
            continue
        place = t.inputs[0].place
        if len(place.inputs) == 1 and {a.transition for a in place.outputs} == {t}:
            producer = place.inputs[0].transition
            targets = [a.place for a in t.outputs]
            net.remove_transition(t)
            net.remove_place(place)
            for target in targets:
                net.arc(producer, target)
            return True
    return False


def _merge_into_consumer(net: PetriNet) -> bool:
    """An invisible transition whose single output place only it fills and only one transition
    empties: that transition can consume the invisible one's inputs directly."""
    for t in list(net.transitions):
        if t.label is not None or len(t.outputs) != 1:
            continue
        place = t.outputs[0].place
        if len(place.outputs) == 1 and {a.transition for a in place.inputs} == {t}:
            consumer = place.outputs[0].transition
            sources = [a.place for a in t.inputs]
            net.remove_transition(t)
            net.remove_place(place)
            for source in sources:
                net.arc(source, consumer)
            return True
    return False
