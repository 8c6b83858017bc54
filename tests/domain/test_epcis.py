"""The EPCIS 2.0 mapping: real recorded events, made by the pure ledger, checked against the official JSON Schema.

The schema alone checks little of what matters: without format checks any string passes as a URI, so an extension
field named ``fate`` (no namespace) or an eventID with a space in it would pass.  ``FORMATS`` adds strict ``uri`` and
``date-time`` checks; the official GS1 examples pass them (``test_official_examples_pass_the_strict_checks``).
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from epcpy.epc_schemes import SGTIN
from epcpy.epc_schemes.sgtin import SGTINFilterValue
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import FormatChecker  # type: ignore[import-untyped]
from jsonschema.validators import Draft7Validator, validator_for  # type: ignore[import-untyped]

from retrace.domain import errors as codes
from retrace.domain.changes import RecordedEvent
from retrace.domain.epcis import (
    BIZSTEP_RECYCLING,
    SHAPES,
    VOCAB,
    Naming,
    event_time,
    event_uri,
    identifier_text,
    object_uri,
    to_epcis,
    to_epcis_document,
)
from retrace.domain.errors import InvalidInput, NotFound
from retrace.domain.events import (
    EVENT_TYPES,
    Aggregate,
    Associate,
    Commission,
    Correct,
    Disaggregate,
    Disassemble,
    Dispose,
    Event,
    NewItem,
    NewLot,
    Receive,
    Remanufacture,
    Ship,
    Transform,
    Weigh,
)
from retrace.domain.identifiers import parse_identifier, vin_check_digit
from retrace.domain.ledger import CaptureRules, Ledger
from retrace.domain.model import Fate, Licence, Party, ProductModel, RegionCode, Role, Site, Stream

DATA = Path(__file__).resolve().parents[1] / "data" / "epcis"
DOCS = Path(__file__).resolve().parents[2] / "docs"

# -- the official schema, with strict formats ---------------------------------------------------------------------

_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]*$")
_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")

FORMATS = FormatChecker()


@FORMATS.checks("uri")
def _is_uri(value: object) -> bool:
    """RFC 3986: a scheme, then only characters a URI may hold, and well-formed percent escapes."""
    if not isinstance(value, str):
        return True
    return bool(_URI.match(value)) and not re.search(r"%(?![0-9A-Fa-f]{2})", value)


@FORMATS.checks("date-time")
def _is_date_time(value: object) -> bool:
    """RFC 3339 ``date-time``: a full date, a time and an offset."""
    if not isinstance(value, str):
        return True
    if not _RFC3339.match(value):
        return False
    datetime.fromisoformat(value.replace("z", "Z").replace("t", "T"))  # raises on 2024-02-30 and the like
    return True


SCHEMA = json.loads((DATA / "EPCIS-JSON-Schema.json").read_text(encoding="utf-8"))
VALIDATOR_CLASS = validator_for(SCHEMA)  # the draft the schema's own $schema names (draft-07)
VALIDATOR_CLASS.check_schema(SCHEMA)
VALIDATOR = VALIDATOR_CLASS(SCHEMA, format_checker=FORMATS)


def schema_errors(document: dict[str, Any]) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in VALIDATOR.iter_errors(document)]


def assert_valid(document: dict[str, Any]) -> None:
    errors = schema_errors(document)
    assert not errors, "\n".join(errors[:10])


def test_the_schema_is_draft_07() -> None:
    assert SCHEMA["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert VALIDATOR_CLASS is Draft7Validator


@pytest.mark.parametrize("path", sorted((DATA / "examples").glob("*.jsonld")), ids=lambda p: p.name)
def test_official_examples_pass_the_strict_checks(path: Path) -> None:
    assert_valid(json.loads(path.read_text(encoding="utf-8")))


# -- a small world, run through the real ledger --------------------------------------------------------------------

CST = timezone(timedelta(hours=8))
T0 = datetime(2024, 5, 6, 9, 0, tzinfo=CST)
NOW = datetime(2024, 6, 1, tzinfo=UTC)
REGION = RegionCode("440300")

TV_HEX = "3074257BF7194E4000001A85"  # EPC TDS test vector: urn:epc:id:sgtin:0614141.812345.6789
TV_URI = "https://id.gs1.org/01/80614141123458/21/6789"
VIN = "LFV2A21K0D4010942"
PACK = "0A1PE0500000000000000001"
MODULES = ("0A1ME0500000000000000001", "0A1ME0500000000000000002")
SECOND_LIFE = "0A1PE0500000000000000777"  # the pack's GB/T 34014 code for its second life
PACK_TAG = "urn:epc:id:sgtin:0614141.812345.9001"  # and the RFID tag fixed to it then
PACK_TAG_URI = "https://id.gs1.org/01/80614141123458/21/9001"


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def new_ledger() -> Ledger:
    roles = {
        "maker": Role.PRODUCER,
        "collector": Role.COLLECTOR,
        "dismantler": Role.DISMANTLER,
        "reman": Role.REMANUFACTURER,
    }
    parties = {
        pid: Party(pid, pid.title(), frozenset({role}), REGION, name_zh=pid) for pid, role in roles.items()
    }
    years = (date(2020, 1, 1), date(2030, 12, 31))
    licences = {
        "collector": [Licence("L-C", "collector", frozenset(Stream), *years)],
        "dismantler": [Licence("L-D", "dismantler", frozenset(Stream), *years)],
        "reman": [Licence("L-M", "reman", frozenset({Stream.BATTERY}), *years)],
    }
    models = [
        ProductModel("tv", "maker", Stream.WEEE, "tv", "55in TV", 30_000, {"steel": 15_000}),
        ProductModel("pcb", "maker", Stream.WEEE, "pcb", "TV mainboard", 1_500),
        ProductModel("pack", "maker", Stream.BATTERY, "ncm_pack", "NCM pack", 300_000),
        ProductModel("module", "maker", Stream.BATTERY, "ncm_module", "NCM module", 40_000),
        ProductModel("car", "maker", Stream.ELV, "passenger_car", "Sedan", 1_500_000),
    ]
    return Ledger(
        now=NOW,
        rules=CaptureRules(),
        objects={},
        keys={},
        parties=parties,
        sites={f"site-{pid}": Site(f"site-{pid}", f"{pid} yard", pid, REGION) for pid in parties},
        models={m.id: m for m in models},
        licences=licences,
        children={},
        records={},
    )


def story() -> list[Event]:
    """One event of every type, two corrections (one with a corrective event, one without), and the pack given a
    second-life code and an RFID tag, then shipped by its new code."""
    tv, pcb = f"sgtin96:{TV_HEX}", "internal:PCB-0001"
    pack, module_1, module_2 = (f"gbt34014:{c}" for c in (PACK, *MODULES))
    return [
        Commission(
            "e01",
            at(0),
            "site-maker",
            "maker",
            items=(
                NewItem((tv,), "tv"),
                NewItem((pack,), "pack"),
                NewItem((module_1,), "module"),
                NewItem((module_2,), "module"),
            ),
        ),
        Aggregate("e02", at(1), "site-maker", "maker", parent=pack, children=(module_1, module_2)),
        Disaggregate("e03", at(2), "site-maker", "maker", parent=pack, children=(module_2,)),
        Ship(
            "e04",
            at(3),
            "site-maker",
            "maker",
            objects=(TV_URI,),
            to_party_id="collector",
            to_site_id="site-collector",
        ),
        Receive("e05", at(5), "site-collector", "collector", objects=(TV_URI,), from_party_id="maker"),
        Weigh("e06", at(6), "site-collector", "collector", object=tv, mass_g=28_500),
        Ship("e07", at(7), "site-collector", "collector", objects=(tv,), to_party_id="dismantler"),
        Receive("e08", at(9), "site-dismantler", "dismantler", objects=(tv,)),
        Disassemble(
            "e09",
            at(10),
            "site-dismantler",
            "dismantler",
            object=tv,
            parts=(NewItem((pcb,), "pcb", fate=Fate.RECYCLING),),
            lots=(
                NewLot("LOT-FE-001", "steel", 15_000, Fate.RECYCLING),
                NewLot("LOT-CU-001", "copper", 2_000, Fate.RECYCLING),
            ),
        ),
        Transform(
            "e10",
            at(11),
            "site-dismantler",
            "dismantler",
            inputs=(pcb, "internal:LOT-FE-001"),
            outputs=(
                NewLot("LOT-FE-100", "steel", 14_000, Fate.RECYCLING),
                NewLot("LOT-RES-01", "plastics", 2_000, Fate.DISPOSAL),
            ),
        ),
        Ship(
            "e11",
            at(12),
            "site-maker",
            "maker",
            objects=(pack,),
            to_party_id="reman",
            to_site_id="site-reman",
        ),
        Receive("e12", at(14), "site-reman", "reman", objects=(pack,)),
        Remanufacture("e13", at(15), "site-reman", "reman", objects=(pack,)),
        Dispose("e14", at(16), "site-dismantler", "dismantler", objects=("internal:LOT-RES-01",)),
        Correct(
            "e15",
            at(17),
            "site-dismantler",
            "dismantler",
            target_event_id="e14",
            reason="the residue went to the incinerator, not to landfill",
            corrective_event_ids=("e16",),
        ),
        Dispose(
            "e16",
            at(18),
            "site-dismantler",
            "dismantler",
            objects=("internal:LOT-RES-01",),
            fate=Fate.ENERGY_RECOVERY,
        ),
        Commission("e17", at(19), "site-maker", "maker", items=(NewItem((f"vin:{VIN}",), "car"),)),
        Correct("e18", at(20), "site-maker", "maker", target_event_id="e17", reason="not our vehicle"),
        Associate(
            "e19",
            at(21),
            "site-reman",
            "reman",
            object=pack,
            identifiers=(f"gbt34014:{SECOND_LIFE}", PACK_TAG),
        ),
        Ship("e20", at(22), "site-reman", "reman", objects=(SECOND_LIFE,), to_party_id="collector"),
    ]


class World:
    def __init__(self) -> None:
        self.ledger = new_ledger()
        self.order: list[str] = []
        for event in story():
            self.ledger.apply(event, event.fingerprint())
            self.order.append(event.event_id)

    @property
    def records(self) -> list[RecordedEvent]:
        return [self.ledger.records[eid] for eid in self.order]

    def epcis(self, event_id: str) -> dict[str, Any]:
        return to_epcis(self.ledger.records[event_id], self.ledger.objects, targets=self.ledger.records)


@pytest.fixture(scope="module")
def world() -> World:
    return World()


def ext(event: dict[str, Any], name: str) -> Any:
    return event[f"retrace:{name}"]


def roles(event: dict[str, Any]) -> dict[str, str]:
    """EPCIS URI → our role, from the objects extension."""
    return {o["retrace:uri"]: o["retrace:role"] for o in ext(event, "objects")}


# -- every type, valid ---------------------------------------------------------------------------------------------


def test_the_story_has_every_event_type(world: World) -> None:
    assert {r.event.type for r in world.records} == set(EVENT_TYPES)
    assert set(SHAPES) == set(EVENT_TYPES) - {"correct"}


@pytest.mark.parametrize("event_id", [e.event_id for e in story()])
def test_each_event_alone_is_schema_valid(world: World, event_id: str) -> None:
    event = world.epcis(event_id)
    assert_valid(event)
    assert event["@context"][1] == {"retrace": VOCAB}


def test_the_whole_story_is_one_schema_valid_document(world: World) -> None:
    document = to_epcis_document(world.records, world.ledger.objects)
    assert_valid(document)
    assert json.loads(json.dumps(document)) == document  # plain JSON: no datetimes, tuples or enums left
    events = document["epcisBody"]["eventList"]
    assert len(events) == len(world.records)
    assert all("@context" not in e for e in events)
    assert document["schemaVersion"] == "2.0"
    # The latest recorded_at, so the same records always give the same document.
    assert document["creationDate"] == NOW.isoformat()


def test_the_strict_checks_catch_what_the_bare_schema_lets_through(world: World) -> None:
    event = world.epcis("e14")
    event["fate"] = "disposal"  # an extension field outside any namespace
    assert any("fate" in e for e in schema_errors(event))
    event = world.epcis("e14")
    event["eventID"] = "not a uri"
    assert schema_errors(event)
    event = world.epcis("e09")
    event["bizStep"] = "dismantling"  # not in CBV 2.0 (its word is disassembling)
    assert schema_errors(event)


# -- each type, field by field -------------------------------------------------------------------------------------


def test_commission(world: World) -> None:
    event = world.epcis("e01")
    assert (event["type"], event["action"], event["bizStep"], event["disposition"]) == (
        "ObjectEvent",
        "ADD",
        "commissioning",
        "active",
    )
    assert event["epcList"] == [
        TV_URI,
        f"urn:retrace:gbt34014:{PACK}",
        *(f"urn:retrace:gbt34014:{m}" for m in MODULES),
    ]
    assert event["readPoint"] == event["bizLocation"] == {"id": "urn:retrace:site:site-maker"}
    assert event["eventID"] == event_uri("e01") and event["eventID"].startswith("urn:uuid:")
    assert ext(event, "eventId") == "e01" and ext(event, "eventType") == "commission"
    assert ext(event, "partyId") == "maker"
    tv = ext(event, "objects")[0]
    assert tv["retrace:identifiers"] == [f"sgtin96:{TV_HEX}"]
    assert (tv["retrace:modelId"], tv["retrace:stream"], tv["retrace:massG"]) == ("tv", "weee", 30_000)


def test_ship_names_parties_and_places_and_the_contents_it_carries(world: World) -> None:
    event = world.epcis("e04")
    assert (event["action"], event["bizStep"], event["disposition"]) == ("OBSERVE", "shipping", "in_transit")
    assert event["epcList"] == [TV_URI]
    assert event["sourceList"] == [
        {"type": "possessing_party", "source": "urn:retrace:party:maker"},
        {"type": "location", "source": "urn:retrace:site:site-maker"},
    ]
    assert event["destinationList"] == [
        {"type": "possessing_party", "destination": "urn:retrace:party:collector"},
        {"type": "location", "destination": "urn:retrace:site:site-collector"},
    ]
    assert "bizLocation" not in event  # in transit: at no business location
    assert (ext(event, "toPartyId"), ext(event, "toSiteId")) == ("collector", "site-collector")
    pack = world.epcis("e11")
    assert pack["epcList"] == [f"urn:retrace:gbt34014:{PACK}"]  # the module inside travels by aggregation
    assert roles(pack)[f"urn:retrace:gbt34014:{MODULES[0]}"] == "contained"


def test_receive(world: World) -> None:
    event = world.epcis("e05")
    assert (event["action"], event["bizStep"], event["disposition"]) == (
        "OBSERVE",
        "receiving",
        "in_progress",
    )
    assert event["sourceList"] == [{"type": "possessing_party", "source": "urn:retrace:party:maker"}]
    assert event["destinationList"][0] == {
        "type": "possessing_party",
        "destination": "urn:retrace:party:collector",
    }
    assert event["bizLocation"] == {"id": "urn:retrace:site:site-collector"}
    assert "sourceList" not in world.epcis("e08")  # no sender given, none claimed


def test_weigh_is_a_mass_sensor_report(world: World) -> None:
    event = world.epcis("e06")
    assert (event["action"], event["bizStep"]) == ("OBSERVE", "sensor_reporting")
    assert "disposition" not in event
    assert event["sensorElementList"] == [{"sensorReport": [{"type": "Mass", "value": 28.5, "uom": "KGM"}]}]
    assert ext(event, "massG") == 28_500
    assert ext(event, "objects")[0]["retrace:massG"] == 28_500


def test_aggregate_and_disaggregate(world: World) -> None:
    packed, unpacked = world.epcis("e02"), world.epcis("e03")
    assert (packed["type"], packed["action"], packed["bizStep"]) == ("AggregationEvent", "ADD", "packing")
    assert packed["parentID"] == unpacked["parentID"] == f"urn:retrace:gbt34014:{PACK}"
    assert packed["childEPCs"] == [f"urn:retrace:gbt34014:{m}" for m in MODULES]
    assert (unpacked["action"], unpacked["bizStep"]) == ("DELETE", "unpacking")
    assert unpacked["childEPCs"] == [f"urn:retrace:gbt34014:{MODULES[1]}"]


def test_disassemble_is_a_transformation_with_parts_and_lots(world: World) -> None:
    event = world.epcis("e09")
    assert (event["type"], event["bizStep"], event["disposition"]) == (
        "TransformationEvent",
        "disassembling",
        "active",
    )
    assert "action" not in event
    assert event["inputEPCList"] == [TV_URI]
    assert event["outputEPCList"] == ["urn:retrace:internal:PCB-0001"]
    assert event["outputQuantityList"] == [
        {"epcClass": "urn:retrace:lot:LOT-FE-001", "quantity": 15.0, "uom": "KGM"},
        {"epcClass": "urn:retrace:lot:LOT-CU-001", "quantity": 2.0, "uom": "KGM"},
    ]
    lots = {o["retrace:uri"]: o for o in ext(event, "objects") if o["retrace:kind"] == "lot"}
    assert lots["urn:retrace:lot:LOT-CU-001"]["retrace:material"] == "copper"
    assert lots["urn:retrace:lot:LOT-CU-001"]["retrace:fate"] == "recycling"
    tv = next(o for o in ext(event, "objects") if o["retrace:role"] == "input")
    assert tv["retrace:massG"] == 28_500  # the weighed mass, as the disassembly found it


def test_transform_consumes_items_and_lots_into_lots(world: World) -> None:
    event = world.epcis("e10")
    assert (event["type"], event["bizStep"]) == ("TransformationEvent", BIZSTEP_RECYCLING)
    assert event["inputEPCList"] == ["urn:retrace:internal:PCB-0001"]
    assert event["inputQuantityList"] == [
        {"epcClass": "urn:retrace:lot:LOT-FE-001", "quantity": 15.0, "uom": "KGM"}
    ]
    assert [q["epcClass"] for q in event["outputQuantityList"]] == [
        "urn:retrace:lot:LOT-FE-100",
        "urn:retrace:lot:LOT-RES-01",
    ]
    fates = {o["retrace:uri"]: o.get("retrace:fate") for o in ext(event, "objects")}
    assert fates["urn:retrace:lot:LOT-RES-01"] == "disposal"


def test_remanufacture_and_dispose(world: World) -> None:
    reman = world.epcis("e13")
    assert (reman["action"], reman["bizStep"], reman["disposition"]) == ("OBSERVE", "repairing", "active")
    assert ext(reman, "objects")[0]["retrace:fate"] == "remanufacture"
    disposed = world.epcis("e14")
    assert (disposed["action"], disposed["bizStep"], disposed["disposition"]) == (
        "DELETE",
        "destroying",
        "destroyed",
    )
    assert disposed["epcList"] == []  # a lot is a quantity, not an instance
    assert disposed["quantityList"] == [
        {"epcClass": "urn:retrace:lot:LOT-RES-01", "quantity": 2.0, "uom": "KGM"}
    ]
    assert "bizLocation" not in disposed
    assert ext(disposed, "fate") == "disposal"


def test_associate_commissions_the_new_identifiers_for_the_object_the_old_one_names(world: World) -> None:
    event = world.epcis("e19")
    assert (event["type"], event["action"], event["bizStep"]) == ("ObjectEvent", "ADD", "commissioning")
    assert "disposition" not in event  # the pack stays what it was (remanufactured, at the remanufacturer)
    assert event["epcList"] == [f"urn:retrace:gbt34014:{SECOND_LIFE}", PACK_TAG_URI]
    assert event["ilmd"] == {"retrace:sameAs": f"urn:retrace:gbt34014:{PACK}"}
    assert ext(event, "identifiers") == [f"gbt34014:{SECOND_LIFE}", PACK_TAG]
    (pack,) = ext(event, "objects")
    assert (pack["retrace:role"], pack["retrace:uri"]) == ("subject", f"urn:retrace:gbt34014:{PACK}")
    assert pack["retrace:identifiers"] == [f"gbt34014:{PACK}", f"gbt34014:{SECOND_LIFE}", PACK_TAG]
    assert event["bizLocation"] == {"id": "urn:retrace:site:site-reman"}


def test_events_name_an_object_as_it_was_named_when_they_happened(world: World) -> None:
    """The pack's RFID tag (a GS1 key, which EPCIS prefers) came with the associate: earlier events, including the
    commission that created the pack, still name it by its first code; later ones by the tag."""
    pack_urn = f"urn:retrace:gbt34014:{PACK}"
    assert pack_urn in world.epcis("e01")["epcList"]
    assert ext(world.epcis("e01"), "objects")[1]["retrace:identifiers"] == [f"gbt34014:{PACK}"]
    assert world.epcis("e13")["epcList"] == [pack_urn]
    assert world.epcis("e20")["epcList"] == [PACK_TAG_URI]


# -- corrections ---------------------------------------------------------------------------------------------------


def test_a_correction_is_its_target_again_with_an_error_declaration(world: World) -> None:
    original, declared = world.epcis("e14"), world.epcis("e15")
    declaration = declared.pop("errorDeclaration")
    assert declared.pop("recordTime") == original.pop("recordTime")  # both recorded at the ledger's `now`
    assert declared == original  # the erroneous event, unchanged, under its own eventID
    assert declaration == {
        "declarationTime": at(17).isoformat(),
        "reason": "incorrect_data",
        "correctiveEventIDs": [event_uri("e16")],
        "retrace:eventId": "e15",
        "retrace:eventType": "correct",
        "retrace:partyId": "dismantler",
        "retrace:siteId": "site-dismantler",
        "retrace:reason": "the residue went to the incinerator, not to landfill",
        "retrace:fingerprint": world.ledger.records["e15"].fingerprint,
        "retrace:correctiveEventIds": ["e16"],
    }


def test_a_correction_without_corrective_events_says_it_did_not_occur(world: World) -> None:
    event = world.epcis("e18")
    assert event["errorDeclaration"]["reason"] == "did_not_occur"
    assert "correctiveEventIDs" not in event["errorDeclaration"]
    assert event["eventID"] == event_uri("e17")
    # The voided car gave up its identifier keys, but is still named by its VIN.
    assert event["epcList"] == [f"urn:retrace:vin:{VIN}"]


def test_a_correction_needs_its_target(world: World) -> None:
    with pytest.raises(NotFound) as caught:
        to_epcis(world.ledger.records["e15"], world.ledger.objects)
    assert caught.value.code == codes.EVENT_NOT_FOUND


def test_every_named_object_must_be_given(world: World) -> None:
    with pytest.raises(NotFound) as caught:
        to_epcis(world.ledger.records["e01"], {})
    assert caught.value.code == codes.OBJECT_NOT_FOUND


# -- nothing recorded is lost --------------------------------------------------------------------------------------


def leaves(value: Any) -> Iterator[Any]:
    if isinstance(value, dict):
        for item in value.values():
            yield from leaves(item)
    elif isinstance(value, list):
        for item in value:
            yield from leaves(item)
    elif value is not None:
        yield value


@pytest.mark.parametrize("event_id", [e.event_id for e in story()])
def test_every_value_of_the_event_is_in_its_epcis_form(world: World, event_id: str) -> None:
    """What docs/events.md promises: every field comes back, identifiers by their key (the canonical form)."""
    record = world.ledger.records[event_id]
    out = world.epcis(event_id)
    found = set(leaves(out))
    keys = {parse_identifier(t).key for o in ext(out, "objects") for t in o["retrace:identifiers"]}
    for value in leaves(record.event.payload()):
        if value in found:
            continue
        assert isinstance(value, str), f"{value!r} of {event_id} is missing"
        assert parse_identifier(value).key in keys, f"{value!r} of {event_id} is missing"


def test_identifier_texts_read_back_as_the_same_identifier(world: World) -> None:
    for obj in world.ledger.objects.values():
        for scheme, value in obj.identifiers:
            parsed = parse_identifier(identifier_text(scheme, value))
            assert (parsed.scheme.value, parsed.value) == (scheme, value)


# -- identifiers, ids and times ------------------------------------------------------------------------------------


def test_every_gs1_form_of_a_unit_gives_the_same_digital_link(world: World) -> None:
    tv = next(o for o in world.ledger.objects.values() if o.model_id == "tv")
    for scheme, value in [
        ("sgtin", "urn:epc:id:sgtin:0614141.812345.6789"),
        ("digital_link", TV_URI),
        ("digital_link", "https://resolver.example.com/01/80614141123458/21/6789"),
    ]:
        assert object_uri(dataclasses.replace(tv, identifiers=((scheme, value),))) == TV_URI


@pytest.mark.parametrize(
    ("identifiers", "uri"),
    [
        ((("sscc", "urn:epc:id:sscc:0614141.1234567890"),), "https://id.gs1.org/00/106141412345678908"),
        ((("epc", "31D4257BF4499602D2000000"),), "https://id.gs1.org/00/106141412345678908"),  # SSCC-96 tag
        ((("grai", "urn:epc:id:grai:0614141.12345.400"),), "https://id.gs1.org/8003/00614141123452400"),
        # a GS1 key is preferred to a VIN or battery code, whichever order they were given in
        (
            (("vin", "LFV2A21K0D4010942"), ("sscc", "urn:epc:id:sscc:0614141.1234567890")),
            "https://id.gs1.org/00/106141412345678908",
        ),
    ],
    ids=["sscc-urn", "sscc-96-hex", "grai-urn", "gs1-key-first"],
)
def test_a_logistic_unit_or_returnable_asset_is_named_by_its_digital_link(
    world: World, identifiers: tuple[tuple[str, str], ...], uri: str
) -> None:
    tv = next(o for o in world.ledger.objects.values() if o.model_id == "tv")
    assert object_uri(dataclasses.replace(tv, identifiers=identifiers)) == uri


def test_a_serial_with_reserved_characters_is_percent_encoded() -> None:
    serial = 'a/b"c%d'
    _, ledger = commission_of([f"https://id.gs1.org/01/80614141123458/21/{quote(serial, safe='')}"], "e-pct")
    out = to_epcis(ledger.records["e-pct"], ledger.objects)
    assert out["epcList"] == ["https://id.gs1.org/01/80614141123458/21/a%2Fb%22c%25d"]
    assert_valid(out)


def test_a_resolver_base_gives_https_identifiers(world: World) -> None:
    naming = Naming("https://trace.example.cn/id/")
    out = to_epcis(world.ledger.records["e02"], world.ledger.objects, naming=naming)
    assert out["parentID"] == f"https://trace.example.cn/id/gbt34014/{PACK}"
    assert out["readPoint"] == {"id": "https://trace.example.cn/id/site/site-maker"}
    assert_valid(out)


def test_a_base_that_is_no_uri_is_refused() -> None:
    with pytest.raises(InvalidInput):
        Naming("retrace")


@pytest.mark.parametrize(
    ("event_id", "expected"),
    [
        ("urn:uuid:9f1c2d3e-0000-4000-8000-000000000001", "urn:uuid:9f1c2d3e-0000-4000-8000-000000000001"),
        ("https://scanner.example.com/e/1", "https://scanner.example.com/e/1"),
        ("9F1C2D3E-0000-4000-8000-000000000001", "urn:uuid:9f1c2d3e-0000-4000-8000-000000000001"),
    ],
)
def test_event_ids_that_are_uris_are_kept(event_id: str, expected: str) -> None:
    assert event_uri(event_id) == expected


def test_other_event_ids_become_stable_distinct_uuids() -> None:
    a, b = event_uri("dev-7 #12"), event_uri("dev-7 #13")
    assert a == event_uri("dev-7 #12") != b
    assert re.match(r"^urn:uuid:[0-9a-f-]{36}$", a)


def test_an_offset_epcis_cannot_express_is_given_in_utc() -> None:
    odd = datetime(2024, 5, 1, 12, 0, tzinfo=timezone(timedelta(hours=5, seconds=30)))
    when, offset = event_time(odd)
    assert offset == "+00:00"
    assert datetime.fromisoformat(when) == odd


def test_the_docs_table_is_the_mapping() -> None:
    """docs/events.md shows the mapping as a table; it must say what the code does."""
    rows = {}
    for line in (DOCS / "events.md").read_text(encoding="utf-8").splitlines():
        cells = [c.strip().strip("`") for c in line.strip().strip("|").split("|")]
        if len(cells) >= 5 and cells[0] in SHAPES:
            rows[cells[0]] = tuple(None if c in ("—", "") else c for c in cells[1:5])
    for name, shape in SHAPES.items():
        biz_step = shape.biz_step.replace(VOCAB, "retrace:")
        assert rows.get(name) == (shape.event_type, shape.action, biz_step, shape.disposition), name


# -- any valid commission maps to a valid document -----------------------------------------------------------------

_CSET82 = "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"
_VIN_ALPHABET = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"


def gtin14(body: str) -> str:
    """13 digits and their GS1 check digit."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return body + str((10 - total % 10) % 10)


def _vin(chars: str) -> str:
    body = chars[:8] + "0" + chars[8:]
    return body[:8] + vin_check_digit(body) + body[9:]


def _sgtin_hex(serial: int) -> str:
    urn = f"urn:epc:id:sgtin:0614141.812345.{serial}"
    return str(
        SGTIN(urn).hex(
            binary_coding_scheme=SGTIN.BinaryCodingScheme.SGTIN_96, filter_value=SGTINFilterValue.POS_ITEM
        )
    )


identifiers = st.one_of(
    st.builds(
        lambda g, s: f"https://id.gs1.org/01/{gtin14(g)}/21/{quote(s, safe='')}",
        st.text("0123456789", min_size=13, max_size=13),
        st.text(_CSET82, min_size=1, max_size=20),
    ),
    st.builds(lambda s: f"sgtin96:{_sgtin_hex(s)}", st.integers(0, 2**38 - 1)),
    st.builds(lambda c: f"vin:{_vin(c)}", st.text(_VIN_ALPHABET, min_size=16, max_size=16)),
    st.builds(
        lambda k, c: f"gbt34014:{c[:3]}{k}{c[3:]}",
        st.sampled_from("PMC"),
        st.text("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=23, max_size=23),
    ),
    st.builds(lambda c: f"internal:X{c}", st.from_regex(r"[A-Za-z0-9._/-]{2,40}", fullmatch=True)),
)
event_ids = st.one_of(st.text(min_size=1, max_size=128), st.uuids().map(lambda u: f"urn:uuid:{u}"))
offsets = st.one_of(
    st.integers(-12 * 60, 14 * 60).map(lambda m: timedelta(minutes=m)),
    st.integers(-86_399, 86_399).map(lambda s: timedelta(seconds=s)),  # offsets EPCIS cannot express
)


def commission_of(
    texts: list[str], event_id: str, when: datetime = T0, masses: list[int | None] | None = None
) -> tuple[Commission, Ledger]:
    ledger = new_ledger()
    masses = masses or [None] * len(texts)
    event = Commission(
        event_id,
        when,
        "site-maker",
        "maker",
        items=tuple(NewItem((t,), "tv", m) for t, m in zip(texts, masses, strict=True)),
    )
    ledger.apply(event, event.fingerprint())
    return event, ledger


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    texts=st.lists(identifiers, min_size=1, max_size=8, unique_by=lambda t: parse_identifier(t).key),
    event_id=event_ids,
    local=st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2024, 5, 30)),
    offset=offsets,
    masses=st.lists(st.none() | st.integers(0, 10**10), min_size=8, max_size=8),
)
def test_any_valid_commission_maps_to_a_valid_document(
    texts: list[str], event_id: str, local: datetime, offset: timedelta, masses: list[int | None]
) -> None:
    event, ledger = commission_of(
        texts, event_id, local.replace(tzinfo=timezone(offset)), masses[: len(texts)]
    )
    record = ledger.records[event_id]
    document = to_epcis_document([record], ledger.objects)
    assert_valid(document)
    (out,) = document["epcisBody"]["eventList"]
    assert len(out["epcList"]) == len(set(out["epcList"])) == len(texts)
    assert ext(out, "eventId") == event_id
    assert datetime.fromisoformat(out["eventTime"]) == event.event_time
    for text, described in zip(texts, ext(out, "objects"), strict=True):
        assert parse_identifier(described["retrace:identifiers"][0]).key == parse_identifier(text).key
