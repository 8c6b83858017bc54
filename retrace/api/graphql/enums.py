"""The domain's enumerations as GraphQL enums, each value described (the values are the domain's own; a test
checks that they stay equal)."""

from __future__ import annotations

from enum import Enum
from typing import TypeVar

import strawberry
from strawberry import enum_value as value


@strawberry.enum(description="One of the three waste streams; each has its own chain, licences and numbers.")
class StreamKind(Enum):
    WEEE = value(
        "weee", description="Waste electrical and electronic equipment (废弃电器电子产品): TVs, fridges …"
    )
    ELV = value("elv", description="End-of-life vehicles (报废机动车), identified by VIN.")
    BATTERY = value(
        "battery", description="Traction batteries (动力蓄电池): packs, modules, cells (GB/T 34014)."
    )


@strawberry.enum(description="What a party does in the chain; some roles need a licence to hold waste.")
class PartyRole(Enum):
    PRODUCER = value("producer", description="Puts products on the market; responsible under EPR (生产者).")
    COLLECTOR = value("collector", description="Takes waste back from households and owners (回收网点).")
    DISMANTLER = value("dismantler", description="Takes items apart into parts and materials (拆解企业).")
    RECYCLER = value("recycler", description="Turns parts and lots into secondary materials (综合利用企业).")
    REMANUFACTURER = value("remanufacturer", description="Gives parts a second life (再制造企业).")
    REGULATOR = value("regulator", description="An authority auditing the flows (监管部门).")
    LOGISTICS = value("logistics", description="Carries items between parties (物流).")
    OWNER = value("owner", description="Owns an item before it becomes waste, e.g. a vehicle owner.")


@strawberry.enum(
    description="Where a traced object is in its life; the last four are terminal (nothing more can "
    "happen to it)."
)
class ObjectStatus(Enum):
    ACTIVE = value("active", description="Held by a party at a site.")
    IN_TRANSIT = value("in_transit", description="Shipped and not yet received.")
    REMANUFACTURED = value("remanufactured", description="Remanufactured and back in use.")
    DISMANTLED = value("dismantled", description="Terminal: taken apart into parts and lots.")
    CONSUMED = value("consumed", description="Terminal: consumed whole by a transformation (recycled).")
    DISPOSED = value("disposed", description="Terminal: landfilled or incinerated.")
    VOIDED = value("voided", description="Terminal: created by an event later declared erroneous.")


@strawberry.enum(description="An item is one physical unit; a lot is a quantity of one material.")
class ObjectKindEnum(Enum):
    ITEM = value(
        "item", description="One unit: an appliance, a vehicle, a pack, a module, a cell, an engine."
    )
    LOT = value("lot", description="A quantity of one material: a bale of copper, a tonne of black mass.")


@strawberry.enum(description="What became of output mass; every recovery rate is built from these.")
class FateKind(Enum):
    REUSE = value("reuse", description="A part or product used again as it is.")
    REMANUFACTURE = value("remanufacture", description="Remanufactured into a product again.")
    RECYCLING = value("recycling", description="Recovered as material for new products (smelted, refined).")
    ENERGY_RECOVERY = value("energy_recovery", description="Incinerated with energy recovery.")
    DISPOSAL = value("disposal", description="Landfilled or incinerated without recovery.")
    UNKNOWN = value("unknown", description="Left the traced chain: itself an audit finding.")


@strawberry.enum(description="How mass crossed a site in a flow record.")
class FlowDirection(Enum):
    COMMISSIONED = value("commissioned", description="Placed on the market or first tagged here.")
    RECEIVED = value("received", description="Taken into custody here.")
    SHIPPED = value("shipped", description="Sent away from here.")
    CONSUMED = value("consumed", description="Input of a disassembly or transformation here.")
    PRODUCED = value("produced", description="Output of a disassembly or transformation here.")
    REMANUFACTURED = value("remanufactured", description="Remanufactured at this site and put back into use.")
    DISPOSED = value("disposed", description="Landfilled or incinerated at this site.")
    REAGENT = value(
        "reagent",
        description="Reagent mass (declared on a transformation) inside the object of the record beside it; "
        "recovery rates leave it out.",
    )


@strawberry.enum(description="How one object came from another; lineage follows all three.")
class LinkKindEnum(Enum):
    CONTAINS = value("contains", description="Aggregation: the parent held the child (a pack in a vehicle).")
    DISASSEMBLED_INTO = value("disassembled_into", description="A part or lot taken out of an item.")
    TRANSFORMED_INTO = value("transformed_into", description="An output lot made from an input.")


@strawberry.enum(description="Which way lineage is followed.")
class LineageWay(Enum):
    UPSTREAM = value("upstream", description="Towards what the object was made or taken from.")
    DOWNSTREAM = value("downstream", description="Where it went, and every part of it.")


@strawberry.enum(description="The kind of a recorded event (its EPCIS 2.0 mapping is in docs/events.md).")
class EventKind(Enum):
    COMMISSION = value("commission", description="Units are tagged and put into the graph.")
    SHIP = value("ship", description="The holder sends objects to another party.")
    RECEIVE = value("receive", description="A party takes objects into custody.")
    WEIGH = value("weigh", description="A measured mass replaces the nominal one.")
    AGGREGATE = value("aggregate", description="Children go into a parent (modules into a pack).")
    DISAGGREGATE = value("disaggregate", description="Children come out of a parent.")
    DISASSEMBLE = value("disassemble", description="An item is taken apart into parts and lots.")
    TRANSFORM = value("transform", description="Inputs are consumed whole into material lots.")
    REMANUFACTURE = value("remanufacture", description="Items are remanufactured and go back into use.")
    DISPOSE = value("dispose", description="Objects are landfilled or incinerated.")
    CORRECT = value("correct", description="An earlier event is declared erroneous (error declaration).")
    ASSOCIATE = value("associate", description="An item already in the graph is given new identifiers.")


@strawberry.enum(description="What a capture did with one event of a batch.")
class OutcomeStatus(Enum):
    CREATED = value("created", description="Recorded by this request.")
    REPLAYED = value(
        "replayed", description="Already recorded with the same content: answered as the first time."
    )


E = TypeVar("E", bound=Enum)


def domain(value: Enum, kind: type[E]) -> E:
    """The domain enum member with the same value as a GraphQL enum member."""
    return kind(value.value)
