"""A Petri net with an initial and a final marking: the shape every process model becomes.

Places and transitions are named; a transition with no label is invisible (silent). Arcs keep the
order in which they were added, so every computation over the net is deterministic.
"""

from __future__ import annotations

from dataclasses import dataclass, field


class ModelError(ValueError):
    """A process model file that cannot be used; the message names the file and the element."""

    def __init__(self, path: str, element: str | None, message: str) -> None:
        self.path = path
        self.element = element
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.path}, {self.element}" if self.element else self.path
        return f"{where}: {self.message}"


@dataclass(eq=False)
class Place:
    name: str
    inputs: list[Arc] = field(default_factory=list, repr=False)
    outputs: list[Arc] = field(default_factory=list, repr=False)


@dataclass(eq=False)
class Transition:
    name: str
    label: str | None = None  # None: invisible
    inputs: list[Arc] = field(default_factory=list, repr=False)
    outputs: list[Arc] = field(default_factory=list, repr=False)


@dataclass(eq=False)
class Arc:
    place: Place
    transition: Transition
    to_transition: bool  # True: place → transition; False: transition → place
    weight: int = 1


@dataclass(eq=False)
class PetriNet:
    """A net with its markings; places and transitions keep insertion order."""

    places: list[Place] = field(default_factory=list)
    transitions: list[Transition] = field(default_factory=list)
    initial: dict[Place, int] = field(default_factory=dict)
    final: dict[Place, int] = field(default_factory=dict)

    def add_place(self, name: str) -> Place:
        place = Place(name)
        self.places.append(place)
        return place

    def add_transition(self, name: str, label: str | None = None) -> Transition:
        transition = Transition(name, label)
        self.transitions.append(transition)
        return transition

    def arc(self, source: Place | Transition, target: Place | Transition, weight: int = 1) -> Arc:
        """Connect a place to a transition or a transition to a place."""
        if isinstance(source, Place) and isinstance(target, Transition):
            arc = Arc(source, target, True, weight)
            source.outputs.append(arc)
            target.inputs.append(arc)
        elif isinstance(source, Transition) and isinstance(target, Place):
            arc = Arc(target, source, False, weight)
            source.outputs.append(arc)
            target.inputs.append(arc)
        else:
            raise ValueError("an arc joins a place and a transition")
        return arc

    def remove_transition(self, transition: Transition) -> None:
        for arc in transition.inputs:
            arc.place.outputs.remove(arc)
        for arc in transition.outputs:
            arc.place.inputs.remove(arc)
        self.transitions.remove(transition)

    def remove_place(self, place: Place) -> None:
        for arc in place.inputs:
            arc.transition.outputs.remove(arc)
        for arc in place.outputs:
            arc.transition.inputs.remove(arc)
        self.places.remove(place)

    def labels(self) -> set[str]:
        return {t.label for t in self.transitions if t.label is not None}
