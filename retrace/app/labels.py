"""Use case: print QR labels for traced objects, one at a time (PNG, SVG) or as A4 sheets (PDF).

Rules: a label's QR code holds the object's link on the platform's resolver (``retrace.domain.links``: the GS1 Digital
Link ``/01/{gtin}/21/{serial}`` for units with a GTIN and serial, ``/00/{sscc}`` for logistic units such as cages,
``/8003/{grai}`` for returnable assets such as crates, ``/id/{scheme}/{value}`` for the others), and the label shows,
for people, every identifier the object carries (GS1 as ``(01) … (21) …``, ``(00) …``, ``(8003) …``, the GB/T 34014
battery code, the VIN, internal codes), the product model and its producer, in Chinese and English. Objects are chosen
by any of their identifiers (INVALID_IDENTIFIER, OBJECT_NOT_FOUND with the index of the offending one), by the event
that commissioned them (EVENT_NOT_FOUND), or as all that a party commissioned in a period (PARTY_NOT_FOUND; start before
end, both with a timezone). A voided object has no identifier left and gets no label (NO_IDENTIFIER). One request prints
at most ``max_labels`` labels (BATCH_TOO_LARGE); the command line has no such limit.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

# Re-exported: the formats live on their own so the command line can offer them without loading this module.
from retrace.app.label_formats import MEDIA_TYPES as MEDIA_TYPES
from retrace.app.label_formats import LabelFormat as LabelFormat
from retrace.app.ports import GraphStore
from retrace.domain import errors as codes
from retrace.domain.errors import BatchTooLarge, InvalidInput, NotFound, TraceError
from retrace.domain.identifiers import lookup_keys
from retrace.domain.links import ObjectLink, check_base, link_for
from retrace.domain.model import ObjectKind, Party, ProductModel, Stream, TracedObject

MAX_LABELS = 1000
_PAGE = 500


@dataclass(frozen=True)
class LabelLine:
    """One human-readable identifier on a label, captioned in both languages."""

    caption: str
    caption_zh: str
    value: str


@dataclass(frozen=True)
class LabelContent:
    """What one label says.  ``title`` is the model's registered name (often Chinese); ``title_latin`` is what a
    renderer without Chinese glyphs prints instead."""

    object_id: str
    link: ObjectLink
    title: str
    title_latin: str
    model_id: str | None
    producer: str
    producer_zh: str
    identifiers: tuple[LabelLine, ...]
    stream: Stream


# What a key's prefix is called on a label, in the order labels list them.
_CAPTIONS: dict[str, tuple[str, str]] = {
    "gs1:01": ("GTIN + serial", "商品条码与序列号"),
    "gs1:00": ("SSCC (logistic unit)", "物流单元代码 SSCC"),
    "gs1:8003": ("GRAI (returnable asset)", "可回收资产代码 GRAI"),
    "gbt34014": ("Battery code GB/T 34014", "电池编码"),
    "vin": ("VIN", "车辆识别代号"),
    "internal": ("Code", "编码"),
}


@dataclass(frozen=True)
class SheetChoice:
    """Which objects one sheet of labels is for: exactly one of ``identifiers``, ``event_id``, or ``party_id`` with
    ``start`` and ``end``.  REST's body and GraphQL's ``label_sheet`` arguments both become one of these, so both
    refuse a bad choice with the same VALIDATION_ERROR, message and field."""

    identifiers: Sequence[str] | None = None
    event_id: str | None = None
    party_id: str | None = None
    start: datetime | None = None
    end: datetime | None = None

    def __post_init__(self) -> None:
        ways = {"identifiers": self.identifiers, "event_id": self.event_id, "party_id": self.party_id}
        given = [name for name, value in ways.items() if value is not None]
        if len(given) != 1:
            raise InvalidInput(
                "give exactly one of identifiers, event_id, or party_id with start and end",
                message_zh="请只选择一种方式：标识列表、事件编号，或主体加起止时间",
                code=codes.VALIDATION_ERROR,
                field=given[1] if given else "identifiers",  # the second way given is the one too many
            )
        period = {"start": self.start, "end": self.end}
        if self.party_id is not None and None in period.values():
            raise InvalidInput(
                "party_id needs start and end",
                message_zh="按主体打印需要起止时间 start 和 end",
                code=codes.VALIDATION_ERROR,
                field=next(name for name, value in period.items() if value is None),
            )
        if self.party_id is None and any(value is not None for value in period.values()):
            raise InvalidInput(
                "start and end go with party_id",
                message_zh="起止时间 start 和 end 只能与 party_id 一起使用",
                code=codes.VALIDATION_ERROR,
                field=next(name for name, value in period.items() if value is not None),
            )

    @property
    def name(self) -> str:
        """A file name for the sheet, without its extension."""
        chosen = self.event_id or self.party_id
        return f"labels-{chosen}" if chosen else "labels"


class LabelRenderer(Protocol):
    """Draws labels.  ``single`` gives one label as PNG or SVG; ``sheet`` lays labels out on A4 pages as one PDF,
    calling ``progress`` with the number of labels drawn so far."""

    def single(self, label: LabelContent, fmt: LabelFormat) -> bytes: ...

    def sheet(
        self, labels: Sequence[LabelContent], progress: Callable[[int], None] | None = None
    ) -> bytes: ...


@dataclass
class PrintLabels:
    store: GraphStore
    renderer: LabelRenderer
    resolver_base: str
    max_labels: int | None = MAX_LABELS

    def __post_init__(self) -> None:
        self.resolver_base = check_base(self.resolver_base)

    # -- choosing objects -------------------------------------------------------------------------------------

    async def chosen(self, choice: SheetChoice) -> list[LabelContent]:
        """The labels of a sheet, chosen in one of the three ways."""
        if choice.identifiers is not None:
            return await self.for_identifiers(choice.identifiers)
        if choice.event_id is not None:
            return await self.commissioned_by_event(choice.event_id)
        assert choice.party_id is not None and choice.start is not None and choice.end is not None
        return await self.commissioned_by_party(choice.party_id, choice.start, choice.end)

    async def for_identifiers(self, identifiers: Sequence[str]) -> list[LabelContent]:
        """One label per identifier, in the order given (an object named twice gets two labels)."""
        if not identifiers:
            raise InvalidInput(
                "name at least one identifier",
                message_zh="至少需要一个标识",
                code=codes.VALIDATION_ERROR,
                field="identifiers",
            )
        self._check_count(len(identifiers))
        wanted: list[list[str]] = []
        for i, text in enumerate(identifiers):
            try:
                wanted.append(lookup_keys(text))
            except TraceError as e:
                raise e.at_field(f"identifiers[{i}]") from None
        found = await self.store.find_by_keys([k for keys in wanted for k in keys])
        objects: list[TracedObject] = []
        missing = [
            text for text, keys in zip(identifiers, wanted, strict=True) if not any(k in found for k in keys)
        ]
        for i, (text, keys) in enumerate(zip(identifiers, wanted, strict=True)):
            hit = next((found[k] for k in keys if k in found), None)
            if hit is None:
                raise NotFound(
                    f"no object is known by {text!r}",
                    code=codes.OBJECT_NOT_FOUND,
                    message_zh=f"找不到标识为 {text!r} 的物品",
                    field=f"identifiers[{i}]",
                    details={"missing": missing},
                )
            objects.append(hit)
        return await self.for_objects(objects)

    async def commissioned_by_event(self, event_id: str) -> list[LabelContent]:
        """The objects the event created (a commission's items; also a disassembly's parts and lots)."""
        records = await self.store.get_events([event_id])
        if event_id not in records:
            raise NotFound(
                f"no event {event_id!r} is recorded",
                code=codes.EVENT_NOT_FOUND,
                message_zh=f"找不到事件 {event_id!r}",
                field="event_id",
            )
        created = records[event_id].created_ids
        self._check_count(len(created))
        objects = await self.store.get_objects(created)
        return await self.for_objects([objects[i] for i in created if i in objects])

    async def commissioned_by_party(
        self, party_id: str, start: datetime, end: datetime
    ) -> list[LabelContent]:
        """Every item ``party_id`` commissioned with ``start <= event time < end``, by id."""
        if start.tzinfo is None or end.tzinfo is None or not start < end:
            raise InvalidInput(
                "the period needs a start before its end, both with a timezone offset",
                message_zh="时间段的开始须早于结束，且都需要时区",
                code=codes.VALIDATION_ERROR,
                field="start",
            )
        if party_id not in await self.store.get_parties([party_id]):
            raise NotFound(
                f"party {party_id!r} is not registered",
                code=codes.PARTY_NOT_FOUND,
                message_zh=f"未登记的主体 {party_id!r}",
                field="party_id",
            )
        objects: list[TracedObject] = []
        after: str | None = None
        while True:
            page = await self.store.commissioned(party_id, start, end, _PAGE, after)
            objects.extend(page)
            self._check_count(len(objects))
            if len(page) < _PAGE:
                break
            after = page[-1].id
        return await self.for_objects(objects)

    # -- drawing ----------------------------------------------------------------------------------------------

    def single(self, label: LabelContent, fmt: LabelFormat) -> bytes:
        if fmt is LabelFormat.PDF:
            return self.renderer.sheet([label])
        return self.renderer.single(label, fmt)

    def sheet(self, labels: Sequence[LabelContent], progress: Callable[[int], None] | None = None) -> bytes:
        if not labels:
            raise InvalidInput(
                "there is nothing to print", message_zh="没有可打印的标签", code=codes.VALIDATION_ERROR
            )
        return self.renderer.sheet(labels, progress)

    # -- what a label says ------------------------------------------------------------------------------------

    async def for_objects(self, objects: Sequence[TracedObject]) -> list[LabelContent]:
        """Labels for objects already in hand (GraphQL's ``Item.label``), with their models and producers."""
        models = await self.store.get_models([o.model_id for o in objects if o.model_id])
        parties = await self.store.get_parties([m.producer_id for m in models.values()])
        out = []
        for obj in objects:
            model = models.get(obj.model_id) if obj.model_id else None
            producer = parties.get(model.producer_id) if model else None
            out.append(self.content(obj, model, producer))
        return out

    def content(self, obj: TracedObject, model: ProductModel | None, producer: Party | None) -> LabelContent:
        link = link_for(obj.keys, self.resolver_base)
        lines: list[LabelLine] = []
        for prefix, (caption, caption_zh) in _CAPTIONS.items():
            for key in obj.keys:
                scheme, _, value = key.partition(":")
                kind = f"gs1:{value.split('/', 1)[0]}" if scheme == "gs1" else scheme
                if kind != prefix:
                    continue
                if scheme == "gs1":
                    value = ObjectLink("", "", key, gs1=True).gs1_hri or value
                lines.append(LabelLine(caption, caption_zh, value))
        if model is not None:
            title, latin = model.name, model.id
        elif obj.kind is ObjectKind.LOT:
            title = latin = f"{obj.material} lot"
        else:
            title = latin = obj.category or obj.id
        return LabelContent(
            object_id=obj.id,
            link=link,
            title=title,
            title_latin=latin,
            model_id=model.id if model else None,
            producer=producer.name if producer else (model.producer_id if model else ""),
            producer_zh=producer.name_zh if producer else "",
            identifiers=tuple(lines),
            stream=obj.stream,
        )

    def _check_count(self, count: int) -> None:
        if self.max_labels is not None and count > self.max_labels:
            raise BatchTooLarge(
                f"at most {self.max_labels} labels per request; split the batch or use `trace labels`",
                message_zh=f"每次最多打印 {self.max_labels} 个标签，请拆分或使用命令行 trace labels",
                details={"max_labels": self.max_labels, "count": count},
            )
