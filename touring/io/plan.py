"""Writing a plan: ``plan.json`` in a documented, versioned schema (docs/plan-schema.md).

Every write adds a new numbered version under ``OUT/versions/`` (never overwriting an
earlier one) and then points ``OUT/plan.json`` at the newest by replacing it atomically.
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path

from touring.costs import cost_rollup
from touring.io.files import write_text_atomic
from touring.model import Plan, SolverReport, Tour
from touring.paperwork import paperwork

SCHEMA = "touring-plan"
SCHEMA_VERSION = 1
VERSIONS_FOLDER = "versions"


def plan_to_json(plan: Plan, tour: Tour) -> dict:
    """The plan as JSON-ready data, with places named and located for readers."""
    def place(place_id: str) -> dict:
        p = tour.places[place_id]
        return {"id": p.id, "name": p.name, "lat": p.lat, "lon": p.lon, "timezone": p.timezone, "country": p.country}

    def solver(report: SolverReport) -> dict:
        return {"solver": report.solver, "status": report.status, "objective": report.objective,
                "best_bound": report.best_bound, "gap": report.gap, "wall_time_s": report.wall_time_s,
                "time_limit_s": report.time_limit_s, "seed": report.seed, "workers": report.workers}

    solvers = {"schedule": solver(plan.schedule_report)}
    if plan.accommodation_report is not None:
        solvers["accommodation"] = solver(plan.accommodation_report)
    if plan.crew_report is not None:
        solvers["crew"] = solver(plan.crew_report)
    if plan.loading_report is not None:
        solvers["loading"] = solver(plan.loading_report)
    if plan.transport_report is not None:
        solvers["transport"] = solver(plan.transport_report)
    # Paperwork and costs are pure functions of tour and plan: computed when written, not held by Plan.
    costs = cost_rollup(tour, plan)
    return {
        "schema": SCHEMA,
        "schema_version": SCHEMA_VERSION,
        "tour": plan.tour_name,
        "season": {"start": plan.season.start.isoformat(), "end": plan.season.end.isoformat()},
        "currency": plan.currency,
        "lead_vehicle_kind": plan.lead_kind.value,
        "solvers": solvers,
        "summary": {
            "shows_played": len(plan.bookings),
            "nights_played": sum(b.nights for b in plan.bookings),
            "optional_dropped": len(plan.dropped),
            "km": round(plan.km, 1),
            "drive_minutes": plan.drive_minutes,
            "fees": round(plan.fees, 2),
            "room_cost": plan.room_cost,
            "nights_to_book": len(plan.to_book),
            "roles_unfilled": len(plan.unfilled_roles),
            "units_left_behind": sum(x.units for x in plan.left_behind),
            "transport_km": round(sum(r.km for r in plan.runs), 1),
            "transport_cost": round(sum(r.cost for r in plan.runs), 2),
            "transport_unserved": len(plan.unserved_transport),
            "own_travel": len(plan.own_travel),
        },
        "shows": [
            {"show_id": b.show_id, "venue": place(b.venue_id), "first_night": b.first_night.isoformat(),
             "nights": b.nights, "setup_start": b.setup_start.isoformat(), "fee": b.fee, "fixed": b.fixed}
            for b in plan.bookings
        ],
        "dropped": [{"show_id": d.show_id, "reason": d.reason} for d in plan.dropped],
        "conflicts": list(plan.conflicts),
        "days": [
            {"date": day.day.isoformat(), "kind": day.kind.value, "place": place(day.place_id),
             "show_id": day.show_id, "km": round(day.km, 1), "drive_minutes": day.drive_minutes,
             "travel": [{"from": t.from_id, "to": t.to_id, "km": t.km, "drive_minutes": t.drive_minutes,
                         "minutes": t.minutes, "crossings": list(t.crossings), "overnight": t.overnight}
                        for t in day.travel]}
            for day in plan.days
        ],
        "accommodation": [
            {"date": night.day.isoformat(), "place": place(night.place_id), "next_place_id": night.next_place_id,
             "stays": [{"crew_id": s.crew_id, "kind": s.kind.value, "hotel_id": s.hotel_id,
                        "room": s.room.value if s.room else None, "room_mate": s.room_mate, "price": s.price}
                       for s in night.stays]}
            for night in plan.accommodation
        ],
        "to_book": [
            {"date": b.day.isoformat(), "place": place(b.place_id), "singles": b.singles, "doubles": b.doubles,
             "crew_ids": list(b.crew_ids), "reason": b.reason, "text": b.text}
            for b in plan.to_book
        ],
        "paperwork": [
            {"date": i.day.isoformat(), "kind": i.kind.value, "action": i.action.value, "from": i.from_id,
             "to": i.to_id, "from_country": i.from_country, "to_country": i.to_country, "crew_id": i.crew_id,
             "value": i.value, "text": i.text, "source": i.source}
            for i in paperwork(tour, plan)
        ],
        "costs": {
            "currency": costs.currency, "costs": costs.costs, "income": costs.income, "result": costs.result,
            "estimated": costs.estimated,
            "by_category": {c.value: amount for c, amount in costs.by_category.items()},
            "not_priced": list(costs.not_priced),
            "lines": [{"date": line.day.isoformat(), "category": line.category.value, "item": line.item,
                       "quantity": line.quantity, "unit": line.unit, "rate": line.rate, "amount": line.amount,
                       "estimate": line.estimate} for line in costs.lines],
        },
        "crew": [
            {"show_id": c.show_id, "date": c.day.isoformat(), "kind": c.kind.value, "start": c.start.isoformat(),
             "end": c.end.isoformat(), "roles": [{"role": role, "crew_id": crew_id} for role, crew_id in c.roles],
             "drivers": [{"vehicle_id": vehicle_id, "crew_id": crew_id} for vehicle_id, crew_id in c.drivers]}
            for c in plan.crew_shifts
        ],
        "unfilled_roles": [
            {"show_id": u.show_id, "date": u.day.isoformat(), "kind": u.kind.value, "role": u.role,
             "reason": u.reason, "text": u.text}
            for u in plan.unfilled_roles
        ],
        "loads": [
            {"leg": x.leg, "date": x.day.isoformat(), "from": x.from_id, "to": x.to_id, "vehicle_id": x.vehicle_id,
             "volume_m3": x.volume_m3, "weight_kg": x.weight_kg, "volume_limit_m3": x.volume_limit_m3,
             "payload_limit_kg": x.payload_limit_kg,
             "lines": [{"equipment_id": line.equipment_id, "item": line.item, "units": line.units,
                        "volume_m3": line.volume_m3, "weight_kg": line.weight_kg} for line in x.lines]}
            for x in plan.loads
        ],
        "left_behind": [
            {"leg": x.leg, "date": x.day.isoformat(), "from": x.from_id, "to": x.to_id,
             "equipment_id": x.equipment_id, "units": x.units, "reason": x.reason, "text": x.text}
            for x in plan.left_behind
        ],
        "equipment_moves": [
            {"kind": m.kind, "leg": m.leg, "date": m.day.isoformat(), "equipment_id": m.equipment_id, "item": m.item,
             "units": m.units, "supplier_id": m.supplier_id, "show_id": m.show_id, "text": m.text}
            for m in plan.equipment_moves
        ],
        "runs": [
            {"date": r.day.isoformat(), "vehicle_id": r.vehicle_id, "driver_id": r.driver_id, "km": r.km,
             "drive_minutes": r.drive_minutes, "cost": r.cost,
             **({"co_driver_id": r.co_driver_id, "co_driver_minutes": r.co_driver_minutes} if r.co_driver_id else {}),
             "breaks": [{"start": start.isoformat(), "minutes": minutes} for start, minutes in r.breaks],
             "stops": [{"place_id": s.place_id, "arrival": s.arrival.isoformat(), "departure": s.departure.isoformat(),
                        "board": list(s.board), "alight": list(s.alight), "load_gear": list(s.load_gear),
                        "unload_gear": list(s.unload_gear), "seats": s.seats, "volume_m3": s.volume_m3,
                        "weight_kg": s.weight_kg} for s in r.stops]}
            for r in plan.runs
        ],
        "unserved_transport": [
            {"date": u.day.isoformat(), "request_id": u.request_id, "subject": u.subject, "from": u.from_id,
             "to": u.to_id, "reason": u.reason, "text": u.text}
            for u in plan.unserved_transport
        ],
        "own_travel": [
            {"date": t.day.isoformat(), "crew_id": t.crew_id, "from": t.from_id, "to": t.to_id,
             "from_name": t.from_name, "to_name": t.to_name, "road_minutes": t.road_minutes, "reason": t.reason,
             "text": t.text}
            for t in plan.own_travel
        ],
    }


def write_plan(plan: Plan, tour: Tour, out_dir: str | Path, tour_source: Path | None = None) -> Path:
    """Write the plan as a new version and make it ``OUT/plan.json``; returns the version file.

    ``tour_source`` (the tour folder or workbook) is recorded so that exports and
    replanning can find the tour the plan was made from.
    """
    out = Path(out_dir)
    versions = out / VERSIONS_FOLDER
    versions.mkdir(parents=True, exist_ok=True)
    document = plan_to_json(plan, tour)
    if tour_source is not None:
        document["tour_source"] = str(Path(tour_source).resolve())
    document["written_at"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
    text = json.dumps(document, indent=1, ensure_ascii=False) + "\n"
    staged = versions / f".staged-{os.getpid()}.json"
    write_text_atomic(staged, text)
    number = 1 + max((int(p.stem.split("-")[1]) for p in versions.glob("plan-*.json")
                      if p.stem.split("-")[1].isdigit()), default=0)
    try:
        while True:
            version_file = versions / f"plan-{number:04d}.json"
            try:
                # A hard link appears whole and fails if the name exists: a version is
                # never half-written and never replaced, even by two runs at once.
                os.link(staged, version_file)
                break
            except FileExistsError:
                number += 1
    finally:
        staged.unlink(missing_ok=True)
    write_text_atomic(out / "plan.json", text)
    return version_file


def version_number(path: str | Path) -> int | None:
    """The version number of a plan file: ``N`` of ``versions/plan-NNNN.json``, or for an
    ``OUT/plan.json`` the version it is a copy of; ``None`` when it is none of them."""
    path = Path(path)
    stem = path.stem.split("-")
    if path.parent.name == VERSIONS_FOLDER and len(stem) == 2 and stem[0] == "plan" and stem[1].isdigit():
        return int(stem[1])
    try:
        text = path.read_bytes()
        candidates = sorted(path.parent.joinpath(VERSIONS_FOLDER).glob("plan-*.json"), reverse=True)
        return next((int(v.stem.split("-")[1]) for v in candidates
                     if v.stem.split("-")[1].isdigit() and v.read_bytes() == text), None)
    except OSError:
        return None


def read_tour_source(path: str | Path) -> Path | None:
    """The tour folder or workbook a plan.json records, when it still exists."""
    try:
        recorded = json.loads(Path(path).read_text(encoding="utf-8")).get("tour_source")
    except (OSError, ValueError, AttributeError):
        return None
    return Path(recorded) if recorded and Path(recorded).exists() else None


def read_plan(path: str | Path) -> Plan:
    """Read a ``plan.json`` (or a version file) back into a :class:`~touring.model.Plan`.

    The inverse of :func:`plan_to_json`: places become their ids again, and the day and
    summary totals (which the plan computes from its legs) are not read.

    Raises
    ------
    DataError
        When the file is not JSON, not a ``touring-plan`` of a version this code knows, or
        lacks a field; the message names the field.
    """
    from touring.errors import DataError

    path = Path(path)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise DataError(path.name, None, None, f"is not a JSON document: {error}") from None
    return plan_from_json(document, path.name)


def plan_from_json(document: object, source: str) -> Plan:
    """A :class:`~touring.model.Plan` from a plan document already parsed from JSON.

    ``source`` names the file the document came from in error messages (it may be a plan
    kept inside another file, such as the export state).

    Raises
    ------
    DataError
        As :func:`read_plan`.
    """
    from datetime import date, datetime

    from touring.errors import DataError, FieldError
    from touring.model import (
        CrewShift, DateRange, DayKind, DroppedShow, EquipmentMove, LeftBehind, LoadLine, Night, OwnTravel, PlanDay,
        RoomKind,
        RunStop, ShowBooking, SolverReport, Stay, StayKind, ToBook, TransportRun, TravelPart, UnfilledRole,
        UnservedRequest, VehicleKind, VehicleLoad,
    )

    if not isinstance(document, dict) or document.get("schema") != SCHEMA:
        raise DataError(source, None, "schema", f"is not a plan: 'schema' must be '{SCHEMA}'", setting=True)
    if document.get("schema_version") != SCHEMA_VERSION:
        raise DataError(source, None, "schema_version",
                        f"is version {document.get('schema_version')!r}; this touring reads version {SCHEMA_VERSION}",
                        setting=True)
    where = "document"
    try:
        where = "season"
        season = DateRange(date.fromisoformat(document["season"]["start"]),
                           date.fromisoformat(document["season"]["end"]))
        def solver(s: dict) -> SolverReport:
            return SolverReport(s["solver"], s["status"], s["objective"], s["best_bound"], s["gap"], s["wall_time_s"],
                                s["time_limit_s"], s["seed"], s["workers"])

        where = "solvers.schedule"
        report = solver(document["solvers"]["schedule"])
        where = "solvers.accommodation"
        stays_report = solver(document["solvers"]["accommodation"]) if "accommodation" in document["solvers"] \
            else None
        bookings = []
        for number, b in enumerate(document["shows"]):
            where = f"shows[{number}]"
            bookings.append(ShowBooking(b["show_id"], b["venue"]["id"], date.fromisoformat(b["first_night"]),
                                        b["nights"], date.fromisoformat(b["setup_start"]), b["fee"], b["fixed"]))
        where = "dropped"
        dropped = tuple(DroppedShow(d["show_id"], d["reason"]) for d in document["dropped"])
        days = []
        for number, d in enumerate(document["days"]):
            where = f"days[{number}]"
            travel = tuple(TravelPart(t["from"], t["to"], t["km"], t["drive_minutes"], t["minutes"],
                                      tuple(t["crossings"]), t["overnight"]) for t in d["travel"])
            days.append(PlanDay(date.fromisoformat(d["date"]), DayKind(d["kind"]), d["place"]["id"], d["show_id"],
                                travel))
        nights = []
        for number, n in enumerate(document.get("accommodation", ())):
            where = f"accommodation[{number}]"
            stays = tuple(Stay(s["crew_id"], StayKind(s["kind"]), s["hotel_id"],
                               RoomKind(s["room"]) if s["room"] else None, s["room_mate"], s["price"])
                          for s in n["stays"])
            nights.append(Night(date.fromisoformat(n["date"]), n["place"]["id"], n["next_place_id"], stays))
        to_book = []
        for number, b in enumerate(document.get("to_book", ())):
            where = f"to_book[{number}]"
            to_book.append(ToBook(date.fromisoformat(b["date"]), b["place"]["id"], b["place"]["name"], b["singles"],
                                  b["doubles"], tuple(b["crew_ids"]), b["reason"]))
        where = "solvers.crew"
        crew_report = solver(document["solvers"]["crew"]) if "crew" in document["solvers"] else None
        where = "solvers.loading"
        loading_report = solver(document["solvers"]["loading"]) if "loading" in document["solvers"] else None
        shifts = []
        for number, c in enumerate(document.get("crew", ())):
            where = f"crew[{number}]"
            shifts.append(CrewShift(c["show_id"], date.fromisoformat(c["date"]), DayKind(c["kind"]),
                                    datetime.fromisoformat(c["start"]), datetime.fromisoformat(c["end"]),
                                    tuple((r["role"], r["crew_id"]) for r in c["roles"]),
                                    tuple((r["vehicle_id"], r["crew_id"]) for r in c.get("drivers", ()))))
        unfilled = []
        for number, u in enumerate(document.get("unfilled_roles", ())):
            where = f"unfilled_roles[{number}]"
            unfilled.append(UnfilledRole(u["show_id"], date.fromisoformat(u["date"]), DayKind(u["kind"]), u["role"],
                                         u["reason"]))
        loads = []
        for number, x in enumerate(document.get("loads", ())):
            where = f"loads[{number}]"
            lines = tuple(LoadLine(line["equipment_id"], line["item"], line["units"], line["volume_m3"],
                                   line["weight_kg"]) for line in x["lines"])
            loads.append(VehicleLoad(x["leg"], date.fromisoformat(x["date"]), x["from"], x["to"], x["vehicle_id"],
                                     lines, x["volume_m3"], x["weight_kg"], x["volume_limit_m3"],
                                     x["payload_limit_kg"]))
        left = []
        for number, x in enumerate(document.get("left_behind", ())):
            where = f"left_behind[{number}]"
            left.append(LeftBehind(x["leg"], date.fromisoformat(x["date"]), x["from"], x["to"], x["equipment_id"],
                                   x["units"], x["reason"]))
        moves = []
        for number, m in enumerate(document.get("equipment_moves", ())):
            where = f"equipment_moves[{number}]"
            moves.append(EquipmentMove(m["kind"], m["leg"], date.fromisoformat(m["date"]), m["equipment_id"],
                                       m["item"], m["units"], m["supplier_id"], m["show_id"]))
        where = "solvers.transport"
        transport_report = solver(document["solvers"]["transport"]) if "transport" in document["solvers"] else None
        runs = []
        for number, r in enumerate(document.get("runs", ())):
            where = f"runs[{number}]"
            stops = tuple(RunStop(s["place_id"], datetime.fromisoformat(s["arrival"]),
                                  datetime.fromisoformat(s["departure"]), tuple(s["board"]), tuple(s["alight"]),
                                  tuple(s["load_gear"]), tuple(s["unload_gear"]), s["seats"], s["volume_m3"],
                                  s["weight_kg"]) for s in r["stops"])
            runs.append(TransportRun(date.fromisoformat(r["date"]), r["vehicle_id"], r["driver_id"], stops, r["km"],
                                     r["drive_minutes"],
                                     tuple((datetime.fromisoformat(b["start"]), b["minutes"]) for b in r["breaks"]),
                                     r["cost"], r.get("co_driver_id"), r.get("co_driver_minutes", 0)))
        unserved = []
        for number, u in enumerate(document.get("unserved_transport", ())):
            where = f"unserved_transport[{number}]"
            unserved.append(UnservedRequest(date.fromisoformat(u["date"]), u["request_id"], u["subject"], u["from"],
                                            u["to"], u["reason"]))
        own_travel = []
        for number, t in enumerate(document.get("own_travel", ())):
            where = f"own_travel[{number}]"
            own_travel.append(OwnTravel(date.fromisoformat(t["date"]), t["crew_id"], t["from"], t["to"], t["from_name"],
                                        t["to_name"], t["road_minutes"], t["reason"]))
        where = "tour"
        return Plan(document["tour"], season, document["currency"], VehicleKind(document["lead_vehicle_kind"]),
                    tuple(bookings), dropped, tuple(days), report, tuple(document.get("conflicts", ())),
                    tuple(nights), tuple(to_book), stays_report, tuple(shifts), tuple(unfilled), crew_report,
                    tuple(loads), tuple(left), tuple(moves), loading_report, tuple(runs), tuple(unserved),
                    transport_report, tuple(own_travel))
    except KeyError as error:
        raise DataError(source, None, where, f"lacks the field {error.args[0]!r}", setting=True) from None
    except (TypeError, ValueError, FieldError) as error:
        raise DataError(source, None, where, f"has a bad value: {error}", setting=True) from None
